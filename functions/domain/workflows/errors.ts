import { DomainError } from '../errors.js';

/**
 * Errors that cross the Step Functions boundary. Their `name`s are the error names the workflow
 * state machine's Retry and Catch match on (statemachines/workflow-run.asl.json); a test checks that
 * every name the ASL uses is exported here or is a States.* / Lambda.* name.
 */

/**
 * The names as literals: they are sent with SendTaskFailure, matched by the ASL and compared by the
 * finish task, so they must never depend on a class name that a bundler could rename.
 */
export const WORKFLOW_ERROR_NAMES = {
  ToolRetryable: 'ToolRetryableError',
  ToolFailed: 'ToolFailedError',
  ApprovalRejected: 'ApprovalRejectedError',
  ApprovalTimeout: 'ApprovalTimeoutError',
  WorkflowFailed: 'WorkflowFailedError',
} as const;

/** A tool failed in a way a retry may fix (timeouts, 5xx, throttling). Retried with backoff. */
export class ToolRetryableError extends DomainError {
  override readonly name = WORKFLOW_ERROR_NAMES.ToolRetryable;
  readonly code = 'WORKFLOW_FAILED' as const;
  readonly status = 502;
}

/**
 * A tool failed for good (bad input, refused by the target). Not retried; the run compensates. `code` is
 * FORBIDDEN when the run's starter lacks a permission the tool needs (the name stays the one the ASL
 * matches, so it is not retried either).
 */
export class ToolFailedError extends DomainError {
  override readonly name = WORKFLOW_ERROR_NAMES.ToolFailed;
  readonly code: 'WORKFLOW_FAILED' | 'FORBIDDEN';
  readonly status = 422;
  constructor(message: string, options?: { cause?: unknown; code?: 'FORBIDDEN' }) {
    super(message, options);
    this.code = options?.code ?? 'WORKFLOW_FAILED';
  }
}

/** An approver rejected the gate (sent with SendTaskFailure). */
export class ApprovalRejectedError extends DomainError {
  override readonly name = WORKFLOW_ERROR_NAMES.ApprovalRejected;
  readonly code = 'WORKFLOW_FAILED' as const;
  readonly status = 409;
}

/** The gate was not decided in time (Step Functions reports it as States.Timeout). */
export class ApprovalTimeoutError extends DomainError {
  override readonly name = WORKFLOW_ERROR_NAMES.ApprovalTimeout;
  readonly code = 'APPROVAL_TIMEOUT' as const;
  readonly status = 408;
}

/** The run cannot go on (definition or state inconsistent); not retried. */
export class WorkflowFailedError extends DomainError {
  override readonly name = WORKFLOW_ERROR_NAMES.WorkflowFailed;
  readonly code = 'WORKFLOW_FAILED' as const;
  readonly status = 500;
}

/** Error names the state machine retries on; Lambda.* service errors are added in the ASL. */
export const RETRYABLE_ERROR_NAMES = [WORKFLOW_ERROR_NAMES.ToolRetryable, 'TransientError'] as const;
