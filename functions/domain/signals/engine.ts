/**
 * The signal engine: evaluates one compiled rule (rules.ts) over one key's events, by event time, with state small
 * enough for one table item. The contract (types.ts) is shared by the platform's detector, `signals:replay` and
 * `bench:signals`.
 *
 * Semantics, per key, over its events sorted by (time, id) and deduplicated by id (W = the rule's duration, added
 * calendar-aware in UTC; `A`/`B` = the first/second pattern):
 * - match: every matching event is a match (id: the event id).
 * - sequence: the first A (earliest by time, ties by id) and a B with tA < tB ≤ tA+W; one match per first A
 *   (`sequence:<A id>`), completed by the earliest such B.
 * - absence: the first A and no B in (tA, tA+W]; holds at the deadline tA+W, even if nothing else happens
 *   (`absence:<A id>`; `nextDeadline` = tA+W while pending).
 * - count: n matching events in a window t_last ≤ t_first+W (inclusive); a new match needs n events after the last
 *   match's completing event (`count:<completing id>`).
 * - repetition: n matching events, no window; once per key (`repetition`).
 * - inactivity: consecutive events (of `match`, when given) with t_next > t_prev+W (strictly); one match per gap
 *   (`gap:<id of the event before it>`), also at the deadline t_prev+W+1 ms with `fireAtDeadline`, the same id
 *   either way so it is reported once.
 *
 * Time and arrival: `now` is the time up to which the caller has seen the events; a deadline holds when it is ≤ now.
 * A match is reported once (its id is remembered) and never retracted by a later, earlier-timed event. An event more
 * than the rule's lateness (default 24 h) behind the newest event of its key is ignored: past that the state may no
 * longer hold what it needs, a duplicate's first copy included.
 *
 * Bounded state (what a key keeps between events, everything else is dropped at evaluation):
 * - match: no events; the ids of the last REPORTED_CAP matches (duplicates).
 * - sequence, absence: the first A; the earliest B after it within its window (it decides the match for that A and
 *   for any earlier A that could still arrive); the Bs no older than the lateness horizon (an earlier A arriving late
 *   could pair with them). Later As are dropped on arrival: they are not the first.
 * - count: the matching events after the last match that a future event could share a window with
 *   (t_first+W ≥ newest − lateness).
 * - repetition: a counter of the matching events older than the lateness horizon and those not older (for
 *   duplicates and time order); nothing once it fired.
 * - inactivity: the activity events no older than the lateness horizon (the newest among them).
 * A key keeps at most KEPT_EVENTS_CAP events (the oldest that decides nothing goes first) and REPORTED_CAP match ids.
 *
 * `expiresAt`: past it, no event that arrives within the lateness and no deadline can use the state, except what
 * the rule's retention (default 400 days) keeps: the first A, a repetition count, the last event before an
 * open-ended gap. The platform keeps the state with a TTL of expiresAt plus a margin.
 */

import { ValidationError } from '../errors.js';
import { type CompiledSignalRule, FIRST_PATTERN, SECOND_PATTERN } from './rules.js';
import type { Evaluation, KeptEvent, KeyState, SignalEvent, SignalMatch } from './types.js';

/** Most events one key's state holds. */
export const KEPT_EVENTS_CAP = 1000;
/** Most match ids one key's state remembers. */
export const REPORTED_CAP = 1000;
/** The earliest time a Date can hold: the newest event time of a state that has seen none. */
export const EARLIEST_TIME = -8.64e15;

/** The state of a key that has seen no event. */
export function emptyKeyState(): KeyState {
  return { events: [], reported: [], lastTime: EARLIEST_TIME };
}

/** The event's key under the rule (the string at its key path in `detail`), or null: the rule ignores the event. */
export function keyOf(rule: CompiledSignalRule, ev: SignalEvent): string | null {
  return rule.keyOf(ev.event);
}

/**
 * Places an event in the key's state, without evaluating. Returns the state unchanged (the same object) when the
 * rule ignores the event (no key, no pattern matched), when it is a duplicate or when it is too late; the detector
 * need not write it back then. Throws ValidationError for an event time that is not a valid date.
 */
export function insertEvent(rule: CompiledSignalRule, state: KeyState, ev: SignalEvent): KeyState {
  const key = rule.keyOf(ev.event);
  if (key === null) return state;
  const m = rule.mask(ev.event);
  if (m === 0) return state;
  checkTime(ev.time);
  const work = clone(state);
  return insertMasked(rule, work, key, ev.id, ev.time, m) ? work : state;
}

/** Inserts the event, then evaluates at `now` (epoch ms; deadlines ≤ now hold). */
export function applyEvent(rule: CompiledSignalRule, state: KeyState, ev: SignalEvent, now: number): Evaluation {
  const key = rule.keyOf(ev.event);
  const m = key === null ? 0 : rule.mask(ev.event);
  if (m === 0) return advance(rule, state, now);
  checkTime(ev.time);
  const work = clone(state);
  insertMasked(rule, work, key as string, ev.id, ev.time, m);
  return evaluateOwned(rule, work, now);
}

/** Evaluates the state at `now`: deadlines ≤ now, and any match the held events make that is not reported yet. */
export function advance(rule: CompiledSignalRule, state: KeyState, now: number): Evaluation {
  return evaluateOwned(rule, clone(state), now);
}

/** Evaluates a state the caller owns (a copy), in place. */
function evaluateOwned(rule: CompiledSignalRule, work: KeyState, now: number): Evaluation {
  const matches: SignalMatch[] = [];
  const nextDeadline = evaluate(rule, work, now, matches);
  return { state: work, matches, nextDeadline, expiresAt: expiresAt(rule, work, nextDeadline) };
}

/**
 * Replays a whole log: every event is inserted and each key evaluated at +Infinity. Returns, per rule id, the
 * number of keys the rule fired for (0 for a disabled rule). The events are deduplicated by id (the earliest copy
 * stays) and fed to each key in time order, evaluating after each instant, so the result does not depend on the
 * order or repetition of the input and each key's state stays bounded as in the platform.
 */
export function replay(rules: readonly CompiledSignalRule[], events: readonly SignalEvent[]): Record<string, number> {
  const ordered = dedupeAndSort(events);
  const result: Record<string, number> = {};
  for (const rule of rules) {
    result[rule.id] = rule.enabled ? replayRule(rule, ordered) : 0;
  }
  return result;
}

/** One rule's online pass over time-ordered events: calls `onMatch` for each match. Returns the keys that fired. */
export function replayRule(
  rule: CompiledSignalRule,
  ordered: readonly SignalEvent[],
  onMatch?: (match: SignalMatch) => void,
): number {
  const perKey = new Map<string, { ids: string[]; times: number[]; masks: number[] }>();
  for (const ev of ordered) {
    const key = rule.keyOf(ev.event);
    if (key === null) continue;
    const m = rule.mask(ev.event);
    if (m === 0) continue;
    let bucket = perKey.get(key);
    if (!bucket) perKey.set(key, (bucket = { ids: [], times: [], masks: [] }));
    bucket.ids.push(ev.id);
    bucket.times.push(ev.time);
    bucket.masks.push(m);
  }
  let fired = 0;
  const matches: SignalMatch[] = [];
  for (const [key, { ids, times, masks }] of perKey) {
    const state = emptyKeyState();
    let any = false;
    for (let i = 0; i < ids.length; ) {
      const t = times[i] as number;
      for (; i < ids.length && times[i] === t; i++)
        insertMasked(rule, state, key, ids[i] as string, t, masks[i] as number);
      evaluate(rule, state, t, matches);
      if (matches.length > 0) {
        any = true;
        if (onMatch) for (const match of matches) onMatch(match);
        matches.length = 0;
      }
    }
    evaluate(rule, state, Number.POSITIVE_INFINITY, matches);
    if (matches.length > 0) {
      any = true;
      if (onMatch) for (const match of matches) onMatch(match);
      matches.length = 0;
    }
    if (any) fired++;
  }
  return fired;
}

/** Events sorted by (time, id), one per id (the earliest copy when copies disagree on the time). */
export function dedupeAndSort(events: readonly SignalEvent[]): SignalEvent[] {
  const byId = new Map<string, SignalEvent>();
  for (const ev of events) {
    checkTime(ev.time);
    const seen = byId.get(ev.id);
    if (seen === undefined || ev.time < seen.time) byId.set(ev.id, ev);
  }
  const out = [...byId.values()];
  const before = (a: SignalEvent, b: SignalEvent): number =>
    a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  // Logs and streams mostly come in time order already: checking is one pass, sorting n log n comparisons.
  for (let i = 1; i < out.length; i++) {
    if (before(out[i - 1] as SignalEvent, out[i] as SignalEvent) > 0) return out.sort(before);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Insertion
// ---------------------------------------------------------------------------------------------

function checkTime(t: number): void {
  if (!Number.isFinite(t) || Math.abs(t) > -EARLIEST_TIME) {
    throw new ValidationError('event time must be a valid date (epoch ms)', {
      details: [{ field: 'time', message: 'must be a valid date' }],
    });
  }
}

function clone(state: KeyState): KeyState {
  const copy: KeyState = { ...state, events: state.events.slice(), reported: state.reported.slice() };
  if (state.consumed) copy.consumed = { ...state.consumed };
  return copy;
}

function compare(at: number, aid: string, bt: number, bid: string): number {
  return at - bt || (aid < bid ? -1 : aid > bid ? 1 : 0);
}

/** First index whose event is not before (t, id). */
function lowerBound(events: KeptEvent[], t: number, id: string): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = events[mid] as KeptEvent;
    if (compare(e.t, e.id, t, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstIndexOf(events: KeptEvent[], bit: number): number {
  for (let i = 0; i < events.length; i++) if (((events[i] as KeptEvent).m & bit) !== 0) return i;
  return -1;
}

/** Places a relevant event (mask m ≠ 0) in a mutable state. False when it changed nothing. */
function insertMasked(rule: CompiledSignalRule, s: KeyState, key: string, id: string, t: number, m: number): boolean {
  if (s.lastTime !== EARLIEST_TIME && t < s.lastTime - rule.latenessMs) return false;
  const events = s.events;
  if (rule.kind === 'match' && s.reported.includes(id)) return false;
  if (rule.kind === 'count' && s.consumed && compare(t, id, s.consumed.t, s.consumed.id) <= 0) return false;
  const at = lowerBound(events, t, id);
  const there = events[at];
  if (there !== undefined && there.t === t && there.id === id) return false;
  s.key ??= key;
  if (t > s.lastTime) s.lastTime = t;
  if (rule.kind === 'repetition' && s.reported.length > 0) return true; // fired once for the key: only time moves
  if ((rule.kind === 'sequence' || rule.kind === 'absence') && m === FIRST_PATTERN) {
    // Only the first A matters: an A after the current first one can never be it.
    const first = firstIndexOf(events, FIRST_PATTERN);
    if (first >= 0 && first < at) return true;
  }
  events.splice(at, 0, { id, t, m });
  if (events.length > KEPT_EVENTS_CAP) evictOne(rule, s);
  return true;
}

/** Drops the oldest event that decides nothing on its own (never the first A or the newest activity). */
function evictOne(rule: CompiledSignalRule, s: KeyState): void {
  const events = s.events;
  let victim = 0;
  if (rule.kind === 'sequence' || rule.kind === 'absence') {
    const first = firstIndexOf(events, FIRST_PATTERN);
    // Keep the first A and the B right after it (the earliest that can decide its window).
    while (victim === first || (first >= 0 && victim === first + 1)) victim++;
  }
  if (rule.kind === 'repetition') s.counted = (s.counted ?? 0) + 1;
  events.splice(victim, 1);
}

// ---------------------------------------------------------------------------------------------
// Evaluation (mutates the working state, pushes new matches, returns the next deadline)
// ---------------------------------------------------------------------------------------------

function evaluate(rule: CompiledSignalRule, s: KeyState, now: number, out: SignalMatch[]): number | null {
  const from = out.length;
  let deadline: number | null = null;
  switch (rule.kind) {
    case 'match':
      evaluateMatch(rule, s, out);
      break;
    case 'sequence':
    case 'absence':
      deadline = evaluateFirstThen(rule, s, now, out);
      break;
    case 'count':
      evaluateCount(rule, s, out);
      break;
    case 'repetition':
      evaluateRepetition(rule, s, out);
      break;
    case 'inactivity':
      deadline = evaluateInactivity(rule, s, now, out);
      break;
  }
  if (out.length - from > 1) {
    const fresh = out.splice(from).sort((a, b) => a.at - b.at);
    out.push(...fresh);
  }
  if (s.reported.length > REPORTED_CAP) s.reported.splice(0, s.reported.length - REPORTED_CAP);
  return deadline;
}

function report(rule: CompiledSignalRule, s: KeyState, out: SignalMatch[], matchId: string, at: number, ids: string[]) {
  s.reported.push(matchId);
  out.push({ ruleId: rule.id, key: s.key ?? '', matchId, at, eventIds: ids });
}

function evaluateMatch(rule: CompiledSignalRule, s: KeyState, out: SignalMatch[]): void {
  // Held events are the ones not reported yet (insertion refuses reported ids).
  for (const e of s.events) report(rule, s, out, e.id, e.t, [e.id]);
  s.events.length = 0;
}

function evaluateFirstThen(rule: CompiledSignalRule, s: KeyState, now: number, out: SignalMatch[]): number | null {
  const events = s.events;
  const firstAt = firstIndexOf(events, FIRST_PATTERN);
  const first = firstAt >= 0 ? (events[firstAt] as KeptEvent) : undefined;
  let end = Number.POSITIVE_INFINITY;
  let decider: KeptEvent | undefined;
  let deadline: number | null = null;
  if (first) {
    end = rule.addWindow(first.t);
    for (let j = firstAt + 1; j < events.length; j++) {
      const e = events[j] as KeptEvent;
      if (e.t > end) break;
      if ((e.m & SECOND_PATTERN) !== 0 && e.t > first.t) {
        decider = e;
        break;
      }
    }
    const matchId = `${rule.kind}:${first.id}`;
    const done = s.reported.includes(matchId);
    if (rule.kind === 'sequence') {
      if (decider && !done) report(rule, s, out, matchId, decider.t, [first.id, decider.id]);
    } else if (!decider && !done) {
      if (end <= now) report(rule, s, out, matchId, end, [first.id]);
      else deadline = end;
    }
    // Only the current first A's match can be found again.
    if (s.reported.length > (done ? 1 : 0)) {
      s.reported = s.reported.filter((id) => id === matchId);
    }
  }
  const horizon = s.lastTime - rule.latenessMs;
  // Bs after the window of the current first A are kept within the horizon too: an earlier A's window can end later
  // than this one's (a month added to Jan 30 12:00 ends after a month added to Jan 31 00:00).
  s.events = events.filter((e) => e === first || e === decider || ((e.m & SECOND_PATTERN) !== 0 && e.t > horizon));
  return deadline;
}

function evaluateCount(rule: CompiledSignalRule, s: KeyState, out: SignalMatch[]): void {
  const events = s.events;
  const n = rule.atLeast;
  let start = 0;
  for (let j = n - 1; j < events.length; j++) {
    const head = events[j - n + 1] as KeptEvent;
    const last = events[j] as KeptEvent;
    if (j - n + 1 >= start && last.t <= rule.addWindow(head.t)) {
      const ids: string[] = [];
      for (let k = j - n + 1; k <= j; k++) ids.push((events[k] as KeptEvent).id);
      report(rule, s, out, `count:${last.id}`, last.t, ids);
      s.consumed = { t: last.t, id: last.id };
      start = j + 1;
      j += n - 1;
    }
  }
  // Drop what is used up, then the oldest events whose own window ends before the horizon: no event within the
  // lateness can share a window with them. Only a prefix: a later event inside an earlier one's window still counts
  // in it, even when its own window ends sooner (calendar window ends are not ordered like their starts).
  const horizon = s.lastTime - rule.latenessMs;
  let keepFrom = start;
  while (keepFrom < events.length && rule.addWindow((events[keepFrom] as KeptEvent).t) < horizon) keepFrom++;
  if (keepFrom > 0) events.splice(0, keepFrom);
  // New matches complete after `consumed`, so no earlier id can come back.
  if (s.reported.length > 1) s.reported.splice(0, s.reported.length - 1);
}

function evaluateRepetition(rule: CompiledSignalRule, s: KeyState, out: SignalMatch[]): void {
  if (s.reported.length > 0) {
    s.events.length = 0;
    return;
  }
  const events = s.events;
  const counted = s.counted ?? 0;
  const n = rule.atLeast;
  if (counted + events.length >= n) {
    const nth = n - counted - 1;
    const ids = events.slice(0, Math.max(0, nth + 1)).map((e) => e.id);
    report(rule, s, out, 'repetition', nth >= 0 ? (events[nth] as KeptEvent).t : s.lastTime, ids);
    events.length = 0;
    return;
  }
  const horizon = s.lastTime - rule.latenessMs;
  let drop = 0;
  while (drop < events.length && (events[drop] as KeptEvent).t < horizon) drop++;
  if (drop > 0) {
    events.splice(0, drop);
    s.counted = counted + drop;
  }
}

function evaluateInactivity(rule: CompiledSignalRule, s: KeyState, now: number, out: SignalMatch[]): number | null {
  const events = s.events;
  for (let i = 0; i + 1 < events.length; i++) {
    const p = events[i] as KeptEvent;
    const q = events[i + 1] as KeptEvent;
    const end = rule.addWindow(p.t);
    if (q.t > end) {
      const matchId = `gap:${p.id}`;
      if (!s.reported.includes(matchId)) {
        report(rule, s, out, matchId, rule.fireAtDeadline ? end + 1 : q.t, [p.id, q.id]);
      }
    }
  }
  let deadline: number | null = null;
  const newest = events[events.length - 1];
  if (rule.fireAtDeadline && newest) {
    const due = rule.addWindow(newest.t) + 1;
    const matchId = `gap:${newest.id}`;
    if (!s.reported.includes(matchId)) {
      if (due <= now) report(rule, s, out, matchId, due, [newest.id]);
      else deadline = due;
    }
  }
  const horizon = s.lastTime - rule.latenessMs;
  let drop = 0;
  while (drop < events.length - 1 && (events[drop] as KeptEvent).t < horizon) drop++;
  if (drop > 0) {
    events.splice(0, drop);
    // A gap can only be found again from an event still held.
    if (s.reported.length > 0) {
      const held = new Set(events.map((e) => `gap:${e.id}`));
      s.reported = s.reported.filter((id) => held.has(id));
    }
  }
  return deadline;
}

// ---------------------------------------------------------------------------------------------
// Expiry
// ---------------------------------------------------------------------------------------------

function expiresAt(rule: CompiledSignalRule, s: KeyState, deadline: number | null): number {
  if (s.lastTime === EARLIEST_TIME) return EARLIEST_TIME;
  const lateness = rule.latenessMs;
  let until = s.lastTime + lateness;
  if (deadline !== null) until = Math.max(until, deadline + lateness);
  const events = s.events;
  switch (rule.kind) {
    case 'sequence':
    case 'absence': {
      const firstAt = firstIndexOf(events, FIRST_PATTERN);
      if (firstAt >= 0) {
        const first = events[firstAt] as KeptEvent;
        until = Math.max(until, rule.addWindow(first.t) + lateness, s.lastTime + rule.retentionMs);
      }
      break;
    }
    case 'count':
      // Every held event's own window end: calendar windows are not ordered like their starts.
      for (const e of events) until = Math.max(until, rule.addWindow(e.t) + lateness);
      break;
    case 'repetition':
      until = Math.max(until, s.lastTime + rule.retentionMs);
      break;
    case 'inactivity': {
      const newest = events[events.length - 1];
      if (newest && !rule.fireAtDeadline) until = Math.max(until, rule.addWindow(newest.t) + rule.retentionMs);
      break;
    }
    case 'match':
      break;
  }
  return until;
}
