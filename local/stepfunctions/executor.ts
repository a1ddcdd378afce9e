import { createHash } from 'node:crypto';
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
import { errorOfTask, lambdaFunctionError, SfnApiError, StatesRuntimeError } from './errors.js';
import { HistoryWriter, recordInterpreterEvent, recordTaskOutcome, recordTaskStart } from './history.js';
import type { ExecutionItem, ExecutionStatus, HistoryItem, Journal, TaskItem } from './journal.js';
import { functionNameOf, lambdaInvokeResult, resourceKind, type ResourceKind } from './lambda-integration.js';
import type { TaskTokens } from './tokens.js';
import { MAX_TIMER_MS, type TaskWaits, type WaitingRun } from './waits.js';

export interface Machine {
  name: string;
  arn: string;
  definition: string;
}

export interface ExecutorOptions {
  journal: Journal;
  tokens: TaskTokens;
  waits: TaskWaits;
  invokeFunction: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Registers work the runtime lets settle before it stops. */
  track: <T>(p: Promise<T>) => Promise<T>;
  onError: (e: unknown) => void;
  region: string;
  accountId: string;
  /** ASL definitions, substitutions already applied. */
  stateMachines: Array<{ name: string; definition: object }>;
}

interface Run extends WaitingRun {
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

type InvokeTarget = { functionName: string; payload: unknown };

const never = () => new Promise<never>(() => undefined);

/**
 * Runs executions through the unmodified interpreter: every Task goes through the journal (an
 * attempt is recorded before its function runs, its result before the interpreter sees it), so a
 * replay after a restart or a redrive returns recorded results instead of invoking again. Also
 * enforces the execution deadline and Task timeouts the interpreter does not keep durably.
 */
export class Executor {
  private readonly machines = new Map<string, Machine>();
  private readonly prepared = new Map<string, PreparedDefinition>();
  private readonly runs = new Map<string, Run>();
  private readonly histories = new Map<string, Promise<HistoryWriter>>();
  private readonly journal: Journal;
  private readonly waits: TaskWaits;
  private readonly onError: (e: unknown) => void;

  constructor(private readonly opts: ExecutorOptions) {
    this.journal = opts.journal;
    this.waits = opts.waits;
    this.onError = opts.onError;
    for (const { name, definition } of opts.stateMachines) {
      // Validate the original definition with the interpreter's own validator (throws if invalid).
      new StateMachine(definition as never);
      const text = JSON.stringify(definition);
      this.prepare(text);
      this.machines.set(this.stateMachineArn(name), { name, arn: this.stateMachineArn(name), definition: text });
    }
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.opts.region}:${this.opts.accountId}:stateMachine:${name}`;
  }

  executionArn(stateMachineName: string, executionName: string): string {
    return `arn:aws:states:${this.opts.region}:${this.opts.accountId}:execution:${stateMachineName}:${executionName}`;
  }

  roleArn(): string {
    return `arn:aws:iam::${this.opts.accountId}:role/modos-local-step-functions`;
  }

  machine(arn: string): Machine | undefined {
    return this.machines.get(arn);
  }

  listMachines(): Machine[] {
    return [...this.machines.values()];
  }

  /** Resumes every RUNNING execution of the journal this process does not run yet. */
  async resumeAll(): Promise<void> {
    for (const execution of await this.journal.listExecutions()) {
      if (execution.status === 'RUNNING' && !this.runs.has(execution.executionArn)) {
        await this.startRun(execution).catch(this.onError);
      }
    }
  }

  /** Stops every run where it is, leaving it RUNNING in the journal (the next start resumes it). */
  suspendAll(): void {
    for (const run of this.runs.values()) {
      run.suspended = true;
      run.ended = true;
      clearTimeout(run.deadlineTimer);
      run.abort();
    }
  }

  /** Writes every recorded history event, then forgets the runs (after `suspendAll`). */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.histories.values()].map((h) => h.then((w) => w.flush())));
    this.runs.clear();
  }

  /** Waits until the execution is no longer RUNNING in this process. */
  async settled(executionArn: string): Promise<void> {
    await this.runs.get(executionArn)?.done;
  }

  /** Resolves once the history this process recorded for the execution is in the table. */
  async flushHistory(executionArn: string): Promise<void> {
    const writer = this.histories.get(executionArn);
    if (writer) await (await writer).flush();
  }

  /**
   * Creates and starts an execution. As AWS: the same name and input while the execution is
   * RUNNING is the same execution; otherwise an existing name is `ExecutionAlreadyExists`.
   */
  async startExecution(
    machine: Machine,
    name: string,
    inputText: string,
    input: unknown,
  ): Promise<{ executionArn: string; startDate: number }> {
    const prepared = this.prepare(machine.definition);
    const now = Date.now();
    const item: ExecutionItem & { definition: string } = {
      executionArn: this.executionArn(machine.name, name),
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      status: 'RUNNING',
      input: inputText,
      startDate: now,
      deadline: prepared.executionTimeoutSeconds ? now + prepared.executionTimeoutSeconds * 1000 : undefined,
      redriveCount: 0,
      definition: machine.definition,
    };
    if (!(await this.journal.createExecution(item))) {
      const existing = await this.journal.getExecution(item.executionArn);
      if (!existing) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${item.executionArn}'`);
      if (existing.status === 'RUNNING' && stableStringify(JSON.parse(existing.input)) === stableStringify(input)) {
        return { executionArn: existing.executionArn, startDate: existing.startDate };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${item.executionArn}'`);
    }
    await this.startRun(item);
    return { executionArn: item.executionArn, startDate: now };
  }

  /** Aborts a RUNNING execution, whether this process runs it or not. */
  async stopExecution(e: ExecutionItem, error: string | undefined, cause: string | undefined): Promise<void> {
    const run = this.runs.get(e.executionArn);
    if (run) await this.endRun(run, 'ABORTED', error, cause);
    else {
      await this.journal.updateExecution(
        e.executionArn,
        { status: 'ABORTED', stopDate: Date.now(), error, cause },
        { status: 'RUNNING' },
      );
      (await this.history(e.executionArn)).record(
        'ExecutionAborted',
        { executionAbortedEventDetails: { error, cause } },
        { fp: `ExecutionAborted|${e.redriveCount ?? 0}` },
      );
    }
  }

  /** Replays a FAILED, TIMED_OUT or ABORTED execution from its journal. Returns the redrive date (ms). */
  async redrive(e: ExecutionItem & { definition?: string }): Promise<number> {
    const arn = e.executionArn;
    await this.runs.get(arn)?.done;
    // Keep every result that completed; drop the attempts in flight when it ended and the failed
    // attempts of the state that failed it (its retries start over, as AWS resets them).
    const { tasks } = await this.journal.load(arn);
    const byKey = new Map(tasks.map((t) => [t.key, t]));
    const drop = new Set(
      tasks
        .filter((t) => t.status === 'STARTED' || t.status === 'WAITING' || t.status === 'CANCELLED')
        .map((t) => t.key),
    );
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
    const prepared = this.prepare(e.definition ?? this.definitionOf(e.stateMachineArn));
    const ok = await this.journal.updateExecution(
      arn,
      {
        status: 'RUNNING',
        redriveCount,
        redriveDate: now,
        deadline: prepared.executionTimeoutSeconds ? now + prepared.executionTimeoutSeconds * 1000 : undefined,
      },
      { status: e.status, segment: e.redriveCount ?? 0 },
      ['stopDate', 'error', 'cause', 'output', 'failedKeys'],
    );
    if (!ok) throw new SfnApiError('ExecutionNotRedrivable', 'Execution changed while being redriven');
    (await this.history(arn)).record(
      'ExecutionRedriven',
      { executionRedrivenEventDetails: { redriveCount } },
      { fp: `ExecutionRedriven|${redriveCount}`, timestamp: now },
    );
    await this.startRun((await this.journal.getExecution(arn))!);
    return now;
  }

  // ---------------------------------------------------------------- runs

  private definitionOf(stateMachineArn: string): string {
    const m = this.machines.get(stateMachineArn);
    if (!m) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    return m.definition;
  }

  private prepare(definitionText: string): PreparedDefinition {
    let p = this.prepared.get(definitionText);
    if (!p) this.prepared.set(definitionText, (p = prepareDefinition(JSON.parse(definitionText) as object)));
    return p;
  }

  private history(executionArn: string, existing?: HistoryItem[]): Promise<HistoryWriter> {
    let h = this.histories.get(executionArn);
    if (!h) {
      h = existing
        ? Promise.resolve(this.makeHistory(executionArn, existing))
        : this.journal.load(executionArn).then((l) => this.makeHistory(executionArn, l.history));
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
    history.record(
      'ExecutionStarted',
      {
        executionStartedEventDetails: {
          input: execution.input,
          inputDetails: { truncated: false },
          roleArn: this.roleArn(),
        },
      },
      { fp: 'ExecutionStarted', timestamp: execution.startDate },
    );

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
      for await (const event of execution$.eventLogs)
        recordInterpreterEvent(run.history, event as unknown as Record<string, unknown>);
    })().catch(this.onError);

    if (execution.deadline !== undefined) {
      const arm = () => {
        const delay = Math.min(Math.max(execution.deadline! - Date.now(), 0), MAX_TIMER_MS);
        run.deadlineTimer = setTimeout(() => {
          if (Date.now() < execution.deadline!) return arm();
          void this.endRun(run, 'TIMED_OUT', 'States.Timeout', `The execution exceeded its TimeoutSeconds`).catch(
            this.onError,
          );
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
        history.record(
          'ExecutionSucceeded',
          { executionSucceededEventDetails: { output, outputDetails: { truncated: false } } },
          { fp: `ExecutionSucceeded|${segment}` },
        );
        await history.flush();
        await this.journal.updateExecution(
          arn,
          { status: 'SUCCEEDED', output, stopDate: Date.now() },
          { status: 'RUNNING', segment },
        );
      } else {
        const err = ((outcome.error as Error)?.cause ?? outcome.error) as Error & { journalKey?: string };
        const error = err?.name ?? 'Error';
        const cause = typeof err?.message === 'string' ? err.message : String(err);
        history.record(
          'ExecutionFailed',
          { executionFailedEventDetails: { error, cause } },
          { fp: `ExecutionFailed|${segment}` },
        );
        await history.flush();
        await this.journal.updateExecution(
          arn,
          { status: 'FAILED', error, cause, stopDate: Date.now(), failedKeys: err?.journalKey ? [err.journalKey] : [] },
          { status: 'RUNNING', segment },
        );
      }
      await this.waits.cancel(run);
    })()
      .catch(this.onError)
      .finally(() => {
        if (this.runs.get(arn) === run) this.runs.delete(arn);
        resolveDone();
      });
  }

  /** Ends a RUNNING execution from outside the interpreter (StopExecution, execution timeout). */
  private async endRun(
    run: Run,
    status: Extract<ExecutionStatus, 'ABORTED' | 'TIMED_OUT'>,
    error: string | undefined,
    cause: string | undefined,
  ): Promise<boolean> {
    const arn = run.execution.executionArn;
    const stopDate = Date.now();
    const ok = await this.journal.updateExecution(
      arn,
      { status, stopDate, error, cause },
      { status: 'RUNNING', segment: run.segment },
    );
    if (!ok) return false;
    run.ended = true;
    clearTimeout(run.deadlineTimer);
    run.abort();
    if (status === 'ABORTED')
      run.history.record(
        'ExecutionAborted',
        { executionAbortedEventDetails: { error, cause } },
        { fp: `ExecutionAborted|${run.segment}`, timestamp: stopDate },
      );
    else
      run.history.record(
        'ExecutionTimedOut',
        { executionTimedOutEventDetails: { error, cause } },
        { fp: `ExecutionTimedOut|${run.segment}`, timestamp: stopDate },
      );
    await this.waits.cancel(run);
    await run.history.flush();
    return true;
  }

  // ---------------------------------------------------------------- tasks

  /** The interpreter's Task handler: replays the journal, or runs the task and journals it first. */
  private async task(run: Run, spec: TaskSpec, raw: unknown): Promise<unknown> {
    const wrapped = ((raw as Record<string, unknown> | null)?.[WRAP] ?? {}) as {
      p?: unknown;
      t?: unknown;
      h?: unknown;
    };
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
    recordTaskStart(run.history, spec, entry, undefined, this.opts.region);
    switch (entry.status) {
      case 'SUCCEEDED':
        recordTaskOutcome(run.history, spec, entry);
        return JSON.parse(entry.output ?? 'null');
      case 'FAILED':
        recordTaskOutcome(run.history, spec, entry);
        run.skipRetryPause.add(spec.name);
        throw await errorOfTask(entry);
      case 'WAITING':
        return this.waits.wait(run, spec, entry, true);
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
        if (!settled || settled.status === 'STARTED')
          throw new StatesRuntimeError(`task ${entry.key} could not be settled`);
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

  private async live(
    run: Run,
    spec: TaskSpec,
    key: string,
    payload: unknown,
    wrapped: { t?: unknown; h?: unknown },
  ): Promise<unknown> {
    const arn = run.execution.executionArn;
    const kind = resourceKind(spec.resource);
    if (!kind) throw new StatesRuntimeError(`resource ${spec.resource} is not supported by the local runtime`);
    const timeoutSeconds =
      spec.timeoutSeconds ??
      (spec.timeoutSecondsPath
        ? this.positiveInteger(wrapped.t, 'TimeoutSecondsPath')
        : AWS_DEFAULT_TASK_TIMEOUT_SECONDS);
    const heartbeatSeconds =
      spec.heartbeatSeconds ??
      (spec.heartbeatSecondsPath ? this.positiveInteger(wrapped.h, 'HeartbeatSecondsPath') : undefined);
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
      token: kind === 'token' ? this.opts.tokens.make(arn, key, run.segment) : undefined,
    };
    let target: InvokeTarget;
    if (kind === 'function') {
      target = { functionName: functionNameOf(spec.resource), payload };
    } else {
      const p = (payload ?? {}) as { FunctionName?: unknown; Payload?: unknown };
      if (typeof p.FunctionName !== 'string')
        throw new StatesRuntimeError(`${spec.name}: Parameters must give FunctionName`);
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
    recordTaskStart(
      run.history,
      spec,
      entry,
      kind === 'function' ? target.payload : substituteToken(payload, entry.token ?? ''),
      this.opts.region,
    );
    if (kind === 'token') return this.waits.wait(run, spec, entry, false, target);
    return this.invokeOnce(run, spec, entry, target, kind);
  }

  private async invokeOnce(
    run: Run,
    spec: TaskSpec,
    entry: TaskItem,
    target: InvokeTarget,
    kind: ResourceKind,
  ): Promise<unknown> {
    const arn = run.execution.executionArn;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      const arm = () => {
        timer = setTimeout(
          () => (Date.now() >= entry.timeoutAt ? resolve('timeout') : arm()),
          Math.min(Math.max(entry.timeoutAt - Date.now(), 0), MAX_TIMER_MS),
        );
      };
      arm();
    });
    const invocation = this.opts.track(
      Promise.resolve()
        .then(() => this.opts.invokeFunction(target.functionName, target.payload))
        .then(
          (result) => ({ ok: true as const, result }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
    );
    // Settling is journalled inside the tracked promise, so stop() waits for it.
    const settled = this.opts.track(
      Promise.race([invocation, timedOut]).then(async (outcome) => {
        clearTimeout(timer);
        const now = Date.now();
        let set: Partial<TaskItem>;
        if (outcome === 'timeout') set = { status: 'FAILED', error: 'States.Timeout', cause: '', settledAt: now };
        else if (outcome.ok) {
          const output =
            kind === 'invoke' ? lambdaInvokeResult(outcome.result) : JSON.parse(JSON.stringify(outcome.result ?? null));
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
    recordTaskOutcome(run.history, spec, final);
    if (final.status === 'SUCCEEDED') return JSON.parse(final.output ?? 'null');
    throw await errorOfTask(final);
  }
}
