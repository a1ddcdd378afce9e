import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFauxqs } from 'fauxqs';
import { AUTHORIZER, EVENT_RULES, FUNCTIONS, ROUTES, STATE_MACHINES, STREAM_CONSUMERS, type FunctionName } from '../functions/platform/manifest.js';
import { lambdaContext, LocalApiServer, type ProxyHandler, type TokenAuthorizer } from './api-server.js';
import { ensureTable, startDynamoLocal } from './dynamodb.js';
import { LocalEventBus } from './event-bus.js';
import { ensureLocalKeys, LOCAL_AUDIENCE, LOCAL_ISSUER, signLocalToken, type LocalKeys } from './keys.js';
import { LocalStepFunctions } from './stepfunctions/index.js';
import { LocalStreamPoller, type StreamHandler } from './stream-poller.js';

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
}

export interface LocalPlatform {
  url: string;
  dataDir: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
  busEndpoint: string;
  sfnEndpoint: string;
  tableName: string;
  bus: LocalEventBus;
  poller: LocalStreamPoller;
  stepFunctions: LocalStepFunctions;
  issuer: string;
  audience: string;
  token(req: { tenantId: string; roles: string[]; userId?: string; expiresInSeconds?: number; audience?: string }): Promise<string>;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..');

type AnyHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** Imports a function's handler module from the manifest (the same module Lambda runs). */
async function loadHandler<T>(name: FunctionName): Promise<T> {
  const mod = (await import(pathToFileURL(join(ROOT, FUNCTIONS[name].entry)).href)) as { handler: T };
  return mod.handler;
}

/** Calls a function as Lambda would: the event and a Lambda context. */
async function invoke(name: string, event: unknown): Promise<unknown> {
  if (!(name in FUNCTIONS)) throw Object.assign(new Error(`Function not found: ${name}`), { name: 'ResourceNotFoundException' });
  const handler = await loadHandler<AnyHandler>(name as FunctionName);
  return handler(event, lambdaContext(name, randomUUID()));
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
    for (const [placeholder, fn] of Object.entries(sm.functions)) text = text.replaceAll(`\${${placeholder}}`, FUNCTIONS[fn].name);
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
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const [keys, dynamo, s3] = await Promise.all([
      ensureLocalKeys(dataDir),
      startDynamoLocal(join(dataDir, 'dynamodb'), { inMemory: options.inMemory }).then((d) => (step('dynamodb'), d)),
      startFauxqs({ port: 0, logger: false, host: '127.0.0.1', ...(options.inMemory ? {} : { dataDir: join(dataDir, 's3') }), init: { buckets: [bucketName] } }).then(
        (s) => (step('s3'), s),
      ),
    ]);
    stops.push(() => dynamo.stop());
    stops.push(() => s3.stop());
    await ensureTable(dynamo.client, tableName);
    step('table');

    const bus = new LocalEventBus({
      busName,
      rules: EVENT_RULES,
      logFile: join(dataDir, 'events.jsonl'),
      deadLetterFile: join(dataDir, 'events-dead-letter.jsonl'),
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

    // The API listens first (requests wait for `ready`), so its URL is known to the handlers'
    // configuration (callback links) before any handler module is loaded.
    const handlers = new Map<string, Promise<ProxyHandler>>();
    let authorizer: Promise<TokenAuthorizer> | undefined;
    const resolveHandler = (name: string) => {
      let h = handlers.get(name);
      if (!h) handlers.set(name, (h = loadHandler<ProxyHandler>(name as FunctionName)));
      return h;
    };
    const loadAuthorizer = () => (authorizer ??= loadHandler<TokenAuthorizer>(AUTHORIZER.function));
    const api = new LocalApiServer({ routes: ROUTES, stage, resolveHandler, authorizer: loadAuthorizer, authorizerCacheTtlSeconds: AUTHORIZER.resultsCacheTtlSeconds });
    const port = options.port ?? Number(process.env.PORT ?? 3000);
    const url = await api.start(port);
    stops.push(() => api.stop());

    const issuer = LOCAL_ISSUER;
    const audience = LOCAL_AUDIENCE;
    const sfnEndpoint = await stepFunctions.start();
    stops.push(() => stepFunctions.stop());
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
      WORKFLOW_STATE_MACHINE_ARN: stepFunctions.stateMachineArn('WorkflowRun'),
      PUBLIC_API_URL: url,
      CALLBACK_KEY: dataSecret(dataDir, 'callback.key', 48),
      ALLOW_HTTP_LOOPBACK_WEBHOOKS: 'true',
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
      JWKS_FILE: keys.jwksFile,
      LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'INFO',
      POWERTOOLS_DEV: 'false',
    });
    const { resetConfig } = await import('../functions/platform/config.js');
    const { resetClients } = await import('../functions/platform/aws-clients.js');
    resetConfig();
    resetClients();

    const consumer = STREAM_CONSUMERS[0];
    const poller = new LocalStreamPoller(
      dynamo.client,
      dynamo.endpoint,
      tableName,
      await loadHandler<StreamHandler>(consumer.function),
      join(dataDir, options.inMemory ? `stream-checkpoint-${process.pid}.json` : 'stream-checkpoint.json'),
      {
        filter: consumer.filter,
        retryAttempts: consumer.retryAttempts,
        onFailureFile: join(dataDir, 'stream-on-failure.jsonl'),
        intervalMs: options.streamPollMs ?? Number(process.env.MODOS_STREAM_POLL_MS ?? 50),
        onError: (e) => console.error(JSON.stringify({ level: 'ERROR', message: 'stream poll failed', errorName: (e as Error)?.name, error: (e as Error)?.message })),
      },
    );
    await poller.start();
    stops.push(() => poller.stop());
    step('stream');

    // Load every handler before answering, so /health answering means every route is ready.
    await Promise.all([...ROUTES.map((r) => resolveHandler(r.function)), loadAuthorizer()]);
    api.setReady();
    step('api');

    return {
      url,
      dataDir,
      dynamoEndpoint: dynamo.endpoint,
      s3Endpoint: s3.address,
      busEndpoint,
      sfnEndpoint,
      tableName,
      bus,
      poller,
      stepFunctions,
      issuer,
      audience,
      token: (req) => signLocalToken(keys.privateJwk, { issuer, audience, ...req }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export type { LocalKeys };
