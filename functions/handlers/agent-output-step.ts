/**
 * Step Functions tasks "Execute", "HandOver", "Rejected" and "TimedOut" of AgentOutput (lambda:invoke).
 * Input: { tenantId, outputId, outcome: approved | rejected | timed_out } or { …, outcome: failed, error: { Error,
 * Cause } }. Output: { status } (the output's status after the task). An approved automatable output's tool runs once,
 * acting as the proposer via the agent. Errors: ToolRetryableError and TransientError (retried, then HandOver),
 * WorkflowFailedError (inconsistent state: caught → HandOver, or fails the execution from the other tasks).
 */
import type { SettleEvent } from '../domain/agents/outputs/settle.js';
import { settleOutput } from '../domain/agents/outputs/settle.js';
import { settleDeps } from '../platform/agent-output-composition.js';
import { taskHandler } from '../platform/task.js';
import { webhookSender } from '../platform/webhook-composition.js';

export const handler = taskHandler('agent-output-step', (event: SettleEvent) =>
  settleOutput(event, settleDeps(webhookSender)),
);
