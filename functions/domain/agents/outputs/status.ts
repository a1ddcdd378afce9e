import { TERMINAL_OUTPUT_STATUSES, type OutputStatus } from '../../../../schemas/agents.js';
import { OutputTransitionError } from './errors.js';

/**
 * The output status machine of seed 004:
 *
 * ```
 * pending ──┬──> approved ──┬──> executed
 *           │               └──> manual
 *           └──> rejected
 * pending ──> notification_failed   (still pending: it is decided like a pending output)
 * ```
 *
 * Terminal states (rejected, executed, manual) are immutable. `notification_failed` is the pending state of an output
 * whose webhook exhausted its retries, so it has the same ways out as `pending`; a later delivery (a redelivered
 * event) does not take it back to `pending`, the failure stays visible.
 */
const NEXT: Readonly<Record<OutputStatus, readonly OutputStatus[]>> = {
  pending: ['approved', 'rejected', 'notification_failed'],
  notification_failed: ['approved', 'rejected'],
  approved: ['executed', 'manual'],
  rejected: [],
  executed: [],
  manual: [],
};

export const canTransition = (from: OutputStatus, to: OutputStatus): boolean => NEXT[from].includes(to);

/** Throws OutputTransitionError unless `from → to` is a transition of the machine. */
export function assertTransition(from: OutputStatus, to: OutputStatus): void {
  if (!canTransition(from, to)) throw new OutputTransitionError(from, to);
}

export const isTerminal = (status: OutputStatus): boolean => TERMINAL_OUTPUT_STATUSES.includes(status);

/** Waiting for a decision: pending, with or without a delivered notification. */
export const isUndecided = (status: OutputStatus): boolean => status === 'pending' || status === 'notification_failed';
