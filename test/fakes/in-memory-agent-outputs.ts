import { DailyLimitExceededError } from '../../functions/domain/agents/outputs/errors.js';
import type {
  DailyOutputCount,
  OutputGateInput,
  OutputGateStarter,
  OutputListQuery,
  OutputRepository,
  StoredOutput,
} from '../../functions/domain/agents/outputs/ports.js';
import { ConflictError, TransientError } from '../../functions/domain/errors.js';
import type { MutationRecord, Page } from '../../functions/domain/ports.js';
import type { OutputStatus } from '../../schemas/agents.js';

/**
 * Outputs and daily counters in memory, with the adapter's rules: a proposal counts and stores in one step or not at
 * all (at the limit: DailyLimitExceededError, nothing written), saves are conditional on version and status.
 */
export class InMemoryOutputs implements OutputRepository {
  readonly items = new Map<string, StoredOutput>();
  readonly counters = new Map<string, DailyOutputCount>();
  readonly mutations: Array<{ tenantId: string } & MutationRecord> = [];
  /** The next creates fail with TransientError before anything is written (a conflicting transaction). */
  failCreates = 0;
  /** The next creates are written and then answer TransientError (a commit whose answer was lost). */
  loseCreateAnswers = 0;
  /** The next saves to this status fail with TransientError before anything is written. */
  failSavesTo: { status: OutputStatus; times: number } | undefined;
  /** Runs once before the next save is applied: lets a test change the item concurrently. */
  beforeSave?: () => void;

  private key = (tenantId: string, id: string) => `${tenantId}/${id}`;

  async create(
    tenantId: string,
    output: StoredOutput,
    counter: { day: string; limit: number; resetAt: string },
    mutation: MutationRecord,
  ): Promise<void> {
    // A round trip: concurrent proposals interleave here as they do against the table.
    await new Promise<void>((r) => setImmediate(r));
    if (this.failCreates > 0) {
      this.failCreates--;
      throw new TransientError('transaction conflict');
    }
    const counterKey = `${tenantId}/${output.agent_id}/${counter.day}`;
    const count = this.counters.get(counterKey)?.count ?? 0;
    if (count >= counter.limit) throw new DailyLimitExceededError('limit', { resetAt: counter.resetAt });
    if (this.items.has(this.key(tenantId, output.id))) throw new ConflictError('exists');
    this.counters.set(counterKey, {
      agentId: output.agent_id,
      day: counter.day,
      count: count + 1,
      limit: counter.limit,
      resetAt: counter.resetAt,
    });
    this.items.set(this.key(tenantId, output.id), structuredClone(output));
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
    if (this.loseCreateAnswers > 0) {
      this.loseCreateAnswers--;
      throw new TransientError('no answer');
    }
  }

  async get(tenantId: string, id: string): Promise<StoredOutput | undefined> {
    const o = this.items.get(this.key(tenantId, id));
    return o && structuredClone(o);
  }

  async save(tenantId: string, output: StoredOutput, fromStatus: OutputStatus, mutation?: MutationRecord) {
    const hook = this.beforeSave;
    this.beforeSave = undefined;
    hook?.();
    if (this.failSavesTo && this.failSavesTo.status === output.status && this.failSavesTo.times > 0) {
      this.failSavesTo.times--;
      throw new TransientError('save failed');
    }
    const current = this.items.get(this.key(tenantId, output.id));
    if (!current || current.version !== output.version - 1 || current.status !== fromStatus)
      throw new ConflictError('changed');
    this.items.set(this.key(tenantId, output.id), structuredClone(output));
    if (mutation) this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }

  async list(tenantId: string, q: OutputListQuery): Promise<Page<StoredOutput>> {
    const all = [...this.items.entries()]
      .filter(([k, o]) => k.startsWith(`${tenantId}/`) && (!q.agentId || o.agent_id === q.agentId))
      .map(([, o]) => o)
      .filter((o) => !q.status || o.status === q.status)
      .sort((a, b) => `${b.created_at}#${b.id}`.localeCompare(`${a.created_at}#${a.id}`));
    const start = q.cursor ? Number(q.cursor) : 0;
    return {
      items: all.slice(start, start + q.limit).map((o) => structuredClone(o)),
      nextCursor: start + q.limit < all.length ? String(start + q.limit) : null,
    };
  }

  async dailyCount(tenantId: string, agentId: string, day: string) {
    return this.counters.get(`${tenantId}/${agentId}/${day}`);
  }

  /** The events written with the mutations, by name. */
  events(name?: string) {
    return this.mutations.flatMap((m) => m.events).filter((e) => !name || e.name === name);
  }
}

/** Records the gate executions a use case starts; `failing` makes starts throw (Step Functions unreachable). */
export class RecordingGateStarter implements OutputGateStarter {
  readonly started: OutputGateInput[] = [];
  failing = false;
  async start(input: OutputGateInput): Promise<void> {
    if (this.failing) throw new TransientError('StartExecution failed');
    this.started.push(structuredClone(input));
  }
}
