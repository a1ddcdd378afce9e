/** Layer rules (CONVENTIONS.md), checked on every `npm test`. */

/**
 * The platform spec: the pure data modules of functions/platform/ that the CDK app (lib/) builds from and the
 * local runtime reads too. Everything else in functions/platform/ (config, clients, composition, middleware)
 * is the Lambda side's composition root.
 */
const PLATFORM_SPEC = [
  'manifest',
  'api-routes',
  'bindings',
  'bundling',
  'tenant-limits',
  'table-definition',
  'blob-areas',
];
const PLATFORM_SPEC_PATH = `^functions/platform/(${PLATFORM_SPEC.join('|')})\\.ts$`;

module.exports = {
  forbidden: [
    {
      name: 'domain-is-plain-typescript',
      comment:
        'functions/domain holds business logic only: no SDKs, no middleware, no adapters, handlers, platform or local runtime.',
      severity: 'error',
      from: { path: '^functions/domain/' },
      to: {
        path: [
          '^functions/(adapters|handlers|platform)/',
          '^local/',
          '^lib/',
          '@aws-sdk/',
          '@anthropic-ai/',
          '@middy/',
          'aws-cdk-lib',
          '@aws-lambda-powertools/',
        ],
      },
    },
    {
      name: 'adapters-do-not-call-handlers',
      severity: 'error',
      from: { path: '^functions/adapters/' },
      to: { path: ['^functions/handlers/', '^local/', '^lib/'] },
    },
    {
      name: 'functions-never-import-the-local-runtime-or-cdk',
      comment: 'Lambda code is the same in both runtimes; the local runtime only changes endpoints.',
      severity: 'error',
      from: { path: '^(functions|schemas)/' },
      to: { path: ['^local/', '^lib/', '^bin/', 'aws-cdk-lib', 'constructs'] },
    },
    {
      name: 'what-deploys-never-imports-tests',
      comment:
        'Test tools, fakes and fixtures live under test/; the functions, the CDK app and the local runtime that runs the same bundles never import them, so none can reach a deployment.',
      severity: 'error',
      from: { path: '^(functions|schemas|lib|local|bin)/' },
      to: { path: '^test/' },
    },
    {
      name: 'schemas-are-contracts-only',
      comment:
        'schemas/ are the contracts at the edges that functions/, lib/ and local/ share: they import nothing from functions/ (what the contracts need, such as the role names, lives in schemas/).',
      severity: 'error',
      from: { path: '^schemas/' },
      to: { path: ['^functions/', '@aws-sdk/'] },
    },
    {
      name: 'lib-reads-only-the-platform-spec-and-schemas',
      comment: `The CDK app builds what the platform spec says: from functions/ it imports only ${PLATFORM_SPEC.join(', ')} of functions/platform/ (and schemas/), never adapters, domain, handlers or the composition root.`,
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^functions/', pathNot: PLATFORM_SPEC_PATH },
    },
    {
      name: 'platform-spec-is-pure-data',
      comment:
        'The spec modules import only one another and schemas/, so lib/ reaches no adapter, domain or runtime code through them.',
      severity: 'error',
      from: { path: PLATFORM_SPEC_PATH },
      to: {
        path: ['^functions/', '^local/', '^lib/', '^bin/', '^scripts/', '@aws-sdk/', 'aws-cdk-lib'],
        pathNot: PLATFORM_SPEC_PATH,
      },
    },
    {
      name: 'resolution-engine-below-its-use-cases',
      comment:
        'The identity-resolution engine (standardising, comparing, blocking, scoring, clustering, golden records) is computation over records in memory; the use cases, the store port and the stored model above it use the engine, never the reverse.',
      severity: 'error',
      from: { path: '^functions/domain/resolution/engine/' },
      to: { path: '^functions/domain/resolution/', pathNot: '^functions/domain/resolution/engine/' },
    },
    {
      name: 'console-speaks-only-http',
      comment:
        'The console (console/src) runs in the browser and talks to the platform only through the public REST API: from the rest of the project it imports only the contracts (schemas/, types of the API) and the role permission table, never functions/, local/ or lib/.',
      severity: 'error',
      from: { path: '^console/src/' },
      to: {
        path: ['^functions/', '^local/', '^lib/', '^bin/', '^scripts/', '^test/', '@aws-sdk/', 'aws-cdk-lib', '^node:'],
        pathNot: '^functions/domain/auth/permissions\\.ts$',
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['cdk.out'] },
  },
};
