/**
 * Checks of workflow nets for the discovery tests: the structure (one source, one sink, every node on a path
 * between them), soundness on the reachability graph (option to complete, proper completion, no dead
 * transitions), and whether the net accepts a trace (its language, silent transitions in between).
 */
import type { PetriNet } from '../../../../functions/domain/mining/petri-net.js';

interface Compiled {
  placeIndex: Map<string, number>;
  /** Per transition: input and output place indices (with weights as repeats). */
  inputs: number[][];
  outputs: number[][];
  initial: Int32Array;
  final: Int32Array;
  silent: number[];
  byLabel: Map<string, number[]>;
}

const compiled = new WeakMap<PetriNet, Compiled>();

function compile(net: PetriNet): Compiled {
  let c = compiled.get(net);
  if (!c) compiled.set(net, (c = build(net)));
  return c;
}

function build(net: PetriNet): Compiled {
  const placeIndex = new Map(net.places.map((p, i) => [p.id, i]));
  const transitionIndex = new Map(net.transitions.map((t, i) => [t.id, i]));
  const inputs: number[][] = net.transitions.map(() => []);
  const outputs: number[][] = net.transitions.map(() => []);
  for (const arc of net.arcs) {
    const w = arc.weight ?? 1;
    for (let i = 0; i < w; i++) {
      if (placeIndex.has(arc.source)) inputs[transitionIndex.get(arc.target)!]!.push(placeIndex.get(arc.source)!);
      else outputs[transitionIndex.get(arc.source)!]!.push(placeIndex.get(arc.target)!);
    }
  }
  const marking = (m: Record<string, number>): Int32Array => {
    const out = new Int32Array(net.places.length);
    for (const [p, n] of Object.entries(m)) out[placeIndex.get(p)!] = n;
    return out;
  };
  const silent: number[] = [];
  const byLabel = new Map<string, number[]>();
  net.transitions.forEach((t, i) => {
    if (t.label === null) silent.push(i);
    else byLabel.set(t.label, [...(byLabel.get(t.label) ?? []), i]);
  });
  return {
    silent,
    byLabel,
    placeIndex,
    inputs,
    outputs,
    initial: marking(net.initialMarking),
    final: marking(net.finalMarking),
  };
}

const key = (m: Int32Array): string => m.join(',');

function enabled(c: Compiled, m: Int32Array, t: number): boolean {
  const inputs = c.inputs[t]!;
  for (const p of inputs) {
    // a place repeated (arc weight) needs as many tokens as it appears
    let need = 0;
    for (const q of inputs) if (q === p) need++;
    if (m[p]! < need) return false;
  }
  return true;
}

function fire(c: Compiled, m: Int32Array, t: number): Int32Array {
  const next = Int32Array.from(m);
  for (const p of c.inputs[t]!) next[p]!--;
  for (const p of c.outputs[t]!) next[p]!++;
  return next;
}

/** Structural problems of a workflow net, as readable strings (empty when it is one). */
export function workflowNetProblems(net: PetriNet): string[] {
  const problems: string[] = [];
  const ids = [...net.places.map((p) => p.id), ...net.transitions.map((t) => t.id)];
  if (new Set(ids).size !== ids.length) problems.push('duplicate node ids');
  const incoming = new Map(ids.map((id) => [id, [] as string[]]));
  const outgoing = new Map(ids.map((id) => [id, [] as string[]]));
  const places = new Set(net.places.map((p) => p.id));
  for (const a of net.arcs) {
    if (!incoming.has(a.target) || !outgoing.has(a.source)) problems.push(`arc to an unknown node ${a.source}`);
    else if (places.has(a.source) === places.has(a.target)) problems.push(`arc ${a.source}->${a.target} not bipartite`);
    else {
      outgoing.get(a.source)!.push(a.target);
      incoming.get(a.target)!.push(a.source);
    }
  }
  const sources = net.places.filter((p) => incoming.get(p.id)!.length === 0).map((p) => p.id);
  const sinks = net.places.filter((p) => outgoing.get(p.id)!.length === 0).map((p) => p.id);
  if (sources.length !== 1) problems.push(`${sources.length} source places`);
  if (sinks.length !== 1) problems.push(`${sinks.length} sink places`);
  if (sources.length === 1 && JSON.stringify(net.initialMarking) !== JSON.stringify({ [sources[0]!]: 1 })) {
    problems.push('initial marking is not one token in the source');
  }
  if (sinks.length === 1 && JSON.stringify(net.finalMarking) !== JSON.stringify({ [sinks[0]!]: 1 })) {
    problems.push('final marking is not one token in the sink');
  }
  const reach = (from: string, next: Map<string, string[]>): Set<string> => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) for (const n of next.get(stack.pop()!) ?? []) if (!seen.has(n) && seen.add(n)) stack.push(n);
    return seen;
  };
  if (sources.length === 1 && sinks.length === 1) {
    const forward = reach(sources[0]!, outgoing);
    const backward = reach(sinks[0]!, incoming);
    for (const id of ids) if (!forward.has(id) || !backward.has(id)) problems.push(`${id} not on a source-sink path`);
  }
  return problems;
}

/**
 * Soundness problems found on the reachability graph (empty when sound). Throws when the graph has more than
 * `limit` markings, so a test never claims soundness of a net it did not explore.
 */
export function soundnessProblems(net: PetriNet, limit = 50_000): string[] {
  const c = compile(net);
  const problems: string[] = [];
  const states = new Map<string, number>();
  const markings: Int32Array[] = [];
  const predecessors: number[][] = [];
  const fired = new Uint8Array(net.transitions.length);
  const finalKey = key(c.final);
  const add = (m: Int32Array): number => {
    const k = key(m);
    let i = states.get(k);
    if (i === undefined) {
      i = markings.length;
      if (i >= limit) throw new Error(`reachability graph larger than ${limit} markings`);
      states.set(k, i);
      markings.push(m);
      predecessors.push([]);
    }
    return i;
  };
  add(c.initial);
  for (let i = 0; i < markings.length; i++) {
    const m = markings[i]!;
    for (let t = 0; t < net.transitions.length; t++) {
      if (!enabled(c, m, t)) continue;
      fired[t] = 1;
      const j = add(fire(c, m, t));
      predecessors[j]!.push(i);
    }
  }
  const sinkPlaces = c.final.map((n, p) => (n > 0 ? p : -1)).filter((p) => p >= 0);
  for (const m of markings) {
    if (sinkPlaces.some((p) => m[p]! >= c.final[p]!) && key(m) !== finalKey) {
      problems.push(`improper completion at ${key(m)}`);
      break;
    }
  }
  const finalIndex = states.get(finalKey);
  if (finalIndex === undefined) problems.push('final marking unreachable');
  else {
    const canFinish = new Uint8Array(markings.length);
    const stack = [finalIndex];
    canFinish[finalIndex] = 1;
    while (stack.length) {
      for (const p of predecessors[stack.pop()!]!) {
        if (!canFinish[p]) {
          canFinish[p] = 1;
          stack.push(p);
        }
      }
    }
    const stuck = canFinish.indexOf(0);
    if (stuck >= 0) problems.push(`no option to complete from ${key(markings[stuck]!)}`);
  }
  net.transitions.forEach((t, i) => {
    if (!fired[i]) problems.push(`dead transition ${t.id}`);
  });
  return problems;
}

/**
 * Whether the net, from its initial marking, can fire the trace's labels in order (silent transitions in between)
 * and end in its final marking: a depth-first search over (marking, position) that tries the next event's
 * transitions before silent ones, so a fitting trace is usually confirmed along its first path. Throws when the
 * search visits more than `limit` states, so a test never takes "not found" for "not accepted".
 */
export function acceptsTrace(net: PetriNet, trace: readonly string[], limit = 200_000): boolean {
  const c = compile(net);
  const finalKey = key(c.final);
  const visited = new Set<string>();
  const stack: Array<{ m: Int32Array; i: number }> = [{ m: c.initial, i: 0 }];
  while (stack.length) {
    const { m, i } = stack.pop()!;
    const k = `${i}|${key(m)}`;
    if (visited.has(k)) continue;
    if (visited.size >= limit) throw new Error(`search for the trace went over ${limit} states`);
    visited.add(k);
    if (i === trace.length && key(m) === finalKey) return true;
    // pushed first, popped last: silent moves are the fallback
    for (const t of c.silent) if (enabled(c, m, t)) stack.push({ m: fire(c, m, t), i });
    if (i < trace.length) {
      for (const t of c.byLabel.get(trace[i]!) ?? []) if (enabled(c, m, t)) stack.push({ m: fire(c, m, t), i: i + 1 });
    }
  }
  return false;
}
