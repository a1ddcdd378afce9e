/**
 * npm run -s demo:sync — run beside `npm start` (the same PORT and MODOS_DATA_DIR): configures the tenant `demo`
 * with a Salesforce, a HubSpot and a Workday connector against the fake vendors `npm start` runs, syncs them, waits
 * for identity resolution, and prints as its last line
 * `{ "tenant", "runs": [{ "connector", "status", "records" }], "entities", "multiSource" }`.
 * Progress goes to stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureLocalKeys, signLocalToken } from '../local/keys.js';
import { VENDORS_FILE } from '../local/vendors-file.js';
import { runDemoSync, type VendorCredentials } from './lib/demo-sync.js';

const dataDir = resolve(process.env.MODOS_DATA_DIR ?? '.modos');
const baseUrl = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const vendorsFile = join(dataDir, VENDORS_FILE);
const fail = (message: string): never => {
  process.stderr.write(`demo:sync: ${message}\n`);
  process.exit(1);
};
const health = await fetch(`${baseUrl}/health`).catch(() => undefined);
if (!health?.ok) fail(`no platform answers at ${baseUrl}: start it with \`npm start\` (same PORT and MODOS_DATA_DIR)`);
if (!existsSync(vendorsFile)) fail(`${vendorsFile} is missing: \`npm start\` writes it when the fake vendors listen`);
const vendors = JSON.parse(readFileSync(vendorsFile, 'utf8')) as VendorCredentials;
const keys = await ensureLocalKeys(dataDir);
const token = await signLocalToken(keys.privateJwk, { tenantId: 'demo', roles: ['admin'], userId: 'demo-admin' });
const result = await runDemoSync(baseUrl, token, vendors, (line) => process.stderr.write(`  ${line}\n`));
if (result.allThree) {
  process.stderr.write(
    [
      '',
      `A person who came from all three systems: ${result.allThree}`,
      `  TOKEN=$(npm run -s token -- --tenant demo --roles admin)`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${baseUrl}/api/v1/entities/${result.allThree}/sources`,
      '',
    ].join('\n'),
  );
}
const { allThree: _allThree, ...line } = result;
process.stdout.write(`${JSON.stringify(line)}\n`);
if (result.runs.some((r) => r.status !== 'succeeded')) process.exitCode = 1;
