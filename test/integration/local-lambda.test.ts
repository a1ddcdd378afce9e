import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentNamesOf, LOCAL_ALTERNATIVES, scheduleGroupEnv } from '../../functions/platform/bindings.js';
import {
  FUNCTIONS,
  scheduleGroups,
  stateMachineAccessOf,
  type FunctionSpec,
} from '../../functions/platform/manifest.js';
import { localEnvironment, type LocalBindingValues } from '../../local/lambda/environment.js';
import { LambdaUnhandledError, LocalLambdaRuntime, type LocalFunctionConfig } from '../../local/lambda/runtime.js';
import { lambdaFunctionError } from '../../local/stepfunctions/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'modos-lambda-'));
const moduleOf = (name: string, code: string) => {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, code);
  return file;
};

const HANDLERS = {
  echo: moduleOf(
    'echo',
    `export const handler = async (event, context) => ({ event, env: process.env, remaining: context.getRemainingTimeInMillis(), memory: context.memoryLimitInMB });`,
  ),
  slow: moduleOf(
    'slow',
    `export const handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return 'done'; };`,
  ),
  hog: moduleOf(
    'hog',
    `const keep = []; export const handler = async () => { for (;;) keep.push(new Array(1e6).fill(Math.random())); };`,
  ),
  fails: moduleOf(
    'fails',
    `class ApprovalRejectedError extends Error { name = 'ApprovalRejectedError'; } export const handler = async () => { throw new ApprovalRejectedError('rejected by someone'); };`,
  ),
  badInit: moduleOf(
    'bad-init',
    `if (!process.env.TABLE_NAME) throw new Error('TABLE_NAME is not set'); export const handler = async () => 'ok';`,
  ),
  counter: moduleOf(
    'counter',
    `let n = 0; export const handler = async (event) => { n += 1; await new Promise((r) => setTimeout(r, event.ms ?? 0)); return n; };`,
  ),
  dates: moduleOf('dates', `export const handler = async () => ({ at: new Date(0), gone: undefined, n: 1 });`),
};

const fn = (name: keyof typeof HANDLERS, over: Partial<LocalFunctionConfig> = {}): LocalFunctionConfig => ({
  name,
  module: HANDLERS[name],
  env: { ONLY_THIS: 'yes' },
  memoryMb: 128,
  timeoutSeconds: 5,
  ...over,
});

let runtime: LocalLambdaRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

describe('local Lambda sandboxes', () => {
  it('gives the handler exactly its own environment, a JSON copy of the event and a Lambda context', async () => {
    process.env.LEAK_CHECK = 'parent-only';
    runtime = new LocalLambdaRuntime({ functions: { echo: fn('echo', { memoryMb: 256 }) } });
    const out = (await runtime.invoke('echo', { a: 1, at: new Date(0) })) as {
      event: unknown;
      env: Record<string, string>;
      remaining: number;
      memory: string;
    };
    expect(out.env).toEqual({ ONLY_THIS: 'yes' });
    expect(out.event).toEqual({ a: 1, at: '1970-01-01T00:00:00.000Z' });
    expect(out.remaining).toBeGreaterThan(4000);
    expect(out.remaining).toBeLessThanOrEqual(5000);
    expect(out.memory).toBe('256');
  });

  it('returns what the handler returns through JSON, as Lambda serializes it', async () => {
    runtime = new LocalLambdaRuntime({ functions: { dates: fn('dates') } });
    expect(await runtime.invoke('dates', {})).toEqual({ at: '1970-01-01T00:00:00.000Z', n: 1 });
  });

  it('ends an invocation at its timeout, and the next one gets a fresh sandbox', async () => {
    runtime = new LocalLambdaRuntime({ functions: { slow: fn('slow', { timeoutSeconds: 1 }) } });
    const t0 = Date.now();
    const error = await runtime.invoke('slow', { ms: 5000 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(error).toBeInstanceOf(LambdaUnhandledError);
    expect((error as Error).name).toBe('Sandbox.Timedout');
    expect((error as Error).message).toBe('Task timed out after 1.00 seconds');
    // Step Functions reports it as Lambda.Unknown.
    expect(lambdaFunctionError(error).error).toBe('Lambda.Unknown');
    expect(await runtime.invoke('slow', { ms: 10 })).toBe('done');
    expect(runtime.stats().slow!.coldStarts).toBe(2);
  });

  it('stops a function that allocates past its memory', async () => {
    runtime = new LocalLambdaRuntime({ functions: { hog: fn('hog', { memoryMb: 64, timeoutSeconds: 30 }) } });
    const error = await runtime.invoke('hog', {}).catch((e: unknown) => e);
    expect((error as Error).name).toBe('Runtime.OutOfMemory');
  }, 40_000);

  it('passes the function error on with its own name, as Step Functions receives it', async () => {
    runtime = new LocalLambdaRuntime({ functions: { fails: fn('fails') } });
    const error = await runtime.invoke('fails', {}).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ApprovalRejectedError');
    expect((error as Error).message).toBe('rejected by someone');
    expect(lambdaFunctionError(error).error).toBe('ApprovalRejectedError');
  });

  it('fails at init when a setting the function needs is not bound, on every invocation', async () => {
    runtime = new LocalLambdaRuntime({ functions: { badInit: fn('badInit') } });
    for (let i = 0; i < 2; i++) {
      const error = await runtime.invoke('badInit', {}).catch((e: unknown) => e);
      expect((error as Error).name).toBe('Runtime.InitError');
      expect((error as Error).message).toContain('TABLE_NAME is not set');
    }
  });

  it('runs one invocation per sandbox at a time and scales out for concurrent ones', async () => {
    runtime = new LocalLambdaRuntime({ functions: { counter: fn('counter') } });
    const results = await Promise.all(Array.from({ length: 4 }, () => runtime!.invoke('counter', { ms: 200 })));
    // Four concurrent invocations, four sandboxes, each seeing its own module state.
    expect(results).toEqual([1, 1, 1, 1]);
    expect(runtime.stats().counter).toMatchObject({ sandboxes: 4, coldStarts: 4, invocations: 4 });
    // A warm sandbox is reused, module state included (as Lambda reuses an environment).
    expect(await runtime.invoke('counter', {})).toBe(2);
  });

  it('queues beyond the concurrency limit instead of starting more sandboxes', async () => {
    runtime = new LocalLambdaRuntime({ functions: { counter: fn('counter') }, maxConcurrency: 2 });
    const results = await Promise.all(Array.from({ length: 4 }, () => runtime!.invoke('counter', { ms: 100 })));
    expect(results.sort()).toEqual([1, 1, 2, 2]);
    expect(runtime.stats().counter!.coldStarts).toBe(2);
  });

  it('serves concurrent invocations in one sandbox when so configured, and a timeout ends them all', async () => {
    runtime = new LocalLambdaRuntime({
      functions: { counter: fn('counter', { timeoutSeconds: 1 }) },
      maxConcurrency: 1,
      invocationsPerSandbox: 8,
    });
    const results = await Promise.all(Array.from({ length: 4 }, () => runtime!.invoke('counter', { ms: 100 })));
    // One module instance: all four saw the same counter.
    expect(results).toEqual([4, 4, 4, 4]);
    expect(runtime.stats().counter!.coldStarts).toBe(1);
    const slow = runtime.invoke('counter', { ms: 3000 }).catch((e: unknown) => e);
    const bystander = runtime.invoke('counter', { ms: 1500 }).catch((e: unknown) => e);
    expect(((await slow) as Error).name).toBe('Sandbox.Timedout');
    expect(((await bystander) as Error).name).toBe('Runtime.ExitError');
    expect(await runtime.invoke('counter', {})).toBe(1);
  });

  it('refuses an unknown function as Lambda does', async () => {
    runtime = new LocalLambdaRuntime({ functions: {} });
    await expect(runtime.invoke('Nope', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('local function environment', () => {
  const values: LocalBindingValues = {
    stage: 'local',
    logLevel: 'INFO',
    region: 'us-east-1',
    tableName: 't',
    bucketName: 'b',
    busName: 'e',
    jwtIssuer: 'https://issuer/',
    jwtAudience: 'aud',
    jwksFile: '/keys/jwks.json',
    stateMachineArns: {
      WorkflowRun: 'arn:aws:states:us-east-1:000000000000:stateMachine:WorkflowRun',
      ConnectorSync: 'arn:aws:states:us-east-1:000000000000:stateMachine:ConnectorSync',
      AgentOutput: 'arn:aws:states:us-east-1:000000000000:stateMachine:AgentOutput',
    },
    callbackKey: 'k'.repeat(40),
    publicApiUrl: 'http://127.0.0.1:3000',
    modelApiKey: 'offline',
    scheduleGroups: Object.fromEntries(
      scheduleGroups().map((g) => [
        g.name,
        {
          groupName: g.groupName('local'),
          roleArn: `arn:aws:iam::000000000000:role/${g.groupName('local')}`,
          targetArn: `arn:aws:lambda:us-east-1:000000000000:function:${g.target}`,
          deadLetterArn: `arn:aws:sqs:us-east-1:000000000000:${g.groupName('local')}-dlq`,
        },
      ]),
    ) as LocalBindingValues['scheduleGroups'],
    endpoints: {
      dynamodb: 'http://127.0.0.1:1',
      s3: 'http://127.0.0.1:2',
      eventbridge: 'http://127.0.0.1:3',
      sfn: 'http://127.0.0.1:4',
      scheduler: 'http://127.0.0.1:5',
    },
    developmentEnv: { ALLOW_HTTP_LOOPBACK_WEBHOOKS: 'true' },
  };

  it.each(Object.values(FUNCTIONS).map((s) => [s.name, s as FunctionSpec]))(
    '%s gets the variables the stack gives it, and only the endpoints of its bindings',
    (_name, spec) => {
      const env = localEnvironment(spec, values);
      // Exactly: the stack's variables (local alternatives where they differ), the Lambda service's own,
      // the endpoint of each bound emulator, the development switches; nothing else.
      const lambdaService = [
        'AWS_REGION',
        'AWS_DEFAULT_REGION',
        'AWS_LAMBDA_FUNCTION_NAME',
        'AWS_LAMBDA_FUNCTION_VERSION',
        'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
        'AWS_EXECUTION_ENV',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'TZ',
      ];
      const endpoints = [
        ...(spec.table ? ['MODOS_DYNAMODB_ENDPOINT'] : []),
        ...(spec.bucket ? ['MODOS_S3_ENDPOINT'] : []),
        ...(spec.bus ? ['MODOS_EVENTBRIDGE_ENDPOINT'] : []),
        ...(spec.schedules?.length ? ['MODOS_SCHEDULER_ENDPOINT'] : []),
        ...(stateMachineAccessOf(spec.name).starts.length || stateMachineAccessOf(spec.name).callbacks
          ? ['MODOS_SFN_ENDPOINT']
          : []),
      ];
      const expected = [
        ...environmentNamesOf(spec).map((n) => LOCAL_ALTERNATIVES[n] ?? n),
        ...lambdaService,
        ...endpoints,
        ...Object.keys(values.developmentEnv),
      ];
      expect(Object.keys(env).sort()).toEqual([...new Set(expected)].sort());
      expect(env.MODOS_FUNCTION).toBe(spec.name);
      expect('TABLE_NAME' in env).toBe(Boolean(spec.table));
      expect('MODOS_DYNAMODB_ENDPOINT' in env).toBe(Boolean(spec.table));
      expect('EVENT_BUS_NAME' in env).toBe(Boolean(spec.bus));
      expect('MODOS_EVENTBRIDGE_ENDPOINT' in env).toBe(Boolean(spec.bus));
      expect('MODOS_SCHEDULER_ENDPOINT' in env).toBe(Boolean(spec.schedules?.length));
      for (const group of spec.schedules ?? [])
        expect(env[scheduleGroupEnv(group).targetArn]).toBe(values.scheduleGroups[group].targetArn);
      expect('CALLBACK_KEY' in env).toBe(Boolean(spec.callbackKey));
      expect('JWKS_FILE' in env).toBe(Boolean(spec.jwt));
      const sfn = stateMachineAccessOf(spec.name);
      expect('MODOS_SFN_ENDPOINT' in env).toBe(sfn.starts.length > 0 || sfn.callbacks);
    },
  );

  it("gives the functions an external identity provider's keys by URL (JWKS_URL, as the stack does), not a file", () => {
    const { jwksFile: _, ...rest } = values;
    const withProvider: LocalBindingValues = { ...rest, jwksUrl: 'http://127.0.0.1:9/jwks' };
    const specs = Object.values(FUNCTIONS) as FunctionSpec[];
    expect(specs.some((s) => s.jwt)).toBe(true);
    for (const spec of specs) {
      const env = localEnvironment(spec, withProvider);
      expect(env.JWKS_URL, spec.name).toBe(spec.jwt ? 'http://127.0.0.1:9/jwks' : undefined);
      expect('JWKS_FILE' in env, spec.name).toBe(false);
      expect(Object.keys(env).sort(), spec.name).toEqual(
        Object.keys(localEnvironment(spec, values))
          .map((n) => (n === 'JWKS_FILE' ? 'JWKS_URL' : n))
          .sort(),
      );
    }
  });
});
