import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../../functions/domain/connectors/errors.js';
import type { EndpointToken, TokenEndpoint } from '../../../../functions/adapters/connectors/shared/oauth.js';
import {
  credentialsHash,
  StaticTokenProvider,
  StoredTokenProvider,
  type TokenProviderOptions,
} from '../../../../functions/adapters/connectors/shared/token-provider.js';
import { fakeSecretBox, InMemoryTokenStore, ManualClock, recordingSleep, sequence } from './support.js';

const credentials = {
  kind: 'refresh_token' as const,
  clientId: 'client-id-123',
  clientSecret: 'client-secret-456',
  refreshToken: 'refresh-token-789',
};

/** A token endpoint that answers after `delayMs` real milliseconds with access tokens at-1, at-2… */
function anEndpoint(options: { delayMs?: number; fail?: Error; rotate?: boolean; expiresInMs?: number } = {}) {
  const calls: Array<{ refreshToken: string | null }> = [];
  const endpoint: TokenEndpoint = async (_credentials, refreshToken) => {
    calls.push({ refreshToken });
    await new Promise((r) => setTimeout(r, options.delayMs ?? 0));
    if (options.fail) throw options.fail;
    const n = calls.length;
    const token: EndpointToken = {
      accessToken: `at-${n}`,
      expiresAt:
        options.expiresInMs === undefined ? null : Date.parse('2026-03-01T12:00:00.000Z') + options.expiresInMs,
      instanceUrl: null,
      refreshToken: options.rotate ? `rotated-${n}` : null,
    };
    return token;
  };
  return { endpoint, calls };
}

function aProvider(
  store: InMemoryTokenStore,
  endpoint: TokenEndpoint,
  opts: {
    clock?: ManualClock;
    name?: string;
    options?: Partial<TokenProviderOptions>;
    creds?: typeof credentials;
  } = {},
) {
  const clock = opts.clock ?? new ManualClock();
  const logs: string[] = [];
  const provider = new StoredTokenProvider({
    tenantId: 't1',
    connectorId: 'c1',
    vendor: 'HubSpot',
    credentials: opts.creds ?? credentials,
    store,
    secretBox: fakeSecretBox,
    endpoint,
    clock,
    // Real (tiny) pauses: the concurrent provider's refresh resolves on the event loop meanwhile.
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    ids: sequence(opts.name ?? 'p'),
    log: (level, message, fields) => logs.push(JSON.stringify({ level, message, fields })),
    options: { pollMs: 5, ...opts.options },
  });
  return { provider, logs, clock };
}

describe('the stored token provider', () => {
  it('stores the token it obtains sealed, and reuses it', async () => {
    const store = new InMemoryTokenStore();
    const { endpoint, calls } = anEndpoint();
    const { provider } = aProvider(store, endpoint);
    expect((await provider.get()).accessToken).toBe('at-1');
    expect(store.state?.sealedAccessToken).toMatch(/^enc1\./);
    expect(store.state?.sealedAccessToken).not.toContain('at-1');
    expect(store.state?.credentialsHash).toBe(credentialsHash(credentials));
    const other = aProvider(store, endpoint, { name: 'q' }).provider;
    expect((await other.get()).accessToken).toBe('at-1');
    expect(calls).toHaveLength(1);
  });

  it('refreshes once for two processes refreshing at the same time: the second waits and reads the new token', async () => {
    const store = new InMemoryTokenStore();
    const { endpoint, calls } = anEndpoint({ delayMs: 30 });
    const a = aProvider(store, endpoint, { name: 'a' }).provider;
    const b = aProvider(store, endpoint, { name: 'b' }).provider;
    const [ta, tb] = await Promise.all([a.refresh('old'), b.refresh('old')]);
    expect(calls).toHaveLength(1);
    expect(ta.accessToken).toBe('at-1');
    expect(tb.accessToken).toBe('at-1');
  });

  it('returns the stored token when another process already replaced the rejected one', async () => {
    const store = new InMemoryTokenStore();
    const { endpoint, calls } = anEndpoint();
    const a = aProvider(store, endpoint, { name: 'a' }).provider;
    const b = aProvider(store, endpoint, { name: 'b' }).provider;
    const first = await a.get();
    const second = await a.refresh(first.accessToken);
    expect(second.accessToken).toBe('at-2');
    // b was sent with at-1 and refused: at-2 is already stored, no third token is asked for.
    expect((await b.refresh('at-1')).accessToken).toBe('at-2');
    expect(calls).toHaveLength(2);
  });

  it('refreshes a token about to expire before using it', async () => {
    const store = new InMemoryTokenStore();
    const { endpoint, calls } = anEndpoint({ expiresInMs: 30 * 60_000 });
    const { provider, clock } = aProvider(store, endpoint);
    await provider.get();
    clock.advance(29 * 60_000 + 30_000);
    expect((await provider.get()).accessToken).toBe('at-2');
    expect(calls).toHaveLength(2);
  });

  it('keeps a rotated refresh token sealed and uses it for the next refresh', async () => {
    const store = new InMemoryTokenStore();
    const { endpoint, calls } = anEndpoint({ rotate: true });
    const { provider } = aProvider(store, endpoint);
    await provider.get();
    expect(store.state?.sealedRefreshToken).toMatch(/^enc1\./);
    expect(store.state?.sealedRefreshToken).not.toContain('rotated-1');
    await provider.refresh('at-1');
    expect(calls.map((c) => c.refreshToken)).toEqual(['refresh-token-789', 'rotated-1']);
  });

  it('ignores a stored token and rotated refresh token obtained with other credentials', async () => {
    const store = new InMemoryTokenStore();
    const { endpoint, calls } = anEndpoint({ rotate: true });
    await aProvider(store, endpoint).provider.get();
    const replaced = { ...credentials, refreshToken: 'new-refresh-token' };
    const { provider } = aProvider(store, endpoint, { creds: replaced, name: 'q' });
    expect((await provider.get()).accessToken).toBe('at-2');
    expect(calls.map((c) => c.refreshToken)).toEqual(['refresh-token-789', 'new-refresh-token']);
  });

  it('backs off after refused credentials: later callers get the reason without asking the vendor', async () => {
    const store = new InMemoryTokenStore();
    const refused = new ConnectorError('HubSpot refused the credentials: BAD_REFRESH_TOKEN', {
      vendorCode: 'BAD_REFRESH_TOKEN',
      httpStatus: 400,
    });
    const { endpoint, calls } = anEndpoint({ fail: refused });
    const { provider, clock } = aProvider(store, endpoint);
    await expect(provider.get()).rejects.toBe(refused);
    const other = aProvider(store, endpoint, { name: 'q', clock }).provider;
    const error = (await other.get().catch((e: unknown) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.vendorCode).toBe('BAD_REFRESH_TOKEN');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('paused for 900 s');
    expect(calls).toHaveLength(1);
    clock.advance(15 * 60_000 + 1);
    await expect(other.get()).rejects.toBeInstanceOf(ConnectorError);
    expect(calls).toHaveLength(2);
  });

  it('backs off exponentially after transient refresh failures', async () => {
    const store = new InMemoryTokenStore();
    const transient = new ConnectorError('HubSpot token endpoint unreachable', { retryable: true });
    const { endpoint } = anEndpoint({ fail: transient });
    const { provider, clock } = aProvider(store, endpoint, { options: { backoffBaseMs: 1000 } });
    await expect(provider.get()).rejects.toBe(transient);
    expect(store.state?.refreshBlockedUntil).toBe(clock.ms + 1000);
    clock.advance(1001);
    await expect(provider.get()).rejects.toBe(transient);
    expect(store.state?.refreshBlockedUntil).toBe(clock.ms + 2000);
    expect(store.state?.refreshFailures).toBe(2);
  });

  it('gives up waiting for a lease another process holds and never releases', async () => {
    const store = new InMemoryTokenStore();
    await store.acquireLease(
      'crashed',
      Date.parse('2026-03-01T12:00:00.000Z'),
      Date.parse('2026-03-01T13:00:00.000Z'),
      null,
    );
    const { endpoint, calls } = anEndpoint();
    const clock = new ManualClock();
    const { sleep } = recordingSleep(clock);
    const provider = new StoredTokenProvider({
      tenantId: 't1',
      connectorId: 'c1',
      vendor: 'HubSpot',
      credentials,
      store,
      secretBox: fakeSecretBox,
      endpoint,
      clock,
      sleep,
      ids: sequence('p'),
      log: () => {},
    });
    const error = (await provider.get().catch((e: unknown) => e)) as ConnectorError;
    expect(error.vendorCode).toBe('TOKEN_REFRESH_PENDING');
    expect(error.retryable).toBe(true);
    expect(calls).toHaveLength(0);
  });

  it('takes over a lease that expired (its holder crashed)', async () => {
    const store = new InMemoryTokenStore();
    const clock = new ManualClock();
    await store.acquireLease('crashed', clock.ms - 60_000, clock.ms - 1, null);
    const { endpoint, calls } = anEndpoint();
    const { provider } = aProvider(store, endpoint, { clock });
    expect((await provider.get()).accessToken).toBe('at-1');
    expect(calls).toHaveLength(1);
  });

  it('logs no secret and no token', async () => {
    const store = new InMemoryTokenStore();
    const { endpoint } = anEndpoint({ rotate: true });
    const { provider, logs } = aProvider(store, endpoint);
    await provider.get();
    await provider.refresh('at-1');
    const text = logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of ['at-1', 'at-2', 'rotated-1', ...Object.values(credentials).slice(1)]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('the static token provider', () => {
  it('answers the configured token and refuses to refresh it', async () => {
    const provider = new StaticTokenProvider('pat-na1-secret', 'HubSpot');
    expect(await provider.get()).toEqual({ accessToken: 'pat-na1-secret', expiresAt: null });
    const error = (await provider.refresh().catch((e: unknown) => e)) as ConnectorError;
    expect(error.vendorCode).toBe('ACCESS_TOKEN_REJECTED');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('pat-na1-secret');
  });
});

describe('the refresh lease against a stale read', () => {
  it('does not refresh again a token another process replaced after this one read it', async () => {
    const store = new InMemoryTokenStore();
    const { endpoint, calls } = anEndpoint();
    const a = aProvider(store, endpoint, { name: 'a' }).provider;
    await a.get();
    // b reads the item while it still holds at-1, but only sees its answer after a has stored at-2.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slow = Object.create(store) as InMemoryTokenStore;
    let first = true;
    slow.read = async () => {
      const snapshot = await store.read();
      if (first) {
        first = false;
        await gate;
      }
      return snapshot;
    };
    const b = aProvider(slow, endpoint, { name: 'b' }).provider;
    const pending = b.refresh('at-1');
    expect((await a.refresh('at-1')).accessToken).toBe('at-2');
    release();
    expect((await pending).accessToken).toBe('at-2');
    expect(calls).toHaveLength(2);
  });
});
