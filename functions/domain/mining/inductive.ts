/**
 * Petri-net discovery with the inductive miner – infrequent (IMf): the log becomes a process tree (see
 * inductive/miner.ts), the tree a sound workflow net (inductive/to-petri-net.ts).
 */
import { ValidationError } from '../errors.js';
import type { EventLog } from './log.js';
import type { PetriNet } from './petri-net.js';
import { mineTree } from './inductive/miner.js';
import type { ProcessTree } from './inductive/process-tree.js';
import { type SubLog, VariantBag } from './inductive/sublog.js';
import { processTreeToPetriNet } from './inductive/to-petri-net.js';

export type { ProcessTree, ProcessTreeLeaf, ProcessTreeOperator } from './inductive/process-tree.js';
export { formatProcessTree, treeActivities } from './inductive/process-tree.js';
export { processTreeToPetriNet, reduceSilentTransitions, type TreeToNetOptions } from './inductive/to-petri-net.js';

/** IMf's default noise threshold in ProM and pm4py. */
export const DEFAULT_NOISE_THRESHOLD = 0.2;

export interface DiscoveryOptions {
  /**
   * Share of behaviour treated as noise, from 0 (plain inductive miner: every trace fits the model) to 1; an edge
   * of the directly-follows graph weaker than this share of its source's strongest way out is ignored when no cut
   * is found otherwise, and empty traces up to this share of the cases are dropped. Default 0.2.
   */
  noiseThreshold?: number;
}

/** The log as variants of activity numbers, the numbers being the ranks of the sorted activity names. */
function toVariants(log: EventLog): { variants: SubLog; names: string[] } {
  const nameSet = new Set<string>();
  for (const trace of log.traces) for (const event of trace.events) nameSet.add(event.activity);
  const names = [...nameSet].sort();
  const number = new Map(names.map((name, i) => [name, i]));
  const bag = new VariantBag();
  for (const trace of log.traces) {
    bag.add(
      Int32Array.from(trace.events, (e) => number.get(e.activity)!),
      1,
    );
  }
  return { variants: bag.toLog(), names };
}

function noiseOf(options: DiscoveryOptions | undefined): number {
  const noise = options?.noiseThreshold ?? DEFAULT_NOISE_THRESHOLD;
  if (!Number.isFinite(noise) || noise < 0 || noise > 1) {
    throw new ValidationError(`noiseThreshold must be a number from 0 to 1, got ${noise}`, {
      details: [{ field: 'noiseThreshold', message: 'must be a number from 0 to 1' }],
    });
  }
  return noise;
}

/**
 * The process tree IMf discovers from a log. Deterministic, and independent of the order of the traces. A log
 * without traces gives tau.
 */
export function discoverProcessTree(log: EventLog, options?: DiscoveryOptions): ProcessTree {
  const noise = noiseOf(options);
  const { variants, names } = toVariants(log);
  if (variants.length === 0) return { kind: 'activity', activity: null };
  return mineTree(variants, { noise, names });
}

/**
 * The sound workflow net of the tree IMf discovers: place `source` holds the initial token, place `sink` is the
 * final marking, silent transitions (label null) stand for tau, skips, loop entries and exits, forks and joins.
 */
export function discoverPetriNet(log: EventLog, options?: DiscoveryOptions): PetriNet {
  return processTreeToPetriNet(discoverProcessTree(log, options));
}
