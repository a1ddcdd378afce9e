/**
 * EventBridge target of workflow.started. Makes sure the run's state machine execution exists
 * (StartExecution with the run's deterministic name), so a run recorded by a process that died before
 * starting its execution still starts.
 */
import { ensureRunStarted } from '../domain/workflows/runs/use-cases.js';
import { eventTarget } from '../platform/task.js';
import { workflowStarter } from '../platform/sfn-composition.js';
import { approvalRepository, runRepository } from '../platform/workflow-composition.js';

export const handler = eventTarget('workflow-launcher', 'workflow.started', async (detail) => {
  await ensureRunStarted(
    { tenantId: detail.tenantId, runId: detail.payload.executionId, generation: detail.payload.generation },
    { runs: runRepository(), approvals: approvalRepository(), starter: workflowStarter() },
  );
});
