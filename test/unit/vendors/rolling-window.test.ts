import { describe, expect, it } from 'vitest';
import { RollingWindow } from '../../../local/vendors/rolling-window.js';

describe('RollingWindow', () => {
  it('allows max requests in any interval and says when the oldest leaves it', () => {
    const w = new RollingWindow(2, 1000);
    expect(w.take(0)).toEqual({ allowed: true, remaining: 1 });
    expect(w.take(400)).toEqual({ allowed: true, remaining: 0 });
    expect(w.take(900)).toEqual({ allowed: false, retryAfterMs: 100 });
    expect(w.take(1000)).toEqual({ allowed: true, remaining: 0 });
    expect(w.take(1399)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(w.remaining(2500)).toBe(2);
  });

  it('does not count refused requests', () => {
    const w = new RollingWindow(1, 1000);
    w.take(0);
    for (let t = 1; t < 1000; t += 100) expect(w.take(t).allowed).toBe(false);
    expect(w.take(1000).allowed).toBe(true);
  });

  it('stays correct over a long history', () => {
    const w = new RollingWindow(10, 100);
    let allowed = 0;
    for (let t = 0; t < 100_000; t++) if (w.take(t).allowed) allowed++;
    expect(allowed).toBe(10_000);
  });
});
