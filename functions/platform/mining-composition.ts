import { DynamoMiningJobStore } from '../adapters/dynamodb/mining-job-store.js';
import { DynamoMiningTraceReader } from '../adapters/dynamodb/mining-trace-reader.js';
import type { MiningDeps } from '../domain/mining/service/ports.js';
import type { PlatformTraceReader } from '../domain/mining/service/traces.js';
import { documentClient } from './aws-clients.js';
import { blobStore } from './blob-composition.js';
import { mutationWriter, systemClock, uuidIds } from './composition.js';
import { config } from './config.js';
import type { FunctionName } from './manifest.js';

/**
 * Composition of the process-mining functions. Each handler takes the part it uses, with the blob stores of the
 * areas its manifest entry binds (blobStore refuses any other), so a read-only function gets read-only stores.
 */
let jobs: DynamoMiningJobStore | undefined;

export function miningJobStore(): DynamoMiningJobStore {
  jobs ??= new DynamoMiningJobStore(documentClient(), config().TABLE_NAME, mutationWriter());
  return jobs;
}

/** Upload: the jobs and the `mining-logs/` store. */
export function miningUploadDeps(): Pick<MiningDeps, 'jobs' | 'logs' | 'clock' | 'ids'> {
  return {
    jobs: miningJobStore(),
    logs: blobStore('UploadMiningLog', 'mining-logs/'),
    clock: systemClock,
    ids: uuidIds,
  };
}

/** Reads of jobs (list, get) and, for `fn` bound to it, of their results. */
export function miningReadDeps(fn: FunctionName): Pick<MiningDeps, 'jobs' | 'results'> {
  return { jobs: miningJobStore(), results: blobStore(fn, 'mining-results/') };
}

/** The worker: the jobs, the uploaded logs (read) and the results (write). */
export function miningWorkerDeps(): Pick<MiningDeps, 'jobs' | 'logs' | 'results' | 'clock'> {
  return {
    jobs: miningJobStore(),
    logs: blobStore('MiningWorker', 'mining-logs/'),
    results: blobStore('MiningWorker', 'mining-results/'),
    clock: systemClock,
  };
}

export function miningTraceDeps(): { traces: PlatformTraceReader } {
  return { traces: new DynamoMiningTraceReader(documentClient(), config().TABLE_NAME) };
}
