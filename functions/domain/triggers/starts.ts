/**
 * Starting workflows from what happens: a signal whose rule names `then.startWorkflow`, a schedule trigger's fire, an
 * inbound webhook. Each start is idempotent: the run's execution id is derived from what started it
 * (execution-ids.ts), and a run is created only if none has that id, so a redelivered signal, a retried fire or a
 * repeated `webhook-id` starts nothing new. Each run records what started it (`trigger`) and runs as the trigger's
 * system actor (`trigger:<kind>:<id>`).
 */
import { HOOK_ID, type ScheduledWorkflowInput, type WebhookAccepted } from '../../../schemas/triggers.js';
import { triggerActor } from '../auth/actors.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Clock, SecretBox } from '../ports.js';
import type { DetectedSignal } from '../cases/signal-cases.js';
import { WebhookVerificationError } from '../webhooks/errors.js';
import { DEFAULT_TOLERANCE_SECONDS, verifyWebhook, type IncomingHeaders } from '../webhooks/signing.js';
import type { StartDeps } from '../workflows/runs/run-state.js';
import { startTriggeredRun } from '../workflows/runs/use-cases.js';
import { HookRateLimitedError, InboundWebhookRefusedError } from './errors.js';
import { triggeredExecutionId } from './execution-ids.js';
import type { HookRateLimiter, TriggerStore } from './ports.js';

/**
 * The roles a run started by a signal rule acts with: those of the user who wrote the rule's version (the signal's
 * `action.roles`), so a rule's run may do what its author could by executing the workflow, no more. A version stored
 * before roles were recorded acts as an operator (who may write rules and execute any workflow with its own roles).
 */
export const SIGNAL_TRIGGER_ROLES = ['operator'] as const;

/** Largest inbound webhook body, in bytes: the API's own body limit. */
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

export type StartOutcome =
  | { started: true; executionId: string; created: boolean }
  | { started: false; reason: 'no_action' | 'trigger_not_found' | 'trigger_disabled' | 'workflow_not_found' };

/**
 * The `signal.detected` consumer: starts the workflow the signal's rule names, with input
 * `{ signal: <the signal>, ...action.input }` (the rule's input wins where both name a member). A workflow that no
 * longer exists starts nothing (retrying would not make it exist): the outcome says so.
 */
export async function startFromSignal(
  tenantId: string,
  signal: DetectedSignal & Record<string, unknown>,
  requestId: string,
  deps: StartDeps,
): Promise<StartOutcome> {
  const action = signal.action;
  if (!action?.startWorkflow) return { started: false, reason: 'no_action' };
  return guardMissingWorkflow(async () => {
    const started = await startTriggeredRun(
      { workflowId: action.startWorkflow, input: { signal, ...(action.input ?? {}) } },
      tenantId,
      {
        executionId: triggeredExecutionId(tenantId, { kind: 'signal', signalId: signal.signalId }),
        trigger: {
          kind: 'signal',
          id: signal.signalId,
          ruleId: signal.ruleId,
          ...(typeof signal.ruleVersion === 'number' ? { ruleVersion: signal.ruleVersion } : {}),
          ...(typeof signal.matchId === 'string' ? { matchId: signal.matchId } : {}),
        },
        actor: triggerActor('signal', signal.ruleId),
        roles: action.roles ?? SIGNAL_TRIGGER_ROLES,
        requestId,
      },
      deps,
    );
    return { started: true, executionId: started.executionId, created: started.created };
  });
}

/**
 * The schedule target: one fire of a schedule trigger starts one run, with input
 * `{ schedule: { triggerId, scheduledTime }, ...trigger.input }`. A trigger deleted or disabled since the fire was
 * due starts nothing (its schedule is being removed).
 */
export async function startFromSchedule(
  fire: ScheduledWorkflowInput,
  deps: StartDeps & { triggers: TriggerStore },
): Promise<StartOutcome> {
  const trigger = await deps.triggers.get(fire.tenantId, fire.triggerId);
  if (!trigger || trigger.kind !== 'schedule') return { started: false, reason: 'trigger_not_found' };
  if (!trigger.enabled) return { started: false, reason: 'trigger_disabled' };
  const scheduledTime = new Date(fire.scheduledTime).toISOString();
  return guardMissingWorkflow(async () => {
    const started = await startTriggeredRun(
      {
        workflowId: trigger.workflowId,
        input: { schedule: { triggerId: trigger.id, scheduledTime }, ...trigger.input },
      },
      fire.tenantId,
      {
        executionId: triggeredExecutionId(fire.tenantId, { kind: 'schedule', triggerId: trigger.id, scheduledTime }),
        trigger: { kind: 'schedule', id: trigger.id, scheduledTime },
        actor: triggerActor('schedule', trigger.id),
        roles: trigger.roles,
        requestId: `schedule-${trigger.id}-${scheduledTime}`,
      },
      deps,
    );
    return { started: true, executionId: started.executionId, created: started.created };
  });
}

async function guardMissingWorkflow(start: () => Promise<StartOutcome>): Promise<StartOutcome> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof NotFoundError) return { started: false, reason: 'workflow_not_found' };
    throw error;
  }
}

export interface InboundWebhook {
  hookId: string;
  /** The body exactly as received: the signature is over these bytes. */
  body: Uint8Array;
  headers: IncomingHeaders;
  requestId: string;
}

export interface WebhookDeps extends StartDeps {
  triggers: TriggerStore;
  secrets: SecretBox;
  rateLimiter: HookRateLimiter;
  /** The API's JSON reader (strict: duplicate keys, unstorable numbers refused), applied to the verified body. */
  parseJson: (text: string) => unknown;
  clock: Clock;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The same answer for a hook that does not exist, exists for another tenant, is not a webhook or is disabled. */
const noSuchHook = () => new NotFoundError('no such hook');

/**
 * `POST /api/v1/hooks/{hookId}`: an inbound Standard Webhooks request starting the hook's workflow with input
 * `{ webhook: <the JSON body>, ...trigger.input }`. In order: the body's size; the hook (404 alike for every reason it
 * cannot take requests); the signature over the raw bytes with the hook's secret and a timestamp within 5 minutes
 * either way (401 naming the header at fault); the hook's rate (429); the body as JSON (400); then the start, once per
 * `webhook-id`: a repeat (the sender's retry) answers with the run the first delivery started, `duplicate: true`.
 */
export async function receiveWebhook(request: InboundWebhook, deps: WebhookDeps): Promise<WebhookAccepted> {
  if (request.body.byteLength > MAX_WEBHOOK_BODY_BYTES)
    throw new ValidationError(`request body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`, {
      details: [{ field: 'body', message: 'too large' }],
    });
  const ids = HOOK_ID.exec(request.hookId);
  if (!ids) throw noSuchHook();
  const [, tenantId, key] = ids as unknown as [string, string, string];
  const triggerId = `trg_${key}`;
  const trigger = await deps.triggers.get(tenantId, triggerId);
  if (!trigger || trigger.kind !== 'webhook' || !trigger.enabled || !trigger.sealedSecret) throw noSuchHook();

  const secret = await deps.secrets.open(tenantId, trigger.sealedSecret);
  const now = deps.clock.now();
  let webhookId: string;
  try {
    webhookId = verifyWebhook({
      body: request.body,
      headers: request.headers,
      secrets: [secret],
      now,
      toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
    }).id;
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw refusal(error);
    throw error;
  }
  const rate = await deps.rateLimiter.take(tenantId, triggerId, now);
  if (!rate.allowed)
    throw new HookRateLimitedError(`hook ${request.hookId} takes no more requests now`, rate.retryAfterSeconds);

  let body: unknown;
  try {
    body = deps.parseJson(utf8.decode(request.body));
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError('request body is not UTF-8 JSON', {
      details: [{ field: 'body', message: 'invalid UTF-8' }],
    });
  }
  const started = await startTriggeredRun(
    { workflowId: trigger.workflowId, input: { webhook: body, ...trigger.input } },
    tenantId,
    {
      executionId: triggeredExecutionId(tenantId, { kind: 'webhook', triggerId, webhookId }),
      trigger: { kind: 'webhook', id: triggerId, webhookId },
      actor: triggerActor('webhook', triggerId),
      roles: trigger.roles,
      requestId: request.requestId,
    },
    deps,
  );
  return { executionId: started.executionId, status: started.status, duplicate: !started.created };
}

const REFUSED_HEADER: Record<WebhookVerificationError['reason'], { field: string; message: string }> = {
  missing_headers: {
    field: 'webhook-signature',
    message: 'webhook-id, webhook-timestamp and webhook-signature are required',
  },
  malformed_headers: { field: 'webhook-id', message: 'a webhook header is malformed or repeated' },
  timestamp_too_old: {
    field: 'webhook-timestamp',
    message: `older than ${DEFAULT_TOLERANCE_SECONDS / 60} minutes: sign each attempt with its own time`,
  },
  timestamp_too_new: {
    field: 'webhook-timestamp',
    message: `more than ${DEFAULT_TOLERANCE_SECONDS / 60} minutes ahead of the platform's clock`,
  },
  no_matching_signature: { field: 'webhook-signature', message: "no v1 signature made with the hook's secret" },
};

function refusal(error: WebhookVerificationError): InboundWebhookRefusedError {
  const detail = REFUSED_HEADER[error.reason];
  return new InboundWebhookRefusedError(error.reason, `webhook refused: ${detail.message}`, [detail], error);
}
