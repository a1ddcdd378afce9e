/**
 * Token-based replay of an event log on a Petri net (W.M.P. van der Aalst, Process Mining, 2nd ed., §8.2).
 *
 * Each trace is replayed from the initial marking, counting produced (p), consumed (c), missing (m) and remaining
 * (r) tokens: the environment produces the initial marking's tokens (p starts at their number) and consumes the
 * final marking's at the end (added to c); a transition that must fire without its tokens gets the ones it lacks
 * as missing; tokens beyond the final marking at the end are remaining, places of the final marking left short
 * count as missing. Trace fitness = ½(1 − m/c) + ½(1 − r/p); log fitness is the same formula over the sums of all
 * traces; a trace fits when m = r = 0.
 *
 * Silent transitions and duplicate labels, the rules this replay implements (token replay has no single textbook
 * rule for them, and implementations differ):
 * 1. An event whose activity labels an enabled transition fires it (the first enabled one in net order when
 *    several transitions carry the label).
 * 2. Otherwise the replay searches the markings reachable by firing silent transitions that can put a token into
 *    that transition's input places (directly or through other such silent transitions), breadth first so the
 *    shortest sequence wins, for the one where a transition of that label lacks the fewest tokens, zero when it can
 *    be enabled; it fires that silent sequence when it lowers the lack, then fires the transition, adding the tokens
 *    still lacking as missing. Silent firings count their tokens in p and c like any other.
 * 3. After the last event it searches the same way, over the silent transitions that can put a token into a place
 *    of the final marking, for the marking closest to the final one (fewest missing plus remaining tokens) and
 *    moves there when that is closer. Like pm4py, it does not fire silent transitions that lead nowhere near the
 *    final marking, such as a silent join whose output still needs a visible step: tokens left before it remain.
 * 4. An event whose activity no transition carries is skipped: it changes no counts and is reported in
 *    `unknownActivities` (pm4py does the same by default).
 * These follow pm4py's token replay (enable through silent paths to the places that lack tokens, then try to reach
 * the final marking through silent paths), with one difference: pm4py walks precomputed shortest silent paths
 * between places and may fire a part of one, while this replay only moves to a marking that is strictly closer to
 * its goal, so a silent move never adds tokens to the counts without helping. The searches are bounded
 * (`silentSearchLimit` markings) so a net with silent cycles that generate tokens cannot hang the replay.
 *
 * Each distinct variant is replayed once and each (marking, activity) search result is cached, so a large log
 * costs about its number of variants.
 */
import type { EventLog } from '../log.js';
import type { PetriNet } from '../petri-net.js';
import {
  type CompiledNet,
  type CompiledTransition,
  compileNet,
  fireInPlace,
  groupVariants,
  isEnabled,
  lackingTokens,
  markingKey,
  toMarkingRecord,
} from './compiled-net.js';

export interface TokenReplayOptions {
  /** Markings a silent search may visit before it settles for the best seen (default 2 000). */
  silentSearchLimit?: number;
}

/** An event that fired its transition without all the tokens it needs. */
export interface ReplayDeviation {
  /** Position of the event in its trace (0-based). */
  position: number;
  activity: string;
  /** Tokens added to enable it. */
  missing: number;
}

/** The replay of one activity sequence; shared by every trace of the variant (treat as read-only). */
export interface VariantReplay {
  activities: readonly string[];
  fitness: number;
  /** m = 0 and r = 0. */
  fits: boolean;
  produced: number;
  consumed: number;
  missing: number;
  remaining: number;
  deviations: readonly ReplayDeviation[];
  /** Events skipped because no transition carries their activity. */
  unknownActivities: readonly { position: number; activity: string }[];
  /** Tokens of the final marking that were missing at the end, by place id. */
  missingAtEnd: Readonly<Record<string, number>>;
  /** Tokens left beyond the final marking, by place id. */
  remainingTokens: Readonly<Record<string, number>>;
}

export interface TraceReplay extends VariantReplay {
  caseId: string;
}

export interface LogReplay {
  /** ½(1 − Σm/Σc) + ½(1 − Σr/Σp) over all traces. */
  logFitness: number;
  /** Mean of the trace fitness values. */
  averageTraceFitness: number;
  fittingTraces: number;
  /** fittingTraces / traces, 0 for an empty log. */
  fittingTracesShare: number;
  variants: number;
  produced: number;
  consumed: number;
  missing: number;
  remaining: number;
  traces: TraceReplay[];
}

/** A silent sequence and the transition it leads to (null: nothing better than where the replay stands). */
interface SilentMove {
  sequence: readonly CompiledTransition[];
  candidate: CompiledTransition | null;
}

function halfRatio(a: number, b: number): number {
  return b > 0 ? 0.5 * (1 - a / b) : 0.5;
}

/** The token-replay fitness formula; a count pair with nothing consumed (or produced) scores its half as 1. */
export function tokenFitness(produced: number, consumed: number, missing: number, remaining: number): number {
  return halfRatio(missing, consumed) + halfRatio(remaining, produced);
}

/** Replays traces on one net, caching variant results and silent searches across calls. */
export class TokenReplayer {
  readonly net: CompiledNet;
  private readonly limit: number;
  private readonly variants = new Map<string, VariantReplay>();
  private readonly enableCache = new Map<string, SilentMove>();
  private readonly finishCache = new Map<string, readonly CompiledTransition[]>();
  /** Per activity (and for the final marking, key null): the silent transitions that can help, see `relevantTo`. */
  private readonly relevance = new Map<string | null, readonly CompiledTransition[]>();

  constructor(net: PetriNet | CompiledNet, options: TokenReplayOptions = {}) {
    this.net = 'placeIds' in net ? net : compileNet(net);
    this.limit = options.silentSearchLimit ?? 2_000;
  }

  /**
   * The silent transitions that can put a token into one of `goal`'s places, directly or through other silent
   * transitions (the backward closure over silent steps): the only ones a search for those places needs to fire.
   * Leaving the others out keeps the search small in nets with many concurrent silent steps.
   */
  private relevantTo(goal: Iterable<number>): readonly CompiledTransition[] {
    const wanted = new Uint8Array(this.net.placeIds.length);
    const stack: number[] = [];
    for (const p of goal) if (!wanted[p]) (wanted[p] = 1), stack.push(p);
    const producers: CompiledTransition[][] = this.net.placeIds.map(() => []);
    for (const t of this.net.silent) for (const p of t.outPlaces) producers[p]!.push(t);
    const chosen = new Uint8Array(this.net.transitions.length);
    while (stack.length > 0) {
      const p = stack.pop()!;
      for (const t of producers[p]!) {
        if (chosen[t.index]) continue;
        chosen[t.index] = 1;
        for (const q of t.inPlaces) if (!wanted[q]) (wanted[q] = 1), stack.push(q);
      }
    }
    return this.net.silent.filter((t) => chosen[t.index]);
  }

  private relevantFor(activity: string | null, goal: () => Iterable<number>): readonly CompiledTransition[] {
    let r = this.relevance.get(activity);
    if (!r) this.relevance.set(activity, (r = this.relevantTo(goal())));
    return r;
  }

  /**
   * Breadth-first search over the markings reachable from `start` by silent firings for the lowest `score`;
   * returns the silent sequence to the first marking with the lowest score, or null when none beats `start`.
   */
  private searchSilent(
    start: Int32Array,
    silent: readonly CompiledTransition[],
    score: (m: Int32Array) => number,
  ): { sequence: CompiledTransition[]; marking: Int32Array } | null {
    const startScore = score(start);
    if (silent.length === 0 || startScore === 0) return null;
    const markings: Int32Array[] = [start];
    const parent: number[] = [-1];
    const via: (CompiledTransition | null)[] = [null];
    const seen = new Set<string>([markingKey(start)]);
    let best = -1;
    let bestScore = startScore;
    for (let head = 0; head < markings.length && markings.length <= this.limit; head++) {
      const m = markings[head]!;
      for (const t of silent) {
        if (!isEnabled(m, t)) continue;
        const next = m.slice();
        fireInPlace(next, t);
        const key = markingKey(next);
        if (seen.has(key)) continue;
        seen.add(key);
        markings.push(next);
        parent.push(head);
        via.push(t);
        const s = score(next);
        if (s < bestScore) {
          best = markings.length - 1;
          bestScore = s;
          if (s === 0) break;
        }
      }
      if (bestScore === 0) break;
    }
    if (best < 0) return null;
    const sequence: CompiledTransition[] = [];
    for (let i = best; parent[i]! >= 0; i = parent[i]!) sequence.push(via[i]!);
    sequence.reverse();
    return { sequence, marking: markings[best]! };
  }

  /** Rule 2: the silent sequence that best prepares one of `candidates`, and which candidate then fires. */
  private prepare(m: Int32Array, activity: string, candidates: readonly CompiledTransition[]): SilentMove {
    const key = `${markingKey(m)}\u0001${activity}`;
    const cached = this.enableCache.get(key);
    if (cached) return cached;
    const lack = (x: Int32Array) => {
      let min = Number.POSITIVE_INFINITY;
      for (const t of candidates) min = Math.min(min, lackingTokens(x, t));
      return min;
    };
    const relevant = this.relevantFor(activity, () => candidates.flatMap((t) => [...t.inPlaces]));
    const found = this.searchSilent(m, relevant, lack);
    const at = found ? found.marking : m;
    let candidate = candidates[0]!;
    let least = Number.POSITIVE_INFINITY;
    for (const t of candidates) {
      const l = lackingTokens(at, t);
      if (l < least) [least, candidate] = [l, t];
    }
    const move = { sequence: found ? found.sequence : [], candidate };
    this.enableCache.set(key, move);
    return move;
  }

  /** Rule 3: the silent sequence that brings the marking closest to the final marking. */
  private finish(m: Int32Array): readonly CompiledTransition[] {
    const key = markingKey(m);
    const cached = this.finishCache.get(key);
    if (cached) return cached;
    const final = this.net.final;
    const distance = (x: Int32Array) => {
      let d = 0;
      for (let i = 0; i < x.length; i++) d += Math.abs(x[i]! - final[i]!);
      return d;
    };
    const relevant = this.relevantFor(null, () => [...final.keys()].filter((p) => final[p]! > 0));
    // A silent transition without outputs can only take leftover tokens away, which brings the end closer too.
    const sinks = this.net.silent.filter((t) => t.outPlaces.length === 0 && !relevant.includes(t));
    const sequence =
      this.searchSilent(m, sinks.length > 0 ? [...relevant, ...sinks] : relevant, distance)?.sequence ?? [];
    this.finishCache.set(key, sequence);
    return sequence;
  }

  /** Replays one activity sequence (cached by the sequence). */
  replayVariant(activities: readonly string[]): VariantReplay {
    const variantKey = JSON.stringify(activities);
    const cached = this.variants.get(variantKey);
    if (cached) return cached;
    const net = this.net;
    const m = net.initial.slice();
    let produced = m.reduce((s, n) => s + n, 0);
    let consumed = 0;
    let missing = 0;
    const deviations: ReplayDeviation[] = [];
    const unknownActivities: { position: number; activity: string }[] = [];
    const fireCounted = (t: CompiledTransition) => {
      fireInPlace(m, t);
      produced += t.produces;
      consumed += t.consumes;
    };
    activities.forEach((activity, position) => {
      const candidates = net.byLabel.get(activity);
      if (!candidates) {
        unknownActivities.push({ position, activity });
        return;
      }
      let t = candidates.find((c) => isEnabled(m, c));
      if (!t) {
        const move = this.prepare(m, activity, candidates);
        for (const s of move.sequence) fireCounted(s);
        t = move.candidate ?? candidates[0]!;
        const lack = lackingTokens(m, t);
        if (lack > 0) {
          for (let k = 0; k < t.inPlaces.length; k++) {
            const p = t.inPlaces[k]!;
            if (m[p]! < t.inWeights[k]!) m[p] = t.inWeights[k]!;
          }
          missing += lack;
          deviations.push({ position, activity, missing: lack });
        }
      }
      fireCounted(t);
    });
    for (const s of this.finish(m)) fireCounted(s);
    const final = net.final;
    const missingAtEnd = new Int32Array(m.length);
    const left = new Int32Array(m.length);
    let remaining = 0;
    for (let i = 0; i < m.length; i++) {
      consumed += final[i]!;
      const diff = m[i]! - final[i]!;
      if (diff < 0) {
        missingAtEnd[i] = -diff;
        missing -= diff;
      } else {
        left[i] = diff;
        remaining += diff;
      }
    }
    const result: VariantReplay = {
      activities,
      fitness: tokenFitness(produced, consumed, missing, remaining),
      fits: missing === 0 && remaining === 0,
      produced,
      consumed,
      missing,
      remaining,
      deviations,
      unknownActivities,
      missingAtEnd: toMarkingRecord(net, missingAtEnd),
      remainingTokens: toMarkingRecord(net, left),
    };
    this.variants.set(variantKey, result);
    return result;
  }
}

/** Token-based replay of every trace of `log` on `net`, with the log-level figures. */
export function replayLog(log: EventLog, net: PetriNet | CompiledNet, options: TokenReplayOptions = {}): LogReplay {
  const replayer = new TokenReplayer(net, options);
  const traces = log.traces;
  const results = new Array<TraceReplay>(traces.length);
  const groups = groupVariants(traces, (t) => t.events.map((e) => e.activity));
  let produced = 0;
  let consumed = 0;
  let missing = 0;
  let remaining = 0;
  let fitnessSum = 0;
  let fitting = 0;
  for (const group of groups) {
    const v = replayer.replayVariant(group.activities);
    const n = group.members.length;
    produced += v.produced * n;
    consumed += v.consumed * n;
    missing += v.missing * n;
    remaining += v.remaining * n;
    fitnessSum += v.fitness * n;
    if (v.fits) fitting += n;
    for (const i of group.members) results[i] = { caseId: traces[i]!.caseId, ...v };
  }
  const count = traces.length;
  return {
    logFitness: count === 0 ? 1 : tokenFitness(produced, consumed, missing, remaining),
    averageTraceFitness: count === 0 ? 1 : fitnessSum / count,
    fittingTraces: fitting,
    fittingTracesShare: count === 0 ? 0 : fitting / count,
    variants: groups.length,
    produced,
    consumed,
    missing,
    remaining,
    traces: results,
  };
}
