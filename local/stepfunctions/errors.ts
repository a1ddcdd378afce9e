import { StateMachine } from 'aws-local-stepfunctions';
import type { TaskItem } from './journal.js';

/** An error of the Step Functions API, answered as AWS does: HTTP 400, `{ __type, message }`. */
export class SfnApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/**
 * An error a Task reports to the interpreter: `name` is the ASL error name (what Retry and Catch
 * match), `message` is the Cause. `journalKey` ties it to the journal entry that recorded it (used
 * by RedriveExecution to find the state that failed the execution).
 */
export class TaskError extends Error {
  journalKey?: string;
  constructor(name: string, cause: string, journalKey?: string) {
    super(cause);
    this.name = name;
    this.journalKey = journalKey;
  }
}

/** A States.Runtime error: neither retried nor caught (the interpreter reads these two getters). */
export class StatesRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}

type ErrorClass = new () => Error;
let timeoutClass: Promise<ErrorClass> | undefined;

/**
 * The interpreter's own States.Timeout error class. It is not exported, but the interpreter matches
 * `States.TaskFailed` against every error except instances of it (as AWS: TaskFailed does not match
 * timeouts), so timeouts the layer raises must be instances of it. Obtained once by letting the
 * unmodified interpreter time out a Task of a throwaway definition after 1 ms.
 */
export function statesTimeoutClass(): Promise<ErrorClass> {
  timeoutClass ??= (async () => {
    const probe = new StateMachine(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe',
            TimeoutSeconds: 0.001,
            End: true,
          },
        },
      },
      { validationOptions: { noValidate: true } },
    );
    const run = probe.run({}, { overrides: { taskResourceLocalHandlers: { T: () => new Promise(() => undefined) } } });
    const error = await run.result.then(
      () => undefined,
      (e: Error) => e.cause as Error,
    );
    if (!error || error.name !== 'States.Timeout')
      throw new Error('could not obtain the interpreter States.Timeout error class');
    return error.constructor as ErrorClass;
  })();
  return timeoutClass;
}

/** A States.Timeout error the interpreter recognises as its own (not matched by States.TaskFailed). */
export async function timeoutError(cause: string, journalKey?: string): Promise<Error & { journalKey?: string }> {
  const Cls = await statesTimeoutClass();
  const error = new Cls() as Error & { journalKey?: string };
  error.message = cause;
  error.journalKey = journalKey;
  return error;
}

/** Error name and Cause as Lambda reports a function error to Step Functions. */
export function lambdaFunctionError(error: unknown): { error: string; cause: string } {
  const e = error as { name?: unknown; message?: unknown; stack?: unknown; unhandled?: unknown } | undefined;
  const errorType = typeof e?.name === 'string' && e.name ? e.name : 'Error';
  const errorMessage = typeof e?.message === 'string' ? e.message : String(error);
  const trace = typeof e?.stack === 'string' ? e.stack.split('\n') : [];
  // Step Functions reports Lambda's unhandled errors (timeouts, out of memory, crashes) as Lambda.Unknown.
  if (e?.unhandled === true) return { error: 'Lambda.Unknown', cause: JSON.stringify({ errorType, errorMessage }) };
  return { error: errorType, cause: JSON.stringify({ errorType, errorMessage, trace }) };
}

/** The error a journalled failed attempt raises in the interpreter (a timeout as the interpreter's own class). */
export async function errorOfTask(entry: TaskItem): Promise<Error> {
  if (entry.error === 'States.Timeout') return timeoutError(entry.cause ?? '', entry.key);
  return new TaskError(entry.error ?? '', entry.cause ?? '', entry.key);
}
