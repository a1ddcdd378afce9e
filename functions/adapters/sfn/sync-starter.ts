import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { TransientError } from '../../domain/errors.js';
import type { SyncStarter } from '../../domain/connectors/sync/runs.js';

/** Starts the ConnectorSync state machine; the execution name is the run id, so a repeated start is a no-op. */
export class SfnSyncStarter implements SyncStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: { tenantId: string; runId: string }): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: input.runId,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return;
      throw new TransientError(`StartExecution failed: ${(error as Error).name}`, { cause: error });
    }
  }
}
