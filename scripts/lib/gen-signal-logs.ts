/**
 * Seeded generators of entity change events for the signal engine: adversarial logs for the property tests (events
 * exactly at window bounds, equal timestamps, several A's, B before A, keys with one event, long gaps, windows of a
 * month from the 31st, duplicates and shuffled arrival) and a large uniform stream for `bench:signals`.
 * The same seed gives the same log.
 */

import { addDuration, parseCalendarDuration } from '../../functions/domain/signals/duration.js';
import type { SignalEvent } from '../../functions/domain/signals/types.js';

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An entity change event as the detector receives it. */
export function entityEvent(id: string, time: number, entityId: string, activity: string): SignalEvent {
  return {
    id,
    time,
    event: {
      source: 'modos.entities',
      'detail-type': 'entity.updated',
      time: new Date(time).toISOString(),
      detail: { entityId, activity },
    },
  };
}

export interface AdversarialLogOptions {
  seed: number;
  keys: number;
  /** Most events per key (keys get 1..maxEvents). */
  maxEvents: number;
  /** The windows whose bounds the times are placed on (ISO 8601). */
  windows: string[];
  /** Activity names; the first two play A and B most often. */
  activities?: string[];
}

const MONTH_ENDS = [
  Date.UTC(2024, 0, 31),
  Date.UTC(2023, 0, 31, 23, 59, 59, 999),
  Date.UTC(2024, 1, 29, 12),
  Date.UTC(2023, 2, 31),
  Date.UTC(2024, 11, 31, 23),
  Date.UTC(2023, 0, 30, 12),
  Date.UTC(2024, 3, 29, 18),
];

/**
 * A log whose times sit where rules are easy to get wrong: each event's time is another event's time (an earlier
 * one, or the key's first) plus exactly a window, a window ± 1 ms, zero, a little, or far more than a window.
 * Events are unique by id and in no particular order.
 */
export function adversarialLog(options: AdversarialLogOptions): SignalEvent[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const activities = options.activities ?? ['A', 'B', 'C'];
  const windows = options.windows.map((iso) => {
    const d = parseCalendarDuration(iso);
    if (!d) throw new Error(`not a duration: ${iso}`);
    return d;
  });
  const out: SignalEvent[] = [];
  for (let k = 0; k < options.keys; k++) {
    const key = `k${k}`;
    const count = random() < 0.15 ? 1 : 1 + Math.floor(random() * options.maxEvents);
    const base = random() < 0.4 ? pick(MONTH_ENDS) : Date.UTC(2022, 0, 1) + Math.floor(random() * 3 * 365) * 86_400_000;
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      let t: number;
      if (i === 0) {
        t = base;
      } else {
        const anchor = random() < 0.4 ? (times[0] as number) : pick(times);
        const w = pick(windows);
        const step = random();
        if (step < 0.2) t = addDuration(anchor, w);
        else if (step < 0.3) t = addDuration(anchor, w) + 1;
        else if (step < 0.4) t = addDuration(anchor, w) - 1;
        else if (step < 0.55) t = anchor;
        else if (step < 0.6) t = anchor - Math.floor(random() * 3_600_000);
        // The next UTC midnight: with a start late on the 30th, a month added to it ends before one added to the 30th.
        else if (step < 0.65) t = (Math.floor(anchor / 86_400_000) + 1) * 86_400_000;
        else if (step < 0.9) t = anchor + Math.floor(random() * (addDuration(anchor, w) - anchor));
        else t = addDuration(addDuration(anchor, w), w) + Math.floor(random() * 86_400_000);
      }
      times.push(t);
      // Ids in random order against time, so ties by id are not ties by position.
      const id = `${key}-${Math.floor(random() * 1e9).toString(36)}-${i}`;
      const activity = random() < 0.8 ? (activities[Math.floor(random() * 2)] as string) : pick(activities);
      out.push(entityEvent(id, t, key, activity));
    }
  }
  return out;
}

/** A seeded shuffle (Fisher–Yates) of a copy. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Every event twice (the second copy is a separate object with the same id, time and content). */
export function doubled(events: readonly SignalEvent[]): SignalEvent[] {
  return events.flatMap((e) => [e, { id: e.id, time: e.time, event: structuredClone(e.event) }]);
}

/** Some events repeated (the given share), appended after the originals. */
export function withDuplicates(events: readonly SignalEvent[], seed: number, share = 0.3): SignalEvent[] {
  const random = seededRandom(seed);
  const copies = events.filter(() => random() < share).map((e) => ({ ...e, event: structuredClone(e.event) }));
  return [...events, ...copies];
}

export interface StreamOptions {
  seed: number;
  events: number;
  keys: number;
  /** Span of the event times from 2024-01-01, in days. */
  days: number;
  activities?: string[];
}

/**
 * A large stream in time order: `events` events over `keys` entities, uniform in time over `days` days, activities
 * uniform over the given names (default A..E).
 */
export function uniformStream(options: StreamOptions): SignalEvent[] {
  const random = seededRandom(options.seed);
  const activities = options.activities ?? ['A', 'B', 'C', 'D', 'E'];
  const start = Date.UTC(2024, 0, 1);
  const span = options.days * 86_400_000;
  const times = new Float64Array(options.events);
  for (let i = 0; i < options.events; i++) times[i] = start + Math.floor(random() * span);
  times.sort();
  const out: SignalEvent[] = new Array(options.events);
  for (let i = 0; i < options.events; i++) {
    const key = `e${Math.floor(random() * options.keys)}`;
    const activity = activities[Math.floor(random() * activities.length)] as string;
    out[i] = entityEvent(`ev${i}`, times[i] as number, key, activity);
  }
  return out;
}
