/**
 * The credential provider the Lambda bundles use in place of `@aws-sdk/credential-provider-node`
 * (esbuild alias in bundling.ts). A Lambda function's credentials are always its role's, handed over in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so the node chain's SSO, INI, process,
 * web-identity and IMDS providers (and the STS/SSO clients they bundle, ~80 KB) are dead weight there.
 * Tests and the local runtime use the real chain; only the deployed bundles are aliased.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
