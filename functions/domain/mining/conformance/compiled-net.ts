/**
 * A Petri net in the index form that replay and alignments run on: places and transitions numbered, each
 * transition's pre- and post-set as arrays of (place, weight), markings as Int32Arrays. Building it once per
 * check checks the net too (arcs between a place and a transition, known ids, positive integer weights), so the
 * algorithms above it never meet a malformed net.
 */
import { ValidationError } from '../../errors.js';
import type { Marking, PetriNet } from '../petri-net.js';

export interface CompiledTransition {
  /** Position in `PetriNet.transitions`. */
  index: number;
  id: string;
  /** Null for a silent (tau) transition. */
  label: string | null;
  /** Index of the label in `CompiledNet.labels`, -1 when silent. */
  labelIndex: number;
  inPlaces: Int32Array;
  inWeights: Int32Array;
  outPlaces: Int32Array;
  outWeights: Int32Array;
  /** Sum of the input arc weights: the tokens one firing consumes. */
  consumes: number;
  /** Sum of the output arc weights: the tokens one firing produces. */
  produces: number;
}

export interface CompiledNet {
  readonly placeIds: readonly string[];
  readonly transitions: readonly CompiledTransition[];
  /** The distinct visible labels, in order of first appearance. */
  readonly labels: readonly string[];
  /** Label → the transitions carrying it, in net order. */
  readonly byLabel: ReadonlyMap<string, readonly CompiledTransition[]>;
  readonly silent: readonly CompiledTransition[];
  readonly initial: Int32Array;
  readonly final: Int32Array;
  /** Transitions that consume from each place (index = place). */
  readonly consumersOf: readonly (readonly CompiledTransition[])[];
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`${field}: ${message}`, { details: [{ field, message }] });
}

function toMarking(marking: Marking, placeIndex: Map<string, number>, field: string): Int32Array {
  const out = new Int32Array(placeIndex.size);
  for (const [id, n] of Object.entries(marking)) {
    const p = placeIndex.get(id);
    if (p === undefined) throw invalid(`${field}.${id}`, 'not a place of the net');
    if (!Number.isInteger(n) || n < 0) throw invalid(`${field}.${id}`, 'must be a non-negative integer');
    out[p] = n;
  }
  return out;
}

/** Numbers the net's places and transitions; throws ValidationError (naming the field) on a malformed net. */
export function compileNet(net: PetriNet): CompiledNet {
  const placeIndex = new Map<string, number>();
  net.places.forEach((p, i) => {
    if (placeIndex.has(p.id)) throw invalid(`places[${i}].id`, `duplicate place id ${p.id}`);
    placeIndex.set(p.id, i);
  });
  const transitionIndex = new Map<string, number>();
  net.transitions.forEach((t, i) => {
    if (transitionIndex.has(t.id) || placeIndex.has(t.id))
      throw invalid(`transitions[${i}].id`, `duplicate id ${t.id}`);
    transitionIndex.set(t.id, i);
  });
  // Weights per transition and place; parallel arcs add up.
  const pre = net.transitions.map(() => new Map<number, number>());
  const post = net.transitions.map(() => new Map<number, number>());
  net.arcs.forEach((a, i) => {
    const weight = a.weight ?? 1;
    if (!Number.isInteger(weight) || weight < 1) throw invalid(`arcs[${i}].weight`, 'must be a positive integer');
    const sp = placeIndex.get(a.source);
    const st = transitionIndex.get(a.source);
    const tp = placeIndex.get(a.target);
    const tt = transitionIndex.get(a.target);
    if (sp === undefined && st === undefined) throw invalid(`arcs[${i}].source`, `unknown node ${a.source}`);
    if (tp === undefined && tt === undefined) throw invalid(`arcs[${i}].target`, `unknown node ${a.target}`);
    if (sp !== undefined && tt !== undefined) pre[tt]!.set(sp, (pre[tt]!.get(sp) ?? 0) + weight);
    else if (st !== undefined && tp !== undefined) post[st]!.set(tp, (post[st]!.get(tp) ?? 0) + weight);
    else throw invalid(`arcs[${i}]`, 'must connect a place and a transition');
  });
  const labels: string[] = [];
  const labelIndex = new Map<string, number>();
  const byLabel = new Map<string, CompiledTransition[]>();
  const silent: CompiledTransition[] = [];
  const consumersOf: CompiledTransition[][] = net.places.map(() => []);
  const transitions = net.transitions.map((t, index): CompiledTransition => {
    const ins = [...pre[index]!.entries()].sort((x, y) => x[0] - y[0]);
    const outs = [...post[index]!.entries()].sort((x, y) => x[0] - y[0]);
    let li = -1;
    if (t.label !== null) {
      li = labelIndex.get(t.label) ?? -1;
      if (li < 0) {
        li = labels.length;
        labels.push(t.label);
        labelIndex.set(t.label, li);
      }
    }
    const ct: CompiledTransition = {
      index,
      id: t.id,
      label: t.label,
      labelIndex: li,
      inPlaces: Int32Array.from(ins.map((e) => e[0])),
      inWeights: Int32Array.from(ins.map((e) => e[1])),
      outPlaces: Int32Array.from(outs.map((e) => e[0])),
      outWeights: Int32Array.from(outs.map((e) => e[1])),
      consumes: ins.reduce((s, e) => s + e[1], 0),
      produces: outs.reduce((s, e) => s + e[1], 0),
    };
    if (t.label === null) silent.push(ct);
    else {
      const list = byLabel.get(t.label);
      if (list) list.push(ct);
      else byLabel.set(t.label, [ct]);
    }
    for (const p of ct.inPlaces) consumersOf[p]!.push(ct);
    return ct;
  });
  return {
    placeIds: net.places.map((p) => p.id),
    transitions,
    labels,
    byLabel,
    silent,
    initial: toMarking(net.initialMarking, placeIndex, 'initialMarking'),
    final: toMarking(net.finalMarking, placeIndex, 'finalMarking'),
    consumersOf,
  };
}

/** Whether `t` can fire in `m`. */
export function isEnabled(m: Int32Array, t: CompiledTransition): boolean {
  const places = t.inPlaces;
  const weights = t.inWeights;
  for (let k = 0; k < places.length; k++) if (m[places[k]!]! < weights[k]!) return false;
  return true;
}

/** The tokens `t` lacks in `m` (0 when enabled). */
export function lackingTokens(m: Int32Array, t: CompiledTransition): number {
  let lack = 0;
  for (let k = 0; k < t.inPlaces.length; k++) {
    const have = m[t.inPlaces[k]!]!;
    const need = t.inWeights[k]!;
    if (have < need) lack += need - have;
  }
  return lack;
}

/** Fires `t` in place (the caller made sure it is enabled, or added what it lacked). */
export function fireInPlace(m: Int32Array, t: CompiledTransition): void {
  for (let k = 0; k < t.inPlaces.length; k++) m[t.inPlaces[k]!]! -= t.inWeights[k]!;
  for (let k = 0; k < t.outPlaces.length; k++) m[t.outPlaces[k]!]! += t.outWeights[k]!;
}

/** A copy of `m` after firing `t`. */
export function fire(m: Int32Array, t: CompiledTransition): Int32Array {
  const next = m.slice();
  fireInPlace(next, t);
  return next;
}

/**
 * A marking as a string key for maps: one UTF-16 unit per place while counts stay below 0xFFFF (every bounded
 * net in practice), a comma-separated list otherwise, so two markings share a key only when they are equal.
 */
export function markingKey(m: Int32Array): string {
  let key = '';
  for (let i = 0; i < m.length; i++) {
    const n = m[i]!;
    if (n >= 0xffff) return `#${m.join(',')}`;
    key += String.fromCharCode(n);
  }
  return key;
}

/** The marking as the `Marking` record of the model (places with tokens only). */
export function toMarkingRecord(net: CompiledNet, m: Int32Array): Marking {
  const out: Marking = {};
  for (let i = 0; i < m.length; i++) if (m[i]! > 0) out[net.placeIds[i]!] = m[i]!;
  return out;
}

/** Traces grouped by their activity sequence: each distinct variant is replayed or aligned once. */
export function groupVariants<T>(items: readonly T[], activitiesOf: (item: T) => readonly string[]) {
  const variants = new Map<string, { activities: readonly string[]; members: number[] }>();
  items.forEach((item, i) => {
    const activities = activitiesOf(item);
    // JSON keeps names with any character apart (a joined string would not).
    const key = JSON.stringify(activities);
    const v = variants.get(key);
    if (v) v.members.push(i);
    else variants.set(key, { activities, members: [i] });
  });
  return [...variants.values()];
}
