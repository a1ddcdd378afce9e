/**
 * Step Functions task "Gate" of AgentOutput (lambda:invoke.waitForTaskToken). Input: { taskToken, tenantId, outputId }.
 * Records the output's approval with the token (never returned by any API) and emits approval.requested (the approval
 * notifier sends the agent's webhook); the gate then waits for the decision. A retried gate refreshes the token.
 * Errors: WorkflowFailedError (output missing: the execution fails), TransientError (retried by the state machine).
 */
import { requestOutputApproval } from '../domain/agents/outputs/gate.js';
import { outputGateDeps } from '../platform/agent-output-composition.js';
import { taskHandler } from '../platform/task.js';

export const handler = taskHandler(
  'agent-output-gate',
  (event: { taskToken: string; tenantId: string; outputId: string }) => requestOutputApproval(event, outputGateDeps()),
);
