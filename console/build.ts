/**
 * Builds the operator console (console/src, Preact with htm) into a folder of static files with esbuild:
 * `index.html`, `app-<hash>.js`, `app-<hash>.css`. Hashed names are immutable (cached for a year); `index.html` and
 * `config.json` are not cached. The same build is served by the local platform at `/` (local/api-server.ts) and
 * deployed to the console bucket behind CloudFront (lib/constructs/console-hosting.ts).
 *
 * `config.json` is not part of the build: the runtime writes it (locally the API server answers it, in AWS the
 * deployment writes it next to `index.html`) with the shape of `ConsoleConfig` (console/src/config.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const CONSOLE_ROOT = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CONSOLE_OUT = join(CONSOLE_ROOT, 'dist');

export interface ConsoleBuild {
  outDir: string;
  /** Every file written, relative to outDir, with its size and gzipped size. */
  files: { name: string; bytes: number; gzipBytes: number }[];
  /** Sum over the files the browser loads for the first view (index.html, the script, the stylesheet). */
  gzipBytes: number;
}

const hash = (data: Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 10);

export async function buildConsole(options: { outDir?: string; minify?: boolean } = {}): Promise<ConsoleBuild> {
  const outDir = resolve(options.outDir ?? DEFAULT_CONSOLE_OUT);
  const result = await build({
    entryPoints: [join(CONSOLE_ROOT, 'src/main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    // Sources, not code: a console bundle never carries Node built-ins or an SDK.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    outdir: outDir,
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!js) throw new Error('console build produced no script');
  const css = readFileSync(join(CONSOLE_ROOT, 'src/styles.css'));
  const jsName = `app-${hash(js.contents)}.js`;
  const cssName = `app-${hash(css)}.css`;
  const template = readFileSync(join(CONSOLE_ROOT, 'index.html'), 'utf8');
  const index = template.replace('%APP_JS%', `/${jsName}`).replace('%APP_CSS%', `/${cssName}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const out: [string, Uint8Array][] = [
    ['index.html', Buffer.from(index)],
    [jsName, js.contents],
    [cssName, css],
  ];
  const files = out.map(([name, data]) => {
    writeFileSync(join(outDir, name), data);
    return { name, bytes: data.byteLength, gzipBytes: gzipSync(data, { level: 9 }).byteLength };
  });
  return { outDir, files, gzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0) };
}
