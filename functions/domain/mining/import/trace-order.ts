/** Rules both importers share: which lifecycle transitions an event log keeps, and how a trace is ordered. */

/** `complete`: only completed events (and those without a transition); `all`: every event. */
export type LifecycleMode = 'complete' | 'all';

/** Whether an event with this (lower-case) `lifecycle:transition` is kept. */
export function keepsLifecycle(lifecycle: string | undefined, mode: LifecycleMode): boolean {
  return mode === 'all' || lifecycle === undefined || lifecycle === 'complete';
}

/**
 * The events stable-sorted by time when every one has a time (equal times keep their input order); otherwise as
 * they are, since events without a time cannot be placed among the others. Sorted input is returned unchanged.
 */
export function orderByTime<T extends { time: number | null }>(events: T[]): T[] {
  let sorted = true;
  for (let i = 0; i < events.length; i++) {
    const t = events[i]!.time;
    if (t === null) return events;
    if (i > 0 && t < events[i - 1]!.time!) sorted = false;
  }
  // Array.prototype.sort is stable (ES2019).
  return sorted ? events : events.sort((a, b) => a.time! - b.time!);
}
