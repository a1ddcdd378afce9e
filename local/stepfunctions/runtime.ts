import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { statesTimeoutClass } from './errors.js';
import { Executor } from './executor.js';
import { Journal } from './journal.js';
import { StepFunctionsProtocol } from './protocol.js';
import { TaskTokens } from './tokens.js';
import { TaskWaits } from './waits.js';

export interface LocalStepFunctionsOptions {
  dynamo: DynamoDBClient;
  /** The runtime's own table (default `modos-local-sfn`), created if missing. */
  tableName?: string;
  /** File holding the task-token HMAC secret (created if missing); keep it in the data folder. */
  tokenSecretFile: string;
  /** Calls a function by name (the platform passes its in-process handler modules). */
  invokeFunction: (functionName: string, payload: unknown) => Promise<unknown>;
  /** ASL definitions, substitutions already applied. */
  stateMachines: Array<{ name: string; definition: object }>;
  region?: string;
  accountId?: string;
  /** Background failures (journal writes of history, resumption). Default: console.error. */
  onError?: (e: unknown) => void;
}

/**
 * A local, durable AWS Step Functions: the unmodified `aws-local-stepfunctions` interpreter runs the
 * ASL; this layer gives it Lambda task integrations, task tokens, timeouts and heartbeats, a journal
 * in DynamoDB that lets RUNNING executions resume after a crash without invoking a function twice
 * for the same attempt, and a server speaking the Step Functions JSON protocol for the SDK client.
 *
 * This class only wires the parts and their lifecycle: `protocol.ts` (the API), `executor.ts`
 * (runs, tasks, replay, redrive), `waits.ts` (task tokens, heartbeats, wait timeouts), `history.ts`
 * (history events), `journal.ts` (the table), `tokens.ts` (token signing).
 */
export class LocalStepFunctions {
  private readonly journal: Journal;
  private readonly waits: TaskWaits;
  private readonly executor: Executor;
  private readonly protocol: StepFunctionsProtocol;
  private readonly inflight = new Set<Promise<unknown>>();
  endpoint = '';

  constructor(opts: LocalStepFunctionsOptions) {
    const onError =
      opts.onError ??
      ((e) =>
        console.error(
          JSON.stringify({
            level: 'ERROR',
            message: 'local step functions',
            error: (e as Error)?.message ?? String(e),
          }),
        ));
    const track = <T>(p: Promise<T>): Promise<T> => {
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
      return p;
    };
    this.journal = new Journal(opts.dynamo, opts.tableName ?? 'modos-local-sfn');
    const tokens = new TaskTokens(opts.tokenSecretFile);
    this.waits = new TaskWaits({ journal: this.journal, tokens, invokeFunction: opts.invokeFunction, track, onError });
    this.executor = new Executor({
      journal: this.journal,
      tokens,
      waits: this.waits,
      invokeFunction: opts.invokeFunction,
      track,
      onError,
      region: opts.region ?? 'us-east-1',
      accountId: opts.accountId ?? '000000000000',
      stateMachines: opts.stateMachines,
    });
    this.protocol = new StepFunctionsProtocol({
      executor: this.executor,
      waits: this.waits,
      journal: this.journal,
      onError,
    });
  }

  stateMachineArn(name: string): string {
    return this.executor.stateMachineArn(name);
  }

  executionArn(stateMachineName: string, executionName: string): string {
    return this.executor.executionArn(stateMachineName, executionName);
  }

  /** Starts the protocol server and resumes every RUNNING execution. Returns the endpoint URL. */
  async start(port = 0): Promise<string> {
    await Promise.all([this.journal.ensureTable(), statesTimeoutClass()]);
    this.endpoint = await this.protocol.listen(port);
    await this.executor.resumeAll();
    return this.endpoint;
  }

  /**
   * Stops accepting requests, lets function invocations in flight settle (their results are
   * journalled), and abandons token waits and timers: RUNNING executions resume on the next start.
   */
  async stop(): Promise<void> {
    this.executor.suspendAll();
    this.waits.abandonAll();
    await this.protocol.close();
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    await this.executor.closeAll();
  }

  /** Waits until the execution is no longer RUNNING in this process (tests, tools). */
  async settled(executionArn: string): Promise<void> {
    await this.executor.settled(executionArn);
  }
}
