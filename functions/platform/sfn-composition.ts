import { SfnTaskCallbacks, SfnWorkflowStarter } from '../adapters/sfn/workflow-starter.js';
import { sfnClient } from './aws-clients.js';
import { config } from './config.js';

let starter: SfnWorkflowStarter | undefined;
let callbacks: SfnTaskCallbacks | undefined;

/** StartExecution of the workflow-run state machine. */
export function workflowStarter(): SfnWorkflowStarter {
  starter ??= new SfnWorkflowStarter(sfnClient(), config().WORKFLOW_STATE_MACHINE_ARN);
  return starter;
}

/** SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat. */
export function taskCallbacks(): SfnTaskCallbacks {
  callbacks ??= new SfnTaskCallbacks(sfnClient());
  return callbacks;
}
