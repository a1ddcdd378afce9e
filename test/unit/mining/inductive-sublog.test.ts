import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutActivity } from '../../../functions/domain/mining/inductive/projection.js';
import {
  type SubLog,
  VariantBag,
  directlyFollows,
  directlyFollowsWithoutEach,
  minimumSelfDistanceWitnesses,
} from '../../../functions/domain/mining/inductive/sublog.js';
import { arbitraryTraces } from './support/random-logs.js';

const ALPHABET = 5;

function subLogOf(traces: string[][]): SubLog {
  const bag = new VariantBag();
  for (const t of traces)
    bag.add(
      Int32Array.from(t, (a) => a.charCodeAt(0) - 97),
      1,
    );
  return bag.toLog();
}

describe('the sub-log without one activity', () => {
  it('has the graph and self-distance witnesses of the copied sub-log, for every activity', () => {
    fc.assert(
      fc.property(arbitraryTraces(ALPHABET, 20, 9), (traces) => {
        const log = subLogOf(traces);
        const dfg = directlyFollows(log, ALPHABET);
        const without = directlyFollowsWithoutEach(log, dfg);
        for (let a = 0; a < dfg.k; a++) {
          const copied = withoutActivity(log, dfg.acts[a]!);
          const expected = directlyFollows(copied, ALPHABET);
          const actual = without(a);
          expect([actual.acts, actual.k, [...actual.localOf]]).toEqual([
            expected.acts,
            expected.k,
            [...expected.localOf],
          ]);
          expect([...actual.edges]).toEqual([...expected.edges]);
          expect([...actual.start]).toEqual([...expected.start]);
          expect([...actual.end]).toEqual([...expected.end]);
          expect([...minimumSelfDistanceWitnesses(log, actual, dfg.acts[a]!)]).toEqual([
            ...minimumSelfDistanceWitnesses(copied, expected),
          ]);
        }
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('counts the closest repetitions only as minimum self-distance witnesses', () => {
    // a b a: b witnesses a at distance 1; a c c a (distance 2) is farther and adds nothing
    const log = subLogOf([
      ['a', 'b', 'a'],
      ['a', 'c', 'c', 'a'],
    ]);
    const dfg = directlyFollows(log, 3);
    const w = minimumSelfDistanceWitnesses(log, dfg);
    expect([...w.slice(0, 3)]).toEqual([0, 1, 0]);
    // without b, a's closest repetition is a a at distance 0, witnessed by nothing
    expect([...minimumSelfDistanceWitnesses(log, directlyFollowsWithoutEach(log, dfg)(1), 1).slice(0, 2)]).toEqual([
      0, 0,
    ]);
  });
});
