/**
 * Small Petri nets written by hand for the conformance tests, and a log builder. `net()` takes transitions as
 * `label: inputs -> outputs` lines (label `_` for a silent transition) so a test shows its net at a glance.
 */
import type { EventLog } from '../../../../functions/domain/mining/log.js';
import type { PetriNet } from '../../../../functions/domain/mining/petri-net.js';

/**
 * A net from lines `id label: p1 p2 -> p3` (label `_` = silent); places are created as they are named. The
 * initial marking is one token in `start`, the final one token in `end`, unless given.
 */
export function net(
  lines: string,
  markings: { initial?: Record<string, number>; final?: Record<string, number> } = {},
): PetriNet {
  const places = new Set<string>();
  const transitions: PetriNet['transitions'] = [];
  const arcs: PetriNet['arcs'] = [];
  for (const raw of lines.trim().split('\n')) {
    const m = /^\s*(\S+)\s+(\S+):\s*(.*?)\s*->\s*(.*?)\s*$/.exec(raw);
    if (!m) throw new Error(`bad net line: ${raw}`);
    const [, id, label, ins, outs] = m;
    transitions.push({ id: id!, label: label === '_' ? null : label! });
    for (const p of ins!.split(/\s+/).filter(Boolean)) {
      places.add(p);
      arcs.push({ source: p, target: id! });
    }
    for (const p of outs!.split(/\s+/).filter(Boolean)) {
      places.add(p);
      arcs.push({ source: id!, target: p });
    }
  }
  places.add('start');
  places.add('end');
  return {
    places: [...places].map((id) => ({ id })),
    transitions,
    arcs,
    initialMarking: markings.initial ?? { start: 1 },
    finalMarking: markings.final ?? { end: 1 },
  };
}

/** A log of the given activity sequences (case ids c1, c2, ... unless given as `id: a b c`). */
export function log(...traces: string[]): EventLog {
  return {
    traces: traces.map((text, i) => {
      const m = /^(\S+):\s*(.*)$/.exec(text);
      const caseId = m ? m[1]! : `c${i + 1}`;
      const activities = (m ? m[2]! : text).split(/\s+/).filter(Boolean);
      return {
        caseId,
        attributes: {},
        events: activities.map((activity, j) => ({ id: `${caseId}#${j}`, activity, time: null, attributes: {} })),
      };
    }),
  };
}

/**
 * The net N1 of the book's running example (van der Aalst, Process Mining, chapters 7 and 8): a = register request,
 * b = examine thoroughly, c = examine casually, d = check ticket, e = decide, f = reinitiate request,
 * g = pay compensation, h = reject request.
 */
export const N1 = net(`
  ta a: start -> c1 c2
  tb b: c1 -> c3
  tc c: c1 -> c3
  td d: c2 -> c4
  te e: c3 c4 -> c5
  tf f: c5 -> c1 c2
  tg g: c5 -> end
  th h: c5 -> end
`);
