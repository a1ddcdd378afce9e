import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import { startTestPlatform } from '../support/local-platform.js';

let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ tenantLimits: { ratePerSecond: 2, burst: 5, quotaPerDay: 1_000_000 } });
});
afterAll(async () => platform?.stop());

const get = (token: string) =>
  fetch(`${platform.url}/api/v1/entities?type=person`, { headers: { authorization: `Bearer ${token}` } });

describe('per-tenant rate limits on the local gateway', () => {
  it('answers 429 RATE_LIMITED with Retry-After to the tenant over its limit, while another tenant is served', async () => {
    const acme = await platform.token({ tenantId: 'acme-rl', roles: ['admin'] });
    const globex = await platform.token({ tenantId: 'globex-rl', roles: ['admin'] });
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await get(acme)).status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const refused = await get(acme);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Another tenant, even a second user of nothing in common but the gateway, is unaffected.
    expect((await get(globex)).status).toBe(200);
  });

  it('limits per tenant, not per token: a second token of the same tenant shares its bucket', async () => {
    const first = await platform.token({ tenantId: 'initech-rl', roles: ['admin'], userId: 'u1' });
    const second = await platform.token({ tenantId: 'initech-rl', roles: ['admin'], userId: 'u2' });
    for (let i = 0; i < 8; i++) await get(first);
    expect((await get(second)).status).toBe(429);
  });
});
