/**
 * Conformance figures on the public logs in ../shared/datasets/process-mining (README there): the running example
 * of van der Aalst's Process Mining book with the pm4py notebook's published figures, and the synthetic a12/a22
 * logs (genetic-miner benchmark) whose fitness on their reference models is a property of the data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignLog } from '../../../../functions/domain/mining/conformance/alignments.js';
import { replayLog } from '../../../../functions/domain/mining/conformance/token-replay.js';
import { readEventLog } from '../../../../functions/domain/mining/import/index.js';
import type { EventLog } from '../../../../functions/domain/mining/log.js';
import { readPnml } from '../../../../functions/domain/mining/pnml.js';

const DATA = '../shared/datasets/process-mining';
const read = (path: string) => readFileSync(`${DATA}/${path}`);
const logOf = (path: string): Promise<EventLog> => readEventLog(read(path));

describe('the running example (book Table 1.1) on its inductive-miner net', () => {
  const model = readPnml(read('running-example/running-example.pnml'));
  const published = JSON.parse(read('running-example/expected.json').toString())['running_example_broken.csv']
    .published_pm4py_notebook_results;

  it('replays the clean log with fitness 1 by both methods', async () => {
    const clean = await logOf('running-example/running-example.xes');
    const tbr = replayLog(clean, model);
    expect([tbr.logFitness, tbr.averageTraceFitness, tbr.fittingTraces]).toEqual([1, 1, 6]);
    const aligned = alignLog(clean, model);
    expect(aligned.traces.map((t) => t.deviations)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(aligned.averageTraceFitness).toBe(1);
    expect(aligned.fittingTraces).toBe(6);
  });

  it('gives the broken log the token-replay figures pm4py publishes', async () => {
    const tbr = replayLog(await logOf('running-example/running_example_broken.csv'), model);
    expect(tbr.logFitness).toBeCloseTo(published.token_based_replay.log_fitness, 10);
    expect(tbr.averageTraceFitness).toBeCloseTo(published.token_based_replay.average_trace_fitness, 10);
    expect(tbr.fittingTracesShare * 100).toBeCloseTo(published.token_based_replay.perc_fit_traces, 10);
  });

  it('gives the broken log the alignment figures pm4py publishes', async () => {
    const aligned = alignLog(await logOf('running-example/running_example_broken.csv'), model);
    expect(aligned.logFitness).toBeCloseTo(published.alignments.log_fitness, 10);
    expect(aligned.averageTraceFitness).toBeCloseTo(published.alignments.average_trace_fitness, 10);
    expect(aligned.fittingTracesShare * 100).toBeCloseTo(published.alignments.percFitTraces, 10);
  });

  it('finds the deviations of each broken case', async () => {
    const broken = await logOf('running-example/running_example_broken.csv');
    // By hand, on the net (register; fork into check ticket ∥ one examination; decide; loop back by reinitiate
    // or leave to pay | reject):
    // 3 (register, check, decide, reinitiate, pay): no examination and a reinitiation that does not go round:
    //   2 deviations; token replay lacks the examination's token at decide and the exit's at pay.
    // 2 (register, check, examine casually, pay): no decide: 1; pay lacks its token.
    // 1 (examine thoroughly, check, decide, reject): no register: 1; both branches of the fork lack a token.
    // 6 (register, check, "decide something", pay): an unknown activity, no examination, no decide: 3.
    // 5 (12 events, three rounds): an unknown activity where the first reinitiation should be (a log move and a
    //   model move) and no reinitiation before the third round (a model move): 3; fitness 1 − 3/(12 + 5).
    // 4: fits.
    const aligned = alignLog(broken, model);
    const tbr = replayLog(broken, model);
    const byCase = (f: (i: number) => unknown) => Object.fromEntries(broken.traces.map((t, i) => [t.caseId, f(i)]));
    expect(byCase((i) => aligned.traces[i]!.deviations)).toEqual({ 1: 1, 2: 1, 3: 2, 4: 0, 5: 3, 6: 3 });
    expect(byCase((i) => tbr.traces[i]!.deviations.map((d) => d.activity))).toEqual({
      1: ['examine thoroughly', 'check ticket'],
      2: ['pay compensation'],
      3: ['decide', 'pay compensation'],
      4: [],
      5: ['check ticket', 'examine casually', 'examine casually', 'check ticket'],
      6: ['pay compensation'],
    });
    expect(tbr.traces.find((t) => t.caseId === '6')!.unknownActivities).toEqual([
      { position: 2, activity: 'decide something' },
    ]);
    const moves6 = aligned.traces.find((t) => t.caseId === '6')!.moves!;
    expect(moves6.filter((m) => m.kind === 'log' || m.kind === 'model').map((m) => `${m.kind}:${m.activity}`)).toEqual(
      expect.arrayContaining(['log:decide something', 'model:decide']),
    );
  });
});

describe.each(['a12', 'a22'])('the synthetic %s logs on their reference model', (name) => {
  const model = readPnml(read(`synthetic-a12-a22/${name}/${name}.pnml`));
  const noise = ['00', '05', '10', '20', '50'];
  // Read and checked once per log; the tests below only look at the results.
  const checked = Promise.all(
    noise.map(async (n) => {
      const log = await logOf(`synthetic-a12-a22/${name}/${name}f0n${n}.xes.gz`);
      return { log, tbr: replayLog(log, model), aligned: alignLog(log, model) };
    }),
  );

  it('replays the noise-free log with fitness 1 by both methods', async () => {
    const { log: clean, tbr, aligned } = (await checked)[0]!;
    expect(tbr.fittingTraces).toBe(clean.traces.length);
    expect(tbr.logFitness).toBe(1);
    expect(aligned.fittingTraces).toBe(clean.traces.length);
    expect(aligned.averageTraceFitness).toBe(1);
  });

  it('gives lower fitness as the noise rises (n00 > n05 > n10 > n20 > n50), by both methods', async () => {
    const all = await checked;
    const tbr = all.map((r) => r.tbr);
    const aligned = all.map((r) => r.aligned);
    expect(aligned.every((a) => a.timedOutTraces === 0)).toBe(true);
    for (let i = 1; i < all.length; i++) {
      expect(tbr[i]!.logFitness).toBeLessThan(tbr[i - 1]!.logFitness);
      expect(tbr[i]!.averageTraceFitness).toBeLessThan(tbr[i - 1]!.averageTraceFitness);
      expect(tbr[i]!.fittingTraces).toBeLessThan(tbr[i - 1]!.fittingTraces);
      expect(aligned[i]!.logFitness).toBeLessThan(aligned[i - 1]!.logFitness);
      expect(aligned[i]!.averageTraceFitness).toBeLessThan(aligned[i - 1]!.averageTraceFitness);
    }
  });

  it('marks the same traces as fitting by both methods', async () => {
    // A trace that fits by token replay is a run of the model, so its alignment has no deviation; the converse
    // holds when token replay never takes a wrong silent step, as on these nets (their silent transitions are
    // forks and joins, no choices), and every activity of the noise is one the model has.
    for (const { tbr, aligned } of await checked) {
      expect(tbr.traces.map((t) => t.fits)).toEqual(aligned.traces.map((t) => t.fits));
    }
  });
});
