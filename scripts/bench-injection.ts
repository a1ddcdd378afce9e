/**
 * Benchmark of the prompt-injection detector: `npm run bench:injection` (about two minutes on one core; it retrains
 * every model it evaluates, with the shipped recipe of scripts/lib/injection-recipe.ts).
 *
 * Prints TPR, FPR, FPR on the NotInject rows alone, balanced accuracy and per-family figures for
 *   (a) the held-out 30 % of the development file (grouped by near-duplicates, never trained or tuned on),
 *   (b) each leave-one-family-out run (trained without that family, tested on it),
 *   (c) BIPIA with unseen injected instructions and unseen documents (3 folds over both),
 *   (d) the whole development file with the shipped model (trained on it),
 *   (e) a synthetic adversarial set from a generator seed not used in training, with the shipped model,
 * then the latency per text (p50/p95/max, µs) and the size of the weights, with the dataset README's keyword-regex
 * baseline beside. `--quick` runs (a), (d), (e) and the latency only.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  DETECTOR_VERSION,
  INJECTION_THRESHOLD,
  detectInjection,
  scoreText,
} from '../functions/domain/security/injection/detector.js';
import type { Weights } from '../functions/domain/security/injection/model.js';
import { sigmoid } from '../functions/domain/security/injection/model.js';
import { tokenise } from '../functions/domain/security/injection/text-structure.js';
import { generateInjections } from './lib/gen-injections.js';
import { type DevRow, holdoutSplit, readDevRows, unitHash } from './lib/injection-dataset.js';
import { type Metrics, type Scored, metricsAt, percentile } from './lib/injection-metrics.js';
import { TRAIN_SEED, runRecipe } from './lib/injection-recipe.js';
import { WEIGHTS_MODULE } from './train-injection.js';

/** The generator seed of the adversarial set: not the training seed. */
export const ADVERSARIAL_SEED = 424242;

const BASELINE = 'keyword regex baseline (dataset README, whole dev file): TPR 0.47, FPR 0.017, balanced accuracy 0.73';

const pct = (x: number | undefined): string => (x === undefined ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);

function report(title: string, m: Metrics, threshold: number): void {
  process.stdout.write(
    `\n${title}\n  rows ${m.n} (${m.positives} injected, ${m.negatives} benign), threshold ${threshold.toFixed(3)}\n` +
      `  TPR ${pct(m.tpr)}  FPR ${pct(m.fpr)}  FPR notinject ${pct(m.fprNotinject)}  balanced accuracy ${
        m.balancedAccuracy === undefined ? '-' : m.balancedAccuracy.toFixed(3)
      }\n`,
  );
  for (const [name, f] of Object.entries(m.families)) {
    const parts = [`n ${String(f.n).padStart(4)}`];
    if (f.recall !== undefined) parts.push(`recall ${pct(f.recall)}`);
    if (f.fpr !== undefined) parts.push(`FPR ${pct(f.fpr)}`);
    process.stdout.write(`    ${name.padEnd(34)} ${parts.join('  ')}\n`);
  }
}

const asReal = (rows: readonly DevRow[]) =>
  rows.map((r) => ({ text: r.text, label: r.label, group: r.group, real: true }));

const scoreRows = (weights: Weights, rows: readonly { text: string; label: 0 | 1; family: string }[]): Scored[] =>
  rows.map((r) => ({ label: r.label, family: r.family, score: sigmoid(scoreText(weights, r.text).logit) }));

/** The BIPIA instruction of an injected row: its words absent from the clean documents of its group. */
function bipiaInstructions(rows: readonly DevRow[]): Map<DevRow, string> {
  const clean = new Map<string, Set<string>>();
  for (const r of rows) {
    if (r.family !== 'bipia' || r.label !== 0) continue;
    const s = clean.get(r.group) ?? new Set<string>();
    for (const t of tokenise(r.text)) s.add(t);
    clean.set(r.group, s);
  }
  const keyOf = new Map<DevRow, string[]>();
  for (const r of rows) {
    if (r.family !== 'bipia' || r.label !== 1) continue;
    const c = clean.get(r.group) ?? new Set<string>();
    keyOf.set(r, [...new Set(tokenise(r.text))].filter((t) => !c.has(t) && !/^\d+$/.test(t)).sort());
  }
  // One instruction inserted into different documents leaves slightly different word sets: join those sharing
  // half of their words.
  const keys = [...keyOf.values()];
  const root = keys.map((_, i) => i);
  const find = (i: number): number => (root[i] === i ? i : (root[i] = find(root[i]!)));
  for (let a = 0; a < keys.length; a++) {
    const A = new Set(keys[a]);
    for (let b = a + 1; b < keys.length; b++) {
      const inter = keys[b]!.filter((x) => A.has(x)).length;
      if (inter / (A.size + keys[b]!.length - inter) >= 0.5) root[find(a)] = find(b);
    }
  }
  return new Map([...keyOf.keys()].map((r, i) => [r, `instruction-${find(i)}`]));
}

function timeIt<T>(f: () => T): { value: T; seconds: number } {
  const t0 = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const started = performance.now();
  const dev = readDevRows();
  process.stdout.write(`prompt-injection benchmark — detector ${DETECTOR_VERSION}, threshold ${INJECTION_THRESHOLD}\n`);
  process.stdout.write(`${BASELINE}\n`);

  // (a) held-out split
  const { train, holdout } = holdoutSplit(dev);
  const a = timeIt(() => runRecipe(asReal(train)));
  report(
    `(a) held-out split of dev.jsonl: trained on ${train.length} rows + synthetic seed ${TRAIN_SEED}, tested on ${holdout.length} (${a.seconds.toFixed(0)} s to train)`,
    metricsAt(scoreRows(a.value.weights, holdout), a.value.threshold),
    a.value.threshold,
  );

  if (!quick) {
    // (b) leave one family out
    for (const family of ['bipia', 'tensor-trust', 'giskard', 'notinject', 'wildguard']) {
      const b = timeIt(() => runRecipe(asReal(dev.filter((r) => r.family !== family))));
      report(
        `(b) leave out ${family}: trained on the other families + synthetic, tested on ${family} (${b.seconds.toFixed(0)} s)`,
        metricsAt(
          scoreRows(
            b.value.weights,
            dev.filter((r) => r.family === family),
          ),
          b.value.threshold,
        ),
        b.value.threshold,
      );
    }

    // (c) BIPIA: unseen instructions and unseen documents
    const instructionOf = bipiaInstructions(dev);
    const folds = 3;
    const scored: Scored[] = [];
    const thresholds: number[] = [];
    let seconds = 0;
    for (let k = 0; k < folds; k++) {
      const docFold = (r: DevRow) => Math.floor(unitHash(r.group, 5) * folds);
      const instFold = (r: DevRow) => Math.floor(unitHash(instructionOf.get(r)!, 9) * folds);
      const trainRows: DevRow[] = [];
      const testRows: DevRow[] = [];
      for (const r of dev) {
        if (r.family !== 'bipia') trainRows.push(r);
        else if (r.label === 0) (docFold(r) === k ? testRows : trainRows).push(r);
        else if (docFold(r) === k && instFold(r) === k) testRows.push(r);
        else if (docFold(r) !== k && instFold(r) !== k) trainRows.push(r);
      }
      const c = timeIt(() => runRecipe(asReal(trainRows)));
      seconds += c.seconds;
      thresholds.push(c.value.threshold);
      for (const s of metricsAtRows(c.value.weights, testRows, c.value.threshold)) scored.push(s);
    }
    report(
      `(c) BIPIA, unseen instructions and documents (${folds} folds; ${seconds.toFixed(0)} s)`,
      metricsAt(scored, 0.5),
      thresholds.reduce((x, y) => x + y, 0) / folds,
    );
  }

  // (d) the whole file with the shipped model
  const shippedRows = dev.map((r) => ({ label: r.label, family: r.family, score: detectInjection(r.text).score }));
  report(
    '(d) whole dev.jsonl with the shipped model (TRAINED ON: not a test)',
    metricsAt(shippedRows, INJECTION_THRESHOLD),
    INJECTION_THRESHOLD,
  );

  // (e) synthetic adversarial set from an unseen seed
  const adversarial = generateInjections({ seed: ADVERSARIAL_SEED, size: 4000 });
  const adv = adversarial.map((g) => ({
    label: g.label,
    family: g.family.split('/').slice(0, 2).join('/'),
    score: detectInjection(g.text).score,
  }));
  report(
    `(e) synthetic adversarial set, generator seed ${ADVERSARIAL_SEED} (training used ${TRAIN_SEED})`,
    metricsAt(adv, INJECTION_THRESHOLD),
    INJECTION_THRESHOLD,
  );

  // latency and size
  const texts = [...dev.map((r) => r.text), ...adversarial.map((g) => g.text)];
  for (const t of texts.slice(0, 200)) detectInjection(t);
  const micros: number[] = [];
  const cpu0 = process.cpuUsage();
  for (const t of texts) {
    const t0 = performance.now();
    detectInjection(t);
    micros.push((performance.now() - t0) * 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  micros.sort((x, y) => x - y);
  const fourKb = texts.filter((t) => t.length >= 3500 && t.length <= 4500);
  const big: number[] = [];
  const bigCpu0 = process.cpuUsage();
  for (const t of fourKb) {
    const t0 = performance.now();
    detectInjection(t);
    big.push((performance.now() - t0) * 1000);
  }
  const bigCpu = process.cpuUsage(bigCpu0);
  big.sort((x, y) => x - y);
  const huge = 'Quarterly notes. '.repeat(12_000);
  const tHuge = timeIt(() => detectInjection(huge));
  // Shapes that make careless regular expressions quadratic: long runs without spaces, blank lines, repeats.
  const shapes = [
    'a.'.repeat(10_000),
    'abcdefghij'.repeat(5_000),
    'QUJD'.repeat(10_000),
    `${'\n'.repeat(50_000)}say "hi"`,
    ' '.repeat(100_000),
    '"a", '.repeat(5_000),
    '| a '.repeat(10_000),
    `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  ];
  const slowest = Math.max(...shapes.map((t) => timeIt(() => detectInjection(t)).seconds * 1000));
  const module = readFileSync(WEIGHTS_MODULE, 'utf8');
  process.stdout.write(
    `\nlatency per text (${micros.length} texts, median ${percentile(
      texts.map((t) => t.length).sort((x, y) => x - y),
      50,
    )} chars): p50 ${percentile(micros, 50).toFixed(0)} µs, p95 ${percentile(micros, 95).toFixed(0)} µs, max ${micros[
      micros.length - 1
    ]!.toFixed(0)} µs (wall clock); CPU time ${((cpu.user + cpu.system) / micros.length).toFixed(0)} µs per text\n` +
      `latency of 3.5-4.5 KB texts (${big.length}): p50 ${percentile(big, 50).toFixed(0)} µs, p95 ${percentile(big, 95).toFixed(0)} µs (wall); CPU ${((bigCpu.user + bigCpu.system) / Math.max(1, big.length)).toFixed(0)} µs per text\n` +
      `a ${huge.length}-character text (windowed, capped): ${(tHuge.seconds * 1000).toFixed(1)} ms; the slowest of ${shapes.length} pathological shapes (10-100 K characters of runs, repeats, blank lines): ${slowest.toFixed(1)} ms\n` +
      `weights: ${module.length} bytes of module (${WEIGHTS_MODULE})\n` +
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other work on the machine inflates wall-clock figures)\n` +
      `total ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

function metricsAtRows(weights: Weights, rows: readonly DevRow[], threshold: number): Scored[] {
  // Scores are re-expressed against 0.5 so that folds with different thresholds can be pooled.
  return scoreRows(weights, rows).map((s) => ({ ...s, score: s.score >= threshold ? 1 : 0 }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
