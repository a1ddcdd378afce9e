/**
 * A circuit breaker per connector whose state lives in the table, so every Lambda that calls the vendor sees the
 * same one. Closed: calls go through, `threshold` failed calls in a row open it. Open: calls fail at once with
 * CircuitOpenError for `openMs`. Then half-open: exactly one process wins the trial call (a conditional write); its
 * success closes the breaker, its failure opens it again; a trial whose process died expires after `trialMs`.
 * Every write is conditional on the version read, so concurrent processes never lose each other's updates.
 */
import { CircuitOpenError } from '../../../domain/connectors/errors.js';
import type { Clock, IdGenerator } from '../../../domain/ports.js';
import type { BreakerPermit, BreakerState, BreakerStore, CallOutcome, CircuitBreaker, ConnectorLog } from './ports.js';

export interface BreakerOptions {
  /** Failed calls in a row that open the breaker. */
  threshold: number;
  /** How long it stays open before a trial call. */
  openMs: number;
  /** How long a trial claim holds (longer than a call can take). */
  trialMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = Object.freeze({
  threshold: 5,
  openMs: 60_000,
  trialMs: 180_000,
});

export const closedBreaker = (): BreakerState => ({
  mode: 'closed',
  consecutiveFailures: 0,
  openedAt: null,
  openUntil: null,
  trialHolder: null,
  trialUntil: null,
  lastFailure: null,
  version: 0,
});

/** What `acquire` decides from the stored state: go (maybe as the trial, with the state to claim it), or wait. */
export type Admission =
  | { allow: true; trial: false }
  | { allow: true; trial: true; claim: BreakerState }
  | { allow: false; retryAfterMs: number; reason: 'open' | 'trial_running' };

export function admit(state: BreakerState, nowMs: number, holder: string, options: BreakerOptions): Admission {
  if (state.mode === 'closed') return { allow: true, trial: false };
  if (state.mode === 'open' && state.openUntil !== null && nowMs < state.openUntil) {
    return { allow: false, retryAfterMs: state.openUntil - nowMs, reason: 'open' };
  }
  if (state.mode === 'half_open' && state.trialUntil !== null && nowMs < state.trialUntil) {
    return { allow: false, retryAfterMs: state.trialUntil - nowMs, reason: 'trial_running' };
  }
  // Open and due, or a trial that expired: claim the trial.
  return {
    allow: true,
    trial: true,
    claim: { ...state, mode: 'half_open', trialHolder: holder, trialUntil: nowMs + options.trialMs },
  };
}

/** The state after a call; null when nothing changes (no write for a healthy connector's every page). */
export function afterCall(
  state: BreakerState,
  outcome: CallOutcome,
  trial: boolean,
  nowMs: number,
  options: BreakerOptions,
  failure?: string,
): BreakerState | null {
  const open = (): BreakerState => ({
    ...state,
    mode: 'open',
    consecutiveFailures: Math.max(state.consecutiveFailures, options.threshold),
    openedAt: nowMs,
    openUntil: nowMs + options.openMs,
    trialHolder: null,
    trialUntil: null,
    lastFailure: failure ?? state.lastFailure,
  });
  if (outcome === 'failure') {
    if (trial || state.mode !== 'closed') return open();
    const failures = state.consecutiveFailures + 1;
    if (failures >= options.threshold) return { ...open(), consecutiveFailures: failures };
    return { ...state, consecutiveFailures: failures, lastFailure: failure ?? state.lastFailure };
  }
  // A success, or an answer that proves the vendor is up: the trial closes the breaker.
  if (trial) return closedBreaker();
  if (outcome === 'success' && state.mode === 'closed' && state.consecutiveFailures > 0) {
    return { ...state, consecutiveFailures: 0 };
  }
  return null;
}

/** Attempts of a read-decide-write round before giving up on a contended item (another process keeps winning). */
const MAX_ROUNDS = 5;

export class StoredCircuitBreaker implements CircuitBreaker {
  private readonly holder: string;

  constructor(
    private readonly store: BreakerStore,
    private readonly deps: {
      connectorId: string;
      clock: Clock;
      ids: IdGenerator;
      log: ConnectorLog;
      options?: Partial<BreakerOptions>;
    },
  ) {
    this.holder = deps.ids.newId();
  }

  private get options(): BreakerOptions {
    return { ...DEFAULT_BREAKER_OPTIONS, ...this.deps.options };
  }

  async acquire(): Promise<BreakerPermit> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const stored = await this.store.read();
      const state = stored ?? closedBreaker();
      const now = this.deps.clock.now().getTime();
      const admission = admit(state, now, this.holder, this.options);
      if (!admission.allow) {
        throw new CircuitOpenError(
          admission.reason === 'open'
            ? 'the connector circuit is open after repeated vendor failures'
            : 'the connector circuit is half-open and another process runs its trial call',
          Math.max(1, Math.ceil(admission.retryAfterMs / 1000)),
        );
      }
      if (!admission.trial) return { trial: false };
      const claim = { ...admission.claim, version: state.version + 1 };
      if (await this.store.write(claim, stored ? state.version : null)) {
        this.deps.log('info', 'circuit half-open: trial call', { connectorId: this.deps.connectorId });
        return { trial: true };
      }
    }
    throw new CircuitOpenError('the connector circuit is contended; try again shortly', 1);
  }

  async release(permit: BreakerPermit, outcome: CallOutcome, failure?: string): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const stored = await this.store.read();
      const state = stored ?? closedBreaker();
      // A trial that outlived its claim was superseded by another process's trial: its result no longer decides.
      const trial = permit.trial && state.mode === 'half_open' && state.trialHolder === this.holder;
      const next = afterCall(state, outcome, trial, this.deps.clock.now().getTime(), this.options, failure);
      if (!next) return;
      if (await this.store.write({ ...next, version: state.version + 1 }, stored ? state.version : null)) {
        if (next.mode !== state.mode) {
          this.deps.log(next.mode === 'open' ? 'warn' : 'info', `circuit ${next.mode}`, {
            connectorId: this.deps.connectorId,
            consecutiveFailures: next.consecutiveFailures,
            lastFailure: next.lastFailure,
          });
        }
        return;
      }
    }
  }
}

/** A breaker that never opens: for tools and tests that do not keep state. */
export const noBreaker: CircuitBreaker = {
  acquire: async () => ({ trial: false }),
  release: async () => {},
};
