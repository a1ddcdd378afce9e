import type { TaskSpec } from './definition.js';
import type { HistoryItem, Journal, TaskItem } from './journal.js';
import { lambdaInvokeResult, resourceKind, taskResource } from './lambda-integration.js';

export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/**
 * The execution history, kept in the journal table. Events are written in order, one at a time.
 * Each event has a fingerprint; one already recorded is not recorded again, which is what keeps a
 * replay (after a restart or a redrive) from duplicating the events of the states it re-enters.
 * Interpreter state events are fingerprinted by (type, state, n-th time in this replay); task events
 * by (type, journal key, attempt segment); execution events by (type, redrive count).
 */
export class HistoryWriter {
  private readonly fingerprints = new Set<string>();
  private readonly counts = new Map<string, number>();
  private seq: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly journal: Journal,
    private readonly executionArn: string,
    existing: HistoryItem[],
    private readonly onError: (e: unknown) => void,
  ) {
    for (const item of existing) this.fingerprints.add(item.fp);
    this.seq = existing.reduce((m, i) => Math.max(m, i.seq), 0);
  }

  /** Starts a new replay: counted fingerprints start again from 1. */
  newReplay(): void {
    this.counts.clear();
  }

  record(
    type: string,
    details: Record<string, unknown>,
    options: { fp?: string; countBy?: string; timestamp?: number } = {},
  ): void {
    let fp = options.fp;
    if (!fp) {
      const base = `${type}|${options.countBy ?? ''}`;
      const n = (this.counts.get(base) ?? 0) + 1;
      this.counts.set(base, n);
      fp = `${base}|${n}`;
    }
    if (this.fingerprints.has(fp)) return;
    this.fingerprints.add(fp);
    const seq = ++this.seq;
    const event: HistoryEvent = {
      timestamp: (options.timestamp ?? Date.now()) / 1000,
      type,
      id: seq,
      previousEventId: seq - 1,
      ...details,
    };
    const item: HistoryItem = { seq, fp, event: JSON.stringify(event) };
    this.chain = this.chain.then(() => this.journal.putHistory(this.executionArn, item)).catch(this.onError);
  }

  /** Resolves once every recorded event is in the table. */
  flush(): Promise<void> {
    return this.chain;
  }
}

// ---------------------------------------------------------------- mapping to AWS event types

/** Records a state or Map iteration event of the interpreter's event log as AWS names it. */
export function recordInterpreterEvent(history: HistoryWriter, event: Record<string, unknown>): void {
  const state = event.state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
  const ts = typeof event.timestamp === 'number' ? event.timestamp : Date.now();
  switch (event.type) {
    case 'StateEntered':
      history.record(
        `${state!.type}StateEntered`,
        {
          stateEnteredEventDetails: {
            name: state!.name,
            input: JSON.stringify(state!.input ?? null),
            inputDetails: { truncated: false },
          },
        },
        { countBy: state!.name, timestamp: ts },
      );
      break;
    case 'StateExited':
      history.record(
        `${state!.type}StateExited`,
        {
          stateExitedEventDetails: {
            name: state!.name,
            output: JSON.stringify(state!.output ?? null),
            outputDetails: { truncated: false },
          },
        },
        { countBy: state!.name, timestamp: ts },
      );
      break;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const parent = event.parentState as { name: string };
      const key = `${String(event.type).charAt(0).toLowerCase()}${String(event.type).slice(1)}EventDetails`;
      history.record(
        String(event.type),
        { [key]: { name: parent.name, index: event.index } },
        { countBy: `${parent.name}#${String(event.index)}`, timestamp: ts },
      );
      break;
    }
    default:
      break;
  }
}

/** `TaskScheduled` + `TaskStarted`, or `LambdaFunctionScheduled` + `LambdaFunctionStarted` for a plain function ARN. */
export function recordTaskStart(
  history: HistoryWriter,
  spec: TaskSpec,
  entry: TaskItem,
  parameters: unknown,
  region: string,
): void {
  const fp = (t: string) => `${t}|${entry.key}|${entry.segment}`;
  const timeoutInSeconds = Math.round((entry.timeoutAt - entry.scheduledAt) / 1000);
  if (resourceKind(spec.resource) === 'function') {
    history.record(
      'LambdaFunctionScheduled',
      {
        lambdaFunctionScheduledEventDetails: {
          resource: spec.resource,
          input: JSON.stringify(parameters ?? null),
          timeoutInSeconds,
        },
      },
      { fp: fp('LambdaFunctionScheduled'), timestamp: entry.scheduledAt },
    );
    history.record('LambdaFunctionStarted', {}, { fp: fp('LambdaFunctionStarted'), timestamp: entry.scheduledAt });
    return;
  }
  history.record(
    'TaskScheduled',
    {
      taskScheduledEventDetails: {
        ...taskResource(spec),
        region,
        parameters: JSON.stringify(parameters ?? null),
        timeoutInSeconds,
        heartbeatInSeconds: entry.heartbeatSeconds,
      },
    },
    { fp: fp('TaskScheduled'), timestamp: entry.scheduledAt },
  );
  history.record(
    'TaskStarted',
    { taskStartedEventDetails: taskResource(spec) },
    { fp: fp('TaskStarted'), timestamp: entry.scheduledAt },
  );
}

/** `TaskSubmitted`: the function of a `.waitForTaskToken` task returned (its result is not the state's output). */
export function recordTaskSubmitted(history: HistoryWriter, spec: TaskSpec, entry: TaskItem, result: unknown): void {
  history.record(
    'TaskSubmitted',
    {
      taskSubmittedEventDetails: {
        ...taskResource(spec),
        output: JSON.stringify(lambdaInvokeResult(result)),
        outputDetails: { truncated: false },
      },
    },
    { fp: `TaskSubmitted|${entry.key}|${entry.segment}` },
  );
}

/** The event of a settled attempt: succeeded, failed or timed out (Task… or LambdaFunction…). */
export function recordTaskOutcome(history: HistoryWriter, spec: TaskSpec, entry: TaskItem): void {
  const fp = (t: string) => `${t}|${entry.key}|${entry.segment}`;
  const ts = entry.settledAt;
  const fn = resourceKind(spec.resource) === 'function';
  if (entry.status === 'SUCCEEDED') {
    if (fn)
      history.record(
        'LambdaFunctionSucceeded',
        { lambdaFunctionSucceededEventDetails: { output: entry.output, outputDetails: { truncated: false } } },
        { fp: fp('LambdaFunctionSucceeded'), timestamp: ts },
      );
    else
      history.record(
        'TaskSucceeded',
        {
          taskSucceededEventDetails: {
            ...taskResource(spec),
            output: entry.output,
            outputDetails: { truncated: false },
          },
        },
        { fp: fp('TaskSucceeded'), timestamp: ts },
      );
  } else if (entry.status === 'FAILED') {
    const details = { error: entry.error, cause: entry.cause };
    const timedOut = entry.error === 'States.Timeout';
    if (fn) {
      const type = timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed';
      history.record(
        type,
        { [`${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`]: details },
        { fp: fp(type), timestamp: ts },
      );
    } else if (timedOut) {
      history.record(
        'TaskTimedOut',
        { taskTimedOutEventDetails: { ...taskResource(spec), ...details } },
        { fp: fp('TaskTimedOut'), timestamp: ts },
      );
    } else {
      history.record(
        'TaskFailed',
        { taskFailedEventDetails: { ...taskResource(spec), ...details } },
        { fp: fp('TaskFailed'), timestamp: ts },
      );
    }
  }
}
