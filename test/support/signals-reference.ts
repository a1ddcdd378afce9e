/**
 * Reference evaluator for signal rules, written from the definitions in ../shared/datasets/signals/README.md and
 * docs/signals.md, and sharing no code with the engine (functions/domain/signals/): it reads the raw rule body,
 * parses durations and adds them to dates on its own, and evaluates each kind by its definition over the full,
 * sorted, deduplicated event list of every key, with no state, pruning or lateness. Slow on purpose: plainness is
 * the point. Patterns are matched with the platform's EventBridge matcher, which has its own conformance tests.
 */

import { matchesEventPattern } from '../../functions/domain/events/event-pattern.js';
import type { SignalEvent } from '../../functions/domain/signals/types.js';

export interface ReferenceMatch {
  matchId: string;
  at: number;
  eventIds: string[];
}

type Pattern = Record<string, unknown>;

interface RawRule {
  id: string;
  kind: string;
  key?: string;
  enabled?: boolean;
  match?: Pattern;
  first?: Pattern;
  then?: Pattern;
  missing?: Pattern;
  within?: string;
  longerThan?: string;
  atLeast?: number;
  fireAtDeadline?: boolean;
}

const DAY = 24 * 60 * 60 * 1000;

/** t plus an ISO 8601 duration: years and months on the UTC calendar (day clamped to the month's end), then the rest. */
export function referenceAdd(t: number, iso: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:([\d.,]+)H)?(?:([\d.,]+)M)?(?:([\d.,]+)S)?)?$/.exec(
    iso,
  );
  if (!m) throw new Error(`reference: not a duration: ${iso}`);
  const n = (i: number): number => (m[i] ? Number(m[i].replace(',', '.')) : 0);
  const [weeks, years, months, days, hours, minutes, seconds] = [n(1), n(2), n(3), n(4), n(5), n(6), n(7)];
  let result = t;
  const allMonths = years * 12 + months;
  if (allMonths !== 0) {
    const d = new Date(t);
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + allMonths);
    const monthEnd = new Date(d.getTime());
    monthEnd.setUTCMonth(monthEnd.getUTCMonth() + 1, 0);
    d.setUTCDate(Math.min(day, monthEnd.getUTCDate()));
    result = d.getTime();
  }
  result += (weeks * 7 + days) * DAY;
  result += Math.round(hours * 3_600_000 + minutes * 60_000 + seconds * 1000);
  return result;
}

function keyValue(event: Record<string, unknown>, path: string): string | null {
  let node: unknown = event.detail;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return null;
    if (!Object.hasOwn(node, part)) return null;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' && node.length > 0 ? node : null;
}

/** Per key: its events, one per id (the earliest copy), sorted by time then id. */
export function eventsByKey(events: readonly SignalEvent[], keyPath: string): Map<string, SignalEvent[]> {
  const unique = new Map<string, SignalEvent>();
  for (const e of events) {
    const had = unique.get(e.id);
    if (!had || e.time < had.time) unique.set(e.id, e);
  }
  const groups = new Map<string, SignalEvent[]>();
  for (const e of unique.values()) {
    const key = keyValue(e.event, keyPath);
    if (key === null) continue;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => (a.time !== b.time ? a.time - b.time : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return groups;
}

/**
 * Every match of the rule per key, as the definitions give them once time has reached `end` (default: all
 * deadlines passed). Keys without a match are left out.
 */
export function referenceMatches(
  rawRule: unknown,
  events: readonly SignalEvent[],
  end: number = Number.POSITIVE_INFINITY,
): Map<string, ReferenceMatch[]> {
  const rule = rawRule as RawRule;
  const result = new Map<string, ReferenceMatch[]>();
  if (rule.enabled === false) return result;
  for (const [key, list] of eventsByKey(events, rule.key ?? 'entityId')) {
    const found = evaluateKey(rule, list, end);
    if (found.length > 0) result.set(key, found);
  }
  return result;
}

/** The keys the rule fired for. */
export function referenceFiredKeys(rawRule: unknown, events: readonly SignalEvent[]): Set<string> {
  return new Set(referenceMatches(rawRule, events).keys());
}

function matching(list: SignalEvent[], pattern: Pattern | undefined): SignalEvent[] {
  if (pattern === undefined) return list;
  return list.filter((e) => matchesEventPattern(pattern, e.event));
}

function evaluateKey(rule: RawRule, list: SignalEvent[], end: number): ReferenceMatch[] {
  switch (rule.kind) {
    case 'match':
      // Every matching event is a match.
      return matching(list, rule.match).map((e) => ({ matchId: e.id, at: e.time, eventIds: [e.id] }));

    case 'sequence': {
      // The first A, and any B with tA < tB <= tA + W; reported with the earliest such B.
      const a = matching(list, rule.first)[0];
      if (!a) return [];
      const limit = referenceAdd(a.time, rule.within as string);
      const b = matching(list, rule.then).find((e) => e.time > a.time && e.time <= limit);
      return b ? [{ matchId: `sequence:${a.id}`, at: b.time, eventIds: [a.id, b.id] }] : [];
    }

    case 'absence': {
      // The first A, and no B in (tA, tA + W]; it holds at the deadline tA + W.
      const a = matching(list, rule.first)[0];
      if (!a) return [];
      const deadline = referenceAdd(a.time, rule.within as string);
      const cancelled = matching(list, rule.missing).some((e) => e.time > a.time && e.time <= deadline);
      if (cancelled || deadline > end) return [];
      return [{ matchId: `absence:${a.id}`, at: deadline, eventIds: [a.id] }];
    }

    case 'count': {
      // Some window of length W (inclusive) holds n matching events: a window starts at an event a and ends at
      // t_a + W, and holds every event from a up to the last one within that end. A match completes at the first
      // event j for which some window holds n events up to j; after it, counting starts again after j.
      const hits = matching(list, rule.match);
      const n = rule.atLeast as number;
      const out: ReferenceMatch[] = [];
      let from = 0;
      for (let j = from; j < hits.length; j++) {
        const last = hits[j] as SignalEvent;
        let holds = false;
        for (let a = from; a + n - 1 <= j; a++) {
          if (referenceAdd((hits[a] as SignalEvent).time, rule.within as string) >= last.time) holds = true;
        }
        if (holds) {
          const ids = hits.slice(j - n + 1, j + 1).map((e) => e.id);
          out.push({ matchId: `count:${last.id}`, at: last.time, eventIds: ids });
          from = j + 1;
        }
      }
      return out;
    }

    case 'repetition': {
      // n matching events, no window.
      const hits = matching(list, rule.match);
      const n = rule.atLeast as number;
      if (hits.length < n) return [];
      const nth = hits[n - 1] as SignalEvent;
      return [{ matchId: 'repetition', at: nth.time, eventIds: hits.slice(0, n).map((e) => e.id) }];
    }

    case 'inactivity': {
      // A gap between consecutive (activity) events longer than W; with fireAtDeadline, the silence after the last
      // event too, from the first millisecond it is longer than W.
      const acts = matching(list, rule.match);
      const w = rule.longerThan as string;
      const out: ReferenceMatch[] = [];
      for (let i = 1; i < acts.length; i++) {
        const p = acts[i - 1] as SignalEvent;
        const q = acts[i] as SignalEvent;
        const limit = referenceAdd(p.time, w);
        if (q.time > limit) {
          out.push({ matchId: `gap:${p.id}`, at: rule.fireAtDeadline ? limit + 1 : q.time, eventIds: [p.id, q.id] });
        }
      }
      const lastAct = acts[acts.length - 1];
      if (rule.fireAtDeadline && lastAct) {
        const due = referenceAdd(lastAct.time, w) + 1;
        if (due <= end) out.push({ matchId: `gap:${lastAct.id}`, at: due, eventIds: [lastAct.id] });
      }
      return out;
    }

    default:
      throw new Error(`reference: unknown kind ${rule.kind}`);
  }
}
