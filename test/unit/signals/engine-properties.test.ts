import { describe, expect, it } from 'vitest';
import {
  advance,
  applyEvent,
  dedupeAndSort,
  emptyKeyState,
  insertEvent,
  KEPT_EVENTS_CAP,
  keyOf,
  REPORTED_CAP,
  replay,
  replayRule,
} from '../../../functions/domain/signals/engine.js';
import { type CompiledSignalRule, compileSignalRule } from '../../../functions/domain/signals/rules.js';
import type { KeyState, SignalEvent, SignalMatch } from '../../../functions/domain/signals/types.js';
import type { SignalRuleBodyInput } from '../../../schemas/signals.js';
import {
  adversarialLog,
  doubled,
  seededRandom,
  shuffled,
  uniformStream,
  withDuplicates,
} from '../../../scripts/lib/gen-signal-logs.js';
import { type ReferenceMatch, referenceMatches } from '../../support/signals-reference.js';
import { rulesOfEveryKind } from './builders.js';

// Windows where calendar, day and sub-day arithmetic differ; each log also places times on one hour.
const WINDOWS = ['P1M', 'P1D', 'PT1H', 'P1Y2M', 'P7D', 'P2W', 'PT90M'];
const SEEDS = Array.from({ length: 70 }, (_, i) => i + 1);

function caseFor(seed: number): { window: string; bodies: SignalRuleBodyInput[]; log: SignalEvent[] } {
  const window = WINDOWS[seed % WINDOWS.length] as string;
  const log = adversarialLog({ seed, keys: 25, maxEvents: 9, windows: [window, 'PT1H'] });
  return { window, bodies: rulesOfEveryKind(window, 2 + (seed % 3)), log };
}

type Found = Map<string, ReferenceMatch[]>;

function collect(matches: Iterable<SignalMatch>): Found {
  const out: Found = new Map();
  for (const m of matches) {
    const list = out.get(m.key) ?? [];
    list.push({ matchId: m.matchId, at: m.at, eventIds: m.eventIds });
    out.set(m.key, list);
  }
  return out;
}

/**
 * The engine's matches equal the reference's, key by key. A repetition's eventIds are the events its state still
 * held (the older ones are only counted), so they must end the reference's list.
 */
function expectSameMatches(kind: string, got: Found, want: Found, label: string, openGaps = false): void {
  const norm = (found: Found) =>
    [...found]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, list]) => [k, [...list].sort((x, y) => x.at - y.at || (x.matchId < y.matchId ? -1 : 1))] as const);
  const g = norm(got);
  const w = norm(want);
  expect(
    g.map(([k]) => k),
    `${label}: keys`,
  ).toEqual(w.map(([k]) => k));
  for (let i = 0; i < g.length; i++) {
    const [key, gl] = g[i] as (typeof g)[number];
    const [, wl] = w[i] as (typeof w)[number];
    if (kind === 'repetition') {
      expect(
        gl.map((m) => [m.matchId, m.at]),
        `${label}: ${key}`,
      ).toEqual(wl.map((m) => [m.matchId, m.at]));
      const [gm, wm] = [gl[0] as ReferenceMatch, wl[0] as ReferenceMatch];
      expect(wm.eventIds.slice(wm.eventIds.length - gm.eventIds.length), `${label}: ${key} ids`).toEqual(gm.eventIds);
    } else if (openGaps) {
      // A timer at the deadline reports the gap before the event that ends it has come: the same match (id and
      // time), named by the event before the gap alone.
      const firstId = (list: ReferenceMatch[]) => list.map((m) => ({ ...m, eventIds: m.eventIds.slice(0, 1) }));
      expect(firstId(gl), `${label}: ${key}`).toEqual(firstId(wl));
    } else {
      expect(gl, `${label}: ${key}`).toEqual(wl);
    }
  }
}

/**
 * The platform's way: events in time order, each applied when it arrives (`now` just before its time: events at
 * the same instant may still come), each key's timer fired at its deadline once every event up to it was applied,
 * and a state forgotten once an event or timer comes after its expiresAt (the TTL).
 */
function online(rule: CompiledSignalRule, ordered: readonly SignalEvent[]): Found {
  const keys = new Map<string, { state: KeyState; deadline: number | null; expiresAt: number }>();
  const matches: SignalMatch[] = [];
  const step = (slot: { state: KeyState; deadline: number | null; expiresAt: number }, at: number, e?: SignalEvent) => {
    if (at > slot.expiresAt) slot.state = emptyKeyState();
    const r = e ? applyEvent(rule, slot.state, e, at) : advance(rule, slot.state, at);
    slot.state = r.state;
    slot.deadline = r.nextDeadline;
    slot.expiresAt = r.expiresAt;
    matches.push(...r.matches);
  };
  const fireTimer = (slot: { state: KeyState; deadline: number | null; expiresAt: number }) => {
    const due = slot.deadline as number;
    step(slot, due);
    // A deadline that holds at its own time is reported and cleared; one that stayed would be a timer firing forever.
    if (slot.deadline !== null && slot.deadline <= due) throw new Error(`deadline ${due} did not pass`);
  };
  for (const e of ordered) {
    const key = keyOf(rule, e);
    if (key === null) continue;
    let slot = keys.get(key);
    if (!slot) keys.set(key, (slot = { state: emptyKeyState(), deadline: null, expiresAt: Number.POSITIVE_INFINITY }));
    while (slot.deadline !== null && slot.deadline < e.time) fireTimer(slot);
    step(slot, e.time - 1, e);
  }
  for (const slot of keys.values()) {
    while (slot.deadline !== null) fireTimer(slot);
    step(slot, Number.POSITIVE_INFINITY);
  }
  return collect(matches);
}

describe('signal engine against the reference evaluator (seeded adversarial logs)', () => {
  it('replay finds exactly the reference matches of every kind, from shuffled input with duplicates', () => {
    for (const seed of SEEDS) {
      const { bodies, log } = caseFor(seed);
      const arrival = shuffled(withDuplicates(log, seed + 1000), seed + 2000);
      const ordered = dedupeAndSort(arrival);
      for (const body of bodies) {
        const rule = compileSignalRule(body);
        const got: SignalMatch[] = [];
        const fired = replayRule(rule, ordered, (m) => got.push(m));
        const want = referenceMatches(body, log);
        expectSameMatches(rule.kind, collect(got), want, `seed ${seed} rule ${rule.id}`);
        expect(fired).toBe(want.size);
      }
    }
  });

  it('replay counts do not change when the events arrive shuffled or every event twice', () => {
    for (const seed of SEEDS) {
      const { bodies, log } = caseFor(seed);
      const rules = bodies.map((b) => compileSignalRule(b));
      const base = replay(rules, log);
      expect(replay(rules, shuffled(log, seed))).toEqual(base);
      expect(replay(rules, shuffled(doubled(log), seed + 7))).toEqual(base);
      expect(Object.values(base).some((n) => n > 0)).toBe(true);
    }
  });

  it('online in time order, with timers at deadlines and states forgotten at expiresAt, gives the reference matches', () => {
    for (const seed of SEEDS) {
      const { bodies, log } = caseFor(seed);
      // Duplicates next to their originals, as redeliveries come.
      const ordered = dedupeAndSort(log).flatMap((e, i) => (i % 4 === 0 ? [e, { ...e }] : [e]));
      for (const body of bodies) {
        // A long retention: what is checked is that expiresAt never forgets what a window, a deadline or a
        // duplicate still needs (the retention's own bound is documented, not exercised by these short logs).
        const rule = compileSignalRule(body, { retentionMs: 1e13 });
        const got = online(rule, ordered);
        const want = referenceMatches(body, log);
        expectSameMatches(rule.kind, got, want, `seed ${seed} rule ${rule.id}`, rule.fireAtDeadline);
        expect(got.size).toBe(replay([rule], log)[rule.id]);
      }
    }
  });

  it('inserting every event in shuffled order with duplicates, then evaluating once, gives the reference keys', () => {
    for (const seed of SEEDS) {
      const { bodies, log } = caseFor(seed);
      const arrival = shuffled(doubled(log), seed + 3000);
      for (const body of bodies) {
        // No lateness bound: every event, however late, must be placed by its time.
        const rule = compileSignalRule(body, { latenessMs: Number.POSITIVE_INFINITY });
        const states = new Map<string, KeyState>();
        for (const e of arrival) {
          const key = keyOf(rule, e);
          if (key === null) continue;
          states.set(key, insertEvent(rule, states.get(key) ?? emptyKeyState(), e));
        }
        const fired = new Set<string>();
        for (const [key, state] of states) {
          if (advance(rule, state, Number.POSITIVE_INFINITY).matches.length > 0) fired.add(key);
        }
        expect([...fired].sort(), `seed ${seed} rule ${rule.id}`).toEqual(
          [...referenceMatches(body, log).keys()].sort(),
        );
      }
    }
  });
});

describe('bounded state', () => {
  const bodies = rulesOfEveryKind('P7D', 3);

  it('stays under its caps and well inside a table item on a long, dense stream for one key', () => {
    const random = seededRandom(42);
    let t = Date.UTC(2024, 0, 1);
    const events: SignalEvent[] = [];
    for (let i = 0; i < 4000; i++) {
      t += Math.floor(random() * 120_000);
      events.push({
        id: `e${i}`,
        time: t,
        event: { detail: { entityId: 'one', activity: random() < 0.5 ? 'A' : random() < 0.5 ? 'B' : 'C' } },
      });
    }
    for (const body of bodies) {
      const rule = compileSignalRule(body);
      let state = emptyKeyState();
      let largest = 0;
      for (const e of events) {
        state = applyEvent(rule, state, e, e.time).state;
        expect(state.events.length).toBeLessThanOrEqual(KEPT_EVENTS_CAP);
        expect(state.reported.length).toBeLessThanOrEqual(REPORTED_CAP);
        largest = Math.max(largest, state.events.length);
      }
      // DynamoDB's item limit is 400 KB; the state must leave room for the item's other attributes.
      expect(JSON.stringify(state).length, rule.id).toBeLessThan(120_000);
      expect(largest, rule.id).toBeLessThanOrEqual(KEPT_EVENTS_CAP);
    }
  });

  it('holds a handful of events per key on a sparse stream', () => {
    const stream = uniformStream({ seed: 7, events: 20_000, keys: 500, days: 365 });
    for (const body of bodies) {
      const rule = compileSignalRule(body);
      const states = new Map<string, KeyState>();
      let largest = 0;
      for (const e of stream) {
        const key = keyOf(rule, e) as string;
        const next = applyEvent(rule, states.get(key) ?? emptyKeyState(), e, e.time).state;
        states.set(key, next);
        largest = Math.max(largest, next.events.length);
      }
      // About 40 events a year per key: a 7-day window plus a day of lateness holds a few of them.
      expect(largest, rule.id).toBeLessThanOrEqual(8);
    }
  });
});
