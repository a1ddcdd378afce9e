// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/domain/errors.js';
import {
  advance,
  applyEvent,
  emptyKeyState,
  insertEvent,
  KEPT_EVENTS_CAP,
  keyOf,
  replay,
} from '../../../functions/domain/signals/engine.js';
import { compileSignalRule, DEFAULT_LATENESS_MS } from '../../../functions/domain/signals/rules.js';
import type { KeyState, SignalEvent, SignalMatch } from '../../../functions/domain/signals/types.js';
import type { SignalRuleBodyInput } from '../../../schemas/signals.js';
import { referenceMatches } from '../../support/signals-reference.js';
import { activity } from './builders.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 4, 1, 9);

const ev = (id: string, time: number, act: string, entityId = 'e1'): SignalEvent => ({
  id,
  time,
  event: { source: 'modos.entities', 'detail-type': 'entity.updated', detail: { entityId, activity: act } },
});

function rule(body: Partial<SignalRuleBodyInput> & { kind: SignalRuleBodyInput['kind'] }) {
  return compileSignalRule({ id: 'R', name: 'rule', ...body });
}

const sequence = (within = 'P7D') =>
  rule({ kind: 'sequence', first: activity('A'), then: activity('B'), within } as SignalRuleBodyInput);
const absence = (within = 'P7D') =>
  rule({ kind: 'absence', first: activity('A'), missing: activity('B'), within } as SignalRuleBodyInput);

/** Applies events in the given order (now = each event's time) and collects the matches. */
function run(r: ReturnType<typeof rule>, events: SignalEvent[], end?: number) {
  let state: KeyState = emptyKeyState();
  const matches: SignalMatch[] = [];
  let last = null as ReturnType<typeof advance> | null;
  for (const e of events) {
    last = applyEvent(r, state, e, e.time);
    state = last.state;
    matches.push(...last.matches);
  }
  if (end !== undefined) {
    last = advance(r, state, end);
    state = last.state;
    matches.push(...last.matches);
  }
  return { state, matches, last };
}

describe('sequence', () => {
  it('fires for a B exactly W after the first A (inclusive), not 1 ms later, not at the same time', () => {
    expect(run(sequence(), [ev('a', T0, 'A'), ev('b', T0 + 7 * DAY, 'B')]).matches).toEqual([
      { ruleId: 'R', key: 'e1', matchId: 'sequence:a', at: T0 + 7 * DAY, eventIds: ['a', 'b'] },
    ]);
    expect(run(sequence(), [ev('a', T0, 'A'), ev('b', T0 + 7 * DAY + 1, 'B')]).matches).toEqual([]);
    expect(run(sequence(), [ev('a', T0, 'A'), ev('b', T0, 'B')]).matches).toEqual([]);
  });

  it('measures from the first A only: a later A does not open a new window', () => {
    const events = [ev('a1', T0, 'A'), ev('a2', T0 + 6 * DAY, 'A'), ev('b', T0 + 8 * DAY, 'B')];
    expect(run(sequence(), events).matches).toEqual([]);
    expect(replay([sequence()], events)).toEqual({ R: 0 });
  });

  it('ignores a B before the A, and takes ties between As by id', () => {
    expect(run(sequence(), [ev('b', T0 - 1, 'B'), ev('a', T0, 'A')]).matches).toEqual([]);
    const tie = [ev('a2', T0, 'A'), ev('a1', T0, 'A'), ev('b', T0 + DAY, 'B')];
    expect(run(sequence(), tie).matches.map((m) => m.matchId)).toEqual(['sequence:a1']);
  });

  it('places a late A by its time: an earlier first A is found again with its own match', () => {
    const { matches } = run(sequence('P1D'), [
      ev('a2', T0 + 10 * 3_600_000, 'A'),
      ev('b', T0 + 20 * 3_600_000, 'B'),
      ev('a1', T0, 'A'),
    ]);
    expect(matches.map((m) => m.matchId)).toEqual(['sequence:a2', 'sequence:a1']);
  });

  it('reports a match once, even when its events arrive twice', () => {
    const { matches } = run(sequence(), [ev('a', T0, 'A'), ev('b', T0 + DAY, 'B'), ev('b', T0 + DAY, 'B')]);
    expect(matches).toHaveLength(1);
    const more = run(sequence(), [ev('a', T0, 'A'), ev('b', T0 + DAY, 'B'), ev('b2', T0 + 2 * DAY, 'B')]);
    expect(more.matches).toHaveLength(1);
  });
});

describe('absence', () => {
  it('fires at its deadline tA+W even when nothing else happens, and says when that is', () => {
    const r = absence();
    const first = applyEvent(r, emptyKeyState(), ev('a', T0, 'A'), T0);
    expect(first.matches).toEqual([]);
    expect(first.nextDeadline).toBe(T0 + 7 * DAY);
    expect(advance(r, first.state, T0 + 7 * DAY - 1).matches).toEqual([]);
    const due = advance(r, first.state, T0 + 7 * DAY);
    expect(due.matches).toEqual([{ ruleId: 'R', key: 'e1', matchId: 'absence:a', at: T0 + 7 * DAY, eventIds: ['a'] }]);
    expect(due.nextDeadline).toBeNull();
    expect(advance(r, due.state, T0 + 30 * DAY).matches).toEqual([]);
  });

  it('is cancelled by a B exactly at the deadline, not by one 1 ms after it or at the time of the A', () => {
    expect(run(absence(), [ev('a', T0, 'A'), ev('b', T0 + 7 * DAY, 'B')], Infinity).matches).toEqual([]);
    expect(run(absence(), [ev('a', T0, 'A'), ev('b', T0 + 7 * DAY + 1, 'B')], Infinity).matches).toHaveLength(1);
    expect(run(absence(), [ev('a', T0, 'A'), ev('b', T0, 'B')], Infinity).matches).toHaveLength(1);
  });

  it('remembers the B that cancelled the first A long after the lateness horizon passed it', () => {
    const r = absence('P30D');
    const { matches, last } = run(
      r,
      [ev('a', T0, 'A'), ev('b', T0 + DAY, 'B'), ev('c', T0 + 20 * DAY, 'C'), ev('b2', T0 + 25 * DAY, 'B')],
      Infinity,
    );
    expect(matches).toEqual([]);
    expect(last?.nextDeadline).toBeNull();
  });

  it('fires on replay for a key whose A is its last event', () => {
    expect(replay([absence()], [ev('a', T0, 'A')])).toEqual({ R: 1 });
  });
});

describe('count', () => {
  const count = (atLeast: number, within: string) =>
    rule({ kind: 'count', match: activity('A'), atLeast, within } as SignalRuleBodyInput);

  it('holds when t_last - t_first <= W (inclusive), calendar-aware: P1M from Jan 31 ends on Feb 29 in 2024', () => {
    const jan31 = Date.UTC(2024, 0, 31, 12);
    expect(run(count(2, 'P1M'), [ev('x', jan31, 'A'), ev('y', Date.UTC(2024, 1, 29, 12), 'A')]).matches).toHaveLength(
      1,
    );
    expect(run(count(2, 'P1M'), [ev('x', jan31, 'A'), ev('y', Date.UTC(2024, 1, 29, 12) + 1, 'A')]).matches).toEqual(
      [],
    );
    const jan31of2023 = Date.UTC(2023, 0, 31);
    expect(run(count(2, 'P1M'), [ev('x', jan31of2023, 'A'), ev('y', Date.UTC(2023, 2, 1), 'A')]).matches).toEqual([]);
  });

  it('slides: any window of W holding n events, not only windows starting at the first event', () => {
    const events = [
      ev('1', T0, 'A'),
      ev('2', T0 + 5 * DAY, 'A'),
      ev('3', T0 + 9 * DAY, 'A'),
      ev('4', T0 + 10 * DAY, 'A'),
    ];
    const { matches } = run(count(3, 'P5D'), events);
    expect(matches).toEqual([
      { ruleId: 'R', key: 'e1', matchId: 'count:4', at: T0 + 10 * DAY, eventIds: ['2', '3', '4'] },
    ]);
  });

  it('needs n new events after a match for the next one', () => {
    const events = [0, 1, 2, 3, 4].map((i) => ev(`e${i}`, T0 + i * 3_600_000, 'A'));
    expect(run(count(2, 'P1D'), events).matches.map((m) => m.matchId)).toEqual(['count:e1', 'count:e3']);
  });

  it('counts a duplicate once', () => {
    expect(run(count(2, 'P1D'), [ev('x', T0, 'A'), ev('x', T0, 'A')]).matches).toEqual([]);
  });

  it('keeps only the events a future window can use', () => {
    const events = Array.from({ length: 200 }, (_, i) => ev(`e${i}`, T0 + i * DAY, i % 3 === 0 ? 'A' : 'B'));
    const { state } = run(count(3, 'P2D'), events);
    // Events one a day, one in three an A: the window (2 days) plus the lateness (1 day) holds at most two As.
    expect(state.events.length).toBeLessThanOrEqual(2);
  });
});

describe('repetition', () => {
  const repetition = (atLeast: number) =>
    rule({ kind: 'repetition', match: activity('A'), atLeast } as SignalRuleBodyInput);

  it('fires once per key when the n-th distinct matching event arrives, with no window', () => {
    const events = [ev('1', T0, 'A'), ev('1', T0, 'A'), ev('2', T0 + 900 * DAY, 'A'), ev('3', T0 + 901 * DAY, 'A')];
    const { matches, state } = run(repetition(2), events);
    expect(matches).toEqual([
      { ruleId: 'R', key: 'e1', matchId: 'repetition', at: T0 + 900 * DAY, eventIds: ['1', '2'] },
    ]);
    expect(state.events).toEqual([]);
    expect(run(repetition(3), events.slice(0, 2)).matches).toEqual([]);
  });

  it('counts the events it no longer holds', () => {
    const events = Array.from({ length: 50 }, (_, i) => ev(`e${i}`, T0 + i * DAY, 'A'));
    const { matches, state } = run(repetition(40), events);
    expect(matches.map((m) => m.at)).toEqual([T0 + 39 * DAY]);
    const before = run(repetition(40), events.slice(0, 39)).state;
    expect(before.events.length).toBeLessThanOrEqual(2);
    expect(before.counted).toBeGreaterThanOrEqual(37);
    expect(state.reported).toEqual(['repetition']);
  });
});

describe('inactivity', () => {
  const inactivity = (longerThan: string, fireAtDeadline?: boolean) =>
    rule({ kind: 'inactivity', longerThan, ...(fireAtDeadline ? { fireAtDeadline } : {}) } as SignalRuleBodyInput);

  it('needs a gap strictly longer than W between consecutive events', () => {
    expect(run(inactivity('P10D'), [ev('p', T0, 'X'), ev('q', T0 + 10 * DAY, 'Y')]).matches).toEqual([]);
    expect(run(inactivity('P10D'), [ev('p', T0, 'X'), ev('q', T0 + 10 * DAY + 1, 'Y')]).matches).toEqual([
      { ruleId: 'R', key: 'e1', matchId: 'gap:p', at: T0 + 10 * DAY + 1, eventIds: ['p', 'q'] },
    ]);
  });

  it('does not fire for a silent key unless fireAtDeadline, then once at the first ms past W', () => {
    expect(run(inactivity('P10D'), [ev('p', T0, 'X')], Infinity).matches).toEqual([]);
    const r = inactivity('P10D', true);
    const first = applyEvent(r, emptyKeyState(), ev('p', T0, 'X'), T0);
    expect(first.nextDeadline).toBe(T0 + 10 * DAY + 1);
    expect(advance(r, first.state, T0 + 10 * DAY).matches).toEqual([]);
    const due = advance(r, first.state, T0 + 10 * DAY + 1);
    expect(due.matches).toEqual([{ ruleId: 'R', key: 'e1', matchId: 'gap:p', at: T0 + 10 * DAY + 1, eventIds: ['p'] }]);
    // The event that ends the silence is the same gap: not reported again.
    const closed = applyEvent(r, due.state, ev('q', T0 + 40 * DAY, 'Y'), T0 + 40 * DAY);
    expect(closed.matches).toEqual([]);
    expect(closed.nextDeadline).toBe(T0 + 50 * DAY + 1);
  });

  it('counts only the events of its match pattern as activity', () => {
    const r = rule({ kind: 'inactivity', longerThan: 'P10D', match: activity('A') } as SignalRuleBodyInput);
    const events = [ev('a1', T0, 'A'), ev('x', T0 + 5 * DAY, 'X'), ev('a2', T0 + 11 * DAY, 'A')];
    expect(run(r, events).matches.map((m) => m.matchId)).toEqual(['gap:a1']);
  });
});

describe('match', () => {
  it('reports every matching event once', () => {
    const r = rule({ kind: 'match', match: activity('A') } as SignalRuleBodyInput);
    const { matches } = run(r, [ev('1', T0, 'A'), ev('2', T0 + 1, 'B'), ev('1', T0, 'A'), ev('3', T0 + 2, 'A')]);
    expect(matches.map((m) => m.matchId)).toEqual(['1', '3']);
  });
});

describe('keys, arrival and state', () => {
  it('ignores an event without a key or that no pattern matches, returning the same state object', () => {
    const r = sequence();
    const state = insertEvent(r, emptyKeyState(), ev('a', T0, 'A'));
    const noKey: SignalEvent = { id: 'n', time: T0, event: { detail: { activity: 'A' } } };
    expect(keyOf(r, noKey)).toBeNull();
    expect(insertEvent(r, state, noKey)).toBe(state);
    expect(insertEvent(r, state, ev('c', T0 + 1, 'C'))).toBe(state);
    expect(insertEvent(r, state, ev('a', T0, 'A'))).toBe(state);
  });

  it('never changes the state it is given', () => {
    const r = absence();
    const state = insertEvent(r, emptyKeyState(), ev('a', T0, 'A'));
    const frozen = structuredClone(state);
    applyEvent(r, state, ev('b', T0 + DAY, 'B'), T0 + DAY);
    advance(r, state, T0 + 30 * DAY);
    expect(state).toEqual(frozen);
  });

  it('ignores an event more than the lateness behind the newest of its key, and places a later one by time', () => {
    const r = sequence('P3D');
    let state = insertEvent(r, emptyKeyState(), ev('b', T0 + 2 * DAY, 'B'));
    const tooLate = insertEvent(r, state, ev('a0', T0 + 2 * DAY - DEFAULT_LATENESS_MS - 1, 'A'));
    expect(tooLate).toBe(state);
    state = insertEvent(r, state, ev('a', T0 + 2 * DAY - DEFAULT_LATENESS_MS, 'A'));
    expect(advance(r, state, T0 + 2 * DAY).matches.map((m) => m.matchId)).toEqual(['sequence:a']);
  });

  it('refuses an event time that is not a date, naming the field', () => {
    try {
      insertEvent(sequence(), emptyKeyState(), ev('a', Number.NaN, 'A'));
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details?.[0]?.field).toBe('time');
    }
  });

  it('says when the state may be forgotten: after the window and the lateness, or the retention for the first A', () => {
    const c = rule({ kind: 'count', match: activity('A'), atLeast: 3, within: 'P7D' } as SignalRuleBodyInput);
    expect(applyEvent(c, emptyKeyState(), ev('a', T0, 'A'), T0).expiresAt).toBe(T0 + 7 * DAY + DEFAULT_LATENESS_MS);
    const m = rule({ kind: 'match', match: activity('A') } as SignalRuleBodyInput);
    expect(applyEvent(m, emptyKeyState(), ev('a', T0, 'A'), T0).expiresAt).toBe(T0 + DEFAULT_LATENESS_MS);
    const a = compileSignalRule(
      { id: 'R', name: 'r', kind: 'absence', first: activity('A'), missing: activity('B'), within: 'P7D' },
      { retentionMs: 0 },
    );
    expect(applyEvent(a, emptyKeyState(), ev('a', T0, 'A'), T0).expiresAt).toBe(T0 + 7 * DAY + DEFAULT_LATENESS_MS);
    expect(emptyKeyState().lastTime).toBeLessThan(Date.UTC(-200_000, 0, 1));
  });

  it('holds at most KEPT_EVENTS_CAP events for a key, however many arrive at once', () => {
    const r = rule({ kind: 'inactivity', longerThan: 'P1D' } as SignalRuleBodyInput);
    let state = emptyKeyState();
    for (let i = 0; i < KEPT_EVENTS_CAP + 500; i++) state = insertEvent(r, state, ev(`e${i}`, T0 + i, 'X'));
    expect(state.events).toHaveLength(KEPT_EVENTS_CAP);
    expect(state.events.at(-1)?.id).toBe(`e${KEPT_EVENTS_CAP + 499}`);
  });

  it('keeps state serialisable as JSON (no Infinity) and names the key in matches found by advance', () => {
    const r = absence();
    const { state } = applyEvent(r, emptyKeyState(), ev('a', T0, 'A', 'cust-7'), T0);
    const stored = JSON.parse(JSON.stringify(state)) as KeyState;
    expect(stored).toEqual(state);
    expect(advance(r, stored, T0 + 7 * DAY).matches[0]?.key).toBe('cust-7');
  });

  it('gives 0 for a disabled rule on replay', () => {
    const r = rule({ kind: 'match', match: activity('A'), enabled: false } as SignalRuleBodyInput);
    expect(replay([r], [ev('1', T0, 'A')])).toEqual({ R: 0 });
  });
});

describe('calendar windows whose ends are not ordered like their starts', () => {
  // A month added to Jan 30 12:00 ends on Feb 28 12:00; added to Jan 31 00:00 it ends on Feb 28 00:00 (2023).
  const jan30noon = Date.UTC(2023, 0, 30, 12);
  const jan31 = Date.UTC(2023, 0, 31);
  const feb28six = Date.UTC(2023, 1, 28, 6);

  it('counts the events inside the window of its first event, even when their own windows end sooner', () => {
    const body = { id: 'R', name: 'r', kind: 'count', match: activity('A'), atLeast: 3, within: 'P1M' } as const;
    const events = [ev('x', jan30noon, 'A'), ev('y', jan31, 'A'), ev('z', feb28six, 'A')];
    const { matches } = run(compileSignalRule(body), events);
    expect(matches.map((m) => m.eventIds)).toEqual([['x', 'y', 'z']]);
    expect([...referenceMatches(body, events).keys()]).toEqual(['e1']);
    const held = run(compileSignalRule(body), events.slice(0, 2));
    expect(held.last?.expiresAt).toBe(Date.UTC(2023, 1, 28, 12) + DEFAULT_LATENESS_MS);
  });

  it('keeps a B beyond the first A window for an earlier A arriving late whose window ends later', () => {
    const r = compileSignalRule(
      { id: 'R', name: 'r', kind: 'sequence', first: activity('A'), then: activity('B'), within: 'P1M' },
      { latenessMs: Number.POSITIVE_INFINITY },
    );
    const { matches } = run(r, [ev('a', jan31, 'A'), ev('b', feb28six, 'B'), ev('a0', jan30noon, 'A')]);
    expect(matches.map((m) => m.matchId)).toEqual(['sequence:a0']);
  });
});
