/**
 * A process tree as a workflow net. Each node is translated between an entry and an exit place of its own block:
 * an activity is one transition, tau one silent transition, a sequence chains its children through new places,
 * an exclusive choice shares the entry and exit places, a parallel node forks and joins with silent transitions,
 * and a loop enters and leaves its own pair of places through silent transitions so that a redo never hands a
 * token back to a place a sibling could take. Such block-structured nets are sound workflow nets (one source place
 * holding the initial token, one sink place, every node on a path between them).
 */
import type { Arc, PetriNet, Place, Transition } from '../petri-net.js';
import type { ProcessTree } from './process-tree.js';

export interface TreeToNetOptions {
  /** The net's id (default `net`). */
  id?: string;
  /** Remove the silent transitions that only pass a token on (default true). */
  reduce?: boolean;
}

/** The workflow net of a process tree, with its source place `source` and its sink place `sink`. */
export function processTreeToPetriNet(tree: ProcessTree, options: TreeToNetOptions = {}): PetriNet {
  const id = options.id ?? 'net';
  const places: Place[] = [
    { id: 'source', name: 'source' },
    { id: 'sink', name: 'sink' },
  ];
  const transitions: Transition[] = [];
  const arcs: Arc[] = [];
  let placeCount = 0;
  let transitionCount = 0;
  const place = (): string => {
    const p = `p${++placeCount}`;
    places.push({ id: p });
    return p;
  };
  const transition = (label: string | null, from: string[], to: string[]): void => {
    const t = label === null ? `tau${++transitionCount}` : `t${++transitionCount}`;
    transitions.push({ id: t, label });
    for (const p of from) arcs.push({ source: p, target: t });
    for (const p of to) arcs.push({ source: t, target: p });
  };
  const build = (node: ProcessTree, entry: string, exit: string): void => {
    switch (node.kind) {
      case 'activity':
        transition(node.activity, [entry], [exit]);
        return;
      case 'xor':
        for (const child of node.children) build(child, entry, exit);
        return;
      case 'sequence': {
        let from = entry;
        node.children.forEach((child, i) => {
          const to = i === node.children.length - 1 ? exit : place();
          build(child, from, to);
          from = to;
        });
        return;
      }
      case 'parallel': {
        const starts = node.children.map(() => place());
        const ends = node.children.map(() => place());
        transition(null, [entry], starts);
        node.children.forEach((child, i) => {
          build(child, starts[i]!, ends[i]!);
        });
        transition(null, ends, [exit]);
        return;
      }
      case 'loop': {
        const [body, ...redos] = node.children;
        const loopStart = place();
        const loopEnd = place();
        transition(null, [entry], [loopStart]);
        if (body) build(body, loopStart, loopEnd);
        for (const redo of redos) build(redo, loopEnd, loopStart);
        transition(null, [loopEnd], [exit]);
        return;
      }
    }
  };
  build(tree, 'source', 'sink');
  const net: PetriNet = { id, places, transitions, arcs, initialMarking: { source: 1 }, finalMarking: { sink: 1 } };
  return options.reduce === false ? net : renumber(reduceSilentTransitions(net));
}

/** Ids p1.., t1.. (tau1.. for silent ones) in order, without the gaps the reduction left. */
function renumber(net: PetriNet): PetriNet {
  const ids = new Map<string, string>([
    ['source', 'source'],
    ['sink', 'sink'],
  ]);
  let placeCount = 0;
  for (const p of net.places) if (!ids.has(p.id)) ids.set(p.id, `p${++placeCount}`);
  let visible = 0;
  let silent = 0;
  for (const t of net.transitions) ids.set(t.id, t.label === null ? `tau${++silent}` : `t${++visible}`);
  const id = (x: string): string => ids.get(x)!;
  return {
    ...net,
    places: net.places.map((p) => ({ ...p, id: id(p.id) })),
    transitions: net.transitions.map((t) => ({ ...t, id: id(t.id) })),
    arcs: net.arcs.map((a) => ({ ...a, source: id(a.source), target: id(a.target) })),
  };
}

/**
 * Removes silent transitions that only pass a token on, by two fusion rules applied until neither holds (first the
 * first rule everywhere, then the second, as pm4py does):
 * 1. a silent t whose one input place p has one producer s and no consumer but t: s fires t's outputs itself
 *    (t would always fire right after s, and nothing else can take p's token);
 * 2. a silent t whose one output place p has no producer but t and one consumer u: u takes t's inputs itself
 *    (p only ever holds a token for u).
 * Places holding a token in the initial or final marking are kept. Arc weights are added where arcs coincide.
 */
export function reduceSilentTransitions(net: PetriNet): PetriNet {
  const weights = new Map<string, Map<string, number>>();
  const into = new Map<string, Map<string, number>>();
  const link = (from: string, to: string, w: number): void => {
    const out = weights.get(from) ?? new Map<string, number>();
    weights.set(from, out);
    out.set(to, (out.get(to) ?? 0) + w);
    const incoming = into.get(to) ?? new Map<string, number>();
    into.set(to, incoming);
    incoming.set(from, (incoming.get(from) ?? 0) + w);
  };
  const unlinkNode = (node: string): void => {
    for (const to of weights.get(node)?.keys() ?? []) into.get(to)?.delete(node);
    for (const from of into.get(node)?.keys() ?? []) weights.get(from)?.delete(node);
    weights.delete(node);
    into.delete(node);
  };
  for (const arc of net.arcs) link(arc.source, arc.target, arc.weight ?? 1);
  const removed = new Set<string>();
  const marked = (p: string): boolean => (net.initialMarking[p] ?? 0) > 0 || (net.finalMarking[p] ?? 0) > 0;
  const single = (m: Map<string, number> | undefined): [string, number] | undefined =>
    m?.size === 1 ? [...m.entries()][0] : undefined;

  const fuseWithProducer = (t: string): boolean => {
    const input = single(into.get(t));
    if (!input || input[1] !== 1 || marked(input[0])) return false;
    const p = input[0];
    const producer = single(into.get(p));
    if (!producer || producer[1] !== 1 || weights.get(p)?.size !== 1 || producer[0] === t) return false;
    const outputs = [...(weights.get(t) ?? new Map<string, number>())];
    unlinkNode(t);
    unlinkNode(p);
    for (const [q, w] of outputs) link(producer[0], q, w);
    removed.add(t).add(p);
    return true;
  };
  const fuseWithConsumer = (t: string): boolean => {
    const output = single(weights.get(t));
    if (!output || output[1] !== 1 || marked(output[0])) return false;
    const p = output[0];
    const consumer = single(weights.get(p));
    if (!consumer || consumer[1] !== 1 || into.get(p)?.size !== 1 || consumer[0] === t) return false;
    const inputs = [...(into.get(t) ?? new Map<string, number>())];
    unlinkNode(t);
    unlinkNode(p);
    for (const [q, w] of inputs) link(q, consumer[0], w);
    removed.add(t).add(p);
    return true;
  };
  const silent = net.transitions.filter((t) => t.label === null).map((t) => t.id);
  for (const rule of [fuseWithProducer, fuseWithConsumer]) {
    for (let changed = true; changed; ) {
      changed = false;
      for (const t of silent) if (!removed.has(t) && rule(t)) changed = true;
    }
  }
  const arcs: Arc[] = [];
  for (const [source, targets] of weights) {
    for (const [target, weight] of targets) arcs.push(weight === 1 ? { source, target } : { source, target, weight });
  }
  return {
    ...net,
    places: net.places.filter((p) => !removed.has(p.id)),
    transitions: net.transitions.filter((t) => !removed.has(t.id)),
    arcs,
  };
}
