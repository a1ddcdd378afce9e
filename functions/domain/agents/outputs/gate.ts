import { changeAudit } from '../../audit/audit-actor.js';
import type { Clock } from '../../ports.js';
import { approvalRequestedPayload, recordApprovalRequest } from '../../workflows/approvals.js';
import { WorkflowFailedError } from '../../workflows/errors.js';
import type { ApprovalRepository, StoredApproval, TaskCallbacks } from '../../workflows/ports.js';
import { newNonce } from '../../workflows/runs/run-state.js';
import { AGENT_OUTPUTS_ACTOR, outputApprovalIdOf, outputExecutionNameOf } from './naming.js';
import type { OutputGateStarter, OutputRepository } from './ports.js';
import { isUndecided } from './status.js';

/** The roles that decide an output's approval besides admin (the approval routes check them). */
export const OUTPUT_APPROVER_ROLES = ['approver'];

/**
 * An approval expires a little before its gate times out, so a decision the API accepts still reaches a waiting gate
 * (the gate's clock starts when Step Functions schedules it, the approval's when the gate task runs): 10 % of the
 * wait, at most a minute.
 */
export const expiryMarginMs = (timeoutSeconds: number): number => Math.min(60_000, timeoutSeconds * 100);

export interface OutputGateDeps {
  outputs: OutputRepository;
  approvals: ApprovalRepository;
  callbacks: TaskCallbacks;
  clock: Clock;
}

/**
 * Gate task of the AgentOutput state machine (`.waitForTaskToken`): records the output's one approval (its id derived
 * from the output's) with the task token, through the workflow approval machinery, so `GET /approvals`, the
 * approve/reject routes, the signed callback links and the relay decide it as any approval. `approval.requested`
 * (the approval's fields, `requestedBy` and `action` included) drives the webhook to the agent's endpoint. A retried gate finds the same approval: a pending one takes the new
 * token, a decided one completes the gate at once.
 *
 * The approval is for the user whose session proposed the output (`requestedBy`; the agent is in its subject), and
 * its action names the skill with the description it had when proposed. It carries no input: the content is the
 * output's (GET /outputs/{id}, which approvers may read), read from S3 and not copied into the approval.
 */
export async function requestOutputApproval(
  ref: { tenantId: string; outputId: string; taskToken: string },
  deps: OutputGateDeps,
): Promise<{ approvalId: string }> {
  const output = await deps.outputs.get(ref.tenantId, ref.outputId);
  if (!output) throw new WorkflowFailedError(`output ${ref.outputId} not found`);
  const now = deps.clock.now();
  const timeoutSeconds = output.approval_timeout_seconds;
  const approval: StoredApproval = {
    id: output.approval_id ?? outputApprovalIdOf(output.id),
    executionId: outputExecutionNameOf(output.id),
    workflowId: output.agent_id,
    stepId: 'output',
    tool: output.skill_used ?? 'output',
    status: 'pending',
    notification: output.webhook_url && output.sealed_webhook_secret && isUndecided(output.status) ? 'pending' : 'none',
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + timeoutSeconds * 1000 - expiryMarginMs(timeoutSeconds)).toISOString(),
    roles: OUTPUT_APPROVER_ROLES,
    subject: { kind: 'agent_output', outputId: output.id, agentId: output.agent_id },
    requestedBy: output.proposer.userId,
    action: {
      tool: output.skill_used ?? 'output',
      ...(output.skill_description !== undefined ? { description: output.skill_description } : {}),
    },
    tenantId: ref.tenantId,
    generation: 1,
    taskToken: ref.taskToken,
    callbackNonce: newNonce(),
    version: 1,
  };
  const { tenantId, generation, taskToken, callbackNonce, version, ...visible } = approval;
  const recorded = await recordApprovalRequest(ref.tenantId, approval, deps, {
    audit: changeAudit({
      action: 'approval.request',
      actor: { actor: AGENT_OUTPUTS_ACTOR },
      resourceType: 'approval',
      resourceId: approval.id,
      before: null,
      after: visible,
      at: approval.requestedAt,
      requestId: `${approval.executionId}:gate`,
    }),
    events: [{ name: 'approval.requested', payload: approvalRequestedPayload(approval) }],
  });
  return { approvalId: recorded.id };
}

/**
 * Launcher (`agent.output.proposed` consumer): makes sure an undecided output has its gate execution. The proposal
 * starts it at once; this covers a proposal whose start failed or whose process died after its transaction. The
 * execution's name and input derive from the output, so a start of an existing one changes nothing.
 */
export async function ensureOutputGate(
  ref: { tenantId: string; outputId: string },
  deps: { outputs: OutputRepository; starter: OutputGateStarter },
): Promise<'started' | 'skipped'> {
  const output = await deps.outputs.get(ref.tenantId, ref.outputId);
  if (!output || !isUndecided(output.status)) return 'skipped';
  await deps.starter.start({
    tenantId: ref.tenantId,
    outputId: output.id,
    timeoutSeconds: output.approval_timeout_seconds,
  });
  return 'started';
}
