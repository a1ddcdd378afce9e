/**
 * Where a process loses time and what could run by itself:
 * - bottlenecks: the transitions (directly-follows steps a → b) with the longest waiting time between the two events;
 * - automation candidates: steps that are always done by hand and always sit on the same path (same predecessor and
 *   same successor in every occurrence), i.e. routine manual work with a fixed input and output.
 */
import type { EventLog, LogEvent, Trace } from '../log.js';
import { directlyFollows } from './dfg.js';

export interface Bottleneck {
  from: string;
  to: string;
  /** Occurrences of the step with both times. */
  count: number;
  medianMs: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** Waiting time summed over all occurrences: where the process spends most time in total. */
  totalMs: number;
}

export interface BottleneckOptions {
  /** Rank by the median (default; robust to a few stuck cases) or the mean waiting time. */
  by?: 'median' | 'mean';
  /** At most this many (default 10). */
  limit?: number;
  /** Only steps measured at least this often (default 1). */
  minCount?: number;
}

/** The slowest transitions of a log, slowest first (ties: more occurrences first). */
export function bottlenecks(log: EventLog, options: BottleneckOptions = {}): Bottleneck[] {
  const by = options.by ?? 'median';
  const limit = options.limit ?? 10;
  const minCount = options.minCount ?? 1;
  const out: Bottleneck[] = [];
  for (const e of directlyFollows(log).edges) {
    if (!e.duration || e.duration.count < minCount) continue;
    const d = e.duration;
    out.push({
      from: e.from,
      to: e.to,
      count: d.count,
      medianMs: d.median,
      meanMs: d.mean,
      minMs: d.min,
      maxMs: d.max,
      totalMs: d.total,
    });
  }
  const key = by === 'median' ? (b: Bottleneck) => b.medianMs : (b: Bottleneck) => b.meanMs;
  const other = by === 'median' ? (b: Bottleneck) => b.meanMs : (b: Bottleneck) => b.medianMs;
  out.sort((x, y) => key(y) - key(x) || other(y) - other(x) || y.count - x.count);
  return out.slice(0, limit);
}

/** Whether an event was done by a person. */
export type ManualPredicate = (event: LogEvent, trace: Trace) => boolean;

/**
 * Resource names that stand for software rather than a person: a word of the name (split at anything that is not a
 * letter or digit, and at lower-to-upper case changes) is one of these.
 */
const SYSTEM_WORDS = new Set([
  'system',
  'sys',
  'batch',
  'bot',
  'robot',
  'rpa',
  'auto',
  'automatic',
  'automated',
  'automation',
  'service',
  'svc',
  'daemon',
  'scheduler',
  'cron',
  'job',
  'api',
  'integration',
  'engine',
  'server',
  'noreply',
  'script',
]);

/** True when the resource name denotes a system account (see SYSTEM_WORDS). */
export function isSystemResource(resource: string): boolean {
  const words = resource
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => SYSTEM_WORDS.has(w));
}

/**
 * The default "manual" test: an explicit `manual` attribute (boolean, or the text true/false/yes/no) decides when
 * present; otherwise the event is manual when it has a resource (`org:resource`, or a `resource` attribute) that is
 * not a system account.
 */
export const isManualByDefault: ManualPredicate = (event) => {
  const flag = event.attributes.manual;
  if (typeof flag === 'boolean') return flag;
  if (typeof flag === 'string') {
    const f = flag.trim().toLowerCase();
    if (f === 'true' || f === 'yes') return true;
    if (f === 'false' || f === 'no') return false;
  }
  const r = event.resource ?? event.attributes['org:resource'] ?? event.attributes.resource;
  return typeof r === 'string' && r.trim() !== '' && !isSystemResource(r);
};

export interface AutomationCandidate {
  activity: string;
  /** The activity always right before it, or null when it always starts the case. */
  predecessor: string | null;
  /** The activity always right after it, or null when it always ends the case. */
  successor: string | null;
  /** Support: cases in which it occurs. */
  cases: number;
  occurrences: number;
}

export interface AutomationOptions {
  /** Which events were done by hand (default isManualByDefault). */
  isManual?: ManualPredicate;
  /** Only activities occurring in at least this many cases (default 2: one case shows no routine). */
  minCases?: number;
}

/**
 * Activities that in every case where they occur are always manual and always have the same predecessor and the
 * same successor (the case start/end counting as one), most supported first.
 */
export function automationCandidates(log: EventLog, options: AutomationOptions = {}): AutomationCandidate[] {
  const isManual = options.isManual ?? isManualByDefault;
  const minCases = options.minCases ?? 2;
  interface Acc {
    ok: boolean;
    predecessor: string | null | undefined;
    successor: string | null | undefined;
    cases: number;
    occurrences: number;
    lastTrace: number;
  }
  const acc = new Map<string, Acc>();
  log.traces.forEach((trace, ti) => {
    const events = trace.events;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      let a = acc.get(e.activity);
      if (!a) {
        acc.set(
          e.activity,
          (a = { ok: true, predecessor: undefined, successor: undefined, cases: 0, occurrences: 0, lastTrace: -1 }),
        );
      }
      a.occurrences++;
      if (a.lastTrace !== ti) {
        a.cases++;
        a.lastTrace = ti;
      }
      if (!a.ok) continue;
      const pred = i > 0 ? events[i - 1]!.activity : null;
      const succ = i + 1 < events.length ? events[i + 1]!.activity : null;
      if (a.predecessor === undefined) {
        a.predecessor = pred;
        a.successor = succ;
      }
      if (a.predecessor !== pred || a.successor !== succ || !isManual(e, trace)) a.ok = false;
    }
  });
  const out: AutomationCandidate[] = [];
  for (const [activity, a] of acc) {
    if (!a.ok || a.cases < minCases) continue;
    out.push({
      activity,
      predecessor: a.predecessor ?? null,
      successor: a.successor ?? null,
      cases: a.cases,
      occurrences: a.occurrences,
    });
  }
  return out.sort((x, y) => y.cases - x.cases);
}
