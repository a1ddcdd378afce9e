/**
 * Client credentials, refresh tokens and access tokens of the three fakes. The credentials and the printed ready
 * tokens are derived from the seed, so a restarted fake accepts what a client stored; tokens issued by the token
 * endpoints are random. Expired tokens are remembered, so a vendor can tell "expired" from "unknown" as HubSpot does.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { VendorClock } from './clock.js';
import { VENDOR_SYSTEMS, type VendorSystem } from './options.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` characters of `alphabet`, drawn from the bytes given (a seeded hash stream or random bytes). */
function encode(bytes: Buffer, length: number, alphabet = BASE62): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += alphabet[bytes[i % bytes.length]! % alphabet.length];
  return out;
}

/** A deterministic byte stream for `label` under `seed`. */
function seeded(seed: number, label: string, length: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 32 < length; i++) {
    parts.push(createHash('sha256').update(`modos-fake-vendors:${seed}:${label}:${i}`).digest());
  }
  return Buffer.concat(parts).subarray(0, length);
}

const uuidOf = (b: Buffer): string => {
  const h = b.toString('hex').slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** What the CLI prints per system (and `startFakeVendors` returns): a ready token plus what the OAuth dance needs. */
export interface PrintedCredentials extends ClientCredentials {
  token: string;
}

/** The Salesforce org id the tokens and record URLs name. */
export const SALESFORCE_ORG_ID = '00D5g000004ModOS';
export const SALESFORCE_USER_ID = '0055g00000ModOSAAQ';

function credentialsFor(system: VendorSystem, seed: number): ClientCredentials & { token: string } {
  const b = (label: string, n: number) => seeded(seed, `${system}:${label}`, n);
  switch (system) {
    case 'salesforce':
      return {
        clientId: `3MVG9${encode(b('client', 80), 80)}`,
        clientSecret: b('secret', 32).toString('hex').toUpperCase(),
        refreshToken: `5Aep861${encode(b('refresh', 80), 80)}`,
        token: `${SALESFORCE_ORG_ID}!AQ${encode(b('token', 100), 100)}`,
      };
    case 'hubspot':
      return {
        clientId: uuidOf(b('client', 16)),
        clientSecret: uuidOf(b('secret', 16)),
        refreshToken: `na1-${uuidOf(b('refresh', 16))}`,
        token: `C${encode(b('token', 140), 140, `${BASE62}-_`)}`,
      };
    default:
      return {
        clientId: b('client', 30).toString('base64url'),
        clientSecret: encode(b('secret', 64), 64),
        refreshToken: encode(b('refresh', 110), 110),
        token: encode(b('token', 48), 48),
      };
  }
}

function randomToken(system: VendorSystem): string {
  const r = randomBytes(160);
  if (system === 'salesforce') return `${SALESFORCE_ORG_ID}!AQ${encode(r, 100)}`;
  if (system === 'hubspot') return `C${encode(r, 140, `${BASE62}-_`)}`;
  return encode(r, 48);
}

interface AccessTokenEntry {
  system: VendorSystem;
  expiresAt: number;
  /** Salesforce sessions end by inactivity: each use moves `expiresAt` this far ahead. */
  slidingMs: number | null;
  printed: boolean;
}

export type TokenCheck = { state: 'valid' } | { state: 'expired'; expiredAt: number } | { state: 'unknown' };

export class TokenStore {
  private readonly tokens = new Map<string, AccessTokenEntry>();
  private readonly fixed: Record<VendorSystem, ClientCredentials & { token: string }>;
  readonly issued: Record<VendorSystem, number> = { salesforce: 0, hubspot: 0, workday: 0 };

  constructor(
    private readonly clock: VendorClock,
    seed: number,
    printedLifetimeMs: number,
  ) {
    this.fixed = {
      salesforce: credentialsFor('salesforce', seed),
      hubspot: credentialsFor('hubspot', seed),
      workday: credentialsFor('workday', seed),
    };
    this.restorePrinted(printedLifetimeMs);
  }

  credentials(system: VendorSystem): PrintedCredentials {
    const c = this.fixed[system];
    return { token: c.token, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken };
  }

  /** Forgets issued tokens and makes the printed ones valid again for their lifetime (reset). */
  restorePrinted(lifetimeMs: number): void {
    this.tokens.clear();
    for (const system of VENDOR_SYSTEMS) {
      this.tokens.set(this.fixed[system].token, {
        system,
        expiresAt: this.clock.now() + lifetimeMs,
        slidingMs: null,
        printed: true,
      });
    }
    for (const s of VENDOR_SYSTEMS) this.issued[s] = 0;
  }

  clientMatches(system: VendorSystem, clientId: string | null, clientSecret: string | null): boolean {
    const c = this.fixed[system];
    return clientId === c.clientId && clientSecret === c.clientSecret;
  }

  refreshTokenMatches(system: VendorSystem, refreshToken: string | null): boolean {
    return refreshToken === this.fixed[system].refreshToken;
  }

  issue(system: VendorSystem, lifetimeMs: number, sliding = false): string {
    const token = randomToken(system);
    this.tokens.set(token, {
      system,
      expiresAt: this.clock.now() + lifetimeMs,
      slidingMs: sliding ? lifetimeMs : null,
      printed: false,
    });
    this.issued[system]++;
    return token;
  }

  check(system: VendorSystem, token: string | null): TokenCheck {
    const entry = token ? this.tokens.get(token) : undefined;
    if (!entry || entry.system !== system) return { state: 'unknown' };
    const now = this.clock.now();
    if (now >= entry.expiresAt) return { state: 'expired', expiredAt: entry.expiresAt };
    if (entry.slidingMs !== null) entry.expiresAt = now + entry.slidingMs;
    return { state: 'valid' };
  }

  /** Expires every access token (of one system, or all): the refresh tokens stay valid. Returns how many. */
  expireAll(system?: VendorSystem): number {
    const now = this.clock.now();
    let n = 0;
    for (const entry of this.tokens.values()) {
      if (system && entry.system !== system) continue;
      if (entry.expiresAt > now) n++;
      entry.expiresAt = Math.min(entry.expiresAt, now);
    }
    return n;
  }
}

/** The bearer token of an `Authorization: Bearer …` header, or null. */
export function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

/** Client id and secret of an `Authorization: Basic …` header, or null. */
export function basicAuth(header: string | undefined): { id: string; secret: string } | null {
  const m = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const at = text.indexOf(':');
  if (at < 0) return null;
  try {
    return { id: decodeURIComponent(text.slice(0, at)), secret: decodeURIComponent(text.slice(at + 1)) };
  } catch {
    return null;
  }
}
