/**
 * The Chromium the console's browser tests and `npm run bench:console` drive (playwright-core, which brings no
 * browser of its own and is never asked to download one):
 *   npm run -s ensure:chromium
 * Takes `$MODOS_CHROMIUM` when set, else `/usr/bin/chromium` or `/usr/bin/chromium-headless-shell`; when there is
 * none, installs Debian's `chromium` package with apt-get (through `sudo -n` when not root; `apt-get update` and a
 * second try when the first install fails). Prints what it found or did; fails with what to install when it cannot.
 * `.ci/run` runs it before `npm test`, and the browser tests' global setup calls `ensureChromium()`.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Debian's packages put Chromium: `chromium`, and `chromium-headless-shell` (the headless build). */
export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-headless-shell'] as const;

export class ChromiumMissingError extends Error {
  override readonly name = 'ChromiumMissingError';
}

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const HOW_TO_INSTALL =
  "install Debian's Chromium (as root: apt-get update && apt-get install -y chromium), " +
  'or set MODOS_CHROMIUM to a Chromium or Chrome executable';

export interface EnsureChromiumOptions {
  /** Where to look first (default `$MODOS_CHROMIUM`). */
  override?: string;
  /** Where to look then (default CHROMIUM_PATHS). */
  paths?: readonly string[];
  /** Whether a missing Chromium is installed with apt-get (default true). */
  install?: boolean;
  /** Each thing done, one line (default: none). */
  log?: (line: string) => void;
}

export interface FoundChromium {
  executablePath: string;
  /** `found` where it was, `installed` by apt-get now. */
  how: 'found' | 'installed';
}

const find = (paths: readonly string[]) => paths.find(executable);

/** Runs apt-get as root (directly, or through `sudo -n`, which fails rather than asks for a password). */
function aptGet(args: string[], log: (line: string) => void): boolean {
  const asRoot = process.getuid?.() === 0;
  const [command, ...rest] = asRoot ? ['apt-get', ...args] : ['sudo', '-n', 'apt-get', ...args];
  log(`chromium: ${[command, ...rest].join(' ')}`);
  // apt's own output goes to stderr, so the command's stdout stays what it found.
  const r = spawnSync(command!, rest, {
    stdio: ['ignore', 2, 2],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error) log(`chromium: ${command} could not run: ${r.error.message}`);
  return r.status === 0;
}

/**
 * The Chromium executable to drive: `override` (MODOS_CHROMIUM) if set, which must then exist; else the first of
 * `paths`; else Debian's `chromium` installed now. Throws ChromiumMissingError saying what to install.
 */
export function ensureChromium(options: EnsureChromiumOptions = {}): FoundChromium {
  const log = options.log ?? (() => undefined);
  const override = options.override ?? process.env.MODOS_CHROMIUM;
  if (override) {
    if (!executable(override))
      throw new ChromiumMissingError(`MODOS_CHROMIUM is ${override}, which is not an executable file`);
    return { executablePath: override, how: 'found' };
  }
  const paths = options.paths ?? CHROMIUM_PATHS;
  const found = find(paths);
  if (found) return { executablePath: found, how: 'found' };
  if (options.install === false)
    throw new ChromiumMissingError(`no Chromium at ${paths.join(' or ')}: ${HOW_TO_INSTALL}`);
  if (!executable('/usr/bin/apt-get'))
    throw new ChromiumMissingError(
      `no Chromium at ${paths.join(' or ')} and no apt-get to install it: ${HOW_TO_INSTALL}`,
    );
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  // The package lists may be missing or stale on a fresh machine: refresh them once and try again.
  const installed = aptGet(install, log) || (aptGet(['update'], log) && aptGet(install, log));
  const after = find(paths);
  if (!installed || !after)
    throw new ChromiumMissingError(
      `no Chromium at ${paths.join(' or ')} and apt-get could not install it` +
        `${process.getuid?.() === 0 ? '' : ' (not root, and sudo -n was refused)'}: ${HOW_TO_INSTALL}`,
    );
  return { executablePath: after, how: 'installed' };
}

/** The browser's own version line (`Chromium 150.0.7871.100 built on Debian …`), or undefined if it does not run. */
export function chromiumVersion(executablePath: string): string | undefined {
  const r = spawnSync(executablePath, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim().split('\n').pop() : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { executablePath, how } = ensureChromium({ log: (line) => process.stderr.write(`${line}\n`) });
    const version = chromiumVersion(executablePath);
    if (!version)
      throw new ChromiumMissingError(`${executablePath} does not run (--version failed): ${HOW_TO_INSTALL}`);
    process.stdout.write(
      `chromium: ${executablePath} (${how === 'found' ? 'found' : "installed Debian's chromium"}; ${version})\n`,
    );
  } catch (error) {
    process.stderr.write(`ensure-chromium: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
