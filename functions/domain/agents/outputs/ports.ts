import type { Output, OutputStatus } from '../../../../schemas/agents.js';
import type { MutationRecord, Page } from '../../ports.js';

/**
 * An output as stored: the public view (seed 004 Output) plus what stays server-side. The proposer's roles are kept
 * because an approved output's tool acts with exactly them; the agent's webhook endpoint and sealed secret are kept
 * as they were when the output was proposed, so a later change of the agent does not redirect a pending approval.
 */
export interface StoredOutput extends Output {
  proposer: { userId: string; roles: string[] };
  webhook_url?: string;
  /** The agent's webhook secret, sealed with the tenant's key. */
  sealed_webhook_secret?: string;
  /** SHA-256 (hex) and size of the content object: what executes is what was stored and shown. */
  content_sha256: string;
  content_size: number;
  approval_timeout_seconds: number;
  /** The registry tool an approved output executes (automatable, non-sensitive skills only); absent: a person does. */
  tool?: string;
  /** The skill's description when the output was proposed: its approval's `action.description` (absent on older). */
  skill_description?: string;
  /** Optimistic-locking counter. */
  version: number;
}

/** The agent's output counter of one UTC day (seed 004 AgentDailyUsage). */
export interface DailyOutputCount {
  agentId: string;
  day: string;
  count: number;
  limit: number;
  resetAt: string;
}

export interface OutputListQuery {
  agentId?: string;
  status?: OutputStatus;
  limit: number;
  cursor?: string;
}

/** Outputs and their daily counters. Every method is scoped to one tenant. */
export interface OutputRepository {
  /**
   * In one transaction: the agent's counter of `counter.day` goes up by one if it is below `counter.limit`, and the
   * output is stored with its audit record and events. At the limit: DailyLimitExceededError and nothing is written.
   * An output id that exists: ConflictError.
   */
  create(
    tenantId: string,
    output: StoredOutput,
    counter: { day: string; limit: number; resetAt: string },
    mutation: MutationRecord,
  ): Promise<void>;
  get(tenantId: string, id: string): Promise<StoredOutput | undefined>;
  /** Replaces the output if its stored version is `output.version - 1` and its status `fromStatus`; else ConflictError. */
  save(tenantId: string, output: StoredOutput, fromStatus: OutputStatus, mutation?: MutationRecord): Promise<void>;
  /** Newest first; by agent, by status, or both. */
  list(tenantId: string, query: OutputListQuery): Promise<Page<StoredOutput>>;
  dailyCount(tenantId: string, agentId: string, day: string): Promise<DailyOutputCount | undefined>;
}

/** What the AgentOutput state machine starts with. Deterministic for an output, so a second start is a no-op. */
export interface OutputGateInput {
  tenantId: string;
  outputId: string;
  timeoutSeconds: number;
}

/** Starts the output's gate execution (Step Functions StartExecution, named after the output: idempotent). */
export interface OutputGateStarter {
  start(input: OutputGateInput): Promise<void>;
}
