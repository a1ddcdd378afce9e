/**
 * Trains the product's prompt-injection detector and writes its weights module:
 *   npm run -s train:injection [-- --check]
 *
 * Data: the whole shared development file (`../shared/datasets/prompt-injection/dev.jsonl`, read here, never copied)
 * and the seeded synthetic generator (scripts/lib/gen-injections.ts, TRAIN_SEED). The threshold is chosen on
 * out-of-fold scores of the development rows (grouped folds), with the shipped weight format (pruned, int8).
 * Deterministic: the same inputs give the same file. Writes
 * functions/domain/security/injection/weights.generated.ts; `--check` only reports whether it would change.
 * Takes about half a minute on one core.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type PackedWeights, packWeights, unpackWeights } from '../functions/domain/security/injection/model.js';
import { readDevRows } from './lib/injection-dataset.js';
import { runRecipe } from './lib/injection-recipe.js';

export const WEIGHTS_MODULE = 'functions/domain/security/injection/weights.generated.ts';

/** The module text for a trained model. */
export function weightsModule(packed: PackedWeights, threshold: number, trainedOn: string): string {
  const hash = createHash('sha256').update(JSON.stringify({ packed, threshold })).digest('hex').slice(0, 12);
  const lines = [
    '/**',
    " * The prompt-injection detector's weights, written by scripts/train-injection.ts (`npm run -s train:injection`).",
    ' * Generated: do not edit. See docs/injection-defence.md for how they are trained.',
    ' */',
    "import type { PackedWeights } from './model.js';",
    '',
    'export const MODEL: { version: string; threshold: number; trainedOn: string; weights: PackedWeights } = {',
    `  version: 'mil-lr-${hash}',`,
    `  threshold: ${threshold},`,
    `  trainedOn: '${trainedOn}',`,
    '  weights: {',
    `    bits: ${packed.bits},`,
    `    scale: ${packed.scale},`,
    `    count: ${packed.count},`,
    `    indices:\n      '${packed.indices}',`,
    `    values:\n      '${packed.values}',`,
    '  },',
    '};',
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const t0 = performance.now();
  const dev = readDevRows();
  const result = runRecipe(
    dev.map((r) => ({ text: r.text, label: r.label, group: r.group, real: true, kind: r.family })),
  );
  const trainedOn = `dev.jsonl (${dev.length} rows) + synthetic seed ${result.syntheticSeed} (${result.syntheticCount})`;
  const text = weightsModule(result.packed, result.threshold, trainedOn);
  const roundTrip = unpackWeights(result.packed);
  let nonZero = 0;
  for (const v of roundTrip) if (v !== 0) nonZero++;
  const current = (() => {
    try {
      return readFileSync(WEIGHTS_MODULE, 'utf8');
    } catch {
      return '';
    }
  })();
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(
    `${JSON.stringify({
      threshold: result.threshold,
      weights: nonZero,
      moduleBytes: text.length,
      oof: result.oofMetrics,
      seconds: Number(seconds),
      changed: text !== current,
    })}\n`,
  );
  if (!check) writeFileSync(WEIGHTS_MODULE, text);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
