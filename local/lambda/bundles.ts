import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUNDLE_ASSETS, COPY_ASSET_SCRIPT, copyAssetArgs } from '../../lib/bundle-assets.js';
import { LAMBDA_BUNDLING } from '../../functions/platform/bundling.js';
import { FUNCTIONS, type FunctionName } from '../../functions/platform/manifest.js';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Where built bundles are cached, one folder per content hash (kept out of the data folder: tests use
 * fresh ones). `MODOS_BUNDLE_CACHE_DIR` moves it.
 */
export const BUNDLE_CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'modos-bundles');

/** How many cached builds are kept (the newest ones). */
const KEEP_BUILDS = 3;

export interface BuiltBundles {
  /** Content hash of the inputs. */
  hash: string;
  dir: string;
  /** Function → absolute path of its ESM bundle. */
  files: Record<FunctionName, string>;
  /** True when the bundles came from the cache. */
  cached: boolean;
  ms: number;
}

/**
 * Every file that can change a bundle: the sources esbuild reads, the lock file, the build settings and the data
 * folders copied next to the bundles.
 */
function inputFiles(): string[] {
  const files = new Set<string>([join(ROOT, 'package-lock.json'), join(ROOT, 'tsconfig.json')]);
  const walk = (dir: string, take: (name: string) => boolean) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, take);
      else if (take(entry.name)) files.add(path);
    }
  };
  const source = (name: string) => /\.(ts|mts|js|mjs|json)$/.test(name);
  walk(join(ROOT, 'functions'), source);
  walk(join(ROOT, 'schemas'), source);
  for (const asset of BUNDLE_ASSETS) walk(join(ROOT, asset.source), () => true);
  return [...files].sort();
}

/** Hash of the bundle inputs: the same sources, lock file and settings give the same bundles. */
export function bundleInputsHash(): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(LAMBDA_BUNDLING));
  h.update(JSON.stringify([BUNDLE_ASSETS, COPY_ASSET_SCRIPT]));
  h.update(JSON.stringify(Object.values(FUNCTIONS).map((f) => [f.name, f.entry])));
  for (const file of inputFiles()) {
    h.update(relative(ROOT, file));
    h.update('\0');
    h.update(readFileSync(file));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 20);
}

const bundlePath = (dir: string, name: string) => join(dir, name, 'index.mjs');

/**
 * The Lambda bundles exactly as the CDK stack builds them (functions/platform/bundling.ts: esbuild,
 * ESM, node22, minified with names kept, the SDK bundled, the env credential provider; the data folders of
 * lib/bundle-assets.ts next to the bundles that read them), built once per
 * content hash and reused: a second start with unchanged sources builds nothing. A build is written to a
 * temporary folder and renamed into place, so concurrent starts (parallel test files) never see half a build.
 */
export async function ensureBundles(options: { cacheDir?: string } = {}): Promise<BuiltBundles> {
  const t0 = Date.now();
  const cacheDir = options.cacheDir ?? process.env.MODOS_BUNDLE_CACHE_DIR ?? BUNDLE_CACHE_DIR;
  const hash = bundleInputsHash();
  const dir = join(cacheDir, hash);
  const names = Object.keys(FUNCTIONS) as FunctionName[];
  const files = Object.fromEntries(names.map((n) => [n, bundlePath(dir, n)])) as Record<FunctionName, string>;
  if (existsSync(join(dir, 'complete'))) return { hash, dir, files, cached: true, ms: Date.now() - t0 };

  mkdirSync(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `.tmp-${hash}-${process.pid}-${Date.now()}`);
  const alias = Object.fromEntries(Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => [from, join(ROOT, to)]));
  await Promise.all(
    names.map((name) =>
      build({
        ...LAMBDA_BUNDLING,
        alias,
        absWorkingDir: ROOT,
        entryPoints: [join(ROOT, FUNCTIONS[name].entry)],
        outfile: bundlePath(tmp, name),
        // As NodejsFunction with sourceMap: true and sourcesContent: false.
        sourcemap: true,
        sourcesContent: false,
        logLevel: 'error',
      }).then(() => copyBundleAssets(dirname(bundlePath(tmp, name)))),
    ),
  );
  writeFileSync(join(tmp, 'complete'), new Date().toISOString());
  try {
    renameSync(tmp, dir);
  } catch (error) {
    // Another process finished the same build first: use it.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, 'complete'))) throw error;
  }
  pruneOldBuilds(cacheDir, hash);
  return { hash, dir, files, cached: false, ms: Date.now() - t0 };
}

const execFileAsync = promisify(execFile);

/**
 * The data folders the bundle names, copied next to it by the script the CDK stack's `afterBundling` hook runs
 * (lib/bundle-assets.ts), with the same `node` arguments. Only bundles that name one start that process at all (most
 * name none; the script checks again).
 */
async function copyBundleAssets(outDir: string): Promise<void> {
  const code = readFileSync(join(outDir, 'index.mjs'), 'utf8');
  if (!BUNDLE_ASSETS.some((a) => code.includes(`./${a.name}/`))) return;
  for (const args of copyAssetArgs(ROOT, outDir)) await execFileAsync(process.execPath, args);
}

function pruneOldBuilds(cacheDir: string, keep: string): void {
  const builds = readdirSync(cacheDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== keep)
    .map((d) => ({ path: join(cacheDir, d.name), mtime: statSync(join(cacheDir, d.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of builds.slice(KEEP_BUILDS - 1)) rmSync(old.path, { recursive: true, force: true });
  // Temporary folders of builds that died more than an hour ago.
  for (const d of readdirSync(cacheDir, { withFileTypes: true })) {
    const path = join(cacheDir, d.name);
    if (d.name.startsWith('.tmp-') && Date.now() - statSync(path).mtimeMs > 3_600_000)
      rmSync(path, { recursive: true, force: true });
  }
}
