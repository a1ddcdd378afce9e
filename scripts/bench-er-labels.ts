/**
 * Label-efficiency benchmark of the review queue: how many answers a tenant needs to give before the engine's
 * pairwise precision reaches a target, on every data set scripts/bench-er.ts runs.
 *   npx tsx scripts/bench-er-labels.ts [--only name-substring] [--batch 10] [--budget 200] [--precision 0.95]
 * Each round answers the `review` pairs the previous run proposed (`--batch` of them) from the ground truth,
 * then re-runs resolve() with every answer so far as must-link / cannot-link constraints. It records how many
 * answers it took for pairwise precision at the product threshold (0.5) to reach `--precision`, and goes on to
 * `--budget` answers (or until nothing is left to propose) to show what the whole budget gives, with the lowest
 * precision and recall seen after any round. The truth is read only to answer the proposed pairs and to score. The sets, their mappings and the scoring are scripts/lib/er-datasets.ts (shared with bench:er).
 * Data location: $MODOS_SHARED_DIR/datasets/er, else ../shared/datasets/er.
 */
import { existsSync } from 'node:fs';
import type { ResolveConstraints } from '../functions/domain/resolution/engine/index.js';
import {
  type DatasetRun,
  type LoadedDataset,
  loadDataset,
  pairKey,
  runDataset,
  type Scores,
  sharedDataRoot,
} from './lib/er-datasets.js';
import { evaluationSets } from './lib/er-evaluation-sets.js';

/** The simulated tenant: answers one proposed pair of a part from the ground truth (link: left id first). */
function oracle(loaded: LoadedDataset): (a: string, b: string) => boolean {
  if (loaded.dataset.mode === 'link') return (l, r) => loaded.truthPairs.has(pairKey(`L:${l}`, `R:${r}`));
  const entityOf = loaded.truthClusters!;
  return (a, b) => entityOf.get(a) !== undefined && entityOf.get(a) === entityOf.get(b);
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`bench-er-labels: --${name} needs a positive number\n`);
    process.exit(2);
  }
  return v;
}

const f3 = (x: number): string => x.toFixed(3);
const prf = (s: Scores): string[] => [f3(s.precision), f3(s.recall), f3(s.f1)];

async function main(): Promise<void> {
  const only = process.argv.indexOf('--only') >= 0 ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const batch = option('batch', 10);
  const budget = option('budget', 200);
  const target = option('precision', 0.95);
  const root = sharedDataRoot();
  if (!existsSync(root)) {
    process.stderr.write(`bench-er-labels: data sets not found at ${root} (set MODOS_SHARED_DIR)\n`);
    process.exit(1);
  }
  process.stdout.write(`data: ${root}; ${batch} answers a round, budget ${budget}, target precision ${target}\n`);
  const columns = ['dataset', 'task', 'records', 'P0', 'R0', 'F1_0', 'labels', 'P', 'R', 'F1', 'yes/no'];
  process.stdout.write(`${[...columns, 'answers', 'P_end', 'R_end', 'F1_end', 'min P/R', 'ms/run'].join('\t')}\n`);
  for (const { dataset, root: dir } of await evaluationSets()) {
    if (only && !dataset.name.includes(only)) continue;
    const loaded = loadDataset(dataset, dir);
    const isMatch = oracle(loaded);
    // answers per part of the set (a mixed set resolves its persons and organisations apart)
    const answers = loaded.parts.map(() => ({
      mustLink: [] as [string, string][],
      cannotLink: [] as [string, string][],
    }));
    const count = (kind: 'mustLink' | 'cannotLink') => answers.reduce((s, a) => s + a[kind].length, 0);
    const labels = () => count('mustLink') + count('cannotLink');
    let ms = 0;
    let runs = 0;
    const run = (): DatasetRun => {
      const r = runDataset(loaded, { reviewSize: batch, constraints: answers as ResolveConstraints[] });
      ms += r.engineMs;
      runs++;
      return r;
    };
    let result = run();
    const before = result.scores;
    // labels should only help: the lowest precision and recall after any round shows when they did not
    let worst = { precision: before.precision, recall: before.recall };
    let reached: { labels: number; scores: Scores; yes: number; no: number } | null =
      before.precision >= target ? { labels: 0, scores: before, yes: 0, no: 0 } : null;
    while (labels() < budget) {
      // the round's questions: the most uncertain proposals over the parts, as one queue would show them
      const proposed = result.results
        .flatMap((r, part) => r.review.map((p) => ({ part, p })))
        .sort((x, y) => y.p.uncertainty - x.p.uncertainty)
        .slice(0, Math.min(batch, budget - labels()));
      if (proposed.length === 0) break;
      for (const { part, p } of proposed)
        answers[part]![isMatch(p.id1, p.id2) ? 'mustLink' : 'cannotLink'].push([p.id1, p.id2]);
      result = run();
      const s = result.scores;
      worst = { precision: Math.min(worst.precision, s.precision), recall: Math.min(worst.recall, s.recall) };
      process.stderr.write(`  [${dataset.name}] ${labels()} labels: P ${f3(s.precision)} R ${f3(s.recall)}\n`);
      if (!reached && s.precision >= target)
        reached = { labels: labels(), scores: s, yes: count('mustLink'), no: count('cannotLink') };
    }
    const row = [
      dataset.name,
      dataset.mode,
      String(result.records),
      ...prf(before),
      reached ? String(reached.labels) : `not reached at ${labels()}`,
      ...prf(reached?.scores ?? result.scores),
      reached ? `${reached.yes}/${reached.no}` : `${count('mustLink')}/${count('cannotLink')}`,
      String(labels()),
      ...prf(result.scores),
      `${f3(worst.precision)}/${f3(worst.recall)}`,
      String(Math.round(ms / runs)),
    ];
    process.stdout.write(`${row.join('\t')}\n`);
  }
}

await main();
