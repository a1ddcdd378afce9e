import { chromiumVersion, ensureChromium } from '../../scripts/ensure-chromium.js';

/**
 * Before any browser test file: Chromium is there (installed with apt-get if it was not, as `.ci/run` does before
 * `npm test`), and it runs. Without it the run stops at once with what to install.
 */
export default function setup(): void {
  const { executablePath, how } = ensureChromium({ log: (line) => process.stderr.write(`${line}\n`) });
  const version = chromiumVersion(executablePath);
  if (!version) throw new Error(`${executablePath} does not run (--version failed): reinstall Debian's chromium`);
  if (how === 'installed') process.stderr.write(`chromium: installed ${version}\n`);
}
