import type * as z from 'zod';
import type { Clock, EntityRepository, IdempotencyStore } from '../ports.js';
import type { WebhookSender } from '../webhooks/ports.js';

/** What a tool knows about the step it runs in. */
export interface ToolContext {
  tenantId: string;
  runId: string;
  stepId: string;
  /** The user who started the run: tools act on their behalf and are audited as them. */
  actor: string;
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
  execute(input: I, ctx: ToolContext, deps: ToolDeps): Promise<O>;
  compensate?(input: I, output: O, ctx: ToolContext, deps: ToolDeps): Promise<void>;
}
