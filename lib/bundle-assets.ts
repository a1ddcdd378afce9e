/**
 * Data files a Lambda reads at run time instead of carrying them in its bundle, copied next to its `index.mjs` by the
 * CDK stack (a NodejsFunction `afterBundling` hook, lib/constructs/modos-function.ts) and by the local bundles
 * (local/lambda/bundles.ts) with the same script, so what runs locally is what deploys. No CDK import here: the local
 * runtime reads this module too.
 *
 * A bundle gets a folder only when its code names it: the module that reads a folder finds it with
 * `new URL('./<name>/', import.meta.url)`, and that literal is in the bundle exactly when the module is (minifying
 * keeps string literals). test/infra/resolution-bundles.test.ts checks both builds give the same folders.
 */
export interface BundleAsset {
  /** The folder's name next to `index.mjs`, as the module that reads it names it. */
  name: string;
  /** The folder in the repository, relative to the project root. */
  source: string;
}

export const BUNDLE_ASSETS: readonly BundleAsset[] = [
  // any-ascii's transliteration tables, one file per Unicode block, read when a string first uses the block
  // (functions/domain/resolution/engine/transliterate/transliterate.ts).
  { name: 'any-ascii-blocks', source: 'functions/domain/resolution/engine/transliterate/any-ascii-blocks' },
  // libphonenumber-js's metadata (metadata.min.json), read when a first phone number is standardised
  // (functions/domain/resolution/engine/phone/phone-metadata.ts).
  { name: 'libphonenumber-metadata', source: 'functions/domain/resolution/engine/phone/libphonenumber-metadata' },
];

/**
 * `node -e` script, arguments: source folder, bundle folder, asset name. Copies the folder into the bundle folder when
 * the bundle names it. CommonJS (what `node -e` runs) without double quotes, `$` or backticks, so that it can stand in
 * double quotes in the shell the CDK runs its hooks with (bash locally and in the bundling image).
 */
export const COPY_ASSET_SCRIPT = [
  "const fs = require('node:fs'), path = require('node:path');",
  'const [source, outDir, name] = process.argv.slice(1);',
  "const code = fs.readFileSync(path.join(outDir, 'index.mjs'), 'utf8');",
  "if (code.includes('./' + name + '/')) fs.cpSync(source, path.join(outDir, name), { recursive: true });",
].join(' ');

/** The commands of the NodejsFunction `afterBundling` hook: one copy per asset, into the bundle folder. */
export function afterBundlingCommands(inputDir: string, outputDir: string): string[] {
  return BUNDLE_ASSETS.map(
    (a) => `node -e "${COPY_ASSET_SCRIPT}" "${inputDir}/${a.source}" "${outputDir}" "${a.name}"`,
  );
}

/** The same copy for a bundle built outside the CDK: `node` with the same script and arguments. */
export function copyAssetArgs(projectRoot: string, outDir: string): string[][] {
  return BUNDLE_ASSETS.map((a) => ['-e', COPY_ASSET_SCRIPT, `${projectRoot}/${a.source}`, outDir, a.name]);
}
