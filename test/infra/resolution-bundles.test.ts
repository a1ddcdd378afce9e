/**
 * The Lambda bundles as the CDK stack builds them, from one bundling synthesis (about a minute of esbuild: the
 * template checks of test/infra/functions.test.ts synthesize without it). Every function's bundle loads with only
 * its own environment and keeps the error names the state machines match on. The bundles of the
 * identity-resolution engine: any-ascii's transliteration tables and libphonenumber-js's metadata ship as files
 * next to a bundle (lib/bundle-assets.ts) rather than as code in it, the same files in the CDK assets as in the
 * local bundles, and the bundles stay under the 500 KB target of npm run bench:bundles.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import anyAscii from 'any-ascii';
import { build } from 'esbuild';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_ERROR_NAMES } from '../../functions/domain/workflows/errors.js';
import { LAMBDA_BUNDLING } from '../../functions/platform/bundling.js';
import {
  FUNCTIONS,
  stateMachineAccessOf,
  type FunctionName,
  type FunctionSpec,
} from '../../functions/platform/manifest.js';
import { PROJECT_ROOT } from '../../lib/app.js';
import { afterBundlingCommands, BUNDLE_ASSETS } from '../../lib/bundle-assets.js';
import { ensureBundles, type BuiltBundles } from '../../local/lambda/bundles.js';
import {
  settleRunner,
  synthStage,
  SYNTH_TIMEOUT_MS,
  type CfnResourceJson,
  type SynthesizedStage,
} from './support/synth.js';

const BUDGET_KB = 500;
const TABLES = BUNDLE_ASSETS.find((a) => a.name === 'any-ascii-blocks')!;
const PHONE_METADATA = BUNDLE_ASSETS.find((a) => a.name === 'libphonenumber-metadata')!;
const TRANSLITERATE_MODULE = 'functions/domain/resolution/engine/transliterate/transliterate.ts';
const PHONE_MODULE = 'functions/domain/resolution/engine/phone/phone-metadata.ts';
const STANDARDISE_MODULE = 'functions/domain/resolution/engine/standardise.ts';
/** The connector normalisers put phones in E.164 with the same metadata file. */
const NORMALISE_PHONE_MODULE = 'functions/domain/connectors/normalise/values/contact.ts';
/** Each data folder and the module that reads it: a bundle has the folder exactly when it has the module. */
const READERS = [
  { asset: TABLES, module: TRANSLITERATE_MODULE },
  { asset: PHONE_METADATA, module: PHONE_MODULE },
];
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

/** Sources of a bundle from packages matching `pattern` (a path segment: a local bundle's map names no node_modules). */
const packageSourcesIn = (dir: string, pattern: RegExp) => sourcesOf(dir).filter((src) => pattern.test(src));

beforeAll(async () => {
  await settleRunner();
  s = synthStage({}, { bundle: true });
  local = await ensureBundles();
}, SYNTH_TIMEOUT_MS);

describe("every function's bundle", () => {
  const specs = Object.values(FUNCTIONS) as FunctionSpec[];
  const lambdaOf = (name: FunctionName): CfnResourceJson =>
    s.json.Resources[s.logicalId(s.stack.functions.get(name)!.function)]!;

  const bundleOf = (name: FunctionName) => path.join(cdkDirOf(name), 'index.mjs');

  /** The function's synthesized environment, with references replaced by placeholder strings. */
  const envOf = (name: FunctionName) =>
    Object.fromEntries(
      Object.entries(lambdaOf(name).Properties!.Environment.Variables as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'string'
          ? v
          : k.endsWith('_URL')
            ? 'https://resolved.example.com/'
            : k.endsWith('_ARN')
              ? 'arn:aws:states:eu-west-1:123456789012:stateMachine:x'
              : `resolved-${k.toLowerCase()}`,
      ]),
    );

  it.each(names.map((n) => [n]))('%s bundle loads with only its own environment and exports handler', (name) => {
    // A child process per bundle, with the function's environment and nothing else: a bundle that needs
    // a setting its bindings do not give fails here, as it would at init in Lambda.
    const script = `const m = await import(process.argv[1]); if (typeof m.handler !== 'function') throw new Error('no handler');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, bundleOf(name)], {
      env: { ...envOf(name), NODE_OPTIONS: '', AWS_REGION: 'eu-west-1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('a bundle whose binding variable is missing fails at init, naming it', () => {
    const { TABLE_NAME: _dropped, ...env } = envOf('GetEntity');
    const script = `await import(process.argv[1]);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, bundleOf('GetEntity')], {
      env: { ...env, NODE_OPTIONS: '', AWS_REGION: 'eu-west-1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('GetEntity is missing TABLE_NAME');
  });

  it('keeps error names in the bundles: the gate functions send, and the finish task classifies, the literal ApprovalRejectedError', () => {
    const senders = specs.filter((f) => stateMachineAccessOf(f.name).callbacks).map((f) => f.name);
    expect(senders).toEqual(
      expect.arrayContaining(['DecideApproval', 'ApprovalCallback', 'ApprovalRequest', 'ApprovalRelay']),
    );
    for (const name of [...senders, 'WorkflowFinish'] as FunctionName[]) {
      const code = readFileSync(bundleOf(name), 'utf8');
      expect(code, name).toContain(WORKFLOW_ERROR_NAMES.ApprovalRejected);
    }
  });
});

describe('bundles of the identity-resolution engine', () => {
  const carries = (name: FunctionName, module: string) => sourcesOf(cdkDirOf(name)).some((src) => src.endsWith(module));
  const carriesEngine = (name: FunctionName) => carries(name, TRANSLITERATE_MODULE);
  const bothBuilds = (name: FunctionName) => [cdkDirOf(name), path.dirname(local.files[name])];

  it('include the functions that resolve and match identities', () => {
    expect(names.filter(carriesEngine)).toEqual(
      expect.arrayContaining(['ResolveEntity', 'ResolutionRunWorker', 'ListMatches', 'DecideMatch', 'GetReviewQueue']),
    );
  });

  it("carry none of any-ascii and none of libphonenumber-js's metadata: those are files, not code, in every bundle", () => {
    for (const name of names)
      for (const dir of bothBuilds(name))
        expect(packageSourcesIn(dir, /(^|\/)(any-ascii|libphonenumber-js\/metadata)/), `${name}: ${dir}`).toEqual([]);
  });

  it.each(names.map((n) => [n]))(
    '%s has each data folder next to its bundle exactly when it contains the module that reads it, in the CDK asset and locally',
    (name) => {
      for (const { asset, module } of READERS) {
        const source = treeOf(path.join(PROJECT_ROOT, asset.source));
        for (const dir of bothBuilds(name)) {
          const copied = path.join(dir, asset.name);
          expect(existsSync(copied), `${name}: ${copied}`).toBe(carries(name, module));
          if (existsSync(copied)) expect(treeOf(copied), `${name}: ${copied}`).toEqual(source);
        }
      }
    },
  );

  it('read the phone metadata in every bundle that standardises values (the engine bundles) or normalises synced records', () => {
    for (const name of names)
      expect(carries(name, PHONE_MODULE), name).toBe(
        carries(name, STANDARDISE_MODULE) || carries(name, NORMALISE_PHONE_MODULE),
      );
    expect(names.filter((name) => carries(name, PHONE_MODULE))).toEqual(
      names.filter((name) => carriesEngine(name) || carries(name, NORMALISE_PHONE_MODULE)),
    );
    expect(names.filter((name) => carries(name, NORMALISE_PHONE_MODULE))).toEqual(['SyncPages']);
  });

  // Two more things the engine bundles carried without using them (docs/benchmarks.md): every route's contract,
  // through the manifest that every bundle imports (now functions/platform/api-routes.ts), and the DynamoDB client's
  // endpoint-discovery cache (functions/platform/endpoint-cache.ts replaces it).
  it('carry the route contracts only when they serve a route, and no bundle carries the endpoint-discovery cache', () => {
    for (const name of ['ResolveEntity', 'ResolutionRunWorker'] as FunctionName[])
      for (const dir of bothBuilds(name))
        expect(
          sourcesOf(dir).filter((src) => src.endsWith('schemas/routes.ts')),
          `${name}: ${dir}`,
        ).toEqual([]);
    for (const name of names)
      for (const dir of bothBuilds(name))
        expect(packageSourcesIn(dir, /(^|\/)(@aws-sdk\/endpoint-cache|mnemonist)\//), `${name}: ${dir}`).toEqual([]);
  });

  it(`are each under ${BUDGET_KB} KB, in the CDK asset and locally (npm run bench:bundles)`, () => {
    const over = names
      .filter(carriesEngine)
      .flatMap((name) => bothBuilds(name).map((dir) => ({ name, kb: sizeKb(dir) })))
      .filter((b) => b.kb >= BUDGET_KB)
      .map((b) => `${b.name} ${b.kb.toFixed(0)} KB`);
    expect(over).toEqual([]);
  });
});

describe('bundles of the transliteration and of the phone standardisation with their data copied by the CDK hook', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'modos-engine-data-bundle-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A bundle of `contents` (a module of the project root) built as the Lambdas are, with the CDK hook run after. */
  async function bundle(name: string, contents: string): Promise<string> {
    const dir = path.join(root, name);
    const alias = Object.fromEntries(
      Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => [from, path.join(PROJECT_ROOT, to)]),
    );
    await build({
      ...LAMBDA_BUNDLING,
      alias,
      absWorkingDir: PROJECT_ROOT,
      stdin: { contents, resolveDir: PROJECT_ROOT, loader: 'ts' },
      outfile: path.join(dir, 'index.mjs'),
      // As NodejsFunction with sourceMap: true and sourcesContent: false.
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'error',
    });
    // The commands the NodejsFunction runs after esbuild, in the shell it runs them with.
    for (const command of afterBundlingCommands(PROJECT_ROOT, dir)) execFileSync('bash', ['-c', command]);
    return dir;
  }
  const js = (module: string) => `./${module.replace(/\.ts$/, '.js')}`;

  it('reads the tables next to itself (import.meta.url is the bundle) and gives what anyAscii() gives', async () => {
    const dir = await bundle(
      'transliterate',
      `import { transliterate } from '${js(TRANSLITERATE_MODULE)}';
        process.stdout.write(transliterate(process.argv[2]));`,
    );
    expect(existsSync(path.join(dir, TABLES.name))).toBe(true);
    expect(existsSync(path.join(dir, PHONE_METADATA.name))).toBe(false);

    const text = 'Straße Łódź Київ Ελληνικά 北京 محمد';
    const run = spawnSync(process.execPath, [path.join(dir, 'index.mjs'), text], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(anyAscii(text));
  });

  it('reads the phone metadata next to itself and gives the E.164 numbers the full libphonenumber-js gives', async () => {
    const dir = await bundle(
      'standardise-phone',
      `import { standardisePhone } from '${js(STANDARDISE_MODULE)}';
        const [country, ...values] = process.argv.slice(2);
        process.stdout.write(JSON.stringify(values.map((v) => standardisePhone(v, country))));`,
    );
    expect(existsSync(path.join(dir, PHONE_METADATA.name))).toBe(true);
    expect(packageSourcesIn(dir, /(^|\/)libphonenumber-js\/metadata/)).toEqual([]);

    const values = ['020 7946 0958', '+1 (310) 246-1501', '+49 30 123456', '0049 30 1234567', '12345678', 'x'];
    const run = spawnSync(process.execPath, [path.join(dir, 'index.mjs'), 'GB', ...values], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const expected = values.map((v) => {
      if (v.replace(/\D/g, '').length < 6) return null;
      const parsed = parsePhoneNumberFromString(v, 'GB');
      return parsed?.isPossible() ? parsed.number : v.replace(/\D/g, '');
    });
    expect(JSON.parse(run.stdout)).toEqual(expected);
    expect(expected.slice(0, 2)).toEqual(['+442079460958', '+13102461501']);

    // Deployed without its data folder: the first number fails, naming the error.
    rmSync(path.join(dir, PHONE_METADATA.name), { recursive: true });
    const bare = spawnSync(process.execPath, [path.join(dir, 'index.mjs'), 'GB', '020 7946 0958'], {
      encoding: 'utf8',
    });
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toContain('PhoneMetadataMissingError');
  });
});
