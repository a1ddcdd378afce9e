import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePnml } from '../../../../functions/domain/mining/pnml.js';
import { runConformance } from '../../../../scripts/conformance.js';
import { N1 } from './nets.js';

const DATA = '../shared/datasets/process-mining/running-example';
const MODEL = `${DATA}/running-example.pnml`;
const BROKEN = `${DATA}/running_example_broken.csv`;

const dir = mkdtempSync(join(tmpdir(), 'conformance-cli-'));
function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The command as a user runs it: its exit code, its stdout and its stderr. */
function run(...args: string[]) {
  const r = spawnSync('npm', ['run', '-s', 'conformance', '--', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run conformance (end to end)', () => {
  it('prints one JSON object with the token-replay figures of the broken running example', () => {
    const { status, stdout, stderr } = run('--log', BROKEN, '--model', MODEL);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(stdout);
    expect(out.logFitness).toBeCloseTo(0.8156108597, 9);
    expect(out.averageTraceFitness).toBeCloseTo(0.8077731092, 9);
    expect(out.fittingTraces).toBe(1);
    expect(out.traces).toHaveLength(6);
    expect(Object.keys(out.traces[0]).sort()).toEqual(['case', 'fitness', 'fits']);
  });

  it('exits 2 with one line on stderr for a bad method', () => {
    const { status, stdout, stderr } = run('--log', BROKEN, '--model', MODEL, '--method', 'viterbi');
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual(['error: --method must be tbr or alignments, not "viterbi"']);
  });
});

describe('runConformance', () => {
  it('aligns with --method alignments and gives the published figures', async () => {
    const out = await runConformance(['--log', BROKEN, '--model', MODEL, '--method', 'alignments']);
    expect(out.logFitness).toBeCloseTo(0.843731055, 9);
    expect(out.averageTraceFitness).toBeCloseTo(0.8446623094, 9);
    expect(out.timedOutTraces).toBe(0);
  });

  it('adds the counts and deviations with --details', async () => {
    const out = (await runConformance(['--log', BROKEN, '--model', MODEL, '--details'])) as {
      traces: { case: string; missing: number; deviations: { activity: string }[] }[];
    };
    const case2 = out.traces.find((t) => t.case === '2')!;
    expect(case2.missing).toBe(1);
    expect(case2.deviations.map((d) => d.activity)).toEqual(['pay compensation']);
  });

  it('adds the moves with --details for alignments, and marks traces over --max-states', async () => {
    const model = write('n1.pnml', writePnml(N1));
    const log = write('log.csv', 'case_id,activity\n1,a\n1,c\n1,e\n1,h\n2,h\n2,g\n2,f\n2,e\n2,d\n2,c\n2,b\n2,a\n');
    const out = (await runConformance([
      '--log',
      log,
      '--model',
      model,
      '--method=alignments',
      '--details',
      '--max-states',
      '12',
    ])) as { traces: { case: string; deviations: number | null; alignmentTimedOut?: boolean; moves: unknown[] }[] };
    expect(out.traces[0]!.deviations).toBe(1);
    expect(out.traces[0]!.moves).toHaveLength(5);
    expect(out.traces[1]!.alignmentTimedOut).toBe(true);
  });

  it('reads the CSV column flags', async () => {
    const model = write('n1b.pnml', writePnml(N1));
    const log = write('cols.csv', 'who;what;when\nx;a;2024-01-01T00:00:00Z\nx;c;2024-01-01T00:01:00Z\n');
    const out = await runConformance(['--log', log, '--model', model, '--case', 'who', '--activity', 'what']);
    expect((out.traces as { case: string }[]).map((t) => t.case)).toEqual(['x']);
  });

  it.each([
    [['--model', MODEL], /--log/],
    [['--log', BROKEN], /--model <net.pnml> is required/],
    [['--log', BROKEN, '--model', MODEL, '--bogus'], /unknown argument --bogus/],
    [['--log', BROKEN, '--model', MODEL, '--max-states', '0'], /--max-states must be a positive integer/],
    [['--log', BROKEN, '--model', join(dir, 'missing.pnml')], /missing\.pnml: file not found/],
  ])('refuses %j with a usage error', async (args, message) => {
    await expect(runConformance(args)).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringMatching(message),
    });
  });

  it('refuses a model file that is not PNML, naming the file', async () => {
    const bad = write('bad.pnml', '<pnml><net id="n"><place id="p"/><arc id="a" source="p" target="p"/></net></pnml>');
    await expect(runConformance(['--log', BROKEN, '--model', bad])).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringContaining('bad.pnml: not a usable Petri net'),
    });
  });

  it('refuses a missing log as a log-file error', async () => {
    await expect(runConformance(['--log', join(dir, 'none.csv'), '--model', MODEL])).rejects.toMatchObject({
      name: 'LogFileError',
    });
  });
});
