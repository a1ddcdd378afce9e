/**
 * The mined net as a picture a person can look at: Graphviz DOT (places as circles with their tokens of the
 * initial marking, the final places double-circled, transitions as boxes labelled with their activity, silent
 * ones small and black), and SVG rendered from it by Graphviz compiled to WebAssembly (@viz-js/viz), so no
 * native binary is needed in Lambda or locally.
 */
import { instance, type Viz } from '@viz-js/viz';
import type { PetriNet } from '../petri-net.js';

/** A DOT string literal: quotes and backslashes escaped, line breaks kept as `\n`. */
const quoted = (text: string): string =>
  `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;

/** The net as a left-to-right DOT digraph. Node ids are the net's own, quoted, so any id is safe. */
export function netToDot(net: PetriNet): string {
  const lines = ['digraph net {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];'];
  for (const p of net.places) {
    const tokens = net.initialMarking[p.id] ?? 0;
    const final = (net.finalMarking[p.id] ?? 0) > 0;
    const label = tokens > 0 ? (tokens === 1 ? '●' : String(tokens)) : '';
    lines.push(
      `  ${quoted(`p:${p.id}`)} [shape=${final ? 'doublecircle' : 'circle'}, label=${quoted(label)}, width=0.35, fixedsize=true];`,
    );
  }
  for (const t of net.transitions) {
    lines.push(
      t.label === null
        ? `  ${quoted(`t:${t.id}`)} [shape=box, style=filled, fillcolor=black, label="", width=0.15, height=0.4];`
        : `  ${quoted(`t:${t.id}`)} [shape=box, style=rounded, label=${quoted(t.label)}];`,
    );
  }
  const places = new Set(net.places.map((p) => p.id));
  for (const a of net.arcs) {
    const from = places.has(a.source) ? `p:${a.source}` : `t:${a.source}`;
    const to = places.has(a.target) ? `p:${a.target}` : `t:${a.target}`;
    const weight = a.weight !== undefined && a.weight !== 1 ? ` [label=${quoted(String(a.weight))}]` : '';
    lines.push(`  ${quoted(from)} -> ${quoted(to)}${weight};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

let viz: Promise<Viz> | undefined;

/** SVG of a DOT graph (the WebAssembly module is loaded once per process). */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  return (await viz).renderString(dot, { format: 'svg', engine: 'dot' });
}
