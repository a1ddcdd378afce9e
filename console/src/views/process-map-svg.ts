/**
 * The process map as SVG: a graph of process-map-model.ts laid out by process-map-layout.ts. Colours come from
 * classes of styles.css (no inline style: the console's content security policy has no 'unsafe-inline'), and a
 * bottleneck is dashed and marked ⚠ besides its colour. The picture is one image for assistive technology; the
 * table of transitions beside it is its text.
 */
import { useMemo } from 'preact/hooks';
import { html } from '../html.js';
import { formatDuration } from '../ui.js';
import { type LayoutNode, layoutGraph, type Point } from './process-map-layout.js';
import type { MapGraph, MapNode } from './process-map-model.js';

const CHAR = 7;
const LOOP = 36;

function sizeOf(n: MapNode): LayoutNode {
  const text = n.label.length * CHAR;
  switch (n.kind) {
    case 'start':
    case 'end':
      return { id: n.id, width: 34, height: 34 };
    case 'place':
      return { id: n.id, width: 30, height: 30 };
    case 'silent':
      return { id: n.id, width: 12, height: 34 };
    case 'transition':
      return { id: n.id, width: Math.min(200, Math.max(60, text + 20)), height: 34 };
    default:
      return { id: n.id, width: Math.min(220, Math.max(90, text + 28)), height: 46 };
  }
}

const clip = (s: string, width: number) => {
  const max = Math.max(3, Math.floor((width - 14) / CHAR));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

function pathOf(points: Point[]): string {
  if (points.length < 2) return '';
  const [first, ...rest] = points;
  if (rest.length === 1) return `M${first!.x},${first!.y}L${rest[0]!.x},${rest[0]!.y}`;
  // Corners rounded by a quadratic curve through each bend, from the middle of one segment to the next.
  let d = `M${first!.x},${first!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i]!;
    const q = points[i + 1]!;
    const mid = i === points.length - 2 ? q : { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
    d += `Q${p.x},${p.y} ${mid.x},${mid.y}`;
  }
  return d;
}

function middleOf(points: Point[]): Point {
  if (points.length % 2 === 1) return points[(points.length - 1) / 2]!;
  const a = points[points.length / 2 - 1]!;
  const b = points[points.length / 2]!;
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

export interface MapPictureProps {
  graph: MapGraph;
  direction: 'TB' | 'LR';
  zoom: number;
  /** What the picture shows, read by assistive technology (the table beside it has the detail). */
  label: string;
  /** Edge labels say durations (a directly-follows graph) or only weights above 1 (a net). */
  durations: boolean;
}

export function MapPicture({ graph, direction, zoom, label, durations }: MapPictureProps) {
  const layout = useMemo(
    () =>
      layoutGraph(
        graph.nodes.map(sizeOf),
        graph.edges.map((e) => ({ from: e.from, to: e.to })),
        { direction },
      ),
    [graph, direction],
  );
  const maxCount = graph.edges.reduce((m, e) => Math.max(m, e.count), 1);
  const maxNode = graph.nodes.reduce((m, n) => (n.kind === 'activity' ? Math.max(m, n.count) : m), 1);
  const width = layout.width + LOOP;
  const height = layout.height + (direction === 'LR' ? LOOP : 0);
  const byId = new Map(layout.nodes.map((n, i) => [n.id, { placed: n, node: graph.nodes[i]! }]));

  const edges = layout.edges.map((placed, i) => {
    const e = graph.edges[i]!;
    // Thicker the more frequent (a net's arcs all alike), never so thick that it hides the arrowhead.
    const strokeWidth = durations ? (1.2 + 3.4 * Math.sqrt(e.count / maxCount)).toFixed(2) : '1.6';
    const text = durations
      ? `${e.bottleneck ? '⚠ ' : ''}${e.count}${e.medianMs !== null ? ` · ${formatDuration(e.medianMs)}` : ''}`
      : e.count > 1
        ? String(e.count)
        : '';
    let d: string;
    let at: Point;
    if (placed.selfLoop) {
      const n = byId.get(e.from)!.placed;
      const x = n.x + n.width / 2;
      d = `M${x},${n.y - 7}C${x + LOOP},${n.y - 24} ${x + LOOP},${n.y + 24} ${x},${n.y + 7}`;
      at = { x: x + LOOP - 6, y: n.y };
    } else {
      d = pathOf(placed.points);
      at = middleOf(placed.points);
    }
    return html`<g class=${e.bottleneck ? 'pm-edge pm-hot' : 'pm-edge'}>
      <path d=${d} stroke-width=${strokeWidth} marker-end=${e.bottleneck ? 'url(#pm-arrow-hot)' : 'url(#pm-arrow)'} />
      ${text ? html`<text x=${at.x + 4} y=${at.y} class="pm-edge-label">${text}</text>` : null}
    </g>`;
  });

  const nodes = layout.nodes.map((p) => {
    const n = byId.get(p.id)!.node;
    const title =
      n.kind === 'activity' ? `${n.label}: ${n.count} events` : n.kind === 'place' ? `place ${n.label}` : n.label;
    const left = p.x - p.width / 2;
    const top = p.y - p.height / 2;
    let shape;
    if (n.kind === 'start' || n.kind === 'end') {
      shape = html`<circle cx=${p.x} cy=${p.y} r=${p.width / 2} class="pm-marker" />
        <text x=${p.x} y=${p.y} class="pm-marker-label">${n.kind === 'start' ? '▶' : '■'}</text>`;
    } else if (n.kind === 'place') {
      shape = html`<circle cx=${p.x} cy=${p.y} r=${p.width / 2} class="pm-place" />
        ${n.final ? html`<circle cx=${p.x} cy=${p.y} r=${p.width / 2 - 4} class="pm-place" />` : null}
        ${n.count ? html`<text x=${p.x} y=${p.y} class="pm-token">${n.count === 1 ? '●' : n.count}</text>` : null}`;
    } else if (n.kind === 'silent') {
      shape = html`<rect x=${left} y=${top} width=${p.width} height=${p.height} class="pm-silent" />`;
    } else {
      const heat = n.kind === 'activity' ? (0.08 + 0.4 * (n.count / maxNode)).toFixed(2) : '0';
      shape = html`<rect x=${left} y=${top} width=${p.width} height=${p.height} rx="6" class="pm-node" />
        <rect x=${left} y=${top} width=${p.width} height=${p.height} rx="6" class="pm-heat" fill-opacity=${heat} />
        <text x=${p.x} y=${n.kind === 'activity' ? p.y - 7 : p.y} class="pm-label">${clip(n.label, p.width)}</text>
        ${n.kind === 'activity' ? html`<text x=${p.x} y=${p.y + 11} class="pm-count">${n.count}</text>` : null}`;
    }
    return html`<g class="pm-n" data-node=${n.label}><title>${title}</title>${shape}</g>`;
  });

  return html`<svg class="pm" viewBox=${`0 0 ${width} ${height}`} width=${Math.round(width * zoom)}
    height=${Math.round(height * zoom)} role="img" aria-label=${label} data-nodes=${graph.nodes.length}>
    <defs>
      <marker id="pm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto">
        <path d="M0,0L10,5L0,10z" class="pm-head" />
      </marker>
      <marker id="pm-arrow-hot" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse" orient="auto">
        <path d="M0,0L10,5L0,10z" class="pm-head-hot" />
      </marker>
    </defs>
    <g aria-hidden="true">${edges}${nodes}</g>
  </svg>`;
}
