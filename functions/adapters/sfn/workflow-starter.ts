import {
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { TransientError } from '../../domain/errors.js';
import type { Plan, TaskCallbacks, WorkflowStarter } from '../../domain/workflows/ports.js';

/**
 * Starts the workflow-run state machine. The execution name is the run id and generation, so a second
 * start of the same generation (the launcher relaying workflow.started) is a no-op.
 */
export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: { tenantId: string; runId: string; generation: number; plan: Plan }): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: `${input.runId}-g${input.generation}`,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      // The execution of this run and generation exists (started by the API or the launcher, whose
      // plans may differ only by the time they were computed): that is all we need.
      if (error instanceof ExecutionAlreadyExists) return;
      throw new TransientError(`StartExecution failed: ${(error as Error).name}`, { cause: error });
    }
  }
}

const GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/** SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat; a token whose task is over answers 'gone'. */
export class SfnTaskCallbacks implements TaskCallbacks {
  constructor(private readonly client: SFNClient) {}

  private async call(
    command: SendTaskSuccessCommand | SendTaskFailureCommand | SendTaskHeartbeatCommand,
  ): Promise<'sent' | 'gone'> {
    try {
      await this.client.send(command as SendTaskSuccessCommand);
      return 'sent';
    } catch (error) {
      if (error instanceof Error && GONE.has(error.name)) return 'gone';
      throw new TransientError(`task callback failed: ${(error as Error).name}`, { cause: error });
    }
  }

  succeed(token: string, output: unknown) {
    return this.call(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  }

  fail(token: string, error: string, cause: string) {
    return this.call(new SendTaskFailureCommand({ taskToken: token, error, cause: cause.slice(0, 32_768) }));
  }

  heartbeat(token: string) {
    return this.call(new SendTaskHeartbeatCommand({ taskToken: token }));
  }
}
