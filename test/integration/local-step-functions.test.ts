import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskTimedOut,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDynamoLocal, type LocalDynamo } from '../../local/dynamodb.js';
import {
  AWS_DEFAULT_TASK_TIMEOUT_SECONDS,
  LocalStepFunctions,
  prepareDefinition,
} from '../../local/stepfunctions/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TOKEN_TASK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const INVOKE = 'arn:aws:states:::lambda:invoke';

// ---------------------------------------------------------------- test state machines (ASL)

const shapeMachine = {
  StartAt: 'Invoke',
  States: {
    Invoke: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'echo', 'Payload.$': '$' },
      ResultPath: '$.raw',
      Next: 'Select',
    },
    Select: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: {
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST',
        Payload: { 'x.$': '$.x' },
      },
      ResultSelector: { 'echoed.$': '$.Payload.x', 'code.$': '$.StatusCode' },
      ResultPath: '$.sel',
      Next: 'Plain',
    },
    Plain: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:double',
      InputPath: '$.x',
      ResultPath: '$.doubled',
      End: true,
    },
  },
};

const retryMachine = {
  StartAt: 'Flaky',
  States: {
    Flaky: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'flaky', 'Payload.$': '$' },
      OutputPath: '$.Payload',
      Retry: [
        { ErrorEquals: ['SomethingElse'], MaxAttempts: 0 },
        { ErrorEquals: ['TransientError'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 },
      ],
      End: true,
    },
  },
};

const catchMachine = {
  StartAt: 'Boom',
  States: {
    Boom: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'boom', 'Payload.$': '$' },
      Catch: [
        { ErrorEquals: ['OtherError'], Next: 'Wrong' },
        { ErrorEquals: ['ValidationFailed'], ResultPath: '$.error', Next: 'Handled' },
      ],
      Next: 'Wrong',
    },
    Wrong: { Type: 'Fail', Error: 'Wrong', Cause: 'should not get here' },
    Handled: { Type: 'Pass', End: true },
  },
};

/** An approval gate: waits for a task token, with timeout and heartbeat taken from the input. */
const gateMachine = {
  StartAt: 'Gate',
  States: {
    Gate: {
      Type: 'Task',
      Resource: TOKEN_TASK,
      Parameters: {
        FunctionName: 'notify',
        Payload: {
          'token.$': '$$.Task.Token',
          'id.$': '$.id',
          'executionId.$': '$$.Execution.Id',
          'message.$': "States.Format('approve {}', $.id)",
        },
      },
      TimeoutSecondsPath: '$.timeout',
      HeartbeatSecondsPath: '$.heartbeat',
      ResultPath: '$.decision',
      Catch: [
        // States.TaskFailed must not match a timeout (as in AWS), so timeouts reach TimedOut.
        { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Rejected' },
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' },
      ],
      Next: 'Approved',
    },
    Approved: { Type: 'Pass', End: true },
    Rejected: { Type: 'Pass', End: true },
    TimedOut: { Type: 'Pass', End: true },
  },
};

/** A token wait without any TimeoutSeconds: AWS Standard's default is 99999999 s, not 60 s. */
const noTimeoutMachine = {
  StartAt: 'Wait for it',
  States: {
    'Wait for it': {
      Type: 'Task',
      Resource: TOKEN_TASK,
      Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token', 'id.$': '$.id' } },
      End: true,
    },
  },
};

const redriveMachine = {
  StartAt: 'One',
  States: {
    One: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'one', 'Payload.$': '$' },
      ResultSelector: { 'one.$': '$.Payload' },
      ResultPath: '$.one',
      Next: 'Two',
    },
    Two: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'two', 'Payload.$': '$' },
      ResultSelector: { 'two.$': '$.Payload' },
      ResultPath: '$.two',
      Next: 'Three',
    },
    Three: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'breaker', 'Payload.$': '$' },
      ResultPath: null,
      Retry: [{ ErrorEquals: ['Broken'], IntervalSeconds: 1, MaxAttempts: 1 }],
      Next: 'Four',
    },
    Four: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'four', 'Payload.$': '$' },
      OutputPath: '$.Payload',
      End: true,
    },
  },
};

const fanOutMachine = {
  StartAt: 'Fan out',
  States: {
    'Fan out': {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
      ItemProcessor: {
        StartAt: 'Double item',
        States: {
          'Double item': {
            Type: 'Task',
            Resource: INVOKE,
            // $$.Execution.Input inside an iteration is the execution's input, as in AWS.
            Parameters: {
              FunctionName: 'echo',
              Payload: { 'v.$': '$.value', 'i.$': '$.index', 'tenant.$': '$$.Execution.Input.tenant' },
            },
            OutputPath: '$.Payload',
            End: true,
          },
        },
      },
      ResultPath: '$.mapped',
      Next: 'Both',
    },
    Both: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Left',
          States: {
            Left: {
              Type: 'Task',
              Resource: 'arn:aws:lambda:us-east-1:000000000000:function:double',
              InputPath: '$.items[0]',
              End: true,
            },
          },
        },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', Result: 'right', End: true } } },
      ],
      ResultPath: '$.both',
      End: true,
    },
  },
};

/** Used by the durability test's child processes. */
const durableMachine = {
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'prepare', 'Payload.$': '$' },
      ResultPath: '$.prepared',
      Next: 'Approval',
    },
    Approval: {
      Type: 'Task',
      Resource: TOKEN_TASK,
      Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token', 'order.$': '$.order' } },
      TimeoutSecondsPath: '$.timeout',
      ResultPath: '$.decision',
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Expired' }],
      Next: 'Finish',
    },
    Finish: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'finish', 'Payload.$': '$' },
      ResultPath: '$.finished',
      End: true,
    },
    Expired: { Type: 'Pass', End: true },
  },
};

// ---------------------------------------------------------------- test functions

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const calls: Array<{ name: string; payload: unknown; at: number }> = [];
const tokens = new Map<string, string>();
const flakyFailures = new Map<string, number>();
let broken = true;

const functions: Record<string, (payload: any) => Promise<unknown> | unknown> = {
  echo: (p) => p,
  double: (x: number) => x * 2,
  flaky: (p: { id: string; failTimes: number }) => {
    const n = flakyFailures.get(p.id) ?? 0;
    if (n < p.failTimes) {
      flakyFailures.set(p.id, n + 1);
      throw new NamedError('TransientError', `attempt ${n + 1} failed`);
    }
    return { ok: true, attempts: n + 1 };
  },
  boom: () => {
    throw new NamedError('ValidationFailed', 'the record is invalid');
  },
  notify: (p: { token: string; id: string }) => {
    tokens.set(p.id, p.token);
    return { sent: true };
  },
  one: () => 1,
  two: () => 2,
  breaker: () => {
    if (broken) throw new NamedError('Broken', 'still broken');
    return 'fixed';
  },
  four: (p: { one: unknown; two: unknown }) => ({ done: true, one: p.one, two: p.two }),
};

const count = (name: string, filter: (p: any) => boolean = () => true) =>
  calls.filter((c) => c.name === name && filter(c.payload)).length;

async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ---------------------------------------------------------------- fixtures

let dynamo: LocalDynamo;
let persisted: LocalDynamo;
let sfn: LocalStepFunctions;
let client: SFNClient;
const dirs: string[] = [];

const newDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

function sfnClient(endpoint: string): SFNClient {
  return new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

async function finished(
  executionArn: string,
  c: SFNClient = client,
  timeoutMs = 15_000,
): Promise<DescribeExecutionCommandOutput> {
  return eventually(
    async () => {
      const d = await c.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    },
    timeoutMs,
    `${executionArn} to finish`,
  );
}

async function start(machine: string, input: unknown, name?: string): Promise<string> {
  const r = await client.send(
    new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn(machine), input: JSON.stringify(input), name }),
  );
  return r.executionArn!;
}

async function history(executionArn: string, c: SFNClient = client): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const r = await c.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 50 }));
    events.push(...(r.events ?? []));
    nextToken = r.nextToken;
  } while (nextToken);
  return events;
}

beforeAll(async () => {
  [dynamo, persisted] = await Promise.all([
    startDynamoLocal(newDir('sfn-mem-'), { inMemory: true }),
    startDynamoLocal(newDir('sfn-disk-')),
  ]);
  sfn = new LocalStepFunctions({
    dynamo: dynamo.client,
    tokenSecretFile: join(newDir('sfn-secret-'), 'sfn-token-secret'),
    stateMachines: [
      { name: 'shape', definition: shapeMachine },
      { name: 'retry', definition: retryMachine },
      { name: 'catch', definition: catchMachine },
      { name: 'gate', definition: gateMachine },
      { name: 'no-timeout', definition: noTimeoutMachine },
      { name: 'redrive', definition: redriveMachine },
      { name: 'fan-out', definition: fanOutMachine },
    ],
    invokeFunction: async (name, payload) => {
      calls.push({ name, payload, at: Date.now() });
      const fn = functions[name];
      if (!fn) throw new NamedError('ResourceNotFoundException', `Function not found: ${name}`);
      return fn(payload);
    },
  });
  client = sfnClient(await sfn.start());
});

afterAll(async () => {
  client?.destroy();
  await sfn?.stop();
  await Promise.all([dynamo?.stop(), persisted?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// ---------------------------------------------------------------- tests

describe('local Step Functions: task integrations', () => {
  it('returns lambda:invoke results shaped as AWS does, so ResultSelector on $.Payload works', async () => {
    const arn = await start('shape', { x: 21 });
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!);
    expect(out.raw).toMatchObject({
      ExecutedVersion: '$LATEST',
      Payload: { x: 21 },
      StatusCode: 200,
      SdkHttpMetadata: { HttpStatusCode: 200 },
    });
    expect(out.raw.SdkResponseMetadata.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.raw.SdkHttpMetadata.HttpHeaders['X-Amz-Executed-Version']).toBe('$LATEST');
    expect(out.sel).toEqual({ echoed: 21, code: 200 });
    expect(out.doubled).toBe(42); // plain Lambda ARN resource: the function's own output
    expect(calls.filter((c) => c.name === 'echo').map((c) => c.payload)).toEqual([{ x: 21 }, { x: 21 }]);
  });

  it('counts one StateEntered history event per state entered, with task events between', async () => {
    const arn = await start('shape', { x: 1 });
    await finished(arn);
    const events = await history(arn);
    const types = events.map((e) => e.type);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(types.filter((t) => t!.endsWith('StateEntered'))).toEqual([
      'TaskStateEntered',
      'TaskStateEntered',
      'TaskStateEntered',
    ]);
    expect(types.filter((t) => t!.endsWith('StateExited'))).toHaveLength(3);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const entered = events.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name);
    expect(entered).toEqual(['Invoke', 'Select', 'Plain']);
    expect(events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
    });
  });

  it('retries a named error with backoff, then succeeds', async () => {
    const arn = await start('retry', { id: 'r1', failTimes: 2 });
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ ok: true, attempts: 3 });
    const at = calls.filter((c) => c.name === 'flaky' && (c.payload as { id: string }).id === 'r1').map((c) => c.at);
    expect(at).toHaveLength(3);
    // IntervalSeconds 1, BackoffRate 2: ~1 s, then ~2 s.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(950);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(1950);
    const events = await history(arn);
    expect(events.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error)).toEqual([
      'TransientError',
      'TransientError',
    ]);
    expect(events.filter((e) => e.type === 'TaskStateEntered')).toHaveLength(1);
  });

  it('fails the execution with the function error name and Lambda-shaped cause when retries run out', async () => {
    const arn = await start('retry', { id: 'r2', failTimes: 0 });
    expect((await finished(arn)).status).toBe('SUCCEEDED');
    const failing = await start('catch', { id: 'c1' });
    const d = await finished(failing);
    expect(d.status).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!);
    expect(out.error.Error).toBe('ValidationFailed');
    expect(JSON.parse(out.error.Cause)).toMatchObject({
      errorType: 'ValidationFailed',
      errorMessage: 'the record is invalid',
    });
    expect(out.id).toBe('c1');
  });
});

describe('local Step Functions: Map and Parallel', () => {
  it('runs Tasks inside Map iterations and Parallel branches', async () => {
    const arn = await start('fan-out', { tenant: 't-1', items: [5, 6, 7] });
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!);
    expect(out.mapped).toEqual([
      { v: 5, i: 0, tenant: 't-1' },
      { v: 6, i: 1, tenant: 't-1' },
      { v: 7, i: 2, tenant: 't-1' },
    ]);
    expect(out.both).toEqual([10, 'right']);
    const events = await history(arn);
    expect(events.filter((e) => e.type === 'TaskStateEntered')).toHaveLength(4);
    expect(events.filter((e) => e.type === 'MapIterationSucceeded')).toHaveLength(3);
  });
});

describe('local Step Functions: task tokens', () => {
  it('waits for SendTaskSuccess with the token the function received, and rejects reuse', async () => {
    const arn = await start('gate', { id: 'g1', timeout: 60, heartbeat: 60 });
    const token = await eventually(() => tokens.get('g1'), 5000, 'token');
    const notify = calls.find((c) => c.name === 'notify' && (c.payload as { id: string }).id === 'g1')!
      .payload as Record<string, string>;
    expect(notify.executionId).toBe(arn);
    expect(notify.message).toBe('approve g1');
    expect(token).not.toContain('modos:task-token');
    expect((await client.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');

    await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await client.send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true, by: 'ada' }) }),
    );
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!).decision).toEqual({ approved: true, by: 'ada' });

    // Exactly one decision wins; a forged token is invalid.
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
    await expect(client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Late' }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: token.slice(0, -4) + 'AAAA', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);

    const types = (await history(arn)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']));
  });

  it('fails the task with the error and cause sent by SendTaskFailure (caught as States.TaskFailed)', async () => {
    const arn = await start('gate', { id: 'g2', timeout: 60, heartbeat: 60 });
    const token = await eventually(() => tokens.get('g2'), 5000, 'token');
    await client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'not this quarter' }));
    const d = await finished(arn);
    expect(JSON.parse(d.output!).error).toEqual({ Error: 'Rejected', Cause: 'not this quarter' });
    const failed = (await history(arn)).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({
      error: 'Rejected',
      cause: 'not this quarter',
      resource: 'invoke.waitForTaskToken',
    });
  });

  it('times out after TimeoutSecondsPath seconds with States.Timeout, not matched by States.TaskFailed', async () => {
    const t0 = Date.now();
    const arn = await start('gate', { id: 'g3', timeout: 1, heartbeat: 60 });
    const d = await finished(arn);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const out = JSON.parse(d.output!);
    expect(out.error.Error).toBe('States.Timeout');
    expect(out.decision).toBeUndefined();
    expect(
      (await history(arn)).some(
        (e) => e.type === 'TaskTimedOut' && e.taskTimedOutEventDetails?.error === 'States.Timeout',
      ),
    ).toBe(true);
    const token = tokens.get('g3')!;
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
  });

  it('fails with States.Timeout when heartbeats stop, and a heartbeat moves the deadline', async () => {
    const t0 = Date.now();
    const arn = await start('gate', { id: 'g4', timeout: 60, heartbeat: 2 });
    const token = await eventually(() => tokens.get('g4'), 5000, 'token');
    await new Promise((r) => setTimeout(r, 1200));
    await client.send(new SendTaskHeartbeatCommand({ taskToken: token })); // deadline now ~3.2 s
    await new Promise((r) => setTimeout(r, 1300 - (Date.now() - t0 - 1200)));
    expect((await client.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');
    const d = await finished(arn);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(JSON.parse(d.output!).error.Error).toBe('States.Timeout');
    const scheduled = (await history(arn)).find((e) => e.type === 'TaskScheduled');
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: 60, heartbeatInSeconds: 2 });
  });

  it('gives a Task without TimeoutSeconds AWS Standard’s default (99999999 s), not the interpreter’s 60 s', async () => {
    const arn = await start('no-timeout', { id: 'n1' });
    const token = await eventually(() => tokens.get('n1'), 5000, 'token');
    const scheduled = await eventually(
      async () => (await history(arn)).find((e) => e.type === 'TaskScheduled'),
      5000,
      'TaskScheduled',
    );
    expect(scheduled.taskScheduledEventDetails?.timeoutInSeconds).toBe(AWS_DEFAULT_TASK_TIMEOUT_SECONDS);
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '"done"' }));
    expect((await finished(arn)).output).toBe('"done"');

    // The unmodified interpreter, under fake timers: the original definition times out at 60 s,
    // the prepared one is still waiting after two minutes.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const outcome = (definition: object) => {
        const state = { settled: '' };
        new StateMachine(definition as never, { validationOptions: { noValidate: true } })
          .run(
            { id: 'n0' },
            {
              overrides: { taskResourceLocalHandlers: { 'Wait for it': () => new Promise(() => undefined) } },
              context: { Task: { Token: 'token' } },
            },
          )
          .result.then(
            () => (state.settled = 'ok'),
            (e: Error) => (state.settled = (e.cause as Error)?.name ?? e.name),
          );
        return state;
      };
      const original = outcome(noTimeoutMachine);
      const prepared = outcome(prepareDefinition(noTimeoutMachine).interpreter);
      await vi.advanceTimersByTimeAsync(61_000);
      expect(original.settled).toBe('States.Timeout');
      await vi.advanceTimersByTimeAsync(120_000);
      expect(prepared.settled).toBe('');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('local Step Functions: executions', () => {
  it('treats StartExecution with the same name and input as the same execution, as AWS does', async () => {
    const a = await start('gate', { id: 'i1', timeout: 60, heartbeat: 60 }, 'idempotent-1');
    const b = await start('gate', { heartbeat: 60, id: 'i1', timeout: 60 }, 'idempotent-1');
    expect(b).toBe(a);
    await expect(start('gate', { id: 'i2', timeout: 60, heartbeat: 60 }, 'idempotent-1')).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    await eventually(() => tokens.get('i1'), 5000, 'token');
    expect(count('notify', (p) => p.id === 'i1')).toBe(1);

    await client.send(new StopExecutionCommand({ executionArn: a, error: 'Cancelled', cause: 'test' }));
    const d = await client.send(new DescribeExecutionCommand({ executionArn: a }));
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Cancelled', redriveStatus: 'REDRIVABLE' });
    // Closed: the same name cannot be reused, even with the same input.
    await expect(start('gate', { id: 'i1', timeout: 60, heartbeat: 60 }, 'idempotent-1')).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: tokens.get('i1')!, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);

    const listed = await client.send(
      new ListExecutionsCommand({ stateMachineArn: sfn.stateMachineArn('gate'), statusFilter: 'ABORTED' }),
    );
    expect(listed.executions?.map((e) => e.executionArn)).toContain(a);
  });

  it('redrives a failed execution from the failed state, reusing the results before it', async () => {
    broken = true;
    const arn = await start('redrive', { n: 1 });
    const failed = await finished(arn);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Broken', redriveStatus: 'REDRIVABLE' });
    expect([count('one'), count('two'), count('breaker'), count('four')]).toEqual([1, 1, 2, 0]);

    broken = false;
    await client.send(new RedriveExecutionCommand({ executionArn: arn }));
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(d.redriveCount).toBe(1);
    expect(JSON.parse(d.output!)).toEqual({ done: true, one: { one: 1 }, two: { two: 2 } });
    // One and Two were not invoked again; Three ran once more; Four once.
    expect([count('one'), count('two'), count('breaker'), count('four')]).toEqual([1, 1, 3, 1]);

    const types = (await history(arn)).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionRedriven')).toHaveLength(1);
    expect(types.filter((t) => t === 'ExecutionFailed')).toHaveLength(1);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(6); // One, Two, Three x3, Four
  });
});

describe('local Step Functions: durability', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && !c.signalCode) c.kill('SIGKILL');
  });

  async function child(env: Record<string, string>): Promise<{ proc: ChildProcess; endpoint: string }> {
    const proc = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '--import', 'tsx', 'test/support/sfn-child.ts'],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(proc);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const endpoint = await eventually(() => /"endpoint":"([^"]+)"/.exec(out)?.[1], 20_000, 'child endpoint').catch(
      () => {
        throw new Error(`child did not start:\n${out}`);
      },
    );
    return { proc, endpoint };
  }

  it('survives kill -9 while waiting on a token: same token works, no function runs twice, deadlines are absolute', async () => {
    const dir = newDir('sfn-durable-');
    const log = join(dir, 'invocations.jsonl');
    const env = {
      SFN_DYNAMO_ENDPOINT: persisted.endpoint,
      SFN_TABLE: 'modos-local-sfn-durability',
      SFN_SECRET_FILE: join(dir, 'sfn-token-secret'),
      SFN_DEFINITION: JSON.stringify(durableMachine),
      SFN_LOG: log,
    };
    const invocations = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { name: string; payload: any; pid: number })
        : [];

    const first = await child(env);
    const c1 = sfnClient(first.endpoint);
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:durable';
    const approved = (
      await c1.send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          name: 'approve-me',
          input: JSON.stringify({ order: 7, timeout: 3600 }),
        }),
      )
    ).executionArn!;
    const t0 = Date.now();
    const expiring = (
      await c1.send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          name: 'expire-me',
          input: JSON.stringify({ order: 8, timeout: 5 }),
        }),
      )
    ).executionArn!;
    const token = await eventually(
      () =>
        invocations().find((i) => i.name === 'notify' && i.payload.order === 7)?.payload.token as string | undefined,
      10_000,
      'token',
    );
    await eventually(
      () => invocations().some((i) => i.name === 'notify' && i.payload.order === 8),
      10_000,
      'second token',
    );
    c1.destroy();

    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    await new Promise((r) => setTimeout(r, 2000)); // downtime: a relative timer would now end after t0 + 7 s

    const second = await child(env);
    const c2 = sfnClient(second.endpoint);
    await c2.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    const done = await finished(approved, c2);
    expect(done.status).toBe('SUCCEEDED');
    const out = JSON.parse(done.output!);
    expect(out.decision).toEqual({ approved: true });
    expect(out.prepared.Payload.step).toBe('prepare');
    expect(out.finished.Payload.pid).toBe(second.proc.pid);

    const expired = await finished(expiring, c2);
    expect(JSON.parse(expired.output!).error.Error).toBe('States.Timeout');
    const expiredAt = expired.stopDate!.getTime();
    expect(expiredAt - t0).toBeGreaterThanOrEqual(4500);
    expect(expiredAt - t0).toBeLessThan(6900);

    // Each function ran exactly once per attempt, across both processes.
    const names7 = invocations()
      .filter((i) => i.payload.order === 7)
      .map((i) => i.name);
    expect(names7.sort()).toEqual(['finish', 'notify', 'prepare']);
    const names8 = invocations()
      .filter((i) => i.payload.order === 8)
      .map((i) => i.name);
    expect(names8.sort()).toEqual(['notify', 'prepare']);
    expect(
      invocations()
        .filter((i) => i.name === 'prepare')
        .every((i) => i.pid === first.proc.pid),
    ).toBe(true);

    // The history was not duplicated by the replay.
    const events = await history(approved, c2);
    expect(events.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name)).toEqual([
      'Prepare',
      'Approval',
      'Finish',
    ]);
    expect(events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);

    c2.destroy();
    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));
  });
});
