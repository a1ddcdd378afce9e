import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  MAX_LOCAL_TOKEN_SECONDS,
  parseTokenRequest,
  TokenRequestError,
} from '../../local/keys.js';

const refusal = (input: unknown) => {
  try {
    parseTokenRequest(input);
  } catch (error) {
    if (error instanceof TokenRequestError) return error.details;
    throw error;
  }
  throw new Error('accepted');
};

describe('parseTokenRequest (npm run -s token and the development sign-in)', () => {
  it('turns a request into what signLocalToken signs', () => {
    expect(
      parseTokenRequest({ tenant: 'acme', roles: ['approver', 'analyst'], user: 'dana', expiresInSeconds: 60 }),
    ).toEqual({
      tenantId: 'acme',
      roles: ['approver', 'analyst'],
      userId: 'dana',
      expiresInSeconds: 60,
    });
    expect(parseTokenRequest({ tenant: 'a_b-9', roles: ['admin'] })).toEqual({ tenantId: 'a_b-9', roles: ['admin'] });
    expect(
      parseTokenRequest({ tenant: 'x'.repeat(64), roles: ['admin'], expiresInSeconds: MAX_LOCAL_TOKEN_SECONDS }),
    ).toMatchObject({ expiresInSeconds: MAX_LOCAL_TOKEN_SECONDS });
  });

  it('names every field that breaks a rule at once', () => {
    expect(refusal({ tenant: 'a b', roles: ['admin', 'root'], user: 'callback:apr_1', expiresInSeconds: -1 })).toEqual([
      { field: 'tenant', message: '1-64 characters of A-Z, a-z, 0-9, _ or -' },
      { field: 'roles.1', message: 'one of admin, operator, analyst, approver' },
      { field: 'user', message: expect.stringContaining('reserved actor namespace') },
      { field: 'expiresInSeconds', message: expect.stringContaining('whole number of seconds') },
    ]);
  });

  it('says required for a missing field and refuses one it does not know', () => {
    expect(refusal({})).toEqual([
      { field: 'tenant', message: 'required' },
      { field: 'roles', message: 'required' },
    ]);
    expect(refusal({ tenant: 'acme', roles: ['admin'], tenant_id: 'other', exp: 1 })).toEqual([
      { field: 'tenant_id', message: 'unknown field' },
      { field: 'exp', message: 'unknown field' },
    ]);
    expect(refusal(null)).toEqual([{ field: 'body', message: 'a JSON object' }]);
  });

  it('refuses a role listed twice, naming the second', () => {
    expect(refusal({ tenant: 'acme', roles: ['admin', 'analyst', 'admin'] })).toEqual([
      { field: 'roles.2', message: 'admin is listed twice' },
    ]);
  });
});

/** The command as a user runs it, with its own data folder. */
function token(dataDir: string, ...args: string[]) {
  const r = spawnSync('npm', ['run', '-s', 'token', '--', ...args], {
    encoding: 'utf8',
    env: { ...process.env, MODOS_DATA_DIR: dataDir },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run -s token', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'modos-token-'));

  it('prints a token the platform key verifies, with the tenant, roles, user and lifetime asked for', async () => {
    const r = token(dataDir, '--tenant', 'acme', '--roles', 'admin,approver', '--user', 'dana', '--expires', '120');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const jwks = JSON.parse(readFileSync(join(dataDir, 'keys', 'jwks.json'), 'utf8'));
    const { payload } = await jwtVerify(r.stdout.trim(), createLocalJWKSet(jwks), {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
    });
    expect(payload).toMatchObject({ tenant_id: 'acme', roles: ['admin', 'approver'], sub: 'dana' });
    expect(payload.exp! - payload.iat!).toBe(120);
  });

  it('refuses with exit code 2 naming its options', () => {
    const r = token(dataDir, '--tenant', 'acme', '--roles', 'admin,boss', '--expires', '0');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--roles (role 2): one of admin, operator, analyst, approver');
    expect(r.stderr).toContain('--expires: a whole number of seconds');
    expect(r.stderr).toContain('usage: npm run -s token');
    expect(token(dataDir, '--roles', 'admin').stderr).toContain('--tenant: required');
  });
});
