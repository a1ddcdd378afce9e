/** Time as the local scheduler sees it: the system clock, or a test's clock that it advances itself. */
export interface SchedulerClock {
  now(): number;
  /** Calls `fn` after `delayMs`; `cancel` stops it. */
  setTimer(fn: () => void, delayMs: number): { cancel(): void };
}

/** setTimeout's largest delay (about 24.8 days): longer waits wake up early and wait again. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    const timer = setTimeout(fn, Math.min(Math.max(0, delayMs), MAX_DELAY_MS));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
