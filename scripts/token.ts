/**
 * Prints a JWT the local platform accepts:
 *   npm run -s token -- --tenant <id> --roles <r1,r2> [--user <id>] [--expires <seconds>]
 * Signed with the key the platform keeps in its data folder ($MODOS_DATA_DIR or .modos).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES } from '../schemas/roles.js';
import { ensureLocalKeys, signLocalToken } from '../local/keys.js';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    roles: { type: 'string' },
    user: { type: 'string' },
    expires: { type: 'string', default: '3600' },
  },
});

const fail = (message: string): never => {
  process.stderr.write(
    `token: ${message}\nusage: npm run -s token -- --tenant <id> --roles <${ROLES.join('|')},...> [--user <id>] [--expires <seconds>]\n`,
  );
  process.exit(2);
};

const tenantId = values.tenant ?? fail('--tenant is required');
if (!/^[A-Za-z0-9_-]{1,64}$/.test(tenantId)) fail('--tenant must be 1-64 characters of A-Z, a-z, 0-9, _ or -');
const roles = (values.roles ?? fail('--roles is required')).split(',').filter(Boolean);
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
if (unknown.length) fail(`unknown role(s): ${unknown.join(', ')}`);
const expiresInSeconds = Number(values.expires);
if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1) fail('--expires must be a positive number of seconds');

const keys = await ensureLocalKeys(resolve(process.env.MODOS_DATA_DIR ?? '.modos'));
const token = await signLocalToken(keys.privateJwk, {
  tenantId,
  roles,
  userId: values.user,
  expiresInSeconds,
});
process.stdout.write(`${token}\n`);
