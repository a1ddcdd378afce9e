import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFauxqs } from 'fauxqs';
import { AUTHORIZER, EVENT_RULES, FUNCTIONS, ROUTES, STREAM_CONSUMERS, type FunctionName } from '../functions/platform/manifest.js';
import { LocalApiServer, type ProxyHandler, type TokenAuthorizer } from './api-server.js';
import { ensureTable, startDynamoLocal } from './dynamodb.js';
import { LocalEventBus, type FunctionTarget } from './event-bus.js';
import { ensureLocalKeys, LOCAL_AUDIENCE, LOCAL_ISSUER, signLocalToken, type LocalKeys } from './keys.js';
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
  tableName: string;
  bus: LocalEventBus;
  poller: LocalStreamPoller;
  issuer: string;
  audience: string;
  token(req: { tenantId: string; roles: string[]; userId?: string; expiresInSeconds?: number; audience?: string }): Promise<string>;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..');

/** Imports a function's handler module from the manifest (the same module Lambda runs). */
async function loadHandler<T>(name: FunctionName): Promise<T> {
  const mod = (await import(pathToFileURL(join(ROOT, FUNCTIONS[name].entry)).href)) as { handler: T };
  return mod.handler;
}

/**
 * Starts the whole platform on this machine: DynamoDB Local, the S3 emulator, the local bus, the
 * stream → outbox publisher, and the API, wired through environment variables exactly as the CDK
 * stack wires the Lambdas. Call `stop()` to shut everything down (the JVM included).
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

    let bus: LocalEventBus | undefined;
    const functionTarget = (name: string) => loadHandler<FunctionTarget>(name as FunctionName);
    bus = new LocalEventBus({
      busName,
      rules: EVENT_RULES,
      logFile: join(dataDir, 'events.jsonl'),
      deadLetterFile: join(dataDir, 'events-dead-letter.jsonl'),
      resolveFunction: functionTarget,
    });
    const busEndpoint = await bus.start();
    stops.push(() => bus!.stop());

    const issuer = LOCAL_ISSUER;
    const audience = LOCAL_AUDIENCE;
    Object.assign(process.env, {
      STAGE: stage,
      TABLE_NAME: tableName,
      BUCKET_NAME: bucketName,
      EVENT_BUS_NAME: busName,
      AWS_REGION: 'us-east-1',
      MODOS_DYNAMODB_ENDPOINT: dynamo.endpoint,
      MODOS_S3_ENDPOINT: s3.address,
      MODOS_EVENTBRIDGE_ENDPOINT: busEndpoint,
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
      { filter: consumer.filter, intervalMs: options.streamPollMs ?? Number(process.env.MODOS_STREAM_POLL_MS ?? 50), onError: (e) => console.error(JSON.stringify({ level: 'ERROR', message: 'stream poll failed', errorName: (e as Error)?.name, error: (e as Error)?.message })) },
    );
    await poller.start();
    stops.push(() => poller.stop());
    step('stream');

    const handlers = new Map<string, Promise<ProxyHandler>>();
    let authorizer: Promise<TokenAuthorizer> | undefined;
    const api = new LocalApiServer({
      routes: ROUTES,
      stage,
      resolveHandler: (name) => {
        let h = handlers.get(name);
        if (!h) handlers.set(name, (h = loadHandler<ProxyHandler>(name as FunctionName)));
        return h;
      },
      authorizer: () => (authorizer ??= loadHandler<TokenAuthorizer>(AUTHORIZER.function)),
      authorizerCacheTtlSeconds: AUTHORIZER.resultsCacheTtlSeconds,
    });
    // Load every handler before listening, so /health answering means every route is ready.
    await Promise.all(ROUTES.map((r) => api['options'].resolveHandler(r.function)));
    await api['options'].authorizer();
    const port = options.port ?? Number(process.env.PORT ?? 3000);
    const url = await api.start(port);
    stops.push(() => api.stop());
    step('api');

    return {
      url,
      dataDir,
      dynamoEndpoint: dynamo.endpoint,
      s3Endpoint: s3.address,
      busEndpoint,
      tableName,
      bus,
      poller,
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
