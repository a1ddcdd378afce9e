/**
 * `npm start`: the whole platform on this machine. Ctrl-C or SIGTERM stops it cleanly. With `MODOS_OIDC_ISSUER` and
 * `MODOS_OIDC_CLIENT_ID` (docs/local-console.md) it signs in with that OpenID Provider instead of the development
 * sign-in, as a deployed stage does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityProviderFromEnv, type IdentityProviderOptions, startPlatform } from './platform.js';
import { VENDORS_FILE } from './vendors-file.js';
import { DEFAULT_PORT as VENDORS_PORT, startFakeVendors, type FakeVendors } from './vendors/index.js';

const t0 = Date.now();
let identityProvider: IdentityProviderOptions | undefined;
try {
  identityProvider = identityProviderFromEnv(process.env);
} catch (error) {
  process.stderr.write(`modos failed to start: ${(error as Error).message}\n`);
  process.exit(1);
}
const platform = await startPlatform({
  identityProvider,
  onProgress: (step, ms) => process.stderr.write(`  ${step.padEnd(8)} ready after ${ms} ms\n`),
}).catch((error: Error & { code?: string }) => {
  const hint =
    error.code === 'EADDRINUSE'
      ? ` (another process uses the port: set PORT to a free one, e.g. PORT=3001 npm start)`
      : '';
  process.stderr.write(`modos failed to start: ${error.message}${hint}\n`);
  process.exit(1);
});

// The fake Salesforce, HubSpot and Workday (docs/fake-vendors.md), for connectors configured against them
// (`npm run -s demo:sync`). MODOS_VENDORS=off leaves them out; MODOS_VENDORS_PORT moves them (8900-8999, the
// loopback ports the platform's outbound calls may reach).
let vendors: FakeVendors | undefined;
if (process.env.MODOS_VENDORS !== 'off') {
  const port = Number(process.env.MODOS_VENDORS_PORT ?? VENDORS_PORT);
  vendors = await startFakeVendors({ port }).catch((error: Error & { code?: string }) => {
    process.stderr.write(
      `  vendors  not started: ${error.message}${error.code === 'EADDRINUSE' ? ` (set MODOS_VENDORS_PORT to a free port in 8900-8999)` : ''}\n`,
    );
    return undefined;
  });
  if (vendors) {
    writeFileSync(join(platform.dataDir, VENDORS_FILE), `${JSON.stringify(vendors.credentials, null, 2)}\n`, {
      mode: 0o600,
    });
  }
}

process.stdout.write(
  [
    '',
    platform.console.error
      ? `console: not built (${platform.console.error})`
      : `console: ${platform.console.url} (${platform.identityProvider ? `sign in with ${platform.identityProvider.issuer}` : 'sign in locally'})`,
    '',
    `modos is running at ${platform.url}  (started in ${Date.now() - t0} ms, data in ${platform.dataDir})`,
    '',
    `  health:   curl ${platform.url}/health`,
    `  openapi:  curl ${platform.url}/api/v1/openapi.json`,
    ...(platform.identityProvider
      ? [`  token:    from ${platform.identityProvider.issuer} (aud ${platform.identityProvider.audience})`]
      : ['  token:    TOKEN=$(npm run -s token -- --tenant acme --roles admin)']),
    `  call:     curl -H "Authorization: Bearer $TOKEN" ${platform.url}/api/v1/entities`,
    `  events:   tail -f ${platform.dataDir}/events.jsonl`,
    ...(vendors
      ? [
          `  vendors:  ${vendors.url}/salesforce, /hubspot, /workday  (credentials in ${join(platform.dataDir, VENDORS_FILE)})`,
          '  demo:     npm run -s demo:sync   (connectors for the tenant demo, synced against the vendors)',
        ]
      : []),
    `  emulators: dynamodb ${platform.dynamoEndpoint}  s3 ${platform.s3Endpoint}  eventbridge ${platform.busEndpoint}  stepfunctions ${platform.sfnEndpoint}`,
    '',
    'Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n${signal}: stopping modos...\n`);
  await vendors?.stop();
  await platform.stop();
  process.stderr.write('stopped.\n');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
