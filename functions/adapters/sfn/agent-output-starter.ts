import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { outputExecutionNameOf } from '../../domain/agents/outputs/naming.js';
import type { OutputGateInput, OutputGateStarter } from '../../domain/agents/outputs/ports.js';
import { TransientError } from '../../domain/errors.js';

/**
 * Starts an output's AgentOutput execution. Its name is derived from the output id and its input from the output, so
 * the proposal's start and the launcher's are the same request: Step Functions answers a second one with the running
 * execution, or ExecutionAlreadyExists once it is closed, and both mean the gate exists.
 */
export class SfnOutputGateStarter implements OutputGateStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: OutputGateInput): Promise<void> {
    // Fields in a fixed order: Step Functions compares the input's text for an idempotent start.
    const body = { tenantId: input.tenantId, outputId: input.outputId, timeoutSeconds: input.timeoutSeconds };
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: outputExecutionNameOf(input.outputId),
          input: JSON.stringify(body),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return;
      throw new TransientError(`StartExecution failed: ${(error as Error).name}`, { cause: error });
    }
  }
}
