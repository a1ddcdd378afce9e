import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * The local platform's signing key: an ES256 pair kept in the data folder (private key file mode
 * 0600). The platform verifies tokens against `jwks.json`, exactly as the AWS authorizer verifies
 * against the identity provider's JWKS.
 */
/** Issuer and audience of local tokens (the AWS stage takes its own from the identity provider). */
export const LOCAL_ISSUER = 'https://auth.modos.local/';
export const LOCAL_AUDIENCE = 'modos-api';

export interface LocalKeys {
  jwksFile: string;
  privateJwk: JWK;
}

export async function ensureLocalKeys(dataDir: string): Promise<LocalKeys> {
  const dir = join(dataDir, 'keys');
  const privateFile = join(dir, 'signing-key.private.jwk.json');
  const jwksFile = join(dir, 'jwks.json');
  if (!existsSync(privateFile) || !existsSync(jwksFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `local-${Date.now().toString(36)}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    writeFileSync(privateFile, JSON.stringify(privateJwk), { mode: 0o600 });
    writeFileSync(jwksFile, JSON.stringify({ keys: [publicJwk] }));
  }
  return { jwksFile, privateJwk: JSON.parse(readFileSync(privateFile, 'utf8')) as JWK };
}

export interface TokenRequest {
  tenantId: string;
  roles: string[];
  userId?: string;
  issuer?: string;
  audience?: string;
  expiresInSeconds?: number;
}

export async function signLocalToken(key: JWK, req: TokenRequest): Promise<string> {
  const privateKey = await importJWK(key, 'ES256');
  return new SignJWT({ tenant_id: req.tenantId, roles: req.roles })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid!, typ: 'JWT' })
    .setSubject(req.userId ?? `user-${req.tenantId}`)
    .setIssuer(req.issuer ?? LOCAL_ISSUER)
    .setAudience(req.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (req.expiresInSeconds ?? 3600))
    .sign(privateKey);
}
