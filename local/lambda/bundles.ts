import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
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

/** Every file that can change a bundle: the sources esbuild reads, the lock file and the build settings. */
function inputFiles(): string[] {
  const files: string[] = [join(ROOT, 'package-lock.json'), join(ROOT, 'tsconfig.json')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|js|mjs|json)$/.test(entry.name)) files.push(path);
    }
  };
  walk(join(ROOT, 'functions'));
  walk(join(ROOT, 'schemas'));
  return files.sort();
}

/** Hash of the bundle inputs: the same sources, lock file and settings give the same bundles. */
export function bundleInputsHash(): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(LAMBDA_BUNDLING));
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
 * ESM, node22, minified with names kept, the SDK bundled, the env credential provider), built once per
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
      }),
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
