import { createHash } from 'node:crypto';

/**
 * The execution id of a triggered run, derived from what started it, so a repeat of the same start names the same
 * run and starts nothing new (the run is created only if no run has the id: workflows/runs/use-cases.ts
 * `startTriggeredRun`):
 *
 * - a signal rule's action: the signal id (a redelivered `signal.detected` carries the same one);
 * - a schedule's fire: the trigger id and the fire's scheduled time (`<aws.scheduler.scheduled-time>`, the same in
 *   every delivery attempt of one fire, different in the next fire);
 * - an inbound webhook: the trigger id and the sender's `webhook-id` (the same in every retry of one message).
 *
 * The tenant is part of the hash: Step Functions execution names (`<runId>-g<n>`) are unique per state machine, which
 * every tenant shares. `run_` and 32 base64url characters (192 bits) fit the API's execution id and Step Functions'
 * 80-character name.
 */
export function triggeredExecutionId(
  tenantId: string,
  start:
    | { kind: 'signal'; signalId: string }
    | { kind: 'schedule'; triggerId: string; scheduledTime: string }
    | { kind: 'webhook'; triggerId: string; webhookId: string },
): string {
  const parts =
    start.kind === 'signal'
      ? [start.signalId]
      : start.kind === 'schedule'
        ? [start.triggerId, start.scheduledTime]
        : [start.triggerId, start.webhookId];
  // Newline-separated: no id contains one, so two different starts never hash the same text.
  const text = [tenantId, start.kind, ...parts].join('\n');
  return `run_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
}
