import { describe, expect, it } from 'vitest';
import { registryLimiter, TokenBucketLimiter } from '../../../../functions/adapters/connectors/shared/rate-limiter.js';
import { ManualClock, recordingSleep } from './support.js';

describe('the token bucket limiter', () => {
  it('lets a burst through, then spaces requests at the rate', async () => {
    const clock = new ManualClock();
    const { waits, sleep } = recordingSleep(clock);
    const limiter = new TokenBucketLimiter(5, 5, clock, sleep);
    const start = clock.ms;
    const sentAt: number[] = [];
    for (let i = 0; i < 10; i++) {
      await limiter.take();
      sentAt.push(clock.ms - start);
    }
    expect(sentAt.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(sentAt.slice(5)).toEqual([200, 400, 600, 800, 1000]);
    expect(waits).toEqual([200, 200, 200, 200, 200]);
  });

  it('refills while idle, up to the burst', async () => {
    const clock = new ManualClock();
    const { waits, sleep } = recordingSleep(clock);
    const limiter = new TokenBucketLimiter(2, 2, clock, sleep);
    await limiter.take();
    await limiter.take();
    clock.advance(10_000);
    await limiter.take();
    await limiter.take();
    expect(waits).toEqual([]);
    await limiter.take();
    expect(waits).toEqual([500]);
  });

  it('serves concurrent callers one after another', async () => {
    const clock = new ManualClock();
    const { sleep } = recordingSleep(clock);
    const limiter = new TokenBucketLimiter(1, 1, clock, sleep);
    const waited = await Promise.all([limiter.take(), limiter.take(), limiter.take()]);
    expect(waited).toEqual([0, 1000, 1000]);
  });

  it("takes each system's rate from the registry", async () => {
    const clock = new ManualClock();
    const { waits, sleep } = recordingSleep(clock);
    const limiter = registryLimiter('workday', clock, sleep);
    for (let i = 0; i < 6; i++) await limiter.take();
    expect(waits).toEqual([200]);
  });
});
