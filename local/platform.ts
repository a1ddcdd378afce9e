import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  AUTHORIZER,
  EVENT_RULES,
  FUNCTIONS,
  STATE_MACHINES,
  STREAM_CONSUMERS,
  scheduleGroups,
  type FunctionName,
  type ScheduleGroupName,
} from '../functions/platform/manifest.js';
import { ROUTES } from '../functions/platform/api-routes.js';
import type { ConsoleBuild } from '../console/build.js';
import { LOCAL_SIGN_IN_PATH, type ConsoleConfig } from '../console/src/config.js';
import { LocalApiServer, type ProxyHandler, type TokenAuthorizer } from './api-server.js';
import { buildLocalConsole, consoleSite } from './console-site.js';
import { ensureTable, startDynamoLocal } from './dynamodb.js';
import { LocalEventBus } from './event-bus.js';
import {
  discoverProvider,
  isSecureOrLoopback,
  ensureLocalKeys,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  signLocalToken,
  type LocalKeys,
} from './keys.js';
import type { TenantLimits } from '../functions/platform/tenant-limits.js';
import { consoleScopesOf, consoleTokenUseOf, tenantLimitsFromContext } from '../lib/stage-config.js';
import { ensureBundles } from './lambda/bundles.js';
import { localTenantLimits, TenantRateLimiter } from './rate-limiter.js';
import {
  localEnvironment,
  scheduleGroupVariables,
  type LocalBindingValues,
  type LocalScheduleGroupValues,
} from './lambda/environment.js';
import { LocalLambdaRuntime, type LocalFunctionConfig } from './lambda/runtime.js';
import { startObjectStore } from './object-store.js';
import { LocalScheduler } from './scheduler/index.js';
import { developmentSignIn, developmentSignInOff } from './sign-in.js';
import { LocalStepFunctions } from './stepfunctions/index.js';
import { LocalStreamPoller, type StreamHandler } from './stream-poller.js';
import { webhookDevPortList } from './webhook-ports.js';

export interface PlatformOptions {
  /** Where DynamoDB, S3 and keys persist (default `$MODOS_DATA_DIR` or `.modos`). */
  dataDir?: string;
  /** API port (default `$PORT` or 3000; 0 picks a free one). */
  port?: number;
  /** Keep the table in memory (tests, benchmarks). */
  inMemory?: boolean;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** How often the table stream is polled for outbox events (default `$MODOS_STREAM_POLL_MS` or 50). */
  streamPollMs?: number;
  onProgress?: (step: string, ms: number) => void;
  /** Loopback ports webhooks may reach, e.g. `8900-8999` (default `$MODOS_WEBHOOK_DEV_PORTS` or 8900-8999; never the platform's own). */
  webhookDevPorts?: string;
  /**
   * `bundles` (default): each function runs its esbuild bundle, as deployed. `source`: its TypeScript
   * sources through tsx, for debugging (`MODOS_FUNCTIONS=source`); same sandboxes and environment.
   */
  functions?: 'bundles' | 'source';
  /** Per-tenant limits (default: the stage configuration's, with MODOS_TENANT_RATE / MODOS_TENANT_BURST). */
  tenantLimits?: TenantLimits;
  /**
   * Benchmarks: given DynamoDB Local's endpoint, the endpoint the functions get instead (a counting proxy in
   * front of it). The platform's own clients (state machine journal, stream poller) keep DynamoDB Local's.
   */
  functionsDynamoEndpoint?: (dynamoLocalEndpoint: string) => Promise<string>;
  /** The model API key of the agent functions (default `$ANTHROPIC_API_KEY`, else `offline`: the offline model). */
  modelApiKey?: string;
  /** The Messages API base URL the agent functions call (default `$ANTHROPIC_BASE_URL`; tests: a fake of it). */
  modelBaseUrl?: string;
  /**
   * An external OpenID Provider to sign in with, as a deployed stage does (`npm start` reads it from `MODOS_OIDC_*`,
   * `identityProviderFromEnv`). The functions then verify its tokens (its issuer, the audience, keys from its JWKS),
   * the console signs in there (authorization code with PKCE) and the development sign-in is off. Default: none, the
   * platform's own key and the development sign-in.
   */
  identityProvider?: IdentityProviderOptions;
}

/** The stage settings of an identity provider (lib/stage-config.ts `jwtIssuer`, `jwtAudience`, `consoleClientId`…). */
export interface IdentityProviderOptions {
  /** The issuer, exactly as its tokens' `iss` (`https://…`, or `http://` on a loopback address for tests). */
  issuer: string;
  /** The `aud` the API accepts: the client id when the console sends the ID token. */
  audience: string;
  /** The console's client at the provider: public (no secret), authorization code + PKCE, redirect URI `<url>/`. */
  clientId: string;
  /** Space-separated, `openid` among them (default `openid profile email`, as a stage's). */
  scopes?: string;
  /** Which token the console sends to the API (default `id_token`). */
  tokenUse?: 'id_token' | 'access_token';
}

export class IdentityProviderConfigError extends Error {
  override readonly name = 'IdentityProviderConfigError';
}

/**
 * Checks an identity provider's settings with the rules of a stage's (lib/stage-config.ts), `http://` allowed on a
 * loopback address only (a provider run on this machine for tests). Throws naming the setting (`name` maps each to
 * the variable it came from).
 */
export function checkIdentityProvider(
  idp: IdentityProviderOptions,
  name: (setting: keyof IdentityProviderOptions) => string = (s) => s,
): Required<IdentityProviderOptions> {
  const fail = (setting: keyof IdentityProviderOptions, message: string): never => {
    throw new IdentityProviderConfigError(`${name(setting)}: ${message}`);
  };
  const issuer = URL.parse(idp.issuer);
  if (!issuer) return fail('issuer', `must be a URL, got ${JSON.stringify(idp.issuer)}`);
  if (!isSecureOrLoopback(issuer))
    fail('issuer', `must be an https:// URL (http:// only on 127.0.0.1, localhost or [::1]), got ${idp.issuer}`);
  if (issuer.search || issuer.hash || issuer.username || issuer.password)
    fail('issuer', 'must have no query, fragment or credentials');
  if (!idp.clientId) fail('clientId', 'is required');
  if (!idp.audience) fail('audience', 'is required');
  // The stage's own rules for scopes and the token used (lib/stage-config.ts), named by this setting.
  const configError = (m: string) => new IdentityProviderConfigError(m);
  const scopes = consoleScopesOf(idp.scopes, `${name('scopes')}:`, configError);
  const tokenUse = consoleTokenUseOf(idp.tokenUse, `${name('tokenUse')}:`, configError);
  // An ID token's aud is the client it was issued to: an API checking another audience would refuse every call.
  if (tokenUse === 'id_token' && idp.audience !== idp.clientId)
    fail('audience', `must be the client id ${JSON.stringify(idp.clientId)} when the console sends the ID token`);
  return { issuer: idp.issuer, audience: idp.audience, clientId: idp.clientId, scopes, tokenUse };
}

/** The variables `npm start` reads an identity provider from (docs/local-console.md). */
export const OIDC_ENV: Record<keyof IdentityProviderOptions, string> = {
  issuer: 'MODOS_OIDC_ISSUER',
  clientId: 'MODOS_OIDC_CLIENT_ID',
  audience: 'MODOS_OIDC_AUDIENCE',
  scopes: 'MODOS_OIDC_SCOPES',
  tokenUse: 'MODOS_OIDC_TOKEN_USE',
};

/**
 * The identity provider of `MODOS_OIDC_ISSUER`, `MODOS_OIDC_CLIENT_ID`, `MODOS_OIDC_AUDIENCE` (default: the client
 * id), `MODOS_OIDC_SCOPES` and `MODOS_OIDC_TOKEN_USE`; none when no `MODOS_OIDC_*` is set. Throws naming the variable.
 */
export function identityProviderFromEnv(
  env: Record<string, string | undefined> = process.env,
): IdentityProviderOptions | undefined {
  const read = (setting: keyof IdentityProviderOptions) => env[OIDC_ENV[setting]] || undefined;
  const names = Object.keys(OIDC_ENV) as (keyof IdentityProviderOptions)[];
  if (!names.some(read)) return undefined;
  for (const setting of ['issuer', 'clientId'] as const)
    if (!read(setting))
      throw new IdentityProviderConfigError(
        `${OIDC_ENV[setting]} is required with ${names
          .filter(read)
          .map((s) => OIDC_ENV[s])
          .join(', ')}`,
      );
  const clientId = read('clientId')!;
  return checkIdentityProvider(
    {
      issuer: read('issuer')!,
      clientId,
      audience: read('audience') ?? clientId,
      scopes: read('scopes'),
      tokenUse: read('tokenUse') as IdentityProviderOptions['tokenUse'],
    },
    (s) => OIDC_ENV[s],
  );
}

export interface LocalPlatform {
  url: string;
  dataDir: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
  busEndpoint: string;
  sfnEndpoint: string;
  /** The local EventBridge Scheduler (connector sync schedules). */
  schedulerEndpoint: string;
  scheduler: LocalScheduler;
  tableName: string;
  bus: LocalEventBus;
  /** The outbox publisher's stream poller. */
  poller: LocalStreamPoller;
  /** Every stream consumer's poller, by function. */
  pollers: Map<FunctionName, LocalStreamPoller>;
  stepFunctions: LocalStepFunctions;
  issuer: string;
  audience: string;
  /** The local Lambda service: every function's sandboxes. */
  lambda: LocalLambdaRuntime;
  /**
   * The operator console served at `url/`: its build (in the data folder's `console/`), or why it did not build
   * (the API serves all the same; `/` then answers 503 with the reason).
   */
  console: { url: string; build?: ConsoleBuild; error?: string };
  /** The identity provider the platform verifies tokens of, when started with one (its settings as checked). */
  identityProvider?: Required<IdentityProviderOptions>;
  /** A token signed with the platform's key; refused (rejects) when the platform verifies an identity provider's. */
  token(req: {
    tenantId: string;
    roles: string[];
    userId?: string;
    expiresInSeconds?: number;
    audience?: string;
  }): Promise<string>;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..');

/**
 * How the local Lambda service scales, from `MODOS_LAMBDA_SANDBOXES` (sandboxes per function, default 1)
 * and `MODOS_LAMBDA_PER_SANDBOX` (invocations one sandbox serves at once, default 64). Lambda runs one
 * invocation per environment and scales out; here every sandbox is a V8 isolate that JIT-compiles its
 * bundle on the same few cores, and one sandbox per function serving concurrent invocations keeps the
 * API near the raw SDK's throughput (docs/benchmarks.md) where one isolate per invocation did not.
 * `MODOS_LAMBDA_SANDBOXES=64 MODOS_LAMBDA_PER_SANDBOX=1` is Lambda's model exactly (docs/local-lambda.md).
 */
function lambdaScaling(): { maxConcurrency: number; invocationsPerSandbox: number } {
  const read = (name: string, fallback: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    maxConcurrency: read('MODOS_LAMBDA_SANDBOXES', 1),
    invocationsPerSandbox: read('MODOS_LAMBDA_PER_SANDBOX', 64),
  };
}

/** The CDK context of cdk.json: the stage configuration the local platform shares with the stack. */
function stageContext(): Record<string, unknown> {
  return (
    (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {}
  );
}

/** Every function of the manifest as a local Lambda: its module, its environment, memory and timeout. */
function localFunctions(
  mode: 'bundles' | 'source',
  bundles: Record<FunctionName, string> | undefined,
  values: LocalBindingValues,
): Record<string, LocalFunctionConfig> {
  return Object.fromEntries(
    (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => {
      const spec = FUNCTIONS[name];
      return [
        name,
        {
          name,
          module: mode === 'source' ? join(ROOT, spec.entry) : bundles![name],
          env: localEnvironment(spec, values),
          memoryMb: 'memoryMb' in spec ? spec.memoryMb : 512,
          timeoutSeconds: 'timeoutSeconds' in spec ? spec.timeoutSeconds : 10,
          source: mode === 'source',
        },
      ];
    }),
  );
}

/** A secret kept in the data folder (created on first start, mode 0600). */
function dataSecret(dataDir: string, file: string, bytes: number): string {
  const path = join(dataDir, 'keys', file);
  if (!existsSync(path)) {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(bytes).toString('base64'), { mode: 0o600 });
  }
  return readFileSync(path, 'utf8').trim();
}

/** The state machines of the manifest with `${Placeholder}`s replaced by function names. */
function localStateMachines() {
  return STATE_MACHINES.map((sm) => {
    let text = readFileSync(join(ROOT, sm.definitionFile), 'utf8');
    for (const [placeholder, fn] of Object.entries(sm.functions))
      text = text.replaceAll(`\${${placeholder}}`, FUNCTIONS[fn].name);
    if (/\$\{\w+\}/.test(text)) throw new Error(`${sm.definitionFile} has a placeholder the manifest does not map`);
    return { name: sm.name, definition: JSON.parse(text) as object };
  });
}

/**
 * Starts the whole platform on this machine: DynamoDB Local, the S3 emulator, the local bus, the
 * local Step Functions runtime, the stream → outbox publisher, and the API, wired through environment
 * variables exactly as the CDK stack wires the Lambdas. Call `stop()` to shut everything down.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<LocalPlatform> {
  const t0 = Date.now();
  const step = (name: string) => options.onProgress?.(name, Date.now() - t0);
  const dataDir = resolve(options.dataDir ?? process.env.MODOS_DATA_DIR ?? '.modos');
  mkdirSync(dataDir, { recursive: true });
  const stage = 'local';
  const tableName = 'modos-local';
  const bucketName = 'modos-local';
  const busName = 'modos-local';
  const stops: Array<() => Promise<void>> = [];
  const mode = options.functions ?? (process.env.MODOS_FUNCTIONS === 'source' ? 'source' : 'bundles');
  const idp = options.identityProvider && checkIdentityProvider(options.identityProvider);
  // The bus, the state machine runtime and the stream poller call functions through this; calls that
  // come before the Lambda runtime exists (journal replay at start) wait for it.
  let markLambdaReady!: (l: LocalLambdaRuntime) => void;
  const lambdaReady = new Promise<LocalLambdaRuntime>((r) => (markLambdaReady = r));
  const invoke = async (name: string, event: unknown): Promise<unknown> => (await lambdaReady).invoke(name, event);
  let lambda: LocalLambdaRuntime | undefined;
  // Stopped last: the bus, the state machines and the poller finish their invocations first.
  stops.push(async () => lambda?.stop());
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const [keys, discovered, dynamo, s3, bundles, consoleBuild] = await Promise.all([
      ensureLocalKeys(dataDir),
      idp ? discoverProvider(idp.issuer).then((d) => (step('identity provider'), d)) : undefined,
      startDynamoLocal(join(dataDir, 'dynamodb'), { inMemory: options.inMemory }).then((d) => (step('dynamodb'), d)),
      startObjectStore({ bucketName, ...(options.inMemory ? {} : { dir: join(dataDir, 's3') }) }).then(
        (s) => (step('s3'), s),
      ),
      mode === 'bundles'
        ? ensureBundles().then((b) => (step(b.cached ? 'bundles (cached)' : 'bundles'), b))
        : undefined,
      // Built at each start (about 100 ms) into the data folder, so the sources are never written to.
      buildLocalConsole(join(dataDir, 'console')).then((c) => {
        step('gzipBytes' in c ? `console (${(c.gzipBytes / 1024).toFixed(1)} KB gzipped)` : 'console (failed)');
        return c;
      }),
    ]);
    if ('error' in consoleBuild)
      console.error(JSON.stringify({ level: 'ERROR', message: 'console build failed', error: consoleBuild.error }));
    stops.push(() => dynamo.stop());
    stops.push(() => s3.stop());
    await ensureTable(dynamo.client, tableName);
    step('table');

    const bus = new LocalEventBus({
      busName,
      rules: EVENT_RULES,
      logFile: join(dataDir, 'events.jsonl'),
      // Journal, dead letters, redrive requests (docs/local-event-bus.md); an in-memory table's events die with it.
      stateDir: join(dataDir, options.inMemory ? `bus-${process.pid}` : 'bus'),
      // MODOS_BUS_PAUSED=true: events are accepted and journalled but none is delivered until a start without it.
      startPaused: process.env.MODOS_BUS_PAUSED === 'true',
      resolveFunction: async (name) => (event) => invoke(name, event),
    });
    const busEndpoint = await bus.start();
    stops.push(() => bus.stop());

    const stepFunctions = new LocalStepFunctions({
      dynamo: dynamo.client,
      tokenSecretFile: join(dataDir, 'keys', 'sfn-task-token.secret'),
      invokeFunction: invoke,
      stateMachines: localStateMachines(),
    });

    // The API listens first (requests wait for `ready`), so its URL is known to the functions'
    // environment (callback links) before any sandbox starts. API Gateway invokes functions synchronously.
    const resolveHandler =
      async (name: string): Promise<ProxyHandler> =>
      (event, context) =>
        invoke(name, event) as ReturnType<ProxyHandler>;
    const loadAuthorizer = async (): Promise<TokenAuthorizer> => (event) =>
      invoke(AUTHORIZER.function, event) as ReturnType<TokenAuthorizer>;
    const rateLimiter = new TenantRateLimiter(
      options.tenantLimits ?? localTenantLimits(tenantLimitsFromContext((key) => stageContext()[key])),
    );
    // With an identity provider, the console signs in there as a deployed stage's does (lib/modos-stack.ts
    // consoleConfigOf) and may call it (discovery and token endpoint: consoleConnectSrcOf); the development
    // sign-in answers that it is off.
    const consoleConfig: ConsoleConfig = idp
      ? {
          stage,
          apiBase: '/api/v1',
          signIn: {
            mode: 'oidc',
            issuer: idp.issuer,
            clientId: idp.clientId,
            scopes: idp.scopes,
            tokenUse: idp.tokenUse,
          },
        }
      : { stage, apiBase: '/api/v1', signIn: { mode: 'local' } };
    const connectSrc = discovered
      ? [...new Set([new URL(idp!.issuer).origin, new URL(discovered.tokenEndpoint).origin])]
      : [];
    const api = new LocalApiServer({
      routes: ROUTES,
      stage,
      site: consoleSite({
        build: consoleBuild,
        config: consoleConfig,
        connectSrc,
        localRoutes: {
          [LOCAL_SIGN_IN_PATH]: idp
            ? developmentSignInOff({ issuer: idp.issuer, connectSrc })
            : { POST: developmentSignIn({ key: keys.privateJwk, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE }) },
        },
      }),
      resolveHandler,
      authorizer: loadAuthorizer,
      authorizerCacheTtlSeconds: AUTHORIZER.resultsCacheTtlSeconds,
      tokenPattern: new RegExp(AUTHORIZER.tokenPattern),
      rateLimiter,
    });
    const port = options.port ?? Number(process.env.PORT ?? 3000);
    const url = await api.start(port);
    stops.push(() => api.stop());

    const issuer = idp?.issuer ?? LOCAL_ISSUER;
    const audience = idp?.audience ?? LOCAL_AUDIENCE;
    // The keys tokens are verified with: the provider's JWKS by URL (JWKS_URL, as in AWS), else the platform's own.
    const jwks = discovered ? { jwksUrl: discovered.jwksUri } : { jwksFile: keys.jwksFile };
    const sfnEndpoint = await stepFunctions.start();
    stops.push(() => stepFunctions.stop());
    // Schedules persist in the data folder (docs/local-scheduler.md); an in-memory platform's die with it. Every
    // group of the manifest exists, as the stack creates them.
    const scheduler = new LocalScheduler({
      stateDir: join(dataDir, options.inMemory ? `scheduler-${process.pid}` : 'scheduler'),
      groups: scheduleGroups().map((g) => g.groupName(stage)),
      invoke,
    });
    const schedulerEndpoint = await scheduler.start();
    stops.push(() => scheduler.stop());
    const ownPorts = [url, dynamo.endpoint, s3.address, busEndpoint, sfnEndpoint, schedulerEndpoint].map((u) =>
      Number(new URL(u).port),
    );
    const loopbackWebhookPorts = webhookDevPortList(options.webhookDevPorts, ownPorts);
    const callbackKey = dataSecret(dataDir, 'callback.key', 48);
    const logLevel = options.logLevel ?? process.env.LOG_LEVEL ?? 'INFO';
    const bindingValues: LocalBindingValues = {
      stage,
      logLevel,
      region: 'us-east-1',
      tableName,
      bucketName,
      busName,
      jwtIssuer: issuer,
      jwtAudience: audience,
      ...jwks,
      stateMachineArns: Object.fromEntries(STATE_MACHINES.map((m) => [m.name, stepFunctions.stateMachineArn(m.name)])),
      callbackKey,
      publicApiUrl: url,
      // The shell's key, if any: without one the agents answer with the offline model, labelled as such.
      modelApiKey: options.modelApiKey || process.env.ANTHROPIC_API_KEY || 'offline',
      ...(options.modelBaseUrl || process.env.ANTHROPIC_BASE_URL
        ? { modelBaseUrl: options.modelBaseUrl || process.env.ANTHROPIC_BASE_URL }
        : {}),
      // The role and queue ARNs are names only: the local scheduler records them, never assumes or sends to them.
      scheduleGroups: Object.fromEntries(
        scheduleGroups().map((g) => {
          const groupName = g.groupName(stage);
          const values: LocalScheduleGroupValues = {
            groupName,
            roleArn: `arn:aws:iam::${scheduler.accountId}:role/${groupName}`,
            targetArn: scheduler.functionArn(g.target),
            deadLetterArn: `arn:aws:sqs:${scheduler.region}:${scheduler.accountId}:${groupName}-dlq`,
          };
          return [g.name, values];
        }),
      ) as Record<ScheduleGroupName, LocalScheduleGroupValues>,
      endpoints: {
        dynamodb: (await options.functionsDynamoEndpoint?.(dynamo.endpoint)) ?? dynamo.endpoint,
        s3: s3.address,
        eventbridge: busEndpoint,
        sfn: sfnEndpoint,
        scheduler: schedulerEndpoint,
      },
      developmentEnv: { ALLOW_HTTP_LOOPBACK_WEBHOOKS: 'true', LOOPBACK_WEBHOOK_PORTS: loopbackWebhookPorts },
    };
    lambda = new LocalLambdaRuntime({
      functions: localFunctions(mode, bundles?.files, bindingValues),
      ...lambdaScaling(),
    });
    markLambdaReady(lambda);
    // The platform's own process (tests, scripts and benches that read the table beside the API) gets
    // the same settings; functions never see this environment, only their own.
    Object.assign(process.env, {
      STAGE: stage,
      TABLE_NAME: tableName,
      BUCKET_NAME: bucketName,
      EVENT_BUS_NAME: busName,
      AWS_REGION: 'us-east-1',
      MODOS_DYNAMODB_ENDPOINT: dynamo.endpoint,
      MODOS_S3_ENDPOINT: s3.address,
      MODOS_EVENTBRIDGE_ENDPOINT: busEndpoint,
      MODOS_SFN_ENDPOINT: sfnEndpoint,
      MODOS_SCHEDULER_ENDPOINT: schedulerEndpoint,
      ...Object.assign(
        {},
        ...scheduleGroups().map((g) => scheduleGroupVariables(g.name, bindingValues.scheduleGroups[g.name])),
      ),
      ...Object.fromEntries(STATE_MACHINES.map((m) => [m.arnVariable, stepFunctions.stateMachineArn(m.name)])),
      PUBLIC_API_URL: url,
      CALLBACK_KEY: callbackKey,
      ALLOW_HTTP_LOOPBACK_WEBHOOKS: 'true',
      LOOPBACK_WEBHOOK_PORTS: loopbackWebhookPorts,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
      ...(discovered ? { JWKS_URL: discovered.jwksUri } : { JWKS_FILE: keys.jwksFile }),
      LOG_LEVEL: logLevel,
    });
    // One source of keys: a previous platform of this process may have set the other.
    delete process.env[discovered ? 'JWKS_FILE' : 'JWKS_URL'];
    const { resetConfig } = await import('../functions/platform/config.js');
    const { resetClients } = await import('../functions/platform/aws-clients.js');
    resetConfig();
    resetClients();

    // One poller per stream consumer of the manifest, each with its own position in the stream (an event
    // source mapping of its own in AWS), filter, retries and on-failure file.
    const pollers = new Map<FunctionName, LocalStreamPoller>();
    for (const consumer of STREAM_CONSUMERS) {
      const suffix = options.inMemory ? `-${process.pid}` : '';
      const checkpoint = join(dataDir, `stream-checkpoint-${consumer.function}${suffix}.json`);
      // Data folders from before per-consumer checkpoints kept the outbox publisher's position here.
      const legacy = join(dataDir, `stream-checkpoint${suffix}.json`);
      if (consumer.function === 'OutboxPublisher' && existsSync(legacy) && !existsSync(checkpoint))
        renameSync(legacy, checkpoint);
      const poller = new LocalStreamPoller(
        dynamo.client,
        dynamo.endpoint,
        tableName,
        ((event) => invoke(consumer.function, event)) as StreamHandler,
        checkpoint,
        {
          filter: consumer.filter,
          retryAttempts: consumer.retryAttempts,
          onFailureFile: join(dataDir, `stream-on-failure-${consumer.function}.jsonl`),
          intervalMs: options.streamPollMs ?? Number(process.env.MODOS_STREAM_POLL_MS ?? 50),
          onError: (e) =>
            console.error(
              JSON.stringify({
                level: 'ERROR',
                message: 'stream poll failed',
                function: consumer.function,
                errorName: (e as Error)?.name,
                error: (e as Error)?.message,
              }),
            ),
        },
      );
      await poller.start();
      stops.push(() => poller.stop());
      pollers.set(consumer.function, poller);
    }
    step('stream');

    // The authorizer and the health check are warm before /health answers; other functions start on
    // their first invocation (a cold start, as in Lambda).
    await lambda.warm([AUTHORIZER.function, 'Health']);
    api.setReady();
    step('api');

    return {
      url,
      dataDir,
      dynamoEndpoint: dynamo.endpoint,
      s3Endpoint: s3.address,
      busEndpoint,
      sfnEndpoint,
      schedulerEndpoint,
      scheduler,
      tableName,
      bus,
      poller: pollers.get('OutboxPublisher')!,
      pollers,
      stepFunctions,
      lambda,
      console: {
        url: `${url}/`,
        ...('error' in consoleBuild ? { error: consoleBuild.error } : { build: consoleBuild }),
      },
      issuer,
      audience,
      ...(idp ? { identityProvider: idp } : {}),
      token: idp
        ? async () => {
            throw new Error(`this platform verifies the tokens of ${idp.issuer}: sign in there for one`);
          }
        : (req) => signLocalToken(keys.privateJwk, { issuer, audience, ...req }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export type { LocalKeys };
