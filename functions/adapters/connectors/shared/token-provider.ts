/**
 * Access tokens of one connector, shared by every process that syncs it (the table item `keys.connectorToken`):
 *
 * - the token is stored sealed (SecretBox, the tenant's key) with its expiry, and a rotated refresh token too;
 * - one refresh per connector at a time: a lease (conditional write with an expiry). The others wait a little and
 *   re-read the stored token instead of refreshing themselves — a storm of refreshes from every worker at once is
 *   how peer products get whole connections locked by the vendor;
 * - after a failed refresh, no process tries again before a backoff (exponential for transient failures, long for
 *   refused credentials), and callers get the stored reason instead: refused credentials are not hammered;
 * - `refresh(rejected)` returns the stored token if another process already replaced the rejected one.
 *
 * A stored token obtained with other credentials (the connector's credentials were replaced) is ignored.
 */
import { createHash } from 'node:crypto';
import type { ConnectorCredentials } from '../../../../schemas/connectors.js';
import { ConnectorError } from '../../../domain/connectors/errors.js';
import type { AccessToken, TokenProvider } from '../../../domain/connectors/ports.js';
import type { Clock, IdGenerator, SecretBox } from '../../../domain/ports.js';
import type { TokenEndpoint } from './oauth.js';
import type { ConnectorLog, Sleep, TokenState, TokenStore } from './ports.js';
import { redact } from './redact.js';

export interface TokenProviderOptions {
  /** A token this close to its expiry is refreshed before use. */
  skewMs: number;
  /** How long a refresh lease holds (longer than a token request with its retries). */
  leaseMs: number;
  /** Pause between re-reads while another process refreshes, and how long to wait for it in all. */
  pollMs: number;
  maxWaitMs: number;
  /** Backoff after a transient refresh failure: base·2^(failures-1), capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Backoff after the vendor refused the credentials (a human has to fix them). */
  refusedBackoffMs: number;
}

export const DEFAULT_TOKEN_OPTIONS: TokenProviderOptions = Object.freeze({
  skewMs: 60_000,
  leaseMs: 45_000,
  pollMs: 250,
  maxWaitMs: 20_000,
  backoffBaseMs: 15_000,
  backoffMaxMs: 15 * 60_000,
  refusedBackoffMs: 15 * 60_000,
});

export interface StoredTokenProviderDeps {
  tenantId: string;
  connectorId: string;
  /** `Salesforce`, `HubSpot`, `Workday`: for messages. */
  vendor: string;
  credentials: Exclude<ConnectorCredentials, { kind: 'access_token' }>;
  store: TokenStore;
  secretBox: SecretBox;
  endpoint: TokenEndpoint;
  clock: Clock;
  sleep: Sleep;
  ids: IdGenerator;
  log: ConnectorLog;
  options?: Partial<TokenProviderOptions>;
}

/** SHA-256 of the credentials (a one-way tag of which credentials a stored token belongs to; never the secrets). */
export function credentialsHash(credentials: ConnectorCredentials): string {
  const canonical = JSON.stringify(Object.entries(credentials).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(`modos:connector-credentials:${canonical}`).digest('hex');
}

export class StoredTokenProvider implements TokenProvider {
  private readonly holder: string;
  private readonly hash: string;
  private readonly options: TokenProviderOptions;
  private cached: AccessToken | null = null;

  constructor(private readonly deps: StoredTokenProviderDeps) {
    this.holder = deps.ids.newId();
    this.hash = credentialsHash(deps.credentials);
    this.options = { ...DEFAULT_TOKEN_OPTIONS, ...deps.options };
  }

  async get(): Promise<AccessToken> {
    if (this.cached && this.fresh(this.cached)) return this.cached;
    const token = await this.usable(await this.deps.store.read());
    if (token) return (this.cached = token);
    return this.obtain(null);
  }

  async refresh(rejected: string): Promise<AccessToken> {
    if (this.cached?.accessToken === rejected) this.cached = null;
    return this.obtain(rejected);
  }

  private fresh(token: AccessToken): boolean {
    return token.expiresAt === null || token.expiresAt - this.options.skewMs > this.deps.clock.now().getTime();
  }

  /** The stored token, if it belongs to these credentials and is not about to expire. */
  private async usable(state: TokenState | undefined): Promise<AccessToken | null> {
    if (!state?.sealedAccessToken || state.credentialsHash !== this.hash) return null;
    const token: AccessToken = {
      accessToken: await this.deps.secretBox.open(this.deps.tenantId, state.sealedAccessToken),
      expiresAt: state.expiresAt,
      ...(state.instanceUrl ? { instanceUrl: state.instanceUrl } : {}),
    };
    return this.fresh(token) ? token : null;
  }

  private async obtain(rejected: string | null): Promise<AccessToken> {
    const { clock, store } = this.deps;
    const deadline = clock.now().getTime() + this.options.maxWaitMs;
    for (;;) {
      const state = await store.read();
      const stored = await this.usable(state);
      if (stored && stored.accessToken !== rejected) return (this.cached = stored);
      const now = clock.now().getTime();
      if (state?.refreshBlockedUntil && state.refreshBlockedUntil > now) throw this.blocked(state, now);
      // Conditional on the version read: a token replaced since then is read again, not refreshed again.
      if (await store.acquireLease(this.holder, now, now + this.options.leaseMs, state ? state.version : null)) {
        return this.refreshHoldingLease(state);
      }
      if (clock.now().getTime() >= deadline) {
        throw new ConnectorError(`${this.deps.vendor} token refresh by another process did not finish in time`, {
          vendorCode: 'TOKEN_REFRESH_PENDING',
          retryable: true,
        });
      }
      await this.deps.sleep(this.options.pollMs);
    }
  }

  private async refreshHoldingLease(state: TokenState | undefined): Promise<AccessToken> {
    const { credentials, secretBox, tenantId, store, clock, log, connectorId } = this.deps;
    let refreshToken: string | null = null;
    if (credentials.kind === 'refresh_token') {
      refreshToken =
        state?.sealedRefreshToken && state.credentialsHash === this.hash
          ? await secretBox.open(tenantId, state.sealedRefreshToken)
          : credentials.refreshToken;
    }
    let obtained: Awaited<ReturnType<TokenEndpoint>>;
    try {
      obtained = await this.deps.endpoint(credentials, refreshToken);
    } catch (error) {
      const failure = this.asConnectorError(error, refreshToken);
      const failures = (state?.refreshFailures ?? 0) + 1;
      const backoff = failure.retryable
        ? Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (failures - 1))
        : this.options.refusedBackoffMs;
      const now = clock.now().getTime();
      await store.recordFailure(this.holder, {
        failures,
        blockedUntil: now + backoff,
        error: {
          code: failure.vendorCode ?? 'TOKEN_REFRESH_FAILED',
          message: failure.message,
          retryable: failure.retryable,
        },
      });
      log('warn', 'token refresh failed', {
        connectorId,
        vendorCode: failure.vendorCode ?? null,
        httpStatus: failure.httpStatus ?? null,
        failures,
        backoffMs: backoff,
      });
      throw failure;
    }
    const now = clock.now().getTime();
    const stored = await store.storeToken(this.holder, {
      sealedAccessToken: await secretBox.seal(tenantId, obtained.accessToken),
      expiresAt: obtained.expiresAt,
      instanceUrl: obtained.instanceUrl,
      sealedRefreshToken: obtained.refreshToken
        ? await secretBox.seal(tenantId, obtained.refreshToken)
        : state?.credentialsHash === this.hash
          ? state.sealedRefreshToken
          : null,
      credentialsHash: this.hash,
      obtainedAt: now,
    });
    if (!stored) {
      // Our lease ran out and another process took it: the token is valid all the same, theirs will be stored.
      log('warn', 'token refreshed after the lease expired; not stored', { connectorId });
    }
    log('info', 'access token refreshed', {
      connectorId,
      expiresInMs: obtained.expiresAt ? obtained.expiresAt - now : null,
    });
    const token: AccessToken = {
      accessToken: obtained.accessToken,
      expiresAt: obtained.expiresAt,
      ...(obtained.instanceUrl ? { instanceUrl: obtained.instanceUrl } : {}),
    };
    return (this.cached = token);
  }

  private blocked(state: TokenState, now: number): ConnectorError {
    const last = state.lastRefreshError;
    const seconds = Math.ceil((state.refreshBlockedUntil! - now) / 1000);
    return new ConnectorError(
      `${this.deps.vendor} token refresh is paused for ${seconds} s after a failure${last ? `: ${last.message}` : ''}`,
      { vendorCode: last?.code ?? 'TOKEN_REFRESH_BACKOFF', retryable: last?.retryable ?? true },
    );
  }

  private asConnectorError(error: unknown, refreshToken: string | null): ConnectorError {
    if (error instanceof ConnectorError) return error;
    const { credentials } = this.deps;
    const message = redact(error instanceof Error ? error.message : String(error), [
      credentials.clientId,
      credentials.clientSecret,
      refreshToken,
      credentials.kind === 'refresh_token' ? credentials.refreshToken : null,
    ]);
    return new ConnectorError(`${this.deps.vendor} token request failed: ${message}`, { retryable: true });
  }
}

/** A static bearer token (HubSpot private apps): nothing to store, nothing to refresh. */
export class StaticTokenProvider implements TokenProvider {
  constructor(
    private readonly token: string,
    private readonly vendor: string,
  ) {}

  async get(): Promise<AccessToken> {
    return { accessToken: this.token, expiresAt: null };
  }

  async refresh(): Promise<AccessToken> {
    throw new ConnectorError(
      `${this.vendor} refused the configured access token, which cannot be refreshed: replace the connector's credentials`,
      { vendorCode: 'ACCESS_TOKEN_REJECTED', httpStatus: 401, retryable: false },
    );
  }
}
