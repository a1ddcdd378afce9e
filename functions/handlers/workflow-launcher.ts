/**
 * EventBridge target of workflow.started. Makes sure the run's state machine execution exists
 * (StartExecution with the run's deterministic name), so a run recorded by a process that died before
 * starting its execution still starts.
 */
import type { BusEventOf } from '../platform/task.js';
import { ensureRunStarted } from '../domain/workflows/runs/use-cases.js';
import { taskHandler } from '../platform/task.js';
import { workflowStarter } from '../platform/sfn-composition.js';
import { approvalRepository, runRepository } from '../platform/workflow-composition.js';

export const handler = taskHandler('workflow-launcher', async (event: BusEventOf<{ executionId: string; generation: number }>) => {
  await ensureRunStarted({ tenantId: event.detail.tenantId, runId: event.detail.payload.executionId, generation: event.detail.payload.generation }, { runs: runRepository(), approvals: approvalRepository(), starter: workflowStarter() });
});
