/**
 * EventBridge target of agent.output.proposed. Makes sure the proposed output's gate execution exists
 * (StartExecution with its deterministic name and input), so an output whose proposer died or failed to start its
 * gate still gets one. Errors: TransientError (the event target retries).
 */
import { ensureOutputGate } from '../domain/agents/outputs/gate.js';
import { launcherDeps } from '../platform/agent-output-composition.js';
import { eventTarget } from '../platform/task.js';

export const handler = eventTarget('agent-output-launcher', 'agent.output.proposed', async (detail) => {
  await ensureOutputGate({ tenantId: detail.tenantId, outputId: detail.payload.outputId }, launcherDeps());
});
