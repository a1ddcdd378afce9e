import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { directlyFollows } from '../../../functions/domain/mining/discovery.js';
import type { PetriNet } from '../../../functions/domain/mining/petri-net.js';
import { readPnml } from '../../../functions/domain/mining/pnml.js';
import {
  GraphRenderError,
  dfgToDot,
  dotString,
  formatDuration,
  petriNetToDot,
  renderSvg,
} from '../../../functions/domain/mining/render.js';
import { logOf } from './support/random-logs.js';

const aNet = (): PetriNet => ({
  places: [{ id: 'i', name: 'start' }, { id: 'm' }, { id: 'o' }],
  transitions: [
    { id: 'a', label: 'say "hi" <now> & \\N' },
    { id: 's', label: null },
  ],
  arcs: [
    { source: 'i', target: 'a' },
    { source: 'a', target: 'm', weight: 2 },
    { source: 'm', target: 's', weight: 2 },
    { source: 's', target: 'o' },
  ],
  initialMarking: { i: 1, m: 0 },
  finalMarking: { o: 1 },
});

/** The statements of a DOT text by the node or edge they are about (`p0`, `t1`, `p0 -> t0`). */
const statements = (dot: string): Map<string, string> =>
  new Map(
    dot
      .split('\n')
      .map((l) => /^ {2}(\w+(?: -> \w+)?) ?(\[.*\])?;$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2] ?? '']),
  );

describe('DOT strings', () => {
  it('escapes quotes and backslashes and turns line breaks into DOT line breaks', () => {
    expect(dotString('a "b" \\N\nc')).toBe('"a \\"b\\" \\\\N\\nc"');
  });
});

describe('Petri nets in DOT', () => {
  it('draws places as circles with their tokens, the final place double, transitions as boxes, silent ones black', () => {
    const s = statements(petriNetToDot({ ...aNet(), initialMarking: { i: 1, m: 3 } }));
    expect(s.get('p0')).toContain('shape="circle"');
    expect(s.get('p0')).toContain('label="\u25CF"');
    expect(s.get('p1')).toContain('label="3"');
    expect(s.get('p2')).toContain('peripheries=2');
    expect(s.get('p0')).not.toContain('peripheries');
    expect(s.get('t0')).toContain('label="say \\"hi\\" <now> & \\\\N"');
    expect(s.get('t1')).toContain('fillcolor="black"');
    expect(s.get('t1')).toContain('label=""');
  });

  it('draws one edge per arc and labels weights above 1', () => {
    const s = statements(petriNetToDot(aNet()));
    expect([...s.keys()].filter((k) => k.includes('->'))).toEqual(['p0 -> t0', 't0 -> p1', 'p1 -> t1', 't1 -> p2']);
    expect(s.get('t0 -> p1')).toBe('[label="2"]');
  });

  it('draws another marking when given one', () => {
    const s = statements(petriNetToDot(aNet(), { marking: { o: 1 } }));
    expect(s.get('p0')).toContain('label=""');
    expect(s.get('p2')).toContain('label="\u25CF"');
  });

  it('lays out as SVG that shows the labels, escaped for XML', async () => {
    const svg = await renderSvg(petriNetToDot(aNet(), { title: 'net & co' }));
    expect(svg).toMatch(/^<\?xml|^<svg|<svg/);
    expect(svg).toContain('say &quot;hi&quot; &lt;now&gt; &amp; \\N');
    expect(svg).toContain('net &amp; co');
    expect(svg.match(/class="node"/g)).toHaveLength(5);
    expect(svg.match(/class="edge"/g)).toHaveLength(4);
  });

  it('lays out the running example net', async () => {
    const net = readPnml(readFileSync('../shared/datasets/process-mining/running-example/running-example.pnml'));
    const svg = await renderSvg(petriNetToDot(net));
    expect(svg.match(/class="node"/g)).toHaveLength(net.places.length + net.transitions.length);
    expect(svg).toContain('examine thoroughly');
  });
});

describe('directly-follows graphs in DOT', () => {
  const hour = 3_600_000;
  const timed = logOf([
    ['a', 'b', 'c'],
    ['a', 'b', 'c'],
    ['a', 'c'],
  ]);
  // a at 0, then one hour per step in case 1, three hours in case 2, and a → c after 30 minutes in case 3
  timed.traces.forEach((t, i) => {
    t.events.forEach((e, j) => {
      e.time = i === 2 ? j * 0.5 * hour : j * (i === 0 ? 1 : 3) * hour;
    });
  });

  it('labels activities with their counts and edges with count and median duration, with start and end markers', () => {
    const s = statements(dfgToDot(directlyFollows(timed)));
    const node = (name: string) => [...s].find(([, v]) => v.includes(`label="${name}\\n`))![0];
    expect(s.get(node('a'))).toContain('label="a\\n(3)"');
    expect(s.get(`${node('a')} -> ${node('b')}`)).toContain('label="2\\n2h"');
    expect(s.get(`${node('a')} -> ${node('c')}`)).toContain('label="1\\n30m"');
    expect(s.get(`start -> ${node('a')}`)).toContain('label="3"');
    expect(s.get(`${node('c')} -> end`)).toContain('label="3"');
    expect(s.get('start')).toContain('\u25B6');
    expect(s.get('end')).toContain('\u25A0');
  });

  it('leaves out durations when the log has no times, and rare edges when asked', () => {
    const untimed = directlyFollows(
      logOf([
        ['a', 'b'],
        ['a', 'b'],
        ['b', 'a'],
      ]),
    );
    const all = statements(dfgToDot(untimed));
    const edges = [...all].filter(([k]) => /^a\d -> a\d$/.test(k));
    expect(edges.map(([, v]) => v.match(/label="([^"]*)"/)![1]).sort()).toEqual(['1', '2']);
    const frequent = statements(dfgToDot(untimed, { minEdgeCount: 2 }));
    expect([...frequent.keys()].filter((k) => /^a\d -> a\d$/.test(k))).toHaveLength(1);
  });

  it('lays out as SVG', async () => {
    const svg = await renderSvg(dfgToDot(directlyFollows(timed)));
    expect(svg.match(/class="node"/g)).toHaveLength(5);
    expect(svg).toContain('30m');
  });
});

describe('durations for people', () => {
  it.each([
    [350, '350ms'],
    [4_200, '4.2s'],
    [42_000, '42s'],
    [200_000, '3m 20s'],
    [3_600_000, '1h'],
    [18_720_000, '5h 12m'],
    [187_200_000, '2d 4h'],
    [3_599_000, '59m 59s'],
    [3_599_700, '1h'],
    [86_399_999, '1d'],
    [-90_000, '-1m 30s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('rendering', () => {
  it('refuses DOT that Graphviz cannot read, saying why', async () => {
    const error = await renderSvg('digraph { a -> }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRenderError);
    expect((error as GraphRenderError).status).toBe(400);
    expect((error as Error).message).toMatch(/syntax error/);
  });

  it('loads Graphviz only when a picture is first rendered', () => {
    // resolve hooks see every module the import pulls in; Graphviz must not be among them until renderSvg runs
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve: (s, c, next) => (seen.push(s), next(s, c)) });
      const render = await import('./functions/domain/mining/render.ts');
      render.petriNetToDot({ places: [], transitions: [], arcs: [], initialMarking: {}, finalMarking: {} });
      const before = seen.some((s) => s.includes('@viz-js/viz'));
      await render.renderSvg('digraph { a }');
      console.log(JSON.stringify({ before, after: seen.some((s) => s.includes('@viz-js/viz')) }));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ before: false, after: true });
  });
});
