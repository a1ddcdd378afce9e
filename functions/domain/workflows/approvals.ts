import type { EventPayload } from '../../../schemas/events.js';
import type { Approval, ApprovalStatus, ApprovalSubject } from '../../../schemas/workflow.js';
import { callbackActor } from '../auth/actors.js';
import { requirePermission } from '../auth/authorize.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';
import type { MutationRecord, Page, Principal, RequestContext, SecretBox } from '../ports.js';
import { hashOf } from '../shared/hash.js';
import { stepActionOf } from './approval-action.js';
import { signCallbackCredential, verifyCallbackCredential } from './callback-credentials.js';
import { WORKFLOW_ERROR_NAMES, WorkflowFailedError } from './errors.js';
import type { ApprovalSubjectNotifier, StoredApproval, SubjectWebhook } from './ports.js';
import { approvalIdOf, mutateRun, newNonce, SYSTEM_ACTOR, type RunDeps, type RunRef } from './runs/run-state.js';

export interface ApprovalDeps extends RunDeps {
  /** HMAC key of callback credentials. */
  callbackKey: Buffer;
  /** Opens the workflow's sealed webhook secret. */
  secrets: SecretBox;
  /** Base URL the webhook's callback links point to (the API's public URL). */
  publicBaseUrl: string;
}

/** What the gate task needs; `tools` describe the step's action (its description, its secret inputs). */
export type RequestDeps = Pick<ApprovalDeps, 'runs' | 'approvals' | 'workflows' | 'callbacks' | 'clock' | 'tools'>;
/** What the webhook notifier needs; `subjects` send and record the webhooks of approvals with a subject. */
export type NotifyDeps = Pick<
  ApprovalDeps,
  'approvals' | 'workflows' | 'runs' | 'webhooks' | 'callbacks' | 'callbackKey' | 'publicBaseUrl' | 'log' | 'secrets'
> & { subjects?: Partial<Record<ApprovalSubject['kind'], ApprovalSubjectNotifier>> };
/** What a decision needs (API or callback link). */
export type DecideDeps = Pick<ApprovalDeps, 'approvals' | 'runs' | 'callbacks' | 'clock' | 'callbackKey'>;

export const publicApproval = ({
  tenantId,
  generation,
  taskToken,
  callbackNonce,
  version,
  ...a
}: StoredApproval): Approval => a;

/**
 * Gate task (`.waitForTaskToken`): records the approval request with the task token (server-side
 * only), who it is for (the run's starter) and what approving does (approval-action.ts), emits
 * approval.requested with both (approvalRequestedPayload; it drives the webhook) and marks the run as waiting. A retried gate finds
 * the same approval (its id is deterministic) and only refreshes the token; if it was decided
 * meanwhile, the decision is delivered to the new token at once.
 */
export async function requestApproval(
  ref: RunRef & { stepId: string; taskToken: string },
  deps: RequestDeps,
): Promise<{ approvalId: string }> {
  const run = await deps.runs.get(ref.tenantId, ref.runId);
  if (!run || run.generation !== ref.generation)
    throw new WorkflowFailedError(`execution ${ref.runId} generation ${ref.generation} is not current`);
  const index = run.definition.findIndex((d) => d.id === ref.stepId);
  const def = run.definition[index];
  if (!def?.approval) throw new WorkflowFailedError(`step ${ref.stepId} has no approval gate`);
  const wf = await deps.workflows.get(ref.tenantId, run.workflowId, run.workflowVersion);
  const now = deps.clock.now();
  const approval: StoredApproval = {
    id: approvalIdOf(ref.runId, ref.stepId, ref.generation),
    executionId: ref.runId,
    workflowId: run.workflowId,
    stepId: ref.stepId,
    tool: def.tool,
    status: 'pending',
    notification: wf?.webhook ? 'pending' : 'none',
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + def.approval.timeoutSeconds * 1000).toISOString(),
    roles: def.approval.roles ?? ['approver'],
    requestedBy: run.startedBy,
    action: stepActionOf(run, def, deps.tools),
    tenantId: ref.tenantId,
    generation: ref.generation,
    taskToken: ref.taskToken,
    callbackNonce: newNonce(),
    version: 1,
  };
  await recordApprovalRequest(ref.tenantId, approval, deps, {
    audit: {
      action: 'approval.request',
      actor: SYSTEM_ACTOR,
      resourceType: 'approval',
      resourceId: approval.id,
      at: approval.requestedAt,
      requestId: `${ref.runId}:${ref.stepId}:g${ref.generation}`,
      beforeHash: null,
      afterHash: hashOf(publicApproval(approval)),
    },
    events: [{ name: 'approval.requested', payload: approvalRequestedPayload(approval) }],
  });
  await mutateRun(deps, ref, (r) => {
    const step = r.steps.find((s) => s.id === ref.stepId);
    if (!step || step.status === 'SUCCEEDED') return false;
    step.status = 'WAITING_FOR_APPROVAL';
    step.approvalId = approval.id;
    r.status = 'WAITING_FOR_APPROVAL';
  });
  // The request is recorded: the heartbeat clock restarts, so the gate now waits its full timeout.
  await deps.callbacks.heartbeat(ref.taskToken);
  return { approvalId: approval.id };
}

/**
 * The `approval.requested` payload of an approval, taken from the approval as recorded: who asked and what approving
 * does are the record's own `requestedBy` and `action` (approval-action.ts: secret inputs as "[secret]", an input over
 * MAX_APPROVAL_INPUT_BYTES as its size, so the event stays far below the bus's 256 KB), never computed again. Every
 * gate that records an approval emits it with this payload (workflow steps, agent outputs).
 */
export function approvalRequestedPayload(approval: StoredApproval): EventPayload<'approval.requested'> {
  return {
    approvalId: approval.id,
    executionId: approval.executionId,
    workflowId: approval.workflowId,
    stepId: approval.stepId,
    tool: approval.tool,
    expiresAt: approval.expiresAt,
    roles: approval.roles,
    ...(approval.requestedBy !== undefined ? { requestedBy: approval.requestedBy } : {}),
    ...(approval.action !== undefined ? { action: approval.action } : {}),
  };
}

/**
 * Records an approval request with its gate's task token, or finds the one a retried gate recorded before (approval
 * ids are deterministic): a pending one gets the new token, a decided one has its decision delivered to it at once.
 * Shared by every gate that waits on an approval (workflow steps, agent outputs).
 */
export async function recordApprovalRequest(
  tenantId: string,
  approval: StoredApproval,
  deps: Pick<ApprovalDeps, 'approvals' | 'callbacks'>,
  mutation: MutationRecord,
): Promise<StoredApproval> {
  const { created, approval: existing } = await deps.approvals.createOrGet(tenantId, approval, mutation);
  if (created) return approval;
  if (existing.status === 'pending' && existing.taskToken !== approval.taskToken) {
    const refreshed = { ...existing, taskToken: approval.taskToken, version: existing.version + 1 };
    await deps.approvals.save(tenantId, refreshed, 'pending');
    return refreshed;
  }
  if (existing.status === 'approved') {
    await deps.callbacks.succeed(approval.taskToken, { approvalId: existing.id, decision: 'approved' });
  } else if (existing.status === 'rejected') {
    await deps.callbacks.fail(
      approval.taskToken,
      WORKFLOW_ERROR_NAMES.ApprovalRejected,
      JSON.stringify({
        errorType: WORKFLOW_ERROR_NAMES.ApprovalRejected,
        errorMessage: `approval ${existing.id} was rejected`,
      }),
    );
  }
  return existing;
}

/** Callback URLs (with fresh single-use credentials) for an approval's webhook. */
export function callbackLinks(approval: StoredApproval, deps: Pick<ApprovalDeps, 'callbackKey' | 'publicBaseUrl'>) {
  const exp = Math.floor(Date.parse(approval.expiresAt) / 1000);
  const link = (decision: 'approve' | 'reject') => {
    const credential = signCallbackCredential(
      { tenantId: approval.tenantId, approvalId: approval.id, decision, nonce: approval.callbackNonce, exp },
      deps.callbackKey,
    );
    return `${deps.publicBaseUrl.replace(/\/$/, '')}/api/v1/approvals/${approval.id}/callback/${decision}?credential=${encodeURIComponent(credential)}`;
  };
  return { approve: link('approve'), reject: link('reject') };
}

/** The webhook of a workflow step's approval: the workflow version's endpoint and secret. */
async function workflowWebhookOf(approval: StoredApproval, deps: NotifyDeps): Promise<SubjectWebhook | undefined> {
  const wf = await deps.workflows.get(approval.tenantId, approval.workflowId);
  const run = await deps.runs.get(approval.tenantId, approval.executionId);
  const version = run
    ? await deps.workflows.get(approval.tenantId, approval.workflowId, run.workflowVersion)
    : undefined;
  const webhook = version?.webhook ?? wf?.webhook;
  const sealed = version?.sealedWebhookSecret ?? wf?.sealedWebhookSecret;
  if (!webhook || !sealed) return undefined;
  // The approval.requested event's fields but the roles (who asked and what approving does as recorded: secret
  // inputs as "[secret]"), with the decision links.
  const { roles: _roles, ...requested } = approvalRequestedPayload(approval);
  return {
    url: webhook.url,
    secrets: [await deps.secrets.open(approval.tenantId, sealed)],
    eventType: 'approval.requested',
    payload: { ...requested, callbacks: callbackLinks(approval, deps) },
  };
}

/**
 * approval.requested consumer: sends the signed webhook (retries with backoff inside the sender): the workflow's for a
 * step's approval, the subject owner's (NotifyDeps.subjects) for an approval with a subject, which also records the
 * outcome on its subject. When retries are exhausted the approval stays pending and is marked `notification_failed`.
 * A delivery attempt also heartbeats the gate.
 */
export async function notifyApproval(
  ref: { tenantId: string; approvalId: string },
  deps: NotifyDeps,
): Promise<'delivered' | 'notification_failed' | 'skipped'> {
  const approval = await deps.approvals.get(ref.tenantId, ref.approvalId);
  if (!approval || approval.status !== 'pending' || approval.notification !== 'pending') return 'skipped';
  const subject = approval.subject ? deps.subjects?.[approval.subject.kind] : undefined;
  if (approval.subject && !subject) throw new Error(`no notifier for approvals of ${approval.subject.kind}`);
  const webhook = subject
    ? await subject.webhookOf(approval, callbackLinks(approval, deps))
    : await workflowWebhookOf(approval, deps);
  if (!webhook) return 'skipped';
  const delivery = await deps.webhooks.send({
    url: webhook.url,
    secrets: webhook.secrets,
    eventType: webhook.eventType,
    id: `msg_${approval.id}`,
    occurredAt: new Date(approval.requestedAt),
    payload: webhook.payload,
  });
  await subject?.recordDelivery(approval, delivery);
  const notification = delivery.delivered ? 'delivered' : 'notification_failed';
  const latest = await deps.approvals.get(ref.tenantId, ref.approvalId);
  if (latest?.status === 'pending') {
    await deps.approvals
      .save(ref.tenantId, { ...latest, notification, version: latest.version + 1 }, 'pending')
      .catch((e) => {
        if (!(e instanceof ConflictError)) throw e; // decided meanwhile: the decision wins
      });
    await deps.callbacks.heartbeat(latest.taskToken);
  }
  deps.log?.('approval notification', {
    approvalId: approval.id,
    notification,
    attempts: delivery.attempts,
    ...(delivery.delivered ? {} : { failure: delivery.lastError.kind }),
  });
  return notification;
}

export type Decider =
  | { kind: 'user'; principal: Principal; requestId: string }
  | { kind: 'callback'; credential: string; requestId: string };

/**
 * Decides an approval: exactly one decision wins (conditional write from `pending`; the loser gets
 * 409), the decision is audited and emitted (approval.decided), and the waiting gate is completed
 * with SendTaskSuccess or SendTaskFailure. A user needs approvals:decide and one of the step's roles
 * (admin always may); a callback needs a valid, unexpired, unused credential for this decision.
 */
export async function decideApproval(
  approvalId: string,
  decision: 'approve' | 'reject',
  decider: Decider,
  comment: string | undefined,
  deps: DecideDeps,
): Promise<Approval> {
  const now = deps.clock.now();
  let tenantId: string;
  let actor: string;
  let nonce: string | undefined;
  if (decider.kind === 'user') {
    requirePermission(decider.principal, 'approvals:decide');
    tenantId = decider.principal.tenantId;
    actor = decider.principal.userId;
  } else {
    const claims = verifyCallbackCredential(decider.credential, deps.callbackKey, Math.floor(now.getTime() / 1000));
    if (claims.approvalId !== approvalId || claims.decision !== decision)
      throw new UnauthorizedError('callback credential is for another approval or decision', {
        reason: 'callback_credential_invalid',
      });
    tenantId = claims.tenantId;
    actor = callbackActor(approvalId);
    nonce = claims.nonce;
  }
  // Retried when the approval changed under us without being decided (the notifier recording its
  // delivery); a decision that lost to another decision gets 409.
  let decided: StoredApproval | undefined;
  for (let attempt = 1; !decided; attempt++) {
    const approval = await deps.approvals.get(tenantId, approvalId);
    if (!approval) throw new NotFoundError(`approval ${approvalId} not found`);
    if (decider.kind === 'user') {
      const roles = decider.principal.roles;
      if (!roles.includes('admin') && !approval.roles.some((r) => roles.includes(r))) {
        throw new ForbiddenError(
          `deciding approval ${approvalId} needs one of the roles: admin, ${approval.roles.join(', ')}`,
          { reason: 'missing_role' },
        );
      }
    }
    if (approval.status !== 'pending') throw new ConflictError(`approval ${approvalId} was already ${approval.status}`);
    if (nonce !== undefined && nonce !== approval.callbackNonce)
      throw new UnauthorizedError('callback credential was already used or replaced', {
        reason: 'callback_credential_used',
      });
    if (Date.parse(approval.expiresAt) <= now.getTime())
      throw new ConflictError(`approval ${approvalId} expired at ${approval.expiresAt}`);

    const status: ApprovalStatus = decision === 'approve' ? 'approved' : 'rejected';
    const candidate: StoredApproval = {
      ...approval,
      status,
      decidedAt: now.toISOString(),
      decidedBy: actor,
      ...(comment ? { comment } : {}),
      // A consumed nonce: any other credential of this approval is now useless.
      callbackNonce: newNonce(),
      version: approval.version + 1,
    };
    const mutation: MutationRecord = {
      audit: {
        action: `approval.${decision}`,
        actor,
        resourceType: 'approval',
        resourceId: approvalId,
        at: candidate.decidedAt!,
        requestId: decider.requestId,
        beforeHash: hashOf(publicApproval(approval)),
        afterHash: hashOf(publicApproval(candidate)),
      },
      events: [
        {
          name: 'approval.decided',
          payload: {
            approvalId,
            executionId: approval.executionId,
            stepId: approval.stepId,
            decision: status as 'approved' | 'rejected',
            decidedBy: actor,
          },
        },
      ],
    };
    try {
      await deps.approvals.save(tenantId, candidate, 'pending', mutation);
      decided = candidate;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 5) throw error;
    }
  }
  // The run shows RUNNING again when the gated step starts (runStep): no extra write here.
  // 'gone' means the gate is over: completed by the relay (or an earlier, lost response of this same
  // call), or timed out. Only a run that actually timed out makes this decision too late; then its
  // finish (or this check) records the approval as timed_out.
  if ((await completeGate(decided, deps)) === 'gone') {
    const run = await deps.runs.get(tenantId, decided.executionId);
    if (run && run.generation === decided.generation && run.status === 'TIMED_OUT') {
      await deps.approvals
        .save(tenantId, { ...decided, status: 'timed_out', version: decided.version + 1 }, decided.status)
        .catch((e) => {
          if (!(e instanceof ConflictError)) throw e;
        });
      throw new ConflictError(`approval ${approvalId} timed out before the decision reached its gate`);
    }
  }
  return publicApproval(decided);
}

/** Sends the decision to the waiting gate; a gate already gone (timed out, completed) is fine. */
async function completeGate(
  approval: StoredApproval,
  deps: Pick<ApprovalDeps, 'callbacks'>,
): Promise<'sent' | 'gone' | 'none'> {
  if (approval.status === 'approved')
    return deps.callbacks.succeed(approval.taskToken, { approvalId: approval.id, decision: 'approved' });
  if (approval.status === 'rejected') {
    return deps.callbacks.fail(
      approval.taskToken,
      WORKFLOW_ERROR_NAMES.ApprovalRejected,
      JSON.stringify({
        errorType: WORKFLOW_ERROR_NAMES.ApprovalRejected,
        errorMessage: `approval ${approval.id} was rejected by ${approval.decidedBy}`,
      }),
    );
  }
  return 'none';
}

/**
 * approval.decided consumer: delivers the decision to the gate again. If the process deciding died
 * between the write and SendTaskSuccess, this is what completes the gate (outbox → bus → here).
 */
export async function relayDecision(
  ref: { tenantId: string; approvalId: string },
  deps: Pick<ApprovalDeps, 'approvals' | 'callbacks'>,
): Promise<void> {
  const approval = await deps.approvals.get(ref.tenantId, ref.approvalId);
  if (approval) await completeGate(approval, deps);
}

export async function listApprovals(
  query: { status: ApprovalStatus; limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<ApprovalDeps, 'approvals'>,
): Promise<Page<Approval>> {
  requirePermission(ctx.principal, 'approvals:read');
  const page = await deps.approvals.list(ctx.principal.tenantId, query);
  return { items: page.items.map(publicApproval), nextCursor: page.nextCursor };
}
