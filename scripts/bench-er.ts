/**
 * End-to-end entity-resolution benchmark on every evaluation set (blocking included), beside each set's
 * exact-match floor.
 *   npm run -s bench:er [-- --only name-substring] [--verbose] [--threshold 0.5]
 * The only per-set input is the column mapping (scripts/lib/er-datasets.ts); ground truth is read only to score.
 * Data location: $MODOS_SHARED_DIR/datasets/er, else ../shared/datasets/er relative to the project root.
 */
import { existsSync } from 'node:fs';
import { exactMatchFloor, loadDataset, runDataset, sharedDataRoot } from './lib/er-datasets.js';
import { evaluationSets } from './lib/er-evaluation-sets.js';

const f3 = (x: number): string => x.toFixed(3);
const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const only = argValue('--only');
  const threshold = argValue('--threshold') !== undefined ? Number(argValue('--threshold')) : undefined;
  const root = sharedDataRoot();
  if (!existsSync(root)) {
    process.stderr.write(`bench-er: data sets not found at ${root} (set MODOS_SHARED_DIR)\n`);
    process.exit(1);
  }
  process.stdout.write(`data: ${root}\n`);
  const header = ['dataset', 'task', 'records', 'cand.pairs', 'pred.pairs', 'P', 'R', 'F1', 'B3-P', 'B3-R'];
  process.stdout.write(`${[...header, 'floor-P', 'floor-R', 'check', 'engine ms', 'rec/s', 'RSS'].join('\t')}\n`);
  for (const { dataset, root: dir } of await evaluationSets({ generated: !process.argv.includes('--shared-only') })) {
    if (only && !dataset.name.includes(only)) continue;
    const loaded = loadDataset(dataset, dir);
    const log = (stage: string, detail: string): void => {
      process.stderr.write(`  [${dataset.name}] ${stage}: ${detail}\n`);
    };
    const engine = argValue('--engine') ? (JSON.parse(argValue('--engine')!) as Record<string, unknown>) : undefined;
    const run = runDataset(loaded, {
      onProgress: log,
      ...(threshold !== undefined ? { threshold } : {}),
      ...(engine ? { engine } : {}),
    });
    const floor = exactMatchFloor(loaded);
    const s = run.scores;
    const checks = run.results.map((r) => (r.model.check.ok ? 'ok' : `fallback(${r.model.check.reasons.length})`));
    process.stdout.write(
      `${[
        dataset.name,
        dataset.mode,
        run.records,
        run.candidatePairs,
        s.predicted,
        f3(s.precision),
        f3(s.recall),
        f3(s.f1),
        run.bCubed ? f3(run.bCubed.precision) : '-',
        run.bCubed ? f3(run.bCubed.recall) : '-',
        f3(floor.precision),
        f3(floor.recall),
        checks.join('/'),
        Math.round(run.engineMs),
        Math.round(run.records / (run.engineMs / 1000)),
        mb(process.memoryUsage().rss),
      ].join('\t')}\n`,
    );
    if (process.argv.includes('--verbose')) {
      for (const result of run.results) {
        const st = result.stats;
        process.stdout.write(
          `  timings ${JSON.stringify(st.timingsMs)}\n  rules ${JSON.stringify(st.candidatePairsByRule)}\n  lambda ${result.model.lambda.toFixed(4)} em ${result.model.emIterations} it, refused merges ${st.refusedMerges}\n`,
        );
        if (!result.model.check.ok) process.stdout.write(`  check: ${result.model.check.reasons.join('; ')}\n`);
        for (const t of result.model.trainingSessions)
          process.stdout.write(
            `  session ${t.rule}: ${t.pairs} pairs, lambda ${t.lambda.toFixed(3)}, ${t.iterations} it, fields ${t.fieldsEstimated.join('/')}\n`,
          );
        for (const c of result.model.comparisons) {
          process.stdout.write(
            `  ${c.field}: ${c.levels.map((l) => `${l.label.slice(0, 14)} m=${l.m.toFixed(3)} u=${l.u.toExponential(1)} w=${l.weight.toFixed(1)}`).join(' | ')}\n`,
          );
        }
      }
    }
  }
}

await main();
