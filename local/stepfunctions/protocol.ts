import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SfnApiError } from './errors.js';
import type { Executor, Machine } from './executor.js';
import type { HistoryEvent } from './history.js';
import type { ExecutionItem, Journal } from './journal.js';
import type { TaskWaits } from './waits.js';

export interface StepFunctionsProtocolOptions {
  executor: Executor;
  waits: TaskWaits;
  journal: Journal;
  /** Unexpected failures of an operation (answered 500 InternalFailure). */
  onError: (e: unknown) => void;
}

type Input = Record<string, unknown>;

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** The fields DescribeExecution and ListExecutions both return for an execution. */
function executionSummary(e: ExecutionItem) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate / 1000,
    stopDate: seconds(e.stopDate),
    redriveCount: e.redriveCount ?? 0,
    redriveDate: seconds(e.redriveDate),
  };
}

const isRedrivable = (e: ExecutionItem) => e.status === 'FAILED' || e.status === 'TIMED_OUT' || e.status === 'ABORTED';

/**
 * The HTTP server speaking the Step Functions JSON protocol (`X-Amz-Target: AWSStepFunctions.<Op>`,
 * `application/x-amz-json-1.0`), so the unmodified `@aws-sdk/client-sfn` client works with only its
 * endpoint changed. It validates each operation's input as AWS does, dispatches it to the executor
 * or the task waits, shapes the answer, and answers errors as `{ __type, message }` so the SDK
 * throws its own classes.
 */
export class StepFunctionsProtocol {
  private server: Server | undefined;
  private stopping = false;

  constructor(private readonly opts: StepFunctionsProtocolOptions) {}

  /** Listens on 127.0.0.1 and returns the endpoint URL. */
  async listen(port: number): Promise<string> {
    this.stopping = false;
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (!address || typeof address !== 'object') throw new Error('step functions server did not bind');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Answers 503 from now on, drops open connections and closes the server. */
  async close(): Promise<void> {
    this.stopping = true;
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
      });
      res.end(text);
    };
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    try {
      if (this.stopping)
        throw new SfnApiError('ServiceUnavailable', 'the local step functions runtime is stopping', 503);
      let input: Input;
      try {
        input = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Input) : {};
      } catch {
        throw new SfnApiError('SerializationException', 'malformed JSON');
      }
      const handler = this.operations[op];
      if (!handler)
        throw new SfnApiError('UnknownOperationException', `operation ${target || '(none)'} is not supported locally`);
      reply(200, await handler(input ?? {}));
    } catch (error) {
      if (error instanceof SfnApiError) return reply(error.status, { __type: error.type, message: error.message });
      this.opts.onError(error);
      reply(500, { __type: 'InternalFailure', message: (error as Error)?.message ?? String(error) });
    }
  }

  private readonly operations: Record<string, (input: Input) => Promise<unknown>> = {
    StartExecution: (i) => this.startExecution(i),
    DescribeExecution: (i) => this.describeExecution(i),
    StopExecution: (i) => this.stopExecution(i),
    SendTaskSuccess: (i) => this.sendTaskSuccess(i),
    SendTaskFailure: (i) => this.sendTaskFailure(i),
    SendTaskHeartbeat: (i) => this.sendTaskHeartbeat(i),
    GetExecutionHistory: (i) => this.getExecutionHistory(i),
    ListExecutions: (i) => this.listExecutions(i),
    RedriveExecution: (i) => this.redriveExecution(i),
    DescribeStateMachine: async (i) => {
      const m = this.machineOf(i.stateMachineArn);
      return {
        stateMachineArn: m.arn,
        name: m.name,
        status: 'ACTIVE',
        definition: m.definition,
        roleArn: this.opts.executor.roleArn(),
        type: 'STANDARD',
        creationDate: 0,
      };
    },
    ListStateMachines: async () => ({
      stateMachines: this.opts.executor
        .listMachines()
        .map((m) => ({ stateMachineArn: m.arn, name: m.name, type: 'STANDARD', creationDate: 0 })),
    }),
  };

  private machineOf(arn: unknown): Machine {
    if (typeof arn !== 'string' || !arn.startsWith('arn:'))
      throw new SfnApiError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    const m = this.opts.executor.machine(arn);
    if (!m) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  private async executionOf(arn: unknown): Promise<ExecutionItem & { definition?: string }> {
    if (typeof arn !== 'string' || !arn.startsWith('arn:'))
      throw new SfnApiError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    const e = await this.opts.journal.getExecution(arn);
    if (!e) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  private async startExecution(i: Input): Promise<unknown> {
    const machine = this.machineOf(i.stateMachineArn);
    const name = i.name === undefined ? randomUUID() : i.name;
    if (typeof name !== 'string' || !/^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u.test(name)) {
      throw new SfnApiError('InvalidName', `Invalid Name: '${String(name)}'`);
    }
    const inputText = i.input === undefined ? '{}' : i.input;
    let parsed: unknown;
    try {
      if (typeof inputText !== 'string') throw new Error();
      parsed = JSON.parse(inputText);
    } catch {
      throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${String(inputText)}'`);
    }
    const started = await this.opts.executor.startExecution(machine, name, inputText as string, parsed);
    return { executionArn: started.executionArn, startDate: started.startDate / 1000 };
  }

  private async describeExecution(i: Input): Promise<unknown> {
    const e = await this.executionOf(i.executionArn);
    const redrivable = isRedrivable(e);
    return {
      ...executionSummary(e),
      input: e.input,
      inputDetails: { included: true },
      output: e.output,
      outputDetails: e.output !== undefined ? { included: true } : undefined,
      error: e.error,
      cause: e.cause,
      redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      redriveStatusReason: redrivable ? undefined : `Execution is ${e.status} and cannot be redriven`,
    };
  }

  private async stopExecution(i: Input): Promise<unknown> {
    const e = await this.executionOf(i.executionArn);
    const error = typeof i.error === 'string' ? i.error : undefined;
    const cause = typeof i.cause === 'string' ? i.cause : undefined;
    if (e.status !== 'RUNNING') return { stopDate: (e.stopDate ?? Date.now()) / 1000 };
    await this.opts.executor.stopExecution(e, error, cause);
    const after = await this.executionOf(e.executionArn);
    return { stopDate: (after.stopDate ?? Date.now()) / 1000 };
  }

  private async sendTaskSuccess(i: Input): Promise<unknown> {
    const task = await this.opts.waits.taskOf(i.taskToken);
    try {
      if (typeof i.output !== 'string') throw new Error();
      JSON.parse(i.output);
    } catch {
      throw new SfnApiError('InvalidOutput', `Invalid Output: '${String(i.output)}'`);
    }
    await this.opts.waits.succeed(task, i.output as string);
    return {};
  }

  private async sendTaskFailure(i: Input): Promise<unknown> {
    const task = await this.opts.waits.taskOf(i.taskToken);
    await this.opts.waits.fail(
      task,
      typeof i.error === 'string' ? i.error : '',
      typeof i.cause === 'string' ? i.cause : '',
    );
    return {};
  }

  private async sendTaskHeartbeat(i: Input): Promise<unknown> {
    await this.opts.waits.heartbeat(await this.opts.waits.taskOf(i.taskToken));
    return {};
  }

  private async getExecutionHistory(i: Input): Promise<unknown> {
    const e = await this.executionOf(i.executionArn);
    await this.opts.executor.flushHistory(e.executionArn);
    const { history } = await this.opts.journal.load(e.executionArn);
    let events = history.map((h) => JSON.parse(h.event) as HistoryEvent);
    if (i.includeExecutionData === false) {
      events = events.map(
        (ev) =>
          JSON.parse(
            JSON.stringify(ev, (k, v) => (['input', 'output', 'parameters'].includes(k) ? undefined : v)),
          ) as HistoryEvent,
      );
    }
    if (i.reverseOrder === true) events.reverse();
    return this.page(events, i, 'events');
  }

  private page<T>(items: T[], i: Input, field: string): Record<string, unknown> {
    const max = typeof i.maxResults === 'number' && i.maxResults > 0 ? Math.min(i.maxResults, 1000) : 100;
    let offset = 0;
    if (typeof i.nextToken === 'string') {
      offset = Number(Buffer.from(i.nextToken, 'base64url').toString('utf8'));
      if (!Number.isInteger(offset) || offset < 0) throw new SfnApiError('InvalidToken', 'Invalid nextToken');
    }
    const slice = items.slice(offset, offset + max);
    const next = offset + max < items.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
    return { [field]: slice, nextToken: next };
  }

  private async listExecutions(i: Input): Promise<unknown> {
    const machine = this.machineOf(i.stateMachineArn);
    const all = (await this.opts.journal.listExecutions())
      .filter((e) => e.stateMachineArn === machine.arn)
      .filter((e) => !i.statusFilter || e.status === i.statusFilter)
      .filter(
        (e) =>
          !i.redriveFilter ||
          (i.redriveFilter === 'REDRIVEN' ? (e.redriveCount ?? 0) > 0 : (e.redriveCount ?? 0) === 0),
      )
      .sort((a, b) => b.startDate - a.startDate)
      .map(executionSummary);
    return this.page(all, i, 'executions');
  }

  private async redriveExecution(i: Input): Promise<unknown> {
    const e = await this.executionOf(i.executionArn);
    if (!isRedrivable(e))
      throw new SfnApiError('ExecutionNotRedrivable', `Execution is ${e.status} and cannot be redriven`);
    return { redriveDate: (await this.opts.executor.redrive(e)) / 1000 };
  }
}
