/**
 * A small layered layout (Sugiyama style) for the process map's graphs, as a pure function:
 *
 * 1. cycles are broken by reversing the back edges of a depth-first search (process graphs loop: rework, retries);
 * 2. layers by longest path: a node with no predecessor is in layer 0, any other one layer below its lowest
 *    predecessor, so every edge points down at least one layer;
 * 3. an edge that spans several layers is routed through one dummy node per layer it crosses, so it never runs
 *    through a node and takes part in the ordering;
 * 4. each layer is ordered by barycentre (the mean position of a node's neighbours in the layer before), sweeping
 *    down and up, keeping the order with the fewest crossings seen;
 * 5. positions: each layer is pulled towards its neighbours' positions by an isotonic regression that keeps the
 *    order and a minimum gap between neighbours, so nodes never overlap.
 *
 * Layers run top to bottom (`TB`) or left to right (`LR`).
 */

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface LayoutOptions {
  direction?: 'TB' | 'LR';
  /** Space between layers. */
  layerGap?: number;
  /** Least space between two nodes of a layer. */
  nodeGap?: number;
  margin?: number;
  /** Rounds of down and up barycentre sweeps. */
  sweeps?: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A node placed: `x`, `y` are its centre. */
export interface PlacedNode extends LayoutNode {
  x: number;
  y: number;
  layer: number;
  order: number;
}

export interface PlacedEdge extends LayoutEdge {
  /** Drawn against the layering (it closes a cycle). */
  reversed: boolean;
  /** An edge from a node to itself: no points, the picture draws a loop beside the node. */
  selfLoop: boolean;
  /** From the source's border to the target's border, through the dummy nodes of the layers it crosses. */
  points: Point[];
}

export interface Layout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
  /** Edge crossings between adjacent layers in the final order. */
  crossings: number;
}

interface Vertex {
  id: string;
  /** Size along the layer (the order axis) and across it (the rank axis). */
  along: number;
  across: number;
  dummy: boolean;
  layer: number;
  pos: number;
}

const DUMMY_SIZE = 8;

export function layoutGraph(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  options: LayoutOptions = {},
): Layout {
  const lr = options.direction === 'LR';
  const layerGap = options.layerGap ?? 56;
  const nodeGap = options.nodeGap ?? 24;
  const margin = options.margin ?? 16;
  const sweeps = options.sweeps ?? 6;

  const index = new Map<string, number>();
  const vertices: Vertex[] = [];
  for (const n of nodes) {
    if (index.has(n.id)) throw new Error(`node ${n.id} given twice`);
    index.set(n.id, vertices.length);
    vertices.push({
      id: n.id,
      along: lr ? n.height : n.width,
      across: lr ? n.width : n.height,
      dummy: false,
      layer: 0,
      pos: 0,
    });
  }
  const real = vertices.length;
  const idx = (id: string) => {
    const i = index.get(id);
    if (i === undefined) throw new Error(`edge names an unknown node ${id}`);
    return i;
  };
  const given = edges.map((e) => ({ from: idx(e.from), to: idx(e.to) }));

  // 1. Break cycles: depth-first from the nodes without predecessors first (then the rest, in the order given).
  const out: number[][] = vertices.map(() => []);
  const indegree = new Array<number>(real).fill(0);
  given.forEach((e, i) => {
    if (e.from === e.to) return;
    out[e.from]!.push(i);
    indegree[e.to]!++;
  });
  const reversed = new Array<boolean>(given.length).fill(false);
  const state = new Array<0 | 1 | 2>(real).fill(0);
  const roots = [...vertices.keys()].sort((a, b) => Number(indegree[a]! > 0) - Number(indegree[b]! > 0) || a - b);
  for (const root of roots) {
    if (state[root] !== 0) continue;
    // Iterative DFS: [vertex, next out-edge position].
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [v, k] = top;
      if (k >= out[v]!.length) {
        state[v] = 2;
        stack.pop();
        continue;
      }
      top[1]++;
      const ei = out[v]![k]!;
      const w = given[ei]!.to;
      if (state[w] === 1) reversed[ei] = true;
      else if (state[w] === 0) {
        state[w] = 1;
        stack.push([w, 0]);
      }
    }
  }
  // The acyclic edges (u above v), duplicates kept apart: each is drawn.
  const acyclic = given.map((e, i) =>
    e.from === e.to ? null : reversed[i] ? { u: e.to, v: e.from } : { u: e.from, v: e.to },
  );

  // 2. Longest-path layering in topological order (Kahn).
  const succ: number[][] = vertices.map(() => []);
  const inCount = new Array<number>(real).fill(0);
  for (const a of acyclic) {
    if (!a) continue;
    succ[a.u]!.push(a.v);
    inCount[a.v]!++;
  }
  const queue = [...vertices.keys()].filter((v) => inCount[v] === 0);
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q]!;
    for (const v of succ[u]!) {
      vertices[v]!.layer = Math.max(vertices[v]!.layer, vertices[u]!.layer + 1);
      if (--inCount[v]! === 0) queue.push(v);
    }
  }

  // 3. Dummy nodes: each acyclic edge becomes a chain of one-layer segments.
  const chains: (number[] | null)[] = acyclic.map((a, i) => {
    if (!a) return null;
    const chain = [a.u];
    for (let l = vertices[a.u]!.layer + 1; l < vertices[a.v]!.layer; l++) {
      chain.push(vertices.length);
      vertices.push({ id: `dummy:${i}:${l}`, along: DUMMY_SIZE, across: 0, dummy: true, layer: l, pos: 0 });
    }
    chain.push(a.v);
    return chain;
  });
  const up: number[][] = vertices.map(() => []);
  const down: number[][] = vertices.map(() => []);
  for (const chain of chains) {
    if (!chain) continue;
    for (let k = 0; k + 1 < chain.length; k++) {
      down[chain[k]!]!.push(chain[k + 1]!);
      up[chain[k + 1]!]!.push(chain[k]!);
    }
  }

  // 4. Ordering by barycentre sweeps; the initial order is the order of first discovery by a breadth-first walk.
  const layerCount = vertices.reduce((m, v) => Math.max(m, v.layer + 1), 0);
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  const seen = new Array<boolean>(vertices.length).fill(false);
  const bfs: number[] = [];
  for (const start of [...vertices.keys()]
    .filter((v) => v < real && up[v]!.length === 0)
    .concat([...vertices.keys()])) {
    if (seen[start]) continue;
    seen[start] = true;
    bfs.push(start);
    for (let q = bfs.length - 1; q < bfs.length; q++) {
      for (const w of down[bfs[q]!]!) {
        if (!seen[w]) {
          seen[w] = true;
          bfs.push(w);
        }
      }
    }
  }
  for (const v of bfs) layers[vertices[v]!.layer]!.push(v);
  const orderOf = new Array<number>(vertices.length).fill(0);
  const renumber = () => {
    for (const layer of layers)
      layer.forEach((v, i) => {
        orderOf[v] = i;
      });
  };
  renumber();
  const countCrossings = () => {
    let total = 0;
    for (let l = 0; l + 1 < layerCount; l++) {
      const segs: [number, number][] = [];
      for (const u of layers[l]!) for (const w of down[u]!) segs.push([orderOf[u]!, orderOf[w]!]);
      for (let i = 0; i < segs.length; i++)
        for (let j = i + 1; j < segs.length; j++) {
          const [a1, b1] = segs[i]!;
          const [a2, b2] = segs[j]!;
          if ((a1 - a2) * (b1 - b2) < 0) total++;
        }
    }
    return total;
  };
  const sortBy = (layer: number[], neighbours: number[][]) => {
    const key = new Map<number, number>();
    for (const v of layer) {
      const ns = neighbours[v]!;
      key.set(v, ns.length ? ns.reduce((s, n) => s + orderOf[n]!, 0) / ns.length : orderOf[v]!);
    }
    // Stable: ties keep the current order.
    layer.sort((a, b) => key.get(a)! - key.get(b)! || orderOf[a]! - orderOf[b]!);
    layer.forEach((v, i) => {
      orderOf[v] = i;
    });
  };
  let best = layers.map((l) => [...l]);
  let bestCrossings = countCrossings();
  for (let s = 0; s < sweeps && bestCrossings > 0; s++) {
    for (let l = 1; l < layerCount; l++) sortBy(layers[l]!, up);
    for (let l = layerCount - 2; l >= 0; l--) sortBy(layers[l]!, down);
    const c = countCrossings();
    if (c < bestCrossings) {
      bestCrossings = c;
      best = layers.map((l) => [...l]);
    }
  }
  best.forEach((l, i) => {
    layers[i] = l;
  });
  renumber();

  // 5. Positions along the layers: packed, then pulled towards the neighbours without breaking order or gaps.
  const gapBetween = (a: Vertex, b: Vertex) => (a.along + b.along) / 2 + (a.dummy || b.dummy ? nodeGap / 2 : nodeGap);
  for (const layer of layers) {
    let p = 0;
    layer.forEach((v, i) => {
      if (i > 0) p += gapBetween(vertices[layer[i - 1]!]!, vertices[v]!);
      vertices[v]!.pos = p;
    });
  }
  const align = (layer: number[], neighbours: number[][]) => {
    const desired = layer.map((v) => {
      const ns = neighbours[v]!;
      return ns.length ? ns.reduce((s, n) => s + vertices[n]!.pos, 0) / ns.length : vertices[v]!.pos;
    });
    const placed = keepOrder(
      desired,
      layer.map((v, i) => (i === 0 ? 0 : gapBetween(vertices[layer[i - 1]!]!, vertices[v]!))),
    );
    layer.forEach((v, i) => {
      vertices[v]!.pos = placed[i]!;
    });
  };
  for (let round = 0; round < 4; round++) {
    for (let l = 1; l < layerCount; l++) align(layers[l]!, up);
    for (let l = layerCount - 2; l >= 0; l--) align(layers[l]!, down);
  }

  // Rank positions: each layer as thick as its thickest node.
  const thickness = layers.map((layer) => layer.reduce((m, v) => Math.max(m, vertices[v]!.across), 0));
  const rankPos: number[] = [];
  let r = margin;
  thickness.forEach((t, l) => {
    rankPos[l] = r + t / 2;
    r += t + layerGap;
  });
  const minAlong = vertices.length ? vertices.reduce((m, v) => Math.min(m, v.pos - v.along / 2), Infinity) : 0;
  const maxAlong = vertices.length ? vertices.reduce((m, v) => Math.max(m, v.pos + v.along / 2), -Infinity) : 0;
  const shift = margin - minAlong;
  const along = (v: Vertex) => v.pos + shift;
  const toPoint = (a: number, rank: number): Point => (lr ? { x: rank, y: a } : { x: a, y: rank });
  const extentAlong = maxAlong - minAlong + 2 * margin;
  const extentRank = layerCount ? r - layerGap + margin : 2 * margin;

  const placedNodes: PlacedNode[] = nodes.map((n, i) => {
    const v = vertices[i]!;
    const c = toPoint(along(v), rankPos[v.layer]!);
    return { ...n, x: c.x, y: c.y, layer: v.layer, order: orderOf[i]! };
  });
  const placedEdges: PlacedEdge[] = edges.map((e, i) => {
    const chain = chains[i];
    if (!chain) return { from: e.from, to: e.to, reversed: false, selfLoop: true, points: [] };
    const points = chain.map((k, j) => {
      const v = vertices[k]!;
      // Leave the upper node at its lower border, enter the lower node at its upper border.
      const offset = j === 0 ? v.across / 2 : j === chain.length - 1 ? -v.across / 2 : 0;
      return toPoint(along(v), rankPos[v.layer]! + offset);
    });
    if (reversed[i]) points.reverse();
    return { from: e.from, to: e.to, reversed: reversed[i]!, selfLoop: false, points };
  });
  return {
    nodes: placedNodes,
    edges: placedEdges,
    width: lr ? extentRank : extentAlong,
    height: lr ? extentAlong : extentRank,
    crossings: bestCrossings,
  };
}

/**
 * The positions closest (least squares) to `desired` such that position i is at least `gaps[i]` after position
 * i - 1: with c_i the running sum of the gaps, q_i = p_i - c_i must not decrease, which is an isotonic regression of
 * desired_i - c_i (pool adjacent violators).
 */
export function keepOrder(desired: readonly number[], gaps: readonly number[]): number[] {
  const offsets: number[] = [];
  let c = 0;
  desired.forEach((_, i) => {
    c += i === 0 ? 0 : gaps[i]!;
    offsets.push(c);
  });
  const blocks: { sum: number; n: number }[] = [];
  desired.forEach((d, i) => {
    blocks.push({ sum: d - offsets[i]!, n: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const prev = blocks[blocks.length - 2]!;
      if (prev.sum / prev.n <= last.sum / last.n) break;
      prev.sum += last.sum;
      prev.n += last.n;
      blocks.pop();
    }
  });
  const result: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.n; k++) result.push(b.sum / b.n + offsets[result.length]!);
  return result;
}
