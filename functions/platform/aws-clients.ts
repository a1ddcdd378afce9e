import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from './config.js';

/**
 * The one factory of AWS SDK clients. The local runtime changes endpoints through config, never code
 * paths: handlers make the same calls against DynamoDB Local, the S3 emulator and the local bus.
 */
let dynamo: DynamoDBDocumentClient | undefined;
let events: EventBridgeClient | undefined;
let s3: S3Client | undefined;
let sfn: SFNClient | undefined;
let secrets: SecretsManagerClient | undefined;
let scheduler: SchedulerClient | undefined;

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Client options: the region, plus the emulator's endpoint and dummy credentials when one is set. */
const clientOptions = (endpoint: string | undefined) => ({
  region: config().AWS_REGION,
  ...(endpoint ? { endpoint, credentials: localCredentials } : {}),
});

export function documentClient(): DynamoDBDocumentClient {
  if (!dynamo) {
    const base = new DynamoDBClient(clientOptions(config().MODOS_DYNAMODB_ENDPOINT));
    dynamo = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return dynamo;
}

export function eventBridgeClient(): EventBridgeClient {
  events ??= new EventBridgeClient(clientOptions(config().MODOS_EVENTBRIDGE_ENDPOINT));
  return events;
}

/**
 * The emulator is addressed by path (`<endpoint>/<bucket>/<key>`), not by a bucket subdomain. Response
 * checksums are verified by the blob store (adapters/s3/blob-store.ts), which covers multipart objects
 * and names its error; the SDK's own check would hash every byte a second time.
 */
export function s3Client(): S3Client {
  const endpoint = config().MODOS_S3_ENDPOINT;
  s3 ??= new S3Client({
    ...clientOptions(endpoint),
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint ? { forcePathStyle: true } : {}),
  });
  return s3;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient(clientOptions(config().MODOS_SFN_ENDPOINT));
  return sfn;
}

export function secretsClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient(clientOptions(undefined));
  return secrets;
}

/** EventBridge Scheduler (connector sync schedules); the local scheduler emulator on the local platform. */
export function schedulerClient(): SchedulerClient {
  scheduler ??= new SchedulerClient(clientOptions(config().MODOS_SCHEDULER_ENDPOINT));
  return scheduler;
}

/** Drops cached clients (local runtime restarts, tests). */
export function resetClients(): void {
  for (const c of [dynamo, events, s3, sfn, secrets, scheduler]) c?.destroy();
  dynamo = undefined;
  events = undefined;
  s3 = undefined;
  sfn = undefined;
  secrets = undefined;
  scheduler = undefined;
}
