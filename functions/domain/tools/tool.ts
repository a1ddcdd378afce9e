import type * as z from 'zod';
import type { Clock, EntityRepository, IdempotencyStore, RequestContext } from '../ports.js';
import type { WebhookSender } from '../webhooks/ports.js';

/** Who started a run: recorded on the run when it is executed, kept by redrives. */
export interface RunStarter {
  userId: string;
  roles: readonly string[];
}

/** What a tool knows about the step it runs in. */
export interface ToolContext {
  tenantId: string;
  runId: string;
  stepId: string;
  /** The user who started the run: a tool acts with exactly their roles, never more, and is audited as them. */
  startedBy: RunStarter;
  /** The system acting for `startedBy` (the workflow engine): recorded beside the user in the audit. */
  via: string;
  /** Stable across retries and Step Functions re-deliveries of this step (not across redrives of a compensated step). */
  effectKey: string;
  /** Attempt number of this step (1 on the first try). */
  attempt: number;
}

export interface ToolDeps {
  entities: EntityRepository;
  clock: Clock;
  idempotency: IdempotencyStore;
  webhooks: WebhookSender;
}

/**
 * The request context a tool hands to the use cases it calls: the run's starter as principal (so the
 * use case's own permission check applies to them), and the engine and run as `via` for the audit.
 */
export const requestContextOf = (ctx: ToolContext): RequestContext => ({
  principal: { tenantId: ctx.tenantId, userId: ctx.startedBy.userId, roles: ctx.startedBy.roles },
  requestId: `${ctx.runId}:${ctx.stepId}`,
  via: { actor: ctx.via, runId: ctx.runId },
});

/**
 * A tool of the registry. `execute` must be idempotent for a given `ctx.effectKey`: a retried step
 * calls it again and must not repeat its effect. `compensate` undoes a completed execution (saga).
 */
export interface Tool<I = any, O = any> {
  name: string;
  description: string;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  /** May run without a human in the loop (an agent may pick it). */
  automatable: boolean;
  /** Every step using this tool must declare an approval gate. */
  requiresApproval: boolean;
  /**
   * Top-level input fields that hold secrets. A step gives them as literal values; they are sealed with
   * the tenant's key when the definition is stored, never returned by the API, opened only when the step
   * runs, and left out of the input the run records. So `compensate` never receives them.
   */
  secretInputs?: readonly string[];
  execute(input: I, ctx: ToolContext, deps: ToolDeps): Promise<O>;
  compensate?(input: I, output: O, ctx: ToolContext, deps: ToolDeps): Promise<void>;
}
