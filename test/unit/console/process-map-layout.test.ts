import { describe, expect, it } from 'vitest';
import {
  keepOrder,
  type Layout,
  type LayoutEdge,
  type LayoutNode,
  layoutGraph,
} from '../../../console/src/views/process-map-layout.js';

/** A seeded generator (mulberry32), so a failing graph can be rebuilt from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function aGraph(seed: number, size: number, density: number): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const rnd = random(seed);
  const nodes = Array.from({ length: size }, (_, i) => ({
    id: `n${i}`,
    width: 40 + Math.floor(rnd() * 160),
    height: 24 + Math.floor(rnd() * 30),
  }));
  const edges: LayoutEdge[] = [];
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) if (rnd() < density) edges.push({ from: `n${i}`, to: `n${j}` });
  return { nodes, edges };
}

const box = (n: Layout['nodes'][number]) => ({
  left: n.x - n.width / 2,
  right: n.x + n.width / 2,
  top: n.y - n.height / 2,
  bottom: n.y + n.height / 2,
});

function overlaps(layout: Layout): string[] {
  const found: string[] = [];
  for (let i = 0; i < layout.nodes.length; i++)
    for (let j = i + 1; j < layout.nodes.length; j++) {
      const a = box(layout.nodes[i]!);
      const b = box(layout.nodes[j]!);
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        found.push(`${layout.nodes[i]!.id} and ${layout.nodes[j]!.id}`);
    }
  return found;
}

/**
 * Crossings counted from the drawn segments (TB), independently of the layout's own count: each segment joins two
 * adjacent layers (its band is the layer whose centre is nearest its upper end), and two segments of a band cross
 * when their ends swap sides.
 */
function geometricCrossings(layout: Layout): number {
  const centres = [...new Set(layout.nodes.map((n) => n.y))].sort((a, b) => a - b);
  const band = (y: number) =>
    centres.reduce((best, c, i) => (Math.abs(c - y) < Math.abs(centres[best]! - y) ? i : best), 0);
  const segments: { band: number; top: number; bottom: number }[] = [];
  for (const e of layout.edges)
    for (let k = 0; k + 1 < e.points.length; k++) {
      const [p, q] =
        e.points[k]!.y < e.points[k + 1]!.y ? [e.points[k]!, e.points[k + 1]!] : [e.points[k + 1]!, e.points[k]!];
      segments.push({ band: band(p.y), top: p.x, bottom: q.x });
    }
  let n = 0;
  for (let i = 0; i < segments.length; i++)
    for (let j = i + 1; j < segments.length; j++) {
      const a = segments[i]!;
      const b = segments[j]!;
      if (a.band === b.band && (a.top - b.top) * (a.bottom - b.bottom) < 0) n++;
    }
  return n;
}

describe('layoutGraph', () => {
  it('puts every edge from a higher layer to a lower one, reversing only edges that close a cycle', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { nodes, edges } = aGraph(seed, 4 + (seed % 12), 0.15);
      const layout = layoutGraph(nodes, edges);
      const layer = new Map(layout.nodes.map((n) => [n.id, n.layer]));
      for (const e of layout.edges) {
        if (e.selfLoop) {
          expect(e.from, `seed ${seed}`).toBe(e.to);
          continue;
        }
        const [upper, lower] = e.reversed ? [e.to, e.from] : [e.from, e.to];
        expect(layer.get(upper)!, `seed ${seed}: ${e.from}->${e.to}`).toBeLessThan(layer.get(lower)!);
      }
    }
  });

  it('layers by longest path: sources in layer 0, every other node one below its lowest predecessor', () => {
    for (let seed = 100; seed < 130; seed++) {
      const { nodes, edges } = aGraph(seed, 10, 0.2);
      const layout = layoutGraph(nodes, edges);
      const layer = new Map(layout.nodes.map((n) => [n.id, n.layer]));
      const preds = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
      for (const e of layout.edges)
        if (!e.selfLoop) preds.get(e.reversed ? e.from : e.to)!.push(e.reversed ? e.to : e.from);
      for (const n of nodes) {
        const p = preds.get(n.id)!;
        const expected = p.length ? Math.max(...p.map((q) => layer.get(q)!)) + 1 : 0;
        expect(layer.get(n.id), `seed ${seed}: ${n.id}`).toBe(expected);
      }
    }
  });

  it('reverses nothing in a graph without cycles', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, width: 60, height: 30 }));
    const edges = [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
      { from: 'a', to: 'e' },
      { from: 'd', to: 'e' },
    ];
    const layout = layoutGraph(nodes, edges);
    expect(layout.edges.every((e) => !e.reversed)).toBe(true);
    expect(layout.nodes.map((n) => n.layer)).toEqual([0, 1, 1, 2, 3]);
  });

  it('places no two nodes on top of each other, and no edge bend inside a node', () => {
    for (let seed = 200; seed < 240; seed++) {
      const { nodes, edges } = aGraph(seed, 6 + (seed % 15), 0.12);
      for (const direction of ['TB', 'LR'] as const) {
        const layout = layoutGraph(nodes, edges, { direction });
        expect(overlaps(layout), `seed ${seed} ${direction}`).toEqual([]);
        for (const e of layout.edges) {
          for (const p of e.points.slice(1, -1)) {
            const inside = layout.nodes.find((n) => {
              const b = box(n);
              return p.x > b.left && p.x < b.right && p.y > b.top && p.y < b.bottom;
            });
            expect(inside?.id, `seed ${seed} ${direction}: ${e.from}->${e.to} bends inside a node`).toBeUndefined();
          }
        }
        for (const n of layout.nodes) {
          const b = box(n);
          expect(b.left).toBeGreaterThanOrEqual(0);
          expect(b.top).toBeGreaterThanOrEqual(0);
          expect(b.right).toBeLessThanOrEqual(layout.width);
          expect(b.bottom).toBeLessThanOrEqual(layout.height);
        }
      }
    }
  });

  it('orders layers by barycentre: a crossing the first order has is taken away by the sweeps', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, width: 50, height: 20 }));
    // Discovery order puts c, e, d below a, b: a->e crosses b->c. Ordered by barycentre: e, c, d.
    const edges = [
      { from: 'a', to: 'c' },
      { from: 'a', to: 'e' },
      { from: 'b', to: 'c' },
      { from: 'b', to: 'd' },
    ];
    const unswept = layoutGraph(nodes, edges, { sweeps: 0 });
    expect(unswept.crossings).toBe(1);
    expect(geometricCrossings(unswept)).toBe(1);
    const layout = layoutGraph(nodes, edges);
    expect(layout.crossings).toBe(0);
    expect(geometricCrossings(layout)).toBe(0);
    const x = new Map(layout.nodes.map((n) => [n.id, n.x]));
    expect(x.get('e')!).toBeLessThan(x.get('c')!);
    expect(x.get('c')!).toBeLessThan(x.get('d')!);
  });

  it('reports the crossings it draws, never more than the order it started from', () => {
    for (let seed = 300; seed < 330; seed++) {
      const { nodes, edges } = aGraph(seed, 8 + (seed % 10), 0.15);
      const layout = layoutGraph(nodes, edges);
      expect(geometricCrossings(layout), `seed ${seed}`).toBe(layout.crossings);
      expect(layout.crossings, `seed ${seed}`).toBeLessThanOrEqual(layoutGraph(nodes, edges, { sweeps: 0 }).crossings);
    }
  });

  it('routes an edge that skips layers through one bend per layer it crosses', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => ({ id, width: 60, height: 30 }));
    const layout = layoutGraph(nodes, [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'd' },
      { from: 'a', to: 'd' },
    ]);
    const long = layout.edges.find((e) => e.from === 'a' && e.to === 'd')!;
    expect(long.points).toHaveLength(4);
    const ys = long.points.map((p) => p.y);
    expect([...ys].sort((p, q) => p - q)).toEqual(ys);
  });

  it('draws a reversed edge from its own source to its own target', () => {
    const nodes = ['a', 'b'].map((id) => ({ id, width: 60, height: 30 }));
    const layout = layoutGraph(nodes, [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' },
      { from: 'b', to: 'b' },
    ]);
    const [ab, ba, bb] = layout.edges;
    const pos = new Map(layout.nodes.map((n) => [n.id, n]));
    expect(ab!.reversed).toBe(false);
    expect(ba!.reversed).toBe(true);
    expect(bb!.selfLoop).toBe(true);
    // b -> a starts at b (lower) and ends at a (upper).
    expect(ba!.points[0]!.y).toBeGreaterThan(pos.get('a')!.y);
    expect(ba!.points[ba!.points.length - 1]!.y).toBeLessThan(pos.get('b')!.y);
  });

  it('lays layers out left to right with LR', () => {
    const nodes = ['a', 'b', 'c'].map((id) => ({ id, width: 90, height: 30 }));
    const layout = layoutGraph(
      nodes,
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ],
      { direction: 'LR' },
    );
    const [a, b, c] = layout.nodes;
    expect(a!.x).toBeLessThan(b!.x);
    expect(b!.x).toBeLessThan(c!.x);
    expect(a!.y).toBe(b!.y);
    expect(layout.width).toBeGreaterThan(layout.height);
  });

  it('refuses an edge to an unknown node and a node given twice', () => {
    expect(() => layoutGraph([{ id: 'a', width: 1, height: 1 }], [{ from: 'a', to: 'x' }])).toThrow(/unknown node x/);
    expect(() =>
      layoutGraph(
        [
          { id: 'a', width: 1, height: 1 },
          { id: 'a', width: 1, height: 1 },
        ],
        [],
      ),
    ).toThrow(/given twice/);
  });

  it('lays out an empty graph', () => {
    expect(layoutGraph([], [])).toMatchObject({ nodes: [], edges: [], crossings: 0 });
  });
});

describe('keepOrder', () => {
  it('keeps the order and the gaps, as close to the wishes as it can', () => {
    expect(keepOrder([0, 0, 0], [0, 10, 10])).toEqual([-10, 0, 10]);
    expect(keepOrder([0, 50, 100], [0, 10, 10])).toEqual([0, 50, 100]);
    const p = keepOrder([30, 5, 20, 0], [0, 8, 8, 8]);
    for (let i = 1; i < p.length; i++) expect(p[i]! - p[i - 1]!).toBeGreaterThanOrEqual(8 - 1e-9);
  });
});
