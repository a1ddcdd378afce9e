import { DomainError } from '../../errors.js';
import type { OutputStatus } from '../../../../schemas/agents.js';

/**
 * The agent reached its daily output limit (seed 004 AgentDailyUsage): the proposal is refused and nothing of it is
 * stored. `resetAt` is when the UTC day's counter starts again.
 */
export class DailyLimitExceededError extends DomainError {
  override readonly name = 'DailyLimitExceededError';
  readonly code = 'DAILY_LIMIT_EXCEEDED' as const;
  readonly status = 429;
  readonly resetAt: string;
  constructor(message: string, options: { resetAt: string; cause?: unknown }) {
    super(message, {
      cause: options.cause,
      details: [{ field: 'daily_output_limit', message: `reached; the counter resets at ${options.resetAt}` }],
    });
    this.resetAt = options.resetAt;
  }
}

/** A status change the output state machine does not allow (a terminal state left, a decision skipped). */
export class OutputTransitionError extends DomainError {
  override readonly name = 'OutputTransitionError';
  readonly code = 'CONFLICT' as const;
  readonly status = 409;
  readonly from: OutputStatus;
  readonly to: OutputStatus;
  constructor(from: OutputStatus, to: OutputStatus) {
    super(`an output cannot go from ${from} to ${to}`);
    this.from = from;
    this.to = to;
  }
}
