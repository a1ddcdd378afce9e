/**
 * Pictures of mined models for people: Graphviz DOT of a Petri net and of a directly-follows graph, and SVG from
 * DOT with @viz-js/viz (Graphviz compiled to WebAssembly, so no system binary is needed in a Lambda or on a
 * laptop). The WebAssembly module is loaded on the first `renderSvg` call only: code that writes DOT, or never
 * draws, does not pay for it.
 */
import { DomainError } from '../errors.js';
import type { DirectlyFollowsGraph } from './discovery.js';
import type { PetriNet } from './petri-net.js';

/** DOT that Graphviz cannot lay out (a syntax error in DOT handed in from outside). */
export class GraphRenderError extends DomainError {
  override readonly name = 'GraphRenderError';
  readonly code = 'VALIDATION_ERROR' as const;
  readonly status = 400;
}

/**
 * A DOT double-quoted string. Backslashes are doubled so Graphviz's escapes (\N, \G, \l) never fire on a name,
 * quotes are escaped, line breaks become DOT's centred line break.
 */
export function dotString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n')}"`;
}

const attributes = (attrs: Record<string, string | number | undefined>): string =>
  `[${Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : dotString(v!)}`)
    .join(', ')}]`;

export interface PetriNetDotOptions {
  /** Shown above the picture. */
  title?: string;
  /** Tokens to draw (default: the initial marking). */
  marking?: Record<string, number>;
}

/**
 * A Petri net in DOT, left to right: places are circles showing their tokens (a dot for one, the count for more)
 * and drawn double when the final marking holds them; transitions are boxes with their activity, silent ones small
 * and filled black; arc weights above 1 label their arc. Node ids in the DOT are positional (p0, t0) so that any
 * id of the net is safe; the net's own ids are the tooltips.
 */
export function petriNetToDot(net: PetriNet, options: PetriNetDotOptions = {}): string {
  const marking = options.marking ?? net.initialMarking;
  const node = new Map<string, string>();
  const lines = [
    'digraph petri_net {',
    '  rankdir=LR;',
    '  graph [fontname="Helvetica", nodesep=0.35, ranksep=0.45];',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [arrowsize=0.7];',
  ];
  if (options.title !== undefined) lines.push(`  label=${dotString(options.title)}; labelloc="t";`);
  net.places.forEach((p, i) => {
    node.set(p.id, `p${i}`);
    const tokens = marking[p.id] ?? 0;
    lines.push(
      `  p${i} ${attributes({
        shape: 'circle',
        width: 0.35,
        fixedsize: 'true',
        label: tokens === 0 ? '' : tokens === 1 ? '\u25CF' : String(tokens),
        peripheries: (net.finalMarking[p.id] ?? 0) > 0 ? 2 : undefined,
        tooltip: p.name ?? p.id,
      })};`,
    );
  });
  net.transitions.forEach((t, i) => {
    node.set(t.id, `t${i}`);
    const look =
      t.label === null
        ? { shape: 'box', style: 'filled', fillcolor: 'black', label: '', width: 0.12, height: 0.4 }
        : { shape: 'box', style: 'rounded', label: t.label };
    lines.push(`  t${i} ${attributes({ ...look, tooltip: t.label ?? `${t.id} (silent)` })};`);
  });
  for (const a of net.arcs) {
    const from = node.get(a.source);
    const to = node.get(a.target);
    if (from === undefined || to === undefined) continue;
    const weight = a.weight ?? 1;
    lines.push(`  ${from} -> ${to}${weight === 1 ? '' : ` ${attributes({ label: String(weight) })}`};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A duration for a person: the two largest units (2d 4h, 5h 12m, 3m 20s, 4.2s, 350ms). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)}s`;
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const unitOf = (x: number): number => units.findIndex(([, size]) => x >= size);
  // rounded to the smaller unit first, so 59m 59.7s reads 1h, not 59m 60s
  const rounded = Math.round(abs / units[unitOf(abs) + 1]![1]) * units[unitOf(abs) + 1]![1];
  const first = unitOf(rounded);
  const [u1, s1] = units[first]!;
  const [u2, s2] = units[first + 1]!;
  const major = Math.floor(rounded / s1);
  const minor = Math.round((rounded - major * s1) / s2);
  return `${sign}${major}${u1}${minor > 0 ? ` ${minor}${u2}` : ''}`;
}

export interface DfgDotOptions {
  title?: string;
  /** Leave out edges seen fewer times than this (default 1: all), to make a large graph readable. */
  minEdgeCount?: number;
}

/**
 * A directly-follows graph in DOT, top to bottom: a start marker (▶) with an edge to each start activity and an end
 * marker (■) from each end activity, labelled by how many cases start or end there; activities as boxes labelled
 * with their name and event count, shaded by frequency; edges labelled with their count and, when the log has
 * times, the median time between the two events, drawn thicker the more frequent they are.
 */
export function dfgToDot(dfg: DirectlyFollowsGraph, options: DfgDotOptions = {}): string {
  const minEdgeCount = options.minEdgeCount ?? 1;
  const names = Object.keys(dfg.activities);
  const id = new Map(names.map((n, i) => [n, `a${i}`]));
  const maxActivity = Math.max(1, ...Object.values(dfg.activities));
  const edges = dfg.edges.filter((e) => e.count >= minEdgeCount);
  const maxEdge = Math.max(1, ...edges.map((e) => e.count));
  const width = (count: number): number => Math.round((1 + 4 * (count / maxEdge)) * 10) / 10;
  // the markers' edges stay light: they say where cases begin and end, not a step between activities
  const marker = (count: number) => ({ label: String(count), style: 'dashed', color: '#888888', penwidth: 1.2 });
  const lines = [
    'digraph dfg {',
    '  rankdir=TB;',
    '  graph [fontname="Helvetica"];',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
  ];
  if (options.title !== undefined) lines.push(`  label=${dotString(options.title)}; labelloc="t";`);
  lines.push(
    `  start ${attributes({ shape: 'circle', label: '\u25B6', style: 'filled', fillcolor: '#7fc97f', width: 0.4, fixedsize: 'true', tooltip: 'start' })};`,
    `  end ${attributes({ shape: 'circle', label: '\u25A0', style: 'filled', fillcolor: '#f0027f', fontcolor: 'white', width: 0.4, fixedsize: 'true', tooltip: 'end' })};`,
  );
  for (const name of names) {
    const count = dfg.activities[name]!;
    // from white to a mid blue: frequent activities stand out, text stays readable
    const shade = Math.round(255 - 120 * (count / maxActivity));
    const hex = shade.toString(16).padStart(2, '0');
    lines.push(
      `  ${id.get(name)} ${attributes({
        shape: 'box',
        style: 'rounded,filled',
        fillcolor: `#${hex}${hex}ff`,
        label: `${name}\n(${count})`,
        tooltip: `${name}: ${count} events`,
      })};`,
    );
  }
  for (const [name, count] of Object.entries(dfg.startActivities)) {
    if (id.has(name)) {
      lines.push(`  start -> ${id.get(name)} ${attributes(marker(count))};`);
    }
  }
  for (const e of edges) {
    const from = id.get(e.from);
    const to = id.get(e.to);
    if (from === undefined || to === undefined) continue;
    const median = e.duration === undefined ? '' : `\n${formatDuration(e.duration.median)}`;
    lines.push(`  ${from} -> ${to} ${attributes({ label: `${e.count}${median}`, penwidth: width(e.count) })};`);
  }
  for (const [name, count] of Object.entries(dfg.endActivities)) {
    if (id.has(name)) {
      lines.push(`  ${id.get(name)} -> end ${attributes(marker(count))};`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;
let viz: Promise<Viz> | undefined;

/** The Graphviz instance, created on first use and shared afterwards. */
function graphviz(): Promise<Viz> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  return viz;
}

/**
 * SVG of a DOT graph, laid out by Graphviz (`dot` engine by default). Throws GraphRenderError when Graphviz refuses
 * the DOT.
 */
export async function renderSvg(
  dot: string,
  options: { engine?: 'dot' | 'neato' | 'fdp' | 'circo' } = {},
): Promise<string> {
  const instance = await graphviz();
  const result = instance.render(dot, { format: 'svg', engine: options.engine ?? 'dot' });
  if (result.status !== 'success') {
    const reasons = result.errors.map((e) => e.message.trim()).filter(Boolean);
    throw new GraphRenderError(`Graphviz could not lay out the graph: ${reasons.join('; ') || 'unknown error'}`);
  }
  return result.output;
}
