import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPnml } from '../../../functions/domain/mining/pnml.js';
import { pnmlPathOf, runMine } from '../../../scripts/mine.js';
import { acceptsTrace, workflowNetProblems } from './support/workflow-net.js';

const TSX = resolve('node_modules/.bin/tsx');
const MINE = resolve('scripts/mine.ts');
const A12 = resolve('../shared/datasets/process-mining/synthetic-a12-a22/a12/a12f0n00.xes.gz');

/** A log with its own column names, `;` separated, and dates as dd-MM-yyyy:HH.mm. */
const CSV = [
  'ticket;step;when;who',
  't1;open;01-02-2024:09.00;ann',
  't1;check;01-02-2024:09.30;bob',
  't1;close;01-02-2024:11.00;ann',
  't2;open;02-02-2024:10.00;ann',
  't2;close;02-02-2024:10.05;ann',
  't3;open;03-02-2024:08.00;cid',
  't3;check;03-02-2024:08.10;bob',
  't3;check;03-02-2024:09.10;bob',
  't3;close;03-02-2024:12.00;cid',
].join('\n');
const CSV_FLAGS = [
  '--case',
  'ticket',
  '--activity',
  'step',
  '--timestamp',
  'when',
  '--time-format',
  'dd-MM-yyyy:HH.mm',
];

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mine-'));
  writeFileSync(join(dir, 'tickets.csv'), CSV);
  return dir;
}

/** The command as a user runs it, from `cwd`: its exit code, stdout and stderr. */
function run(cwd: string, ...args: string[]) {
  const r = spawnSync(TSX, [MINE, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run mine (end to end)', () => {
  it('prints one JSON summary of a CSV log and writes the discovered net to ./model.pnml', () => {
    const dir = workspace();
    const { status, stdout, stderr } = run(dir, '--log', 'tickets.csv', '--noise', '0', ...CSV_FLAGS);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual([
      'cases',
      'events',
      'activities',
      'variants',
      'startActivities',
      'endActivities',
      'dfg',
      'dependencies',
    ]);
    expect([out.cases, out.events, out.activities, out.variants]).toEqual([3, 9, 3, 3]);
    expect(out.startActivities).toEqual({ open: 3 });
    expect(out.endActivities).toEqual({ close: 3 });
    expect(out.dfg).toContainEqual({ from: 'check', to: 'check', count: 1 });
    const net = readPnml(readFileSync(join(dir, 'model.pnml')));
    expect(workflowNetProblems(net)).toEqual([]);
    for (const trace of [
      ['open', 'check', 'close'],
      ['open', 'close'],
      ['open', 'check', 'check', 'close'],
    ]) {
      expect(acceptsTrace(net, trace)).toBe(true);
    }
  });

  it('exits 2 with one line on stderr for a bad flag, and writes nothing', () => {
    const dir = workspace();
    const { status, stdout, stderr } = run(dir, '--log', 'tickets.csv', '--noise', 'lots', ...CSV_FLAGS);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual(['error: --noise must be a number from 0 to 1, not "lots"']);
    expect(existsSync(join(dir, 'model.pnml'))).toBe(false);
  });
});

describe('runMine', () => {
  it("summarises the a12 log as its reference statistics say and writes the model's files", async () => {
    const dir = workspace();
    const expected = JSON.parse(
      readFileSync('../shared/datasets/process-mining/synthetic-a12-a22/expected_stats.json', 'utf8'),
    )['a12f0n00.xes.gz'];
    const output = join(dir, 'a12.json');
    const summary = await runMine([
      '--log',
      A12,
      '--output',
      output,
      '--dot',
      join(dir, 'a12.dot'),
      '--svg',
      join(dir, 'a12.svg'),
    ]);
    expect([summary.cases, summary.events, summary.activities, summary.variants, summary.dfg.length]).toEqual([
      expected.cases,
      expected.events,
      expected.activities,
      expected.variants,
      expected.dfg_edges,
    ]);
    expect(summary.startActivities).toEqual(expected.start);
    const model = JSON.parse(readFileSync(output, 'utf8'));
    expect(model.noiseThreshold).toBe(0.2);
    expect(model.processTree).toMatch(/^->\( 'S', X\(/);
    expect(model.net.places.length).toBeGreaterThan(2);
    expect(model.directlyFollows.edges).toHaveLength(expected.dfg_edges);
    // the net beside --output, as PNML
    expect(readPnml(readFileSync(join(dir, 'a12.pnml')))).toEqual(model.net);
    expect(readFileSync(join(dir, 'a12.dot'), 'utf8')).toMatch(/^digraph petri_net \{/);
    expect(readFileSync(join(dir, 'a12.svg'), 'utf8')).toContain('<svg');
  });

  it('draws the directly-follows graph with --picture dfg', async () => {
    const dir = workspace();
    await runMine([
      '--log',
      join(dir, 'tickets.csv'),
      ...CSV_FLAGS,
      '--pnml',
      join(dir, 'n.pnml'),
      '--picture',
      'dfg',
      '--dot',
      join(dir, 'dfg.dot'),
    ]);
    const dot = readFileSync(join(dir, 'dfg.dot'), 'utf8');
    expect(dot).toMatch(/^digraph dfg \{/);
    expect(dot).toContain('label="open\\n(3)"');
    // t1 open → check after 30 minutes, t3 after 10: the median is 20 minutes
    expect(dot).toContain('label="2\\n20m"');
  });

  it.each([
    [['--log', 'x.csv', '--colour', 'red'], /unknown argument --colour/],
    [['--log', 'x.csv', '--pnml'], /--pnml needs a value/],
    [['--log', 'x.csv', '--picture', 'tree'], /--picture must be net or dfg/],
    [['--log', 'x.csv', '--noise', '-0.1'], /--noise must be a number from 0 to 1/],
    [['--log', 'x.csv', '--svg', 'a.svg', '--svg', 'b.svg'], /--svg is given twice/],
    [['--log', '/no/such/log.xes', '--pnml', '/tmp/x.pnml'], /file not found/],
  ])('refuses %j', async (argv, message) => {
    const error = await runMine(argv).catch((e: unknown) => e as Error);
    expect(['UsageError', 'LogFileError']).toContain((error as Error).name);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses an output it cannot write, naming it', async () => {
    const dir = workspace();
    const error = await runMine(['--log', join(dir, 'tickets.csv'), ...CSV_FLAGS, '--pnml', join(dir, 'no/dir/n.pnml')])
      .then(() => undefined)
      .catch((e: unknown) => e as Error);
    expect(error?.name).toBe('UsageError');
    expect(error?.message).toContain('no/dir/n.pnml: cannot write the file');
  });

  it('puts the net beside --output, or in ./model.pnml', () => {
    expect(pnmlPathOf({ pnml: 'a/b.pnml', output: 'c/d.json' })).toBe('a/b.pnml');
    expect(pnmlPathOf({ output: join('c', 'd.json') })).toBe(join('c', 'd.pnml'));
    expect(pnmlPathOf({})).toBe('model.pnml');
  });
});
