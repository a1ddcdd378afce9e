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

/** The workflow net of a process tree, with its source place `source` and its sink place `sink`. */
export function processTreeToPetriNet(tree: ProcessTree, id = 'net'): PetriNet {
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
  return { id, places, transitions, arcs, initialMarking: { source: 1 }, finalMarking: { sink: 1 } };
}
