/**
 * The bundles of the identity-resolution engine: any-ascii's transliteration tables ship as files next to a bundle
 * (lib/bundle-assets.ts) rather than as code in it, the same files in the CDK assets as in the local bundles, and
 * the bundles stay under the 500 KB target of npm run bench:bundles.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import anyAscii from 'any-ascii';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLING } from '../../functions/platform/bundling.js';
import { FUNCTIONS, type FunctionName } from '../../functions/platform/manifest.js';
import { PROJECT_ROOT } from '../../lib/app.js';
import { afterBundlingCommands, BUNDLE_ASSETS } from '../../lib/bundle-assets.js';
import { ensureBundles, type BuiltBundles } from '../../local/lambda/bundles.js';
import { synthStage, SYNTH_TIMEOUT_MS, type CfnResourceJson, type SynthesizedStage } from './support/synth.js';

const BUDGET_KB = 500;
const TABLES = BUNDLE_ASSETS.find((a) => a.name === 'any-ascii-blocks')!;
const TRANSLITERATE_MODULE = 'functions/domain/resolution/engine/transliterate/transliterate.ts';
const names = Object.keys(FUNCTIONS) as FunctionName[];

let s: SynthesizedStage;
let local: BuiltBundles;

/** The folder of the function's CDK asset (its index.mjs, source map and copied folders). */
function cdkDirOf(name: FunctionName): string {
  const id = s.logicalId(s.stack.functions.get(name)!.function);
  const fn = s.json.Resources[id] as CfnResourceJson & { Metadata?: Record<string, string> };
  return path.join(s.assemblyDir, fn.Metadata!['aws:asset:path']!);
}

/** What the bundle was built from, by its source map (independent of the rule that decides the copies). */
const sourcesOf = (dir: string): string[] =>
  (JSON.parse(readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;

/** Relative path → SHA-256 of every file under a folder. */
function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const sizeKb = (dir: string) => statSync(path.join(dir, 'index.mjs')).size / 1024;

describe('bundles of the identity-resolution engine', () => {
  beforeAll(async () => {
    s = synthStage({}, { bundle: true });
    local = await ensureBundles();
  }, SYNTH_TIMEOUT_MS);

  const carriesEngine = (name: FunctionName) =>
    sourcesOf(cdkDirOf(name)).some((src) => src.endsWith(TRANSLITERATE_MODULE));

  it('include the functions that resolve and match identities', () => {
    expect(names.filter(carriesEngine)).toEqual(
      expect.arrayContaining(['ResolveEntity', 'ResolutionRunWorker', 'ListMatches', 'DecideMatch']),
    );
  });

  it('carry none of any-ascii: its tables are files, not code, in every bundle built here or by the CDK', () => {
    for (const name of names) {
      for (const dir of [cdkDirOf(name), path.dirname(local.files[name])]) {
        expect(
          sourcesOf(dir).filter((src) => src.includes('node_modules/any-ascii/')),
          `${name}: ${dir}`,
        ).toEqual([]);
      }
    }
  });

  it.each(names.map((n) => [n]))(
    '%s has the tables next to its bundle exactly when it contains the engine, the same in the CDK asset and locally',
    (name) => {
      const source = treeOf(path.join(PROJECT_ROOT, TABLES.source));
      for (const dir of [cdkDirOf(name), path.dirname(local.files[name])]) {
        const copied = path.join(dir, TABLES.name);
        expect(existsSync(copied), `${name}: ${copied}`).toBe(carriesEngine(name));
        if (existsSync(copied)) expect(treeOf(copied), `${name}: ${copied}`).toEqual(source);
      }
    },
  );

  // Known to fail: without any-ascii the engine bundles measure about 560–590 KB. Most of what they add to the other
  // bundles is libphonenumber-js (123 KB, 80 KB of it metadata), which standardise.ts imports; docs/benchmarks.md has
  // the figures. This starts failing when they all fit: make it an `it` then.
  it.fails(`are each under ${BUDGET_KB} KB, in the CDK asset and locally (npm run bench:bundles)`, () => {
    const over = names
      .filter(carriesEngine)
      .flatMap((name) => [cdkDirOf(name), path.dirname(local.files[name])].map((dir) => ({ name, kb: sizeKb(dir) })))
      .filter((b) => b.kb >= BUDGET_KB)
      .map((b) => `${b.name} ${b.kb.toFixed(0)} KB`);
    expect(over).toEqual([]);
  });
});

describe('a bundle of the transliteration with its tables copied by the CDK hook', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'modos-transliteration-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads them next to itself (import.meta.url is the bundle) and gives what anyAscii() gives', async () => {
    const alias = Object.fromEntries(
      Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => [from, path.join(PROJECT_ROOT, to)]),
    );
    await build({
      ...LAMBDA_BUNDLING,
      alias,
      absWorkingDir: PROJECT_ROOT,
      stdin: {
        contents: `import { transliterate } from './${TRANSLITERATE_MODULE.replace(/\.ts$/, '.js')}';
          process.stdout.write(transliterate(process.argv[2]));`,
        resolveDir: PROJECT_ROOT,
        loader: 'ts',
      },
      outfile: path.join(dir, 'index.mjs'),
      logLevel: 'error',
    });
    // The commands the NodejsFunction runs after esbuild, in the shell it runs them with.
    for (const command of afterBundlingCommands(PROJECT_ROOT, dir)) execFileSync('bash', ['-c', command]);
    expect(existsSync(path.join(dir, TABLES.name))).toBe(true);

    const text = 'Straße Łódź Київ Ελληνικά 北京 محمد';
    const run = spawnSync(process.execPath, [path.join(dir, 'index.mjs'), text], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(anyAscii(text));
  });
});
