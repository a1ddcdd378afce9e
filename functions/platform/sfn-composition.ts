import { SfnTaskCallbacks, SfnWorkflowStarter } from '../adapters/sfn/workflow-starter.js';
import { sfnClient } from './aws-clients.js';
import type { StartDeps } from '../domain/workflows/runs/run-state.js';
import { systemClock, uuidIds } from './composition.js';
import { stateMachineArn } from './config.js';
import { approvalRepository, engineLog, runRepository, workflowRepository } from './workflow-composition.js';

let starter: SfnWorkflowStarter | undefined;
let callbacks: SfnTaskCallbacks | undefined;

/** StartExecution of the workflow-run state machine. */
export function workflowStarter(): SfnWorkflowStarter {
  starter ??= new SfnWorkflowStarter(sfnClient(), stateMachineArn('WorkflowRun'));
  return starter;
}

/** What starting a run needs (execute and redrive): the repositories, the state machine starter, clock and ids. */
export function startDeps(): StartDeps {
  return {
    workflows: workflowRepository(),
    runs: runRepository(),
    approvals: approvalRepository(),
    starter: workflowStarter(),
    clock: systemClock,
    ids: uuidIds,
    log: engineLog,
  };
}

/** SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat. */
export function taskCallbacks(): SfnTaskCallbacks {
  callbacks ??= new SfnTaskCallbacks(sfnClient());
  return callbacks;
}
