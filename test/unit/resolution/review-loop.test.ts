import { describe, expect, it } from 'vitest';
import { loadDataset, runDataset } from '../../../scripts/lib/er-datasets.js';
import { GENERATED_SETS, generatedDataset, generatedSet } from '../../../scripts/lib/er-evaluation-sets.js';

describe('the review loop on a generated set', () => {
  it('answers from the truth never throw the figures off (the calibration stays bounded round after round)', () => {
    const spec = GENERATED_SETS.find((g) => g.name === 'gen-orgs-dedup')!;
    const loaded = loadDataset(generatedDataset(spec), generatedSet(spec));
    const entity = loaded.truthClusters!;
    const mustLink: [string, string][] = [];
    const cannotLink: [string, string][] = [];
    for (let round = 0; round < 5; round++) {
      const run = runDataset(loaded, { constraints: [{ mustLink, cannotLink }], reviewSize: 10 });
      expect(run.scores.precision, `round ${round}`).toBeGreaterThanOrEqual(0.95);
      expect(run.scores.recall, `round ${round}`).toBeGreaterThanOrEqual(0.95);
      const offset = run.results[0]!.model.calibration?.offset ?? 0;
      expect(Math.abs(offset), `round ${round} offset`).toBeLessThan(12);
      for (const p of run.results[0]!.review)
        (entity.get(p.id1) === entity.get(p.id2) ? mustLink : cannotLink).push([p.id1, p.id2]);
    }
  }, 60_000);
});
