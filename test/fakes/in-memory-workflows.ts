import { ConflictError } from '../../functions/domain/errors.js';
import type { MutationRecord, Page } from '../../functions/domain/ports.js';
import type { WebhookDelivery, WebhookSender, WebhookSendRequest } from '../../functions/domain/webhooks/ports.js';
import type {
  ApprovalRepository,
  Plan,
  RunOverview,
  RunQuery,
  RunRepository,
  RunState,
  StoredApproval,
  StoredWorkflow,
  TaskCallbacks,
  WorkflowRepository,
  WorkflowStarter,
} from '../../functions/domain/workflows/ports.js';
import type { ApprovalStatus } from '../../schemas/workflow.js';

/** In-memory workflow definitions with the adapter's version rules. */
export class InMemoryWorkflows implements WorkflowRepository {
  readonly versions = new Map<string, StoredWorkflow[]>();
  readonly mutations: MutationRecord[] = [];
  async create(_t: string, wf: StoredWorkflow, mutation: MutationRecord) {
    if (this.versions.has(wf.id)) throw new ConflictError('exists');
    this.versions.set(wf.id, [structuredClone(wf)]);
    this.mutations.push(structuredClone(mutation));
  }
  async addVersion(_t: string, wf: StoredWorkflow, expectedVersion: number, mutation: MutationRecord) {
    const all = this.versions.get(wf.id);
    if (!all || all.at(-1)!.version !== expectedVersion) throw new ConflictError('stale');
    all.push(structuredClone(wf));
    this.mutations.push(structuredClone(mutation));
  }
  async get(_t: string, id: string, version?: number) {
    const all = this.versions.get(id);
    const wf = version ? all?.find((w) => w.version === version) : all?.at(-1);
    return wf && structuredClone(wf);
  }
  async list(): Promise<Page<StoredWorkflow>> {
    return { items: [...this.versions.values()].map((all) => structuredClone(all.at(-1)!)), nextCursor: null };
  }
}

/** In-memory runs with the adapter's optimistic locking on `revision`; keeps the mutations saved with them. */
export class InMemoryRuns implements RunRepository {
  readonly items = new Map<string, RunState>();
  readonly mutations: MutationRecord[] = [];
  async create(_t: string, r: RunState, mutation?: MutationRecord) {
    // The adapter's create is conditional on the id being new.
    if (this.items.has(r.executionId)) throw new ConflictError('exists');
    this.items.set(r.executionId, structuredClone(r));
    if (mutation) this.mutations.push(structuredClone(mutation));
  }
  async get(_t: string, id: string) {
    const r = this.items.get(id);
    return r && structuredClone(r);
  }
  /** Newest started first, filtered, paged by the last run's sort key (the adapter's GSI1SK) as the cursor. */
  async list(_t: string, q: RunQuery): Promise<Page<RunOverview>> {
    const sortKey = (r: RunState) => `${r.startedAt}#${r.executionId}`;
    const all = [...this.items.values()]
      .filter(
        (r) => (q.workflowId === undefined || r.workflowId === q.workflowId) && (!q.status || r.status === q.status),
      )
      .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1))
      .filter((r) => q.cursor === undefined || sortKey(r) < q.cursor);
    const page = all.slice(0, q.limit);
    return {
      items: page.map(({ input: _input, ...r }) => structuredClone(r)),
      nextCursor: all.length > q.limit ? sortKey(page.at(-1)!) : null,
    };
  }
  async save(_t: string, r: RunState, mutation?: MutationRecord) {
    if ((this.items.get(r.executionId)?.revision ?? 0) !== r.revision - 1) throw new ConflictError('changed');
    this.items.set(r.executionId, structuredClone(r));
    if (mutation) this.mutations.push(structuredClone(mutation));
  }
}

/** In-memory approvals with the adapter's conditional save (version and status). */
export class InMemoryApprovals implements ApprovalRepository {
  readonly items = new Map<string, StoredApproval>();
  readonly saves: StoredApproval[] = [];
  /** The audit records and events of the approvals created (written with them, as the adapter does). */
  readonly created: MutationRecord[] = [];
  /** Runs before a save is applied: lets a test change the item concurrently. */
  beforeSave?: () => void;
  async createOrGet(_t: string, a: StoredApproval, mutation: MutationRecord) {
    const existing = this.items.get(a.id);
    if (existing) return { created: false, approval: structuredClone(existing) };
    this.items.set(a.id, structuredClone(a));
    this.created.push(structuredClone(mutation));
    return { created: true, approval: a };
  }
  async get(_t: string, id: string) {
    const a = this.items.get(id);
    return a && structuredClone(a);
  }
  async save(_t: string, a: StoredApproval, from: ApprovalStatus) {
    const hook = this.beforeSave;
    this.beforeSave = undefined;
    hook?.();
    const current = this.items.get(a.id);
    if (!current || current.version !== a.version - 1 || current.status !== from) throw new ConflictError('changed');
    this.items.set(a.id, structuredClone(a));
    this.saves.push(a);
  }
  async list() {
    return { items: [...this.items.values()], nextCursor: null };
  }
}

/** Records the executions a use case starts. */
export class RecordingStarter implements WorkflowStarter {
  readonly started: Array<{ tenantId: string; runId: string; generation: number; plan: Plan }> = [];
  async start(input: { tenantId: string; runId: string; generation: number; plan: Plan }) {
    this.started.push(structuredClone(input));
  }
}

/** Records every webhook it is asked to send and answers delivered. */
export class RecordingWebhookSender implements WebhookSender {
  readonly sent: WebhookSendRequest[] = [];
  async send(req: WebhookSendRequest): Promise<WebhookDelivery> {
    this.sent.push(structuredClone(req));
    return { delivered: true, id: req.id ?? 'msg_x', attempts: 1, status: 200 };
  }
}

/** Records every task callback as `succeed:<token>`, `fail:<token>:<error>` or `heartbeat:<token>`, and answers sent. */
export class RecordingTaskCallbacks implements TaskCallbacks {
  readonly calls: string[] = [];
  async succeed(token: string): Promise<'sent' | 'gone'> {
    this.calls.push(`succeed:${token}`);
    return 'sent';
  }
  async fail(token: string, error: string): Promise<'sent' | 'gone'> {
    this.calls.push(`fail:${token}:${error}`);
    return 'sent';
  }
  async heartbeat(token: string): Promise<'sent' | 'gone'> {
    this.calls.push(`heartbeat:${token}`);
    return 'sent';
  }
}
