import { describe, expect, it } from 'vitest';
import {
  clusterByAverageLinkage,
  oneToOneAssignment,
  type ScoredEdge,
} from '../../../functions/domain/resolution/engine/index.js';

/** Pair scores from a lookup; pairs not listed score 0. */
function scorer(scores: Record<string, number>) {
  return (a: number, b: number): number => scores[a < b ? `${a}-${b}` : `${b}-${a}`] ?? 0;
}
function edgesFrom(scores: Record<string, number>): ScoredEdge[] {
  return Object.entries(scores).map(([k, p]) => {
    const [a, b] = k.split('-').map(Number);
    return { a: a!, b: b!, probability: p };
  });
}
const sortedClusters = (clusters: number[][]): number[][] =>
  clusters.map((c) => [...c].sort()).sort((x, y) => x[0]! - y[0]!);

describe('clusterByAverageLinkage', () => {
  it('merges a transitive chain whose members all resemble each other', () => {
    const scores = { '0-1': 0.99, '1-2': 0.98, '0-2': 0.9 };
    const result = clusterByAverageLinkage(3, edgesFrom(scores), scorer(scores), { threshold: 0.5 });
    expect(sortedClusters(result.clusters)).toEqual([[0, 1, 2]]);
  });

  it('does not merge two large clusters joined by one weak link', () => {
    const scores: Record<string, number> = {};
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) scores[`${i}-${j}`] = 0.99;
    for (let i = 5; i < 10; i++) for (let j = i + 1; j < 10; j++) scores[`${i}-${j}`] = 0.99;
    scores['4-5'] = 0.7; // the only bridge
    const result = clusterByAverageLinkage(10, edgesFrom(scores), scorer(scores), { threshold: 0.5 });
    expect(sortedClusters(result.clusters)).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
    ]);
    expect(result.refusedMerges).toBeGreaterThan(0);
  });

  it('cuts a chain a-b-c when a and c are judged different, where connected components would join all three', () => {
    const scores = { '0-1': 0.95, '1-2': 0.95, '0-2': 0.01 };
    const result = clusterByAverageLinkage(3, edgesFrom(scores), scorer(scores), { threshold: 0.5 });
    // average linkage of {0,1} vs {2} = (0.01 + 0.95) / 2 < 0.5: the chain is cut
    expect(sortedClusters(result.clusters)).toEqual([[0, 1], [2]]);
  });

  it('keeps records without any edge above threshold as singletons', () => {
    const scores = { '0-1': 0.4 };
    const result = clusterByAverageLinkage(3, edgesFrom(scores), scorer(scores), { threshold: 0.5 });
    expect(sortedClusters(result.clusters)).toEqual([[0], [1], [2]]);
  });

  it('puts identical records (probability 1 everywhere) into one cluster', () => {
    const scores = { '0-1': 1, '0-2': 1, '1-2': 1, '0-3': 1, '1-3': 1, '2-3': 1 };
    const result = clusterByAverageLinkage(4, edgesFrom(scores), scorer(scores), { threshold: 0.5 });
    expect(result.clusters).toHaveLength(1);
  });
});

describe('oneToOneAssignment', () => {
  it('gives each record its strongest partner only once', () => {
    const edges: ScoredEdge[] = [
      { a: 0, b: 10, probability: 0.9 },
      { a: 0, b: 11, probability: 0.8 },
      { a: 1, b: 10, probability: 0.85 },
      { a: 1, b: 11, probability: 0.6 },
      { a: 2, b: 12, probability: 0.3 },
    ];
    const chosen = oneToOneAssignment(edges, 0.5)
      .map((e) => `${e.a}-${e.b}`)
      .sort();
    expect(chosen).toEqual(['0-10', '1-11']);
  });
});
