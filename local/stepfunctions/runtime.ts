import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import {
  AWS_DEFAULT_TASK_TIMEOUT_SECONDS,
  CONTEXT_EXECUTION_KEY,
  prepareDefinition,
  stableStringify,
  substituteToken,
  TOKEN_PLACEHOLDER,
  WRAP,
  type PreparedDefinition,
  type TaskSpec,
} from './definition.js';
import { lambdaFunctionError, SfnApiError, statesTimeoutClass, StatesRuntimeError, TaskError, timeoutError } from './errors.js';
import { HistoryWriter, type HistoryEvent } from './history.js';
import { Journal, type ExecutionItem, type ExecutionStatus, type HistoryItem, type TaskItem } from './journal.js';
import { TaskTokens } from './tokens.js';

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

type ResourceKind = 'invoke' | 'token' | 'function';

interface Machine {
  name: string;
  arn: string;
  definition: string;
}

interface Run {
  execution: ExecutionItem;
  segment: number;
  prepared: PreparedDefinition;
  journal: Map<string, TaskItem>;
  occurrences: Map<string, number>;
  skipRetryPause: Set<string>;
  history: HistoryWriter;
  /** No state may proceed any more (terminal, stopped, or the runtime is stopping). */
  ended: boolean;
  /** The runtime stopped: leave the execution RUNNING so the next start resumes it. */
  suspended: boolean;
  abort: () => void;
  deadlineTimer?: NodeJS.Timeout;
  done: Promise<void>;
}

interface Waiter {
  run: Run;
  spec: TaskSpec;
  entry: TaskItem;
  timer?: NodeJS.Timeout;
  settled: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const never = () => new Promise<never>(() => undefined);
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function resourceKind(resource: string): ResourceKind | undefined {
  if (/^arn:aws[\w-]*:states:::lambda:invoke$/.test(resource)) return 'invoke';
  if (/^arn:aws[\w-]*:states:::lambda:invoke\.waitForTaskToken$/.test(resource)) return 'token';
  if (/^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource)) return 'function';
  return undefined;
}

/** The function name of a FunctionName as Lambda accepts it (name, name:qualifier, partial or full ARN). */
export function functionNameOf(ref: string): string {
  const arn = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(ref);
  if (arn) return arn[1]!;
  const partial = /^\d{12}:function:([^:]+)/.exec(ref);
  if (partial) return partial[1]!;
  return ref.split(':')[0]!;
}

function lambdaInvokeResult(payload: unknown): Record<string, unknown> {
  const requestId = randomUUID();
  const body = JSON.stringify(payload ?? null);
  const date = new Date().toUTCString();
  const headers: Record<string, string> = {
    Connection: 'keep-alive',
    'Content-Length': String(Buffer.byteLength(body)),
    'Content-Type': 'application/json',
    Date: date,
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
    'X-Amzn-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
  };
  return {
    ExecutedVersion: '$LATEST',
    Payload: JSON.parse(body),
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

/**
 * A local, durable AWS Step Functions: the unmodified `aws-local-stepfunctions` interpreter runs the
 * ASL; this layer gives it Lambda task integrations, task tokens, timeouts and heartbeats, a journal
 * in DynamoDB that lets RUNNING executions resume after a crash without invoking a function twice
 * for the same attempt, and a server speaking the Step Functions JSON protocol for the SDK client.
 */
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

export class LocalStepFunctions {
  private readonly journal: Journal;
  private readonly tokens: TaskTokens;
  private readonly region: string;
  private readonly accountId: string;
  private readonly machines = new Map<string, Machine>();
  private readonly prepared = new Map<string, PreparedDefinition>();
  private readonly runs = new Map<string, Run>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly histories = new Map<string, Promise<HistoryWriter>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly onError: (e: unknown) => void;
  private server: Server | undefined;
  private stopping = false;
  endpoint = '';

  constructor(private readonly opts: LocalStepFunctionsOptions) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.onError = opts.onError ?? ((e) => console.error(JSON.stringify({ level: 'ERROR', message: 'local step functions', error: (e as Error)?.message ?? String(e) })));
    this.journal = new Journal(opts.dynamo, opts.tableName ?? 'modos-local-sfn');
    this.tokens = new TaskTokens(opts.tokenSecretFile);
    for (const { name, definition } of opts.stateMachines) {
      // Validate the original definition with the interpreter's own validator (throws if invalid).
      new StateMachine(definition as never);
      const text = JSON.stringify(definition);
      this.prepare(text);
      this.machines.set(this.stateMachineArn(name), { name, arn: this.stateMachineArn(name), definition: text });
    }
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  executionArn(stateMachineName: string, executionName: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:execution:${stateMachineName}:${executionName}`;
  }

  /** Starts the protocol server and resumes every RUNNING execution. Returns the endpoint URL. */
  async start(port = 0): Promise<string> {
    this.stopping = false;
    await Promise.all([this.journal.ensureTable(), statesTimeoutClass()]);
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (!address || typeof address !== 'object') throw new Error('step functions server did not bind');
    this.endpoint = `http://127.0.0.1:${address.port}`;
    for (const execution of await this.journal.listExecutions()) {
      if (execution.status === 'RUNNING' && !this.runs.has(execution.executionArn)) {
        await this.startRun(execution).catch(this.onError);
      }
    }
    return this.endpoint;
  }

  /**
   * Stops accepting requests, lets function invocations in flight settle (their results are
   * journalled), and abandons token waits and timers: RUNNING executions resume on the next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const run of this.runs.values()) {
      run.suspended = true;
      run.ended = true;
      clearTimeout(run.deadlineTimer);
      run.abort();
    }
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      w.settled = true;
    }
    this.waiters.clear();
    if (this.server) {
      const server = this.server;
      this.server = undefined;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    await Promise.allSettled([...this.histories.values()].map((h) => h.then((w) => w.flush())));
    this.runs.clear();
  }

  /** Waits until the execution is no longer RUNNING in this process (tests, tools). */
  async settled(executionArn: string): Promise<void> {
    await this.runs.get(executionArn)?.done;
  }

  // ---------------------------------------------------------------- runs

  private prepare(definitionText: string): PreparedDefinition {
    let p = this.prepared.get(definitionText);
    if (!p) this.prepared.set(definitionText, (p = prepareDefinition(JSON.parse(definitionText) as object)));
    return p;
  }

  private history(executionArn: string, existing?: HistoryItem[]): Promise<HistoryWriter> {
    let h = this.histories.get(executionArn);
    if (!h) {
      h = existing ? Promise.resolve(this.makeHistory(executionArn, existing)) : this.journal.load(executionArn).then((l) => this.makeHistory(executionArn, l.history));
      this.histories.set(executionArn, h);
    }
    return h;
  }

  private makeHistory(executionArn: string, existing: HistoryItem[]): HistoryWriter {
    return new HistoryWriter(this.journal, executionArn, existing, this.onError);
  }

  private async startRun(execution: ExecutionItem & { definition?: string }): Promise<void> {
    const arn = execution.executionArn;
    const machine = this.machines.get(execution.stateMachineArn);
    const definitionText = execution.definition ?? machine?.definition;
    if (!definitionText) throw new Error(`no definition for ${arn}`);
    const prepared = this.prepare(definitionText);
    const loaded = await this.journal.load(arn);
    const history = await this.history(arn, loaded.history);
    history.newReplay();
    const segment = execution.redriveCount ?? 0;
    const input = JSON.parse(execution.input) as unknown;
    let resolveDone!: () => void;
    const run: Run = {
      execution,
      segment,
      prepared,
      journal: new Map(loaded.tasks.map((t) => [t.key, t])),
      occurrences: new Map(),
      skipRetryPause: new Set(),
      history,
      ended: false,
      suspended: false,
      abort: () => undefined,
      done: new Promise<void>((r) => (resolveDone = r)),
    };
    this.runs.set(arn, run);
    history.record('ExecutionStarted', { executionStartedEventDetails: { input: execution.input, inputDetails: { truncated: false }, roleArn: this.roleArn() } }, { fp: 'ExecutionStarted', timestamp: execution.startDate });

    const executionContext = {
      Id: arn,
      Input: input,
      Name: execution.name,
      RoleArn: this.roleArn(),
      StartTime: new Date(execution.startDate).toISOString(),
      RedriveCount: segment,
    };
    const context = {
      Execution: executionContext,
      [CONTEXT_EXECUTION_KEY]: executionContext,
      StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineName },
      Task: { Token: TOKEN_PLACEHOLDER },
    };
    const handlers = new Proxy({} as Record<string, (input: unknown) => Promise<unknown>>, {
      get: (_t, name) => {
        const spec = typeof name === 'string' ? prepared.tasks.get(name) : undefined;
        return spec ? (i: unknown) => this.task(run, spec, i) : undefined;
      },
    });
    // A journalled failure replays at once: its retry pause already happened.
    const retryIntervalOverrides = new Proxy({} as Record<string, number>, {
      get: (_t, name) => (typeof name === 'string' && run.skipRetryPause.has(name) ? 0 : undefined),
    });
    const sm = new StateMachine(prepared.interpreter as never, { validationOptions: { noValidate: true } });
    const execution$ = sm.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
      noThrowOnAbort: true,
      context: context as never,
    });
    run.abort = execution$.abort;
    const events = (async () => {
      for await (const event of execution$.eventLogs) this.onInterpreterEvent(run, event as unknown as Record<string, unknown>);
    })().catch(this.onError);

    if (execution.deadline !== undefined) {
      const arm = () => {
        const delay = Math.min(Math.max(execution.deadline! - Date.now(), 0), MAX_TIMER_MS);
        run.deadlineTimer = setTimeout(() => {
          if (Date.now() < execution.deadline!) return arm();
          void this.endRun(run, 'TIMED_OUT', 'States.Timeout', `The execution exceeded its TimeoutSeconds`).catch(this.onError);
        }, delay);
      };
      arm();
    }

    void (async () => {
      const outcome = await execution$.result.then(
        (output) => ({ ok: true as const, output }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      clearTimeout(run.deadlineTimer);
      if (run.ended) return;
      run.ended = true;
      await events;
      if (outcome.ok) {
        const output = JSON.stringify(outcome.output ?? null);
        history.record('ExecutionSucceeded', { executionSucceededEventDetails: { output, outputDetails: { truncated: false } } }, { fp: `ExecutionSucceeded|${segment}` });
        await history.flush();
        await this.journal.updateExecution(arn, { status: 'SUCCEEDED', output, stopDate: Date.now() }, { status: 'RUNNING', segment });
      } else {
        const err = ((outcome.error as Error)?.cause ?? outcome.error) as Error & { journalKey?: string };
        const error = err?.name ?? 'Error';
        const cause = typeof err?.message === 'string' ? err.message : String(err);
        history.record('ExecutionFailed', { executionFailedEventDetails: { error, cause } }, { fp: `ExecutionFailed|${segment}` });
        await history.flush();
        await this.journal.updateExecution(
          arn,
          { status: 'FAILED', error, cause, stopDate: Date.now(), failedKeys: err?.journalKey ? [err.journalKey] : [] },
          { status: 'RUNNING', segment },
        );
      }
      await this.cancelWaits(run);
    })()
      .catch(this.onError)
      .finally(() => {
        if (this.runs.get(arn) === run) this.runs.delete(arn);
        resolveDone();
      });
  }

  /** Ends a RUNNING execution from outside the interpreter (StopExecution, execution timeout). */
  private async endRun(run: Run, status: Extract<ExecutionStatus, 'ABORTED' | 'TIMED_OUT'>, error: string | undefined, cause: string | undefined): Promise<boolean> {
    const arn = run.execution.executionArn;
    const stopDate = Date.now();
    const ok = await this.journal.updateExecution(arn, { status, stopDate, error, cause }, { status: 'RUNNING', segment: run.segment });
    if (!ok) return false;
    run.ended = true;
    clearTimeout(run.deadlineTimer);
    run.abort();
    if (status === 'ABORTED') run.history.record('ExecutionAborted', { executionAbortedEventDetails: { error, cause } }, { fp: `ExecutionAborted|${run.segment}`, timestamp: stopDate });
    else run.history.record('ExecutionTimedOut', { executionTimedOutEventDetails: { error, cause } }, { fp: `ExecutionTimedOut|${run.segment}`, timestamp: stopDate });
    await this.cancelWaits(run);
    await run.history.flush();
    return true;
  }

  private async cancelWaits(run: Run): Promise<void> {
    for (const [id, w] of [...this.waiters]) {
      if (w.run !== run) continue;
      clearTimeout(w.timer);
      w.settled = true;
      this.waiters.delete(id);
      await this.journal.updateTask(run.execution.executionArn, w.entry.key, { status: 'CANCELLED', settledAt: Date.now() }, 'WAITING');
    }
  }

  private onInterpreterEvent(run: Run, event: Record<string, unknown>): void {
    const state = event.state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
    const ts = typeof event.timestamp === 'number' ? event.timestamp : Date.now();
    switch (event.type) {
      case 'StateEntered':
        run.history.record(`${state!.type}StateEntered`, { stateEnteredEventDetails: { name: state!.name, input: JSON.stringify(state!.input ?? null), inputDetails: { truncated: false } } }, { countBy: state!.name, timestamp: ts });
        break;
      case 'StateExited':
        run.history.record(`${state!.type}StateExited`, { stateExitedEventDetails: { name: state!.name, output: JSON.stringify(state!.output ?? null), outputDetails: { truncated: false } } }, { countBy: state!.name, timestamp: ts });
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const parent = event.parentState as { name: string };
        const key = `${String(event.type).charAt(0).toLowerCase()}${String(event.type).slice(1)}EventDetails`;
        run.history.record(String(event.type), { [key]: { name: parent.name, index: event.index } }, { countBy: `${parent.name}#${String(event.index)}`, timestamp: ts });
        break;
      }
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- tasks

  /** The interpreter's Task handler: replays the journal, or runs the task and journals it first. */
  private async task(run: Run, spec: TaskSpec, raw: unknown): Promise<unknown> {
    const wrapped = ((raw as Record<string, unknown> | null)?.[WRAP] ?? {}) as { p?: unknown; t?: unknown; h?: unknown };
    const payload = wrapped.p ?? null;
    // Identity of this attempt: state, effective input, and how many times this state has run with
    // this input in this replay (loops and retries). Computed before any await: the interpreter
    // calls handlers in a deterministic order for a given journal.
    const base = `${spec.name}#${createHash('sha256').update(stableStringify(payload)).digest('hex').slice(0, 16)}`;
    const n = (run.occurrences.get(base) ?? 0) + 1;
    run.occurrences.set(base, n);
    const key = `${base}#${n}`;
    run.skipRetryPause.delete(spec.name);
    if (run.ended) return never();
    const entry = run.journal.get(key);
    if (entry) return this.replay(run, spec, entry);
    return this.live(run, spec, key, payload, wrapped);
  }

  private async replay(run: Run, spec: TaskSpec, entry: TaskItem): Promise<unknown> {
    const arn = run.execution.executionArn;
    // Let the interpreter's StateEntered event reach the history first.
    await new Promise((r) => setImmediate(r));
    this.recordTaskStart(run, spec, entry, undefined);
    switch (entry.status) {
      case 'SUCCEEDED':
        this.recordTaskOutcome(run, spec, entry);
        return JSON.parse(entry.output ?? 'null');
      case 'FAILED':
        this.recordTaskOutcome(run, spec, entry);
        run.skipRetryPause.add(spec.name);
        throw await this.errorOf(entry);
      case 'WAITING':
        return this.wait(run, spec, entry, true);
      case 'STARTED': {
        // The process ended while the function ran: its outcome is unknown. The attempt is not
        // invoked again (at most once per attempt); it fails, and Retry may start a new attempt.
        const failed: Partial<TaskItem> = {
          status: 'FAILED',
          error: 'Lambda.Unknown',
          cause: 'The local runtime stopped while the function was running; the outcome of this attempt is unknown.',
          settledAt: Date.now(),
        };
        const ok = await this.journal.updateTask(arn, entry.key, failed, 'STARTED');
        const settled = ok ? { ...entry, ...failed } : await this.journal.getTask(arn, entry.key);
        if (!settled || settled.status === 'STARTED') throw new StatesRuntimeError(`task ${entry.key} could not be settled`);
        run.journal.set(entry.key, settled);
        return this.replay(run, spec, settled);
      }
      default:
        throw new StatesRuntimeError(`task ${entry.key} was ${entry.status}`);
    }
  }

  private positiveInteger(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new StatesRuntimeError(`${field} must resolve to a positive integer, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  private async live(run: Run, spec: TaskSpec, key: string, payload: unknown, wrapped: { t?: unknown; h?: unknown }): Promise<unknown> {
    const arn = run.execution.executionArn;
    const kind = resourceKind(spec.resource);
    if (!kind) throw new StatesRuntimeError(`resource ${spec.resource} is not supported by the local runtime`);
    const timeoutSeconds =
      spec.timeoutSeconds ?? (spec.timeoutSecondsPath ? this.positiveInteger(wrapped.t, 'TimeoutSecondsPath') : AWS_DEFAULT_TASK_TIMEOUT_SECONDS);
    const heartbeatSeconds = spec.heartbeatSeconds ?? (spec.heartbeatSecondsPath ? this.positiveInteger(wrapped.h, 'HeartbeatSecondsPath') : undefined);
    const now = Date.now();
    const entry: TaskItem = {
      key,
      state: spec.name,
      status: kind === 'token' ? 'WAITING' : 'STARTED',
      segment: run.segment,
      resource: spec.resource,
      scheduledAt: now,
      timeoutAt: now + timeoutSeconds * 1000,
      heartbeatSeconds: kind === 'token' ? heartbeatSeconds : undefined,
      heartbeatAt: kind === 'token' && heartbeatSeconds ? now + heartbeatSeconds * 1000 : undefined,
      token: kind === 'token' ? this.tokens.make(arn, key, run.segment) : undefined,
    };
    let target: { functionName: string; payload: unknown };
    if (kind === 'function') {
      target = { functionName: functionNameOf(spec.resource), payload };
    } else {
      const p = (payload ?? {}) as { FunctionName?: unknown; Payload?: unknown };
      if (typeof p.FunctionName !== 'string') throw new StatesRuntimeError(`${spec.name}: Parameters must give FunctionName`);
      target = { functionName: functionNameOf(p.FunctionName), payload: p.Payload ?? {} };
    }
    if (entry.token) target.payload = substituteToken(target.payload, entry.token);
    // Journal the attempt before anything runs.
    if (!(await this.journal.startTask(arn, entry))) {
      const existing = await this.journal.getTask(arn, key);
      if (!existing) throw new StatesRuntimeError(`task ${key} could not be journalled`);
      run.journal.set(key, existing);
      return this.replay(run, spec, existing);
    }
    run.journal.set(key, entry);
    this.recordTaskStart(run, spec, entry, kind === 'function' ? target.payload : substituteToken(payload, entry.token ?? ''));
    if (kind === 'token') return this.wait(run, spec, entry, false, target);
    return this.invokeOnce(run, spec, entry, target, kind);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  private async invokeOnce(run: Run, spec: TaskSpec, entry: TaskItem, target: { functionName: string; payload: unknown }, kind: ResourceKind): Promise<unknown> {
    const arn = run.execution.executionArn;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      const arm = () => {
        timer = setTimeout(() => (Date.now() >= entry.timeoutAt ? resolve('timeout') : arm()), Math.min(Math.max(entry.timeoutAt - Date.now(), 0), MAX_TIMER_MS));
      };
      arm();
    });
    const invocation = this.track(
      Promise.resolve()
        .then(() => this.opts.invokeFunction(target.functionName, target.payload))
        .then(
          (result) => ({ ok: true as const, result }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
    );
    // Settling is journalled inside the tracked promise, so stop() waits for it.
    const settled = this.track(
      Promise.race([invocation, timedOut]).then(async (outcome) => {
        clearTimeout(timer);
        const now = Date.now();
        let set: Partial<TaskItem>;
        if (outcome === 'timeout') set = { status: 'FAILED', error: 'States.Timeout', cause: '', settledAt: now };
        else if (outcome.ok) {
          const output = kind === 'invoke' ? lambdaInvokeResult(outcome.result) : JSON.parse(JSON.stringify(outcome.result ?? null));
          set = { status: 'SUCCEEDED', output: JSON.stringify(output), settledAt: now };
        } else set = { status: 'FAILED', ...lambdaFunctionError(outcome.error), settledAt: now };
        const ok = await this.journal.updateTask(arn, entry.key, set, 'STARTED');
        const final = ok ? { ...entry, ...set } : await this.journal.getTask(arn, entry.key);
        if (final) run.journal.set(entry.key, final);
        return final;
      }),
    );
    const final = await settled;
    if (run.ended) return never();
    if (!final || final.status === 'STARTED') throw new StatesRuntimeError(`task ${entry.key} could not be settled`);
    this.recordTaskOutcome(run, spec, final);
    if (final.status === 'SUCCEEDED') return JSON.parse(final.output ?? 'null');
    throw await this.errorOf(final);
  }

  /** Waits for SendTaskSuccess/SendTaskFailure, the timeout or a missed heartbeat. */
  private wait(run: Run, spec: TaskSpec, entry: TaskItem, resumed: boolean, target?: { functionName: string; payload: unknown }): Promise<unknown> {
    const arn = run.execution.executionArn;
    const id = `${arn}|${entry.key}`;
    let w!: Waiter;
    const promise = new Promise<unknown>((resolve, reject) => {
      w = { run, spec, entry, settled: false, resolve, reject };
    });
    this.waiters.set(id, w);
    this.armWait(w);
    if (resumed) {
      // The outcome may have been journalled while nobody waited (e.g. right after a restart).
      void this.journal
        .getTask(arn, entry.key)
        .then((fresh) => {
          if (!fresh || w.settled) return;
          if (fresh.status === 'WAITING') {
            w.entry = fresh;
            this.armWait(w);
          } else void this.settleWait(w, fresh);
        })
        .catch(this.onError);
    } else if (target) {
      void this.track(
        Promise.resolve()
          .then(() => this.opts.invokeFunction(target.functionName, target.payload))
          .then(
            (result) => {
              if (!run.ended) run.history.record('TaskSubmitted', { taskSubmittedEventDetails: { ...this.taskResource(spec), output: JSON.stringify(lambdaInvokeResult(result)), outputDetails: { truncated: false } } }, { fp: `TaskSubmitted|${entry.key}|${entry.segment}` });
            },
            async (error: unknown) => {
              const set: Partial<TaskItem> = { status: 'FAILED', ...lambdaFunctionError(error), settledAt: Date.now() };
              if (await this.journal.updateTask(arn, entry.key, set, 'WAITING')) await this.settleWait(w, { ...entry, ...set });
            },
          ),
      ).catch(this.onError);
    }
    return promise;
  }

  private armWait(w: Waiter): void {
    clearTimeout(w.timer);
    if (w.settled) return;
    const next = Math.min(w.entry.timeoutAt, w.entry.heartbeatAt ?? Infinity);
    w.timer = setTimeout(() => void this.onWaitTimer(w).catch(this.onError), Math.min(Math.max(next - Date.now(), 0), MAX_TIMER_MS));
  }

  private async onWaitTimer(w: Waiter): Promise<void> {
    if (w.settled) return;
    const arn = w.run.execution.executionArn;
    const now = Date.now();
    const heartbeatAt = w.entry.heartbeatAt;
    let ok: boolean;
    let set: Partial<TaskItem>;
    if (now >= w.entry.timeoutAt) {
      set = { status: 'FAILED', error: 'States.Timeout', cause: '', settledAt: now };
      ok = await this.journal.updateTask(arn, w.entry.key, set, 'WAITING');
    } else if (heartbeatAt !== undefined && now >= heartbeatAt) {
      set = { status: 'FAILED', error: 'States.Timeout', cause: '', heartbeat: true, settledAt: now };
      ok = await this.journal.updateTask(arn, w.entry.key, set, 'WAITING', { heartbeatAt });
    } else return this.armWait(w);
    if (ok) return this.settleWait(w, { ...w.entry, ...set });
    const fresh = await this.journal.getTask(arn, w.entry.key);
    if (!fresh || w.settled) return;
    if (fresh.status === 'WAITING') {
      w.entry = fresh; // a heartbeat moved the deadline
      this.armWait(w);
    } else await this.settleWait(w, fresh);
  }

  private async settleWait(w: Waiter, entry: TaskItem): Promise<void> {
    if (w.settled) return;
    w.settled = true;
    clearTimeout(w.timer);
    this.waiters.delete(`${w.run.execution.executionArn}|${entry.key}`);
    w.run.journal.set(entry.key, entry);
    if (w.run.ended) return;
    this.recordTaskOutcome(w.run, w.spec, entry);
    if (entry.status === 'SUCCEEDED') w.resolve(JSON.parse(entry.output ?? 'null'));
    else w.reject(await this.errorOf(entry));
  }

  private async errorOf(entry: TaskItem): Promise<Error> {
    if (entry.error === 'States.Timeout') return timeoutError(entry.cause ?? '', entry.key);
    return new TaskError(entry.error ?? '', entry.cause ?? '', entry.key);
  }

  private taskResource(spec: TaskSpec): { resourceType: string; resource: string } {
    const kind = resourceKind(spec.resource);
    return { resourceType: 'lambda', resource: kind === 'token' ? 'invoke.waitForTaskToken' : kind === 'invoke' ? 'invoke' : spec.resource };
  }

  private recordTaskStart(run: Run, spec: TaskSpec, entry: TaskItem, parameters: unknown): void {
    const fp = (t: string) => `${t}|${entry.key}|${entry.segment}`;
    const timeoutInSeconds = Math.round((entry.timeoutAt - entry.scheduledAt) / 1000);
    if (resourceKind(spec.resource) === 'function') {
      run.history.record('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: spec.resource, input: JSON.stringify(parameters ?? null), timeoutInSeconds } }, { fp: fp('LambdaFunctionScheduled'), timestamp: entry.scheduledAt });
      run.history.record('LambdaFunctionStarted', {}, { fp: fp('LambdaFunctionStarted'), timestamp: entry.scheduledAt });
      return;
    }
    run.history.record(
      'TaskScheduled',
      {
        taskScheduledEventDetails: {
          ...this.taskResource(spec),
          region: this.region,
          parameters: JSON.stringify(parameters ?? null),
          timeoutInSeconds,
          heartbeatInSeconds: entry.heartbeatSeconds,
        },
      },
      { fp: fp('TaskScheduled'), timestamp: entry.scheduledAt },
    );
    run.history.record('TaskStarted', { taskStartedEventDetails: this.taskResource(spec) }, { fp: fp('TaskStarted'), timestamp: entry.scheduledAt });
  }

  private recordTaskOutcome(run: Run, spec: TaskSpec, entry: TaskItem): void {
    const fp = (t: string) => `${t}|${entry.key}|${entry.segment}`;
    const ts = entry.settledAt;
    const fn = resourceKind(spec.resource) === 'function';
    if (entry.status === 'SUCCEEDED') {
      if (fn) run.history.record('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: entry.output, outputDetails: { truncated: false } } }, { fp: fp('LambdaFunctionSucceeded'), timestamp: ts });
      else run.history.record('TaskSucceeded', { taskSucceededEventDetails: { ...this.taskResource(spec), output: entry.output, outputDetails: { truncated: false } } }, { fp: fp('TaskSucceeded'), timestamp: ts });
    } else if (entry.status === 'FAILED') {
      const details = { error: entry.error, cause: entry.cause };
      const timedOut = entry.error === 'States.Timeout';
      if (fn) {
        const type = timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed';
        run.history.record(type, { [`${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`]: details }, { fp: fp(type), timestamp: ts });
      } else if (timedOut) {
        run.history.record('TaskTimedOut', { taskTimedOutEventDetails: { ...this.taskResource(spec), ...details } }, { fp: fp('TaskTimedOut'), timestamp: ts });
      } else {
        run.history.record('TaskFailed', { taskFailedEventDetails: { ...this.taskResource(spec), ...details } }, { fp: fp('TaskFailed'), timestamp: ts });
      }
    }
  }

  private roleArn(): string {
    return `arn:aws:iam::${this.accountId}:role/modos-local-step-functions`;
  }

  // ---------------------------------------------------------------- protocol

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
      res.end(text);
    };
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    try {
      if (this.stopping) throw new SfnApiError('ServiceUnavailable', 'the local step functions runtime is stopping', 503);
      let input: Record<string, unknown>;
      try {
        input = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        throw new SfnApiError('SerializationException', 'malformed JSON');
      }
      const handler = this.operations[op];
      if (!handler) throw new SfnApiError('UnknownOperationException', `operation ${target || '(none)'} is not supported locally`);
      reply(200, await handler(input ?? {}));
    } catch (error) {
      if (error instanceof SfnApiError) return reply(error.status, { __type: error.type, message: error.message });
      this.onError(error);
      reply(500, { __type: 'InternalFailure', message: (error as Error)?.message ?? String(error) });
    }
  }

  private readonly operations: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {
    StartExecution: (i) => this.startExecution(i),
    DescribeExecution: (i) => this.describeExecution(i),
    StopExecution: (i) => this.stopExecution(i),
    SendTaskSuccess: (i) => this.sendTaskOutcome(i, true),
    SendTaskFailure: (i) => this.sendTaskOutcome(i, false),
    SendTaskHeartbeat: (i) => this.sendTaskHeartbeat(i),
    GetExecutionHistory: (i) => this.getExecutionHistory(i),
    ListExecutions: (i) => this.listExecutions(i),
    RedriveExecution: (i) => this.redriveExecution(i),
    DescribeStateMachine: async (i) => {
      const m = this.machineOf(i.stateMachineArn);
      return { stateMachineArn: m.arn, name: m.name, status: 'ACTIVE', definition: m.definition, roleArn: this.roleArn(), type: 'STANDARD', creationDate: 0 };
    },
    ListStateMachines: async () => ({
      stateMachines: [...this.machines.values()].map((m) => ({ stateMachineArn: m.arn, name: m.name, type: 'STANDARD', creationDate: 0 })),
    }),
  };

  private machineOf(arn: unknown): Machine {
    if (typeof arn !== 'string' || !arn.startsWith('arn:')) throw new SfnApiError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    const m = this.machines.get(arn);
    if (!m) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  private async executionOf(arn: unknown): Promise<ExecutionItem & { definition?: string }> {
    if (typeof arn !== 'string' || !arn.startsWith('arn:')) throw new SfnApiError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    const e = await this.journal.getExecution(arn);
    if (!e) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  private async startExecution(i: Record<string, unknown>): Promise<unknown> {
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
    const prepared = this.prepare(machine.definition);
    const now = Date.now();
    const item: ExecutionItem & { definition: string } = {
      executionArn: this.executionArn(machine.name, name),
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      status: 'RUNNING',
      input: inputText as string,
      startDate: now,
      deadline: prepared.executionTimeoutSeconds ? now + prepared.executionTimeoutSeconds * 1000 : undefined,
      redriveCount: 0,
      definition: machine.definition,
    };
    if (!(await this.journal.createExecution(item))) {
      // As AWS: the same name and input while the execution is RUNNING is the same execution.
      const existing = await this.executionOf(item.executionArn);
      if (existing.status === 'RUNNING' && stableStringify(JSON.parse(existing.input)) === stableStringify(parsed)) {
        return { executionArn: existing.executionArn, startDate: existing.startDate / 1000 };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${item.executionArn}'`);
    }
    await this.startRun(item);
    return { executionArn: item.executionArn, startDate: now / 1000 };
  }

  private async describeExecution(i: Record<string, unknown>): Promise<unknown> {
    const e = await this.executionOf(i.executionArn);
    const redrivable = e.status === 'FAILED' || e.status === 'TIMED_OUT' || e.status === 'ABORTED';
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

  private async stopExecution(i: Record<string, unknown>): Promise<unknown> {
    const e = await this.executionOf(i.executionArn);
    const error = typeof i.error === 'string' ? i.error : undefined;
    const cause = typeof i.cause === 'string' ? i.cause : undefined;
    if (e.status !== 'RUNNING') return { stopDate: (e.stopDate ?? Date.now()) / 1000 };
    const run = this.runs.get(e.executionArn);
    if (run) await this.endRun(run, 'ABORTED', error, cause);
    else {
      await this.journal.updateExecution(e.executionArn, { status: 'ABORTED', stopDate: Date.now(), error, cause }, { status: 'RUNNING' });
      (await this.history(e.executionArn)).record('ExecutionAborted', { executionAbortedEventDetails: { error, cause } }, { fp: `ExecutionAborted|${e.redriveCount ?? 0}` });
    }
    const after = await this.executionOf(e.executionArn);
    return { stopDate: (after.stopDate ?? Date.now()) / 1000 };
  }

  private async taskOf(taskToken: unknown): Promise<{ executionArn: string; entry: TaskItem; token: string }> {
    const parsed = this.tokens.parse(taskToken);
    if (!parsed) throw new SfnApiError('InvalidToken', `Invalid Token: '${String(taskToken)}'`);
    const token = taskToken as string;
    const execution = await this.journal.getExecution(parsed.executionArn);
    if (!execution) throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist');
    const entry = await this.journal.getTask(parsed.executionArn, parsed.taskKey);
    const gone = new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    if (!entry || entry.token !== token || entry.status !== 'WAITING') throw gone;
    if (execution.status !== 'RUNNING' || (execution.redriveCount ?? 0) !== parsed.segment) throw gone;
    return { executionArn: parsed.executionArn, entry, token };
  }

  private async sendTaskOutcome(i: Record<string, unknown>, success: boolean): Promise<unknown> {
    const { executionArn, entry, token } = await this.taskOf(i.taskToken);
    let set: Partial<TaskItem>;
    if (success) {
      try {
        if (typeof i.output !== 'string') throw new Error();
        JSON.parse(i.output);
      } catch {
        throw new SfnApiError('InvalidOutput', `Invalid Output: '${String(i.output)}'`);
      }
      set = { status: 'SUCCEEDED', output: i.output as string, settledAt: Date.now() };
    } else {
      set = { status: 'FAILED', error: typeof i.error === 'string' ? i.error : '', cause: typeof i.cause === 'string' ? i.cause : '', settledAt: Date.now() };
    }
    // Exactly one outcome wins: only a WAITING task with this token is settled.
    if (!(await this.journal.updateTask(executionArn, entry.key, set, 'WAITING', { token }))) {
      throw new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    const w = this.waiters.get(`${executionArn}|${entry.key}`);
    if (w) await this.settleWait(w, { ...entry, ...set });
    return {};
  }

  private async sendTaskHeartbeat(i: Record<string, unknown>): Promise<unknown> {
    const { executionArn, entry, token } = await this.taskOf(i.taskToken);
    if (!entry.heartbeatSeconds) return {};
    const heartbeatAt = Date.now() + entry.heartbeatSeconds * 1000;
    if (!(await this.journal.updateTask(executionArn, entry.key, { heartbeatAt }, 'WAITING', { token }))) {
      throw new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    const w = this.waiters.get(`${executionArn}|${entry.key}`);
    if (w && !w.settled) {
      w.entry = { ...w.entry, heartbeatAt };
      this.armWait(w);
    }
    return {};
  }

  private async getExecutionHistory(i: Record<string, unknown>): Promise<unknown> {
    const e = await this.executionOf(i.executionArn);
    const writer = this.histories.get(e.executionArn);
    if (writer) await (await writer).flush();
    const { history } = await this.journal.load(e.executionArn);
    let events = history.map((h) => JSON.parse(h.event) as HistoryEvent);
    if (i.includeExecutionData === false) {
      events = events.map((ev) => JSON.parse(JSON.stringify(ev, (k, v) => (['input', 'output', 'parameters'].includes(k) ? undefined : v))) as HistoryEvent);
    }
    if (i.reverseOrder === true) events.reverse();
    return this.page(events, i, 'events');
  }

  private page<T>(items: T[], i: Record<string, unknown>, field: string): Record<string, unknown> {
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

  private async listExecutions(i: Record<string, unknown>): Promise<unknown> {
    const machine = this.machineOf(i.stateMachineArn);
    const all = (await this.journal.listExecutions())
      .filter((e) => e.stateMachineArn === machine.arn)
      .filter((e) => !i.statusFilter || e.status === i.statusFilter)
      .filter((e) => !i.redriveFilter || (i.redriveFilter === 'REDRIVEN' ? (e.redriveCount ?? 0) > 0 : (e.redriveCount ?? 0) === 0))
      .sort((a, b) => b.startDate - a.startDate)
      .map(executionSummary);
    return this.page(all, i, 'executions');
  }

  private async redriveExecution(i: Record<string, unknown>): Promise<unknown> {
    const e = await this.executionOf(i.executionArn);
    const arn = e.executionArn;
    if (e.status !== 'FAILED' && e.status !== 'TIMED_OUT' && e.status !== 'ABORTED') {
      throw new SfnApiError('ExecutionNotRedrivable', `Execution is ${e.status} and cannot be redriven`);
    }
    await this.runs.get(arn)?.done;
    // Keep every result that completed; drop the attempts in flight when it ended and the failed
    // attempts of the state that failed it (its retries start over, as AWS resets them).
    const { tasks } = await this.journal.load(arn);
    const byKey = new Map(tasks.map((t) => [t.key, t]));
    const drop = new Set(tasks.filter((t) => t.status === 'STARTED' || t.status === 'WAITING' || t.status === 'CANCELLED').map((t) => t.key));
    for (const failed of e.failedKeys ?? []) {
      const m = /^(.*)#(\d+)$/.exec(failed);
      if (!m) continue;
      for (let n = Number(m[2]); n >= 1; n--) {
        const t = byKey.get(`${m[1]}#${n}`);
        if (!t || t.status !== 'FAILED') break;
        drop.add(t.key);
      }
    }
    await this.journal.deleteTasks(arn, [...drop]);
    const redriveCount = (e.redriveCount ?? 0) + 1;
    const now = Date.now();
    const prepared = this.prepare(e.definition ?? this.machineOf(e.stateMachineArn).definition);
    const ok = await this.journal.updateExecution(
      arn,
      { status: 'RUNNING', redriveCount, redriveDate: now, deadline: prepared.executionTimeoutSeconds ? now + prepared.executionTimeoutSeconds * 1000 : undefined },
      { status: e.status, segment: e.redriveCount ?? 0 },
      ['stopDate', 'error', 'cause', 'output', 'failedKeys'],
    );
    if (!ok) throw new SfnApiError('ExecutionNotRedrivable', 'Execution changed while being redriven');
    (await this.history(arn)).record('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount } }, { fp: `ExecutionRedriven|${redriveCount}`, timestamp: now });
    await this.startRun((await this.journal.getExecution(arn))!);
    return { redriveDate: now / 1000 };
  }
}
