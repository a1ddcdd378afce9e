import type { TaskSpec } from './definition.js';
import { errorOfTask, lambdaFunctionError, SfnApiError } from './errors.js';
import { recordTaskOutcome, recordTaskSubmitted, type HistoryWriter } from './history.js';
import type { Journal, TaskItem } from './journal.js';
import type { TaskTokens } from './tokens.js';

/** The longest delay a Node timer holds; longer deadlines re-arm. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a wait needs of the execution it belongs to. */
export interface WaitingRun {
  readonly execution: { readonly executionArn: string };
  /** No state may proceed any more: a late outcome is journalled but not given to the interpreter. */
  readonly ended: boolean;
  readonly journal: Map<string, TaskItem>;
  readonly history: HistoryWriter;
}

/** The WAITING task a valid SendTask* token names. */
export interface TokenTask {
  executionArn: string;
  entry: TaskItem;
  token: string;
}

export interface TaskWaitsOptions {
  journal: Journal;
  tokens: TaskTokens;
  invokeFunction: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Registers work the runtime lets settle before it stops. */
  track: <T>(p: Promise<T>) => Promise<T>;
  onError: (e: unknown) => void;
}

interface Waiter {
  run: WaitingRun;
  spec: TaskSpec;
  entry: TaskItem;
  timer?: NodeJS.Timeout;
  settled: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const taskGone = () => new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");

/**
 * `.waitForTaskToken` tasks: a wait ends with SendTaskSuccess/SendTaskFailure, its timeout or a
 * missed heartbeat, whichever the journal settles first (every settlement is a conditional update
 * of the WAITING entry, so exactly one wins). Deadlines are absolute and journalled, so a wait
 * resumed after a restart ends at its original time.
 */
export class TaskWaits {
  private readonly waiters = new Map<string, Waiter>();

  constructor(private readonly opts: TaskWaitsOptions) {}

  /**
   * Waits on a journalled WAITING entry. A new wait (`target` given) invokes the task's function
   * with the token; a resumed one only re-reads the entry, whose outcome may have arrived meanwhile.
   */
  wait(
    run: WaitingRun,
    spec: TaskSpec,
    entry: TaskItem,
    resumed: boolean,
    target?: { functionName: string; payload: unknown },
  ): Promise<unknown> {
    const arn = run.execution.executionArn;
    const id = `${arn}|${entry.key}`;
    let w!: Waiter;
    const promise = new Promise<unknown>((resolve, reject) => {
      w = { run, spec, entry, settled: false, resolve, reject };
    });
    this.waiters.set(id, w);
    this.arm(w);
    if (resumed) {
      // The outcome may have been journalled while nobody waited (e.g. right after a restart).
      void this.opts.journal
        .getTask(arn, entry.key)
        .then((fresh) => {
          if (!fresh || w.settled) return;
          if (fresh.status === 'WAITING') {
            w.entry = fresh;
            this.arm(w);
          } else void this.settle(w, fresh);
        })
        .catch(this.opts.onError);
    } else if (target) {
      void this.opts
        .track(
          Promise.resolve()
            .then(() => this.opts.invokeFunction(target.functionName, target.payload))
            .then(
              (result) => {
                if (!run.ended) recordTaskSubmitted(run.history, spec, entry, result);
              },
              async (error: unknown) => {
                const set: Partial<TaskItem> = {
                  status: 'FAILED',
                  ...lambdaFunctionError(error),
                  settledAt: Date.now(),
                };
                if (await this.opts.journal.updateTask(arn, entry.key, set, 'WAITING'))
                  await this.settle(w, { ...entry, ...set });
              },
            ),
        )
        .catch(this.opts.onError);
    }
    return promise;
  }

  /** Cancels the run's waits (it ended): their entries become CANCELLED, their tokens TaskTimedOut. */
  async cancel(run: WaitingRun): Promise<void> {
    for (const [id, w] of [...this.waiters]) {
      if (w.run !== run) continue;
      clearTimeout(w.timer);
      w.settled = true;
      this.waiters.delete(id);
      await this.opts.journal.updateTask(
        run.execution.executionArn,
        w.entry.key,
        { status: 'CANCELLED', settledAt: Date.now() },
        'WAITING',
      );
    }
  }

  /** Drops every wait and timer without touching the journal: the next start resumes them. */
  abandonAll(): void {
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      w.settled = true;
    }
    this.waiters.clear();
  }

  /** The WAITING task a token names, or the API error SendTask* answers for it. */
  async taskOf(taskToken: unknown): Promise<TokenTask> {
    const parsed = this.opts.tokens.parse(taskToken);
    if (!parsed) throw new SfnApiError('InvalidToken', `Invalid Token: '${String(taskToken)}'`);
    const token = taskToken as string;
    const execution = await this.opts.journal.getExecution(parsed.executionArn);
    if (!execution) throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist');
    const entry = await this.opts.journal.getTask(parsed.executionArn, parsed.taskKey);
    const gone = taskGone();
    if (!entry || entry.token !== token || entry.status !== 'WAITING') throw gone;
    if (execution.status !== 'RUNNING' || (execution.redriveCount ?? 0) !== parsed.segment) throw gone;
    return { executionArn: parsed.executionArn, entry, token };
  }

  /** SendTaskSuccess: `output` is the state's result (JSON text, already validated). */
  succeed(task: TokenTask, output: string): Promise<void> {
    return this.settleByToken(task, { status: 'SUCCEEDED', output, settledAt: Date.now() });
  }

  /** SendTaskFailure. */
  fail(task: TokenTask, error: string, cause: string): Promise<void> {
    return this.settleByToken(task, { status: 'FAILED', error, cause, settledAt: Date.now() });
  }

  /** SendTaskHeartbeat: moves the heartbeat deadline of a task that has one. */
  async heartbeat({ executionArn, entry, token }: TokenTask): Promise<void> {
    if (!entry.heartbeatSeconds) return;
    const heartbeatAt = Date.now() + entry.heartbeatSeconds * 1000;
    if (!(await this.opts.journal.updateTask(executionArn, entry.key, { heartbeatAt }, 'WAITING', { token })))
      throw taskGone();
    const w = this.waiters.get(`${executionArn}|${entry.key}`);
    if (w && !w.settled) {
      w.entry = { ...w.entry, heartbeatAt };
      this.arm(w);
    }
  }

  private async settleByToken({ executionArn, entry, token }: TokenTask, set: Partial<TaskItem>): Promise<void> {
    // Exactly one outcome wins: only a WAITING task with this token is settled.
    if (!(await this.opts.journal.updateTask(executionArn, entry.key, set, 'WAITING', { token }))) throw taskGone();
    const w = this.waiters.get(`${executionArn}|${entry.key}`);
    if (w) await this.settle(w, { ...entry, ...set });
  }

  private arm(w: Waiter): void {
    clearTimeout(w.timer);
    if (w.settled) return;
    const next = Math.min(w.entry.timeoutAt, w.entry.heartbeatAt ?? Infinity);
    w.timer = setTimeout(
      () => void this.onTimer(w).catch(this.opts.onError),
      Math.min(Math.max(next - Date.now(), 0), MAX_TIMER_MS),
    );
  }

  private async onTimer(w: Waiter): Promise<void> {
    if (w.settled) return;
    const arn = w.run.execution.executionArn;
    const now = Date.now();
    const heartbeatAt = w.entry.heartbeatAt;
    let ok: boolean;
    let set: Partial<TaskItem>;
    if (now >= w.entry.timeoutAt) {
      set = { status: 'FAILED', error: 'States.Timeout', cause: '', settledAt: now };
      ok = await this.opts.journal.updateTask(arn, w.entry.key, set, 'WAITING');
    } else if (heartbeatAt !== undefined && now >= heartbeatAt) {
      set = { status: 'FAILED', error: 'States.Timeout', cause: '', heartbeat: true, settledAt: now };
      ok = await this.opts.journal.updateTask(arn, w.entry.key, set, 'WAITING', { heartbeatAt });
    } else return this.arm(w);
    if (ok) return this.settle(w, { ...w.entry, ...set });
    const fresh = await this.opts.journal.getTask(arn, w.entry.key);
    if (!fresh || w.settled) return;
    if (fresh.status === 'WAITING') {
      w.entry = fresh; // a heartbeat moved the deadline
      this.arm(w);
    } else await this.settle(w, fresh);
  }

  private async settle(w: Waiter, entry: TaskItem): Promise<void> {
    if (w.settled) return;
    w.settled = true;
    clearTimeout(w.timer);
    this.waiters.delete(`${w.run.execution.executionArn}|${entry.key}`);
    w.run.journal.set(entry.key, entry);
    if (w.run.ended) return;
    recordTaskOutcome(w.run.history, w.spec, entry);
    if (entry.status === 'SUCCEEDED') w.resolve(JSON.parse(entry.output ?? 'null'));
    else w.reject(await errorOfTask(entry));
  }
}
