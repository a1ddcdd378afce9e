/**
 * What the process map draws, from a mined model (schemas/mining-api.ts MiningModel), as plain data: the
 * directly-follows graph (all cases, or only the chosen variants), its bottlenecks, and the Petri net.
 */
import type { MiningModel } from '../../../schemas/mining-api.js';

export type MapNodeKind = 'activity' | 'start' | 'end' | 'place' | 'transition' | 'silent';

export interface MapNode {
  id: string;
  label: string;
  kind: MapNodeKind;
  /** Events of the activity (start, end: cases; a place: its tokens in the initial marking). */
  count: number;
  /** A place of the final marking. */
  final?: boolean;
}

export interface MapEdge {
  from: string;
  to: string;
  /** How often the pair was seen (start and end edges: cases; arcs of a net: their weight). */
  count: number;
  meanMs: number | null;
  medianMs: number | null;
  maxMs: number | null;
  bottleneck: boolean;
}

export interface MapGraph {
  nodes: MapNode[];
  edges: MapEdge[];
}

/** The share of timed transitions (the slowest by median time) highlighted as bottlenecks. */
export const BOTTLENECK_SHARE = 0.1;
export const BOTTLENECK_RULE =
  'Bottlenecks: the slowest 10 % of transitions by median time between the two activities (at least one, and only transitions that take time).';

const START = 'start';
const END = 'end';
const activityId = (a: string) => `a:${a}`;

/** The activity of a node id made by this module (null for the start and end markers). */
export const activityOf = (id: string): string | null => (id.startsWith('a:') ? id.slice(2) : null);

/**
 * The directly-follows graph with a start and an end marker. Without a selection: every case (the model's `dfg`
 * and start and end activities). With one: only the chosen variants (indexes into `variants.top`), whose counts are
 * recomputed from the variants; durations stay those the API measured over all cases (it gives none per variant).
 */
export function activityGraph(model: MiningModel, selected: readonly number[] | null = null): MapGraph {
  const edges = new Map<string, MapEdge>();
  const nodes = new Map<string, MapNode>();
  const durations = new Map(model.dfg.map((e) => [`${e.from}\u0000${e.to}`, e]));
  const node = (id: string, label: string, kind: MapNodeKind) => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, (n = { id, label, kind, count: 0 }));
    return n;
  };
  const edge = (
    from: string,
    to: string,
    count: number,
    timed?: { meanMs: number | null; medianMs: number | null; maxMs: number | null },
  ) => {
    const key = `${from}\u0000${to}`;
    const e = edges.get(key);
    if (e) e.count += count;
    else
      edges.set(key, {
        from,
        to,
        count,
        meanMs: timed?.meanMs ?? null,
        medianMs: timed?.medianMs ?? null,
        maxMs: timed?.maxMs ?? null,
        bottleneck: false,
      });
  };
  if (selected === null) {
    const starts = Object.entries(model.summary.startActivities);
    const ends = Object.entries(model.summary.endActivities);
    const cases = starts.reduce((s, [, c]) => s + c, 0);
    if (starts.length) node(START, 'start', 'start').count = cases;
    for (const [a, c] of starts) {
      node(activityId(a), a, 'activity').count += c;
      edge(START, activityId(a), c);
    }
    for (const e of model.dfg) {
      node(activityId(e.from), e.from, 'activity');
      // An activity's events: those that start a case plus those that follow another event.
      node(activityId(e.to), e.to, 'activity').count += e.count;
      edge(activityId(e.from), activityId(e.to), e.count, e);
    }
    if (ends.length) node(END, 'end', 'end').count = ends.reduce((s, [, c]) => s + c, 0);
    for (const [a, c] of ends) {
      node(activityId(a), a, 'activity');
      edge(activityId(a), END, c);
    }
  } else {
    for (const i of selected) {
      const v = model.variants.top[i];
      if (!v || v.activities.length === 0) continue;
      node(START, 'start', 'start').count += v.count;
      node(END, 'end', 'end').count += v.count;
      edge(START, activityId(v.activities[0]!), v.count);
      v.activities.forEach((a, k) => {
        node(activityId(a), a, 'activity').count += v.count;
        const next = v.activities[k + 1];
        if (next !== undefined) edge(activityId(a), activityId(next), v.count, durations.get(`${a}\u0000${next}`));
      });
      edge(activityId(v.activities[v.activities.length - 1]!), END, v.count);
    }
  }
  const list = [...edges.values()];
  markBottlenecks(list);
  return { nodes: [...nodes.values()], edges: list };
}

/** Marks the bottlenecks of BOTTLENECK_RULE in place and returns them, slowest first. */
export function markBottlenecks(edges: MapEdge[]): MapEdge[] {
  const timed = edges.filter((e) => e.medianMs !== null && e.medianMs > 0);
  timed.sort((a, b) => b.medianMs! - a.medianMs! || b.count - a.count);
  const n = timed.length ? Math.max(1, Math.ceil(timed.length * BOTTLENECK_SHARE)) : 0;
  const chosen = timed.slice(0, n);
  // Ties with the last one chosen are bottlenecks too: the rule is about times, not about a list's length.
  const threshold = chosen[chosen.length - 1]?.medianMs ?? null;
  for (const e of edges)
    e.bottleneck = threshold !== null && e.medianMs !== null && e.medianMs >= threshold && e.medianMs > 0;
  return edges.filter((e) => e.bottleneck).sort((a, b) => b.medianMs! - a.medianMs!);
}

/** The mined Petri net: places (tokens of the initial marking, final places marked), transitions, arcs. */
export function petriGraph(net: MiningModel['net']): MapGraph {
  const nodes: MapNode[] = [
    ...net.places.map((p) => ({
      id: `p:${p.id}`,
      label: p.name ?? p.id,
      kind: 'place' as const,
      count: net.initialMarking[p.id] ?? 0,
      final: (net.finalMarking[p.id] ?? 0) > 0,
    })),
    ...net.transitions.map((t) => ({
      id: `t:${t.id}`,
      label: t.label ?? 'τ',
      kind: t.label === null ? ('silent' as const) : ('transition' as const),
      count: 0,
    })),
  ];
  const ids = new Set(nodes.map((n) => n.id));
  const endpoint = (id: string) => (ids.has(`p:${id}`) ? `p:${id}` : ids.has(`t:${id}`) ? `t:${id}` : null);
  const edges: MapEdge[] = [];
  for (const a of net.arcs) {
    const from = endpoint(a.source);
    const to = endpoint(a.target);
    if (from && to)
      edges.push({ from, to, count: a.weight ?? 1, meanMs: null, medianMs: null, maxMs: null, bottleneck: false });
  }
  return { nodes, edges };
}
