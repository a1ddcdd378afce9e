/**
 * The inductive miner – infrequent (IMf; Leemans, Fahland, van der Aalst, "Discovering block-structured process
 * models from event logs containing infrequent behaviour", BPM 2013), over a log of variants:
 *
 * 1. empty traces: if more than `noise` of the traces are empty the part is optional (xor with tau), else they
 *    are dropped as noise;
 * 2. base cases: no events → tau; every trace the single activity a → a;
 * 3. a cut of the directly-follows graph (xor, sequence, parallel, loop) splits the log and each group is mined;
 * 4. failing that, the same cuts on the graph without its infrequent edges (edges below `noise` times the
 *    strongest way out of their source), with the IMf split that drops the events that do not fit;
 * 5. failing that, the fall-throughs: an activity that occurs once per trace, an activity whose removal leaves a
 *    cut (both in parallel with the rest), a strict tau loop (split where an end activity is followed by a start
 *    activity), a tau loop (split before every start activity), and the flower model.
 *
 * With noise 0, step 4 never finds what step 3 did not, and the model can replay every trace of its log
 * (IM's fitness guarantee). The result depends only on the multiset of traces, not on their order.
 */
import { findCut } from './cuts.js';
import { type ProcessTree, activity, operator, tau } from './process-tree.js';
import { onlyActivity, splitLog, splitTraces, withoutActivity } from './projection.js';
import {
  type DirectlyFollows,
  type SubLog,
  directlyFollows,
  directlyFollowsWithoutEach,
  filterInfrequentEdges,
  minimumSelfDistanceWitnesses,
} from './sublog.js';

export interface MinerSettings {
  /** 0 = plain IM; IMf's default is 0.2. */
  noise: number;
  /** Activity names by number. */
  names: string[];
}

const OPERATOR = { xor: 'xor', sequence: 'sequence', parallel: 'parallel', loop: 'loop' } as const;

/** Mines one (sub-)log into a process tree. */
export function mineTree(log: SubLog, settings: MinerSettings): ProcessTree {
  const n = settings.names.length;
  const recurse = (sub: SubLog): ProcessTree => mineTree(sub, settings);

  let total = 0;
  let empty = 0;
  for (const v of log) {
    total += v.count;
    if (v.seq.length === 0) empty += v.count;
  }
  if (total === empty) return tau();
  let current = log;
  if (empty > 0) {
    const nonEmpty = log.filter((v) => v.seq.length > 0);
    if (empty > settings.noise * total) return operator('xor', [tau(), recurse(nonEmpty)]);
    current = nonEmpty;
  }
  if (current.length === 1 && current[0]!.seq.length === 1) return activity(settings.names[current[0]!.seq[0]!]!);

  const dfg = directlyFollows(current, n);
  let witnesses: Uint8Array | undefined;
  const msd = (): Uint8Array => (witnesses ??= minimumSelfDistanceWitnesses(current, dfg));
  const cut =
    findCut(dfg, msd) ?? (settings.noise > 0 ? findCut(filterInfrequentEdges(dfg, settings.noise), msd) : null);
  if (cut) {
    const children = splitLog(current, cut, dfg.acts, n).map(recurse);
    return operator(OPERATOR[cut.kind], children);
  }
  return fallThrough(current, dfg, settings, recurse);
}

function fallThrough(
  log: SubLog,
  dfg: DirectlyFollows,
  settings: MinerSettings,
  recurse: (sub: SubLog) => ProcessTree,
): ProcessTree {
  const { acts, k } = dfg;
  if (k > 1) {
    // Both put one activity in parallel with the rest: its own occurrences (mined, so repetitions become a loop)
    // and the log without it. Any interleaving is then allowed, so no trace is lost.
    const apart = (a: number, rest: SubLog): ProcessTree =>
      operator('parallel', [recurse(onlyActivity(log, acts[a]!)), recurse(rest)]);
    // an activity in every trace exactly once
    for (let a = 0; a < k; a++) if (dfg.oncePerTrace[a]) return apart(a, withoutActivity(log, acts[a]!));
    // an activity whose removal lets the rest be cut behaves as if it were concurrent to the rest (the graphs
    // without each activity come from one pass over the log; the log is copied only for the one that is cut)
    const without = directlyFollowsWithoutEach(log, dfg);
    for (let a = 0; a < k; a++) {
      const restDfg = without(a);
      if (findCut(restDfg, () => minimumSelfDistanceWitnesses(log, restDfg, acts[a]!)) === null) continue;
      return apart(a, withoutActivity(log, acts[a]!));
    }
  }
  const { localOf } = dfg;
  const isStart = (g: number): boolean => dfg.start[localOf[g]!]! > 0;
  const isEnd = (g: number): boolean => dfg.end[localOf[g]!]! > 0;
  // the log repeats whole traces: an end activity directly followed by a start activity starts a new round
  const strict = splitTraces(log, (previous, next) => isEnd(previous) && isStart(next));
  if (strict) return operator('loop', [recurse(strict), tau()]);
  const loose = splitTraces(log, (_previous, next) => isStart(next));
  if (loose) return operator('loop', [recurse(loose), tau()]);
  const leaves = acts.map((a) => activity(settings.names[a]!));
  return operator('loop', [tau(), leaves.length === 1 ? leaves[0]! : operator('xor', leaves)]);
}
