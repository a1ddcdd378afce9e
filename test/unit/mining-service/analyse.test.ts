import { describe, expect, it } from 'vitest';
import { analyseLog } from '../../../functions/domain/mining/service/analyse.js';
import type { EventLog } from '../../../functions/domain/mining/log.js';
import { MAX_ALIGNED_VARIANTS } from '../../../schemas/mining-api.js';

const settings = { noiseThreshold: 0.2, dependencyThreshold: 0.5 };

/** A trace of the activities given, one minute apart. */
const trace = (caseId: string, activities: string[]): EventLog['traces'][number] => ({
  caseId,
  attributes: {},
  events: activities.map((activity, i) => ({ id: `${caseId}#${i}`, activity, time: i * 60_000, attributes: {} })),
});

describe('the alignments of a mining result', () => {
  it('cover the traces of the most frequent variants only, and say how many', () => {
    // One frequent variant (10 traces) and more rare variants than the cap, each once.
    const traces = Array.from({ length: 10 }, (_, i) => trace(`f${i}`, ['start', 'work', 'end']));
    const rare = MAX_ALIGNED_VARIANTS + 30;
    for (let i = 0; i < rare; i++) traces.push(trace(`r${i}`, ['start', `step${i}`, 'end']));
    const { model } = analyseLog({ traces }, { ...settings, noiseThreshold: 0.2 });
    expect(model.alignments.variantsAligned).toBe(MAX_ALIGNED_VARIANTS);
    expect(model.alignments.traces).toBe(traces.length);
    expect(model.alignments.alignedTraces + model.alignments.timedOutTraces).toBe(10 + MAX_ALIGNED_VARIANTS - 1);
  });

  it('find the deviations token replay finds: a trace that skips a step does not fit', () => {
    const traces = Array.from({ length: 20 }, (_, i) => trace(`c${i}`, ['a', 'b', 'c']));
    traces.push(trace('skips', ['a', 'c']));
    const { model } = analyseLog({ traces }, settings);
    // The noise filter drops the rare skip from the net: the skipping trace deviates by alignments and by replay.
    expect(model.alignments.fittingTraces).toBe(20);
    expect(model.alignments.averageTraceFitness).toBeLessThan(1);
    expect(model.fitness.deviatingCases.cases).toEqual(['skips']);
  });
});
