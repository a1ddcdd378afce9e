import type { MiningJob } from '../../../../schemas/mining-api.js';
import type { BlobStore, Clock, IdGenerator, MutationRecord, Page } from '../../ports.js';

/** Mining jobs of uploaded logs. Every method is scoped to one tenant. */
export interface MiningJobStore {
  /** Stores a new job with its audit record and events in one write; ConflictError if the id exists. */
  create(tenantId: string, job: MiningJob, mutation: MutationRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<MiningJob | undefined>;
  /** Replaces the job's status and progress (bookkeeping of the worker: no audit record, no event). */
  save(tenantId: string, job: MiningJob): Promise<void>;
  /** Newest first. */
  list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<MiningJob>>;
}

/** What the mining use cases use: the jobs, the uploaded logs (`mining-logs/`) and the results (`mining-results/`). */
export interface MiningDeps {
  jobs: MiningJobStore;
  logs: BlobStore;
  results: BlobStore;
  clock: Clock;
  ids: IdGenerator;
}

/** The object keys of a job: its log in `mining-logs/`, its model and pictures in `mining-results/`. */
export const jobKeys = {
  log: (job: Pick<MiningJob, 'id' | 'format' | 'compressed'>) =>
    `${job.id}/log.${job.format}${job.compressed ? '.gz' : ''}`,
  model: (id: string) => `${id}/model.json`,
  dot: (id: string) => `${id}/net.dot`,
  svg: (id: string) => `${id}/net.svg`,
  pnml: (id: string) => `${id}/net.pnml`,
};
