import { SfnTaskCallbacks, SfnWorkflowStarter } from '../adapters/sfn/workflow-starter.js';
import { sfnClient } from './aws-clients.js';
import { stateMachineArn } from './config.js';

let starter: SfnWorkflowStarter | undefined;
let callbacks: SfnTaskCallbacks | undefined;

/** StartExecution of the workflow-run state machine. */
export function workflowStarter(): SfnWorkflowStarter {
  starter ??= new SfnWorkflowStarter(sfnClient(), stateMachineArn('WorkflowRun'));
  return starter;
}

/** SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat. */
export function taskCallbacks(): SfnTaskCallbacks {
  callbacks ??= new SfnTaskCallbacks(sfnClient());
  return callbacks;
}
