import type { BuildOptions } from 'esbuild';

/**
 * How every Lambda is bundled, shared by the CDK stack (NodejsFunction bundling options) and the
 * bundle benchmark, so the measured bundles are the deployed ones. The AWS SDK is bundled rather than
 * taken from the runtime so that every function runs the SDK version the project pins and tests.
 */
export const LAMBDA_BUNDLING = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  // Error names are API (Step Functions Retry/Catch, SendTaskFailure), so every error class sets its instance
  // `name` as a literal (test/unit/error-names.test.ts) and nothing reads a class's own name: minification may
  // rename classes, which saves 30-35 KB a bundle against keepNames.
  keepNames: false,
  treeShaking: true,
  mainFields: ['module', 'main'],
  // ESM bundles still meet CommonJS dependencies that call require(): give them one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  legalComments: 'none',
  // Lambda hands a function its role's credentials in environment variables: the env provider replaces
  // the node provider chain (SSO, INI, process, web identity, IMDS and their STS/SSO clients, ~130 KB).
  // The DynamoDB client builds an endpoint-discovery cache that none of its commands reads (~8 KB with its LRU):
  // a cache that refuses to be used replaces it (endpoint-cache.ts).
  alias: {
    '@aws-sdk/credential-provider-node': './functions/platform/lambda-credentials.ts',
    '@aws-sdk/endpoint-cache': './functions/platform/endpoint-cache.ts',
  },
} as const satisfies BuildOptions;
