/**
 * Prints a JWT the local platform accepts:
 *   npm run -s token -- --tenant <id> --roles <r1,r2> [--user <id>] [--expires <seconds>]
 * Signed with the key the platform keeps in its data folder ($MODOS_DATA_DIR or .modos). The rules are those of
 * the development sign-in (`parseTokenRequest` in local/keys.ts, which both call).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES } from '../schemas/roles.js';
import { ensureLocalKeys, parseTokenRequest, signLocalToken, TokenRequestError } from '../local/keys.js';

const USAGE = `usage: npm run -s token -- --tenant <id> --roles <${ROLES.join('|')},...> [--user <id>] [--expires <seconds>]`;
/** The command's option of each request field. */
const OPTION_OF: Record<string, string> = {
  tenant: '--tenant',
  roles: '--roles',
  user: '--user',
  expiresInSeconds: '--expires',
};

const fail = (message: string): never => {
  process.stderr.write(`token: ${message}\n${USAGE}\n`);
  process.exit(2);
};

let values: { tenant?: string; roles?: string; user?: string; expires?: string };
try {
  ({ values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      roles: { type: 'string' },
      user: { type: 'string' },
      expires: { type: 'string', default: '3600' },
    },
  }));
} catch (error) {
  values = fail((error as Error).message);
}

let request: ReturnType<typeof parseTokenRequest>;
try {
  request = parseTokenRequest({
    tenant: values.tenant,
    roles: values.roles === undefined ? undefined : values.roles.split(',').filter(Boolean),
    ...(values.user !== undefined ? { user: values.user } : {}),
    expiresInSeconds: Number(values.expires),
  });
} catch (error) {
  if (!(error instanceof TokenRequestError)) throw error;
  request = fail(
    error.details
      .map((d) => {
        const [field = '', index] = d.field.split('.');
        const option = OPTION_OF[field] ?? field;
        return index === undefined ? `${option}: ${d.message}` : `${option} (role ${Number(index) + 1}): ${d.message}`;
      })
      .join('; '),
  );
}

const keys = await ensureLocalKeys(resolve(process.env.MODOS_DATA_DIR ?? '.modos'));
process.stdout.write(`${await signLocalToken(keys.privateJwk, request)}\n`);
