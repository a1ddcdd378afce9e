import type { OutputStatus } from '../../../../schemas/agents.js';
import { changeAudit } from '../../audit/audit-actor.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { AuditEntry, Clock, MutationRecord } from '../../ports.js';
import type { DomainEvent } from '../../../../schemas/events.js';
import type { OutputRepository, StoredOutput } from './ports.js';
import { assertTransition } from './status.js';
import { publicOutput } from './view.js';

/** A change of an output: its new status (or the same, for bookkeeping), fields, who made it, what it emits. */
export interface OutputChange {
  status: OutputStatus;
  patch?: Partial<Pick<StoredOutput, 'result' | 'webhook_attempts' | 'webhook_last_error'>>;
  action: string;
  actor: Pick<AuditEntry, 'actor' | 'via'>;
  requestId: string;
  events?: DomainEvent[];
}

/**
 * Reads the output, lets `decide` choose the change (or none: `undefined`), checks it against the status machine
 * and saves it conditionally on the version and status read, with its audit record and events in the same
 * transaction. A concurrent change (the notifier recording a delivery while a decision lands) makes it read and decide
 * again, so a terminal state reached meanwhile is never overwritten.
 */
export async function changeOutput(
  deps: { outputs: OutputRepository; clock: Clock },
  ref: { tenantId: string; outputId: string },
  decide: (output: StoredOutput) => OutputChange | undefined,
): Promise<StoredOutput> {
  for (let attempt = 1; ; attempt++) {
    const output = await deps.outputs.get(ref.tenantId, ref.outputId);
    if (!output) throw new NotFoundError(`output ${ref.outputId} not found`);
    const change = decide(output);
    if (!change) return output;
    if (change.status !== output.status) assertTransition(output.status, change.status);
    const at = deps.clock.now().toISOString();
    const next: StoredOutput = {
      ...output,
      ...change.patch,
      status: change.status,
      updated_at: at,
      version: output.version + 1,
    };
    const mutation: MutationRecord = {
      audit: changeAudit({
        action: change.action,
        actor: change.actor,
        resourceType: 'agent_output',
        resourceId: output.id,
        before: publicOutput(output),
        after: publicOutput(next),
        at,
        requestId: change.requestId,
      }),
      events: change.events ?? [],
    };
    try {
      await deps.outputs.save(ref.tenantId, next, output.status, mutation);
      return next;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 8) throw error;
    }
  }
}
