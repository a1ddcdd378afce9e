/**
 * Splitting a log along a cut into one sub-log per group, as IMf does it: behaviour that does not fit the cut
 * (possible when the cut was found on the filtered graph) is removed by the smallest change, so every sub-log is
 * a log of its group only. On a log the cut fits exactly these are the plain projections of the inductive miner.
 */
import type { Cut } from './cuts.js';
import { type SubLog, VariantBag } from './sublog.js';

/** `groupOf[global activity]` = index of its group in the cut, or -1. */
function groupIndex(cut: Cut, acts: number[], activityCount: number): Int32Array {
  const groupOf = new Int32Array(activityCount).fill(-1);
  cut.groups.forEach((g, i) => {
    for (const local of g) groupOf[acts[local]!] = i;
  });
  return groupOf;
}

/** The events of `seq[from, to)` that belong to `group`. */
function keep(seq: Int32Array, from: number, to: number, groupOf: Int32Array, group: number): Int32Array {
  let n = 0;
  for (let i = from; i < to; i++) if (groupOf[seq[i]!] === group) n++;
  const out = new Int32Array(n);
  n = 0;
  for (let i = from; i < to; i++) if (groupOf[seq[i]!] === group) out[n++] = seq[i]!;
  return out;
}

/** Exclusive choice: each trace goes to the group holding most of its events; the others' events are dropped. */
function splitXor(log: SubLog, groupOf: Int32Array, groups: number): SubLog[] {
  const bags = Array.from({ length: groups }, () => new VariantBag());
  const tally = new Int32Array(groups);
  for (const v of log) {
    tally.fill(0);
    for (let i = 0; i < v.seq.length; i++) tally[groupOf[v.seq[i]!]!]!++;
    let best = 0;
    for (let g = 1; g < groups; g++) if (tally[g]! > tally[best]!) best = g;
    bags[best]!.add(keep(v.seq, 0, v.seq.length, groupOf, best), v.count);
  }
  return bags.map((b) => b.toLog());
}

/**
 * Sequence: each trace is cut into consecutive pieces, one per group in order. The piece of group i ends where the
 * count of events of later groups, minus those of group i, is lowest (the IMf split): this removes the fewest
 * events that stand out of order, and none when the trace follows the sequence.
 */
function splitSequence(log: SubLog, groupOf: Int32Array, groups: number): SubLog[] {
  const bags = Array.from({ length: groups }, () => new VariantBag());
  for (const v of log) {
    const seq = v.seq;
    let from = 0;
    for (let g = 0; g < groups; g++) {
      let to = from;
      if (g === groups - 1) to = seq.length;
      else {
        let cost = 0;
        let least = 0;
        for (let i = from; i < seq.length; i++) {
          const owner = groupOf[seq[i]!]!;
          if (owner === g) cost--;
          else if (owner > g) cost++;
          if (cost < least) {
            least = cost;
            to = i + 1;
          }
        }
      }
      bags[g]!.add(keep(seq, from, to, groupOf, g), v.count);
      from = to;
    }
  }
  return bags.map((b) => b.toLog());
}

/** Parallel: each group's events of every trace, in their order. */
function splitParallel(log: SubLog, groupOf: Int32Array, groups: number): SubLog[] {
  const bags = Array.from({ length: groups }, () => new VariantBag());
  for (const v of log) {
    for (let g = 0; g < groups; g++) bags[g]!.add(keep(v.seq, 0, v.seq.length, groupOf, g), v.count);
  }
  return bags.map((b) => b.toLog());
}

/**
 * Loop: each trace is cut into maximal runs of do activities and of redo activities; do runs go to the do log,
 * redo runs to the redo log. A trace that starts or ends with a redo run (possible only on a filtered graph) gets
 * an empty do run there, so the do part learns that it can be skipped rather than the trace being lost.
 */
function splitLoop(log: SubLog, groupOf: Int32Array): SubLog[] {
  const doBag = new VariantBag();
  const redoBag = new VariantBag();
  for (const v of log) {
    const seq = v.seq;
    let runStart = 0;
    let lastPart = 0;
    for (let i = 0; i <= seq.length; i++) {
      const part = i < seq.length ? (groupOf[seq[i]!] === 0 ? 0 : 1) : -1;
      if (i === 0) {
        if (part === 1) doBag.add(new Int32Array(0), v.count);
        lastPart = part;
        continue;
      }
      if (part === lastPart) continue;
      (lastPart === 0 ? doBag : redoBag).add(seq.slice(runStart, i), v.count);
      if (part === -1 && lastPart === 1) doBag.add(new Int32Array(0), v.count);
      runStart = i;
      lastPart = part;
    }
    if (seq.length === 0) doBag.add(seq, v.count);
  }
  return [doBag.toLog(), redoBag.toLog()];
}

/** One sub-log per group of the cut (global activity numbers throughout). */
export function splitLog(log: SubLog, cut: Cut, acts: number[], activityCount: number): SubLog[] {
  const groupOf = groupIndex(cut, acts, activityCount);
  const groups = cut.groups.length;
  switch (cut.kind) {
    case 'xor':
      return splitXor(log, groupOf, groups);
    case 'sequence':
      return splitSequence(log, groupOf, groups);
    case 'parallel':
      return splitParallel(log, groupOf, groups);
    case 'loop':
      return splitLoop(log, groupOf);
  }
}

/** The log without one activity (fall-through "activity concurrent"). */
export function withoutActivity(log: SubLog, activity: number): SubLog {
  const bag = new VariantBag();
  for (const v of log)
    bag.add(
      v.seq.filter((a) => a !== activity),
      v.count,
    );
  return bag.toLog();
}

/** The log of one activity's occurrences (fall-throughs "activity once per trace" and "activity concurrent"). */
export function onlyActivity(log: SubLog, activity: number): SubLog {
  const bag = new VariantBag();
  for (const v of log)
    bag.add(
      v.seq.filter((a) => a === activity),
      v.count,
    );
  return bag.toLog();
}

/** The log with each trace cut before every position where `cutBefore(previous, next)` holds. */
export function splitTraces(log: SubLog, cutBefore: (previous: number, next: number) => boolean): SubLog | null {
  const bag = new VariantBag();
  let split = false;
  for (const v of log) {
    const seq = v.seq;
    let from = 0;
    for (let i = 1; i < seq.length; i++) {
      if (!cutBefore(seq[i - 1]!, seq[i]!)) continue;
      bag.add(seq.slice(from, i), v.count);
      from = i;
      split = true;
    }
    bag.add(seq.slice(from), v.count);
  }
  return split ? bag.toLog() : null;
}
