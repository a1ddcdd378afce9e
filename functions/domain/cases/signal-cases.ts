/**
 * The case manager: each detected signal opens the case of its case key, or lands on the one that is open (or in
 * progress). A key has at most one such case; after it is resolved, the key's next signal opens a new case. The
 * same signal delivered again changes nothing: the change that records a signal on a case also writes a marker for
 * the signal id in the same transaction, so a second delivery finds the marker (or fails on it) and stops.
 */
import { MAX_CASE_SIGNALS, type CaseSignal } from '../../../schemas/cases.js';
import { CASE_MANAGER_ACTOR } from '../auth/actors.js';
import { ConflictError, EffectAlreadyAppliedError } from '../errors.js';
import type { Clock, IdempotencyStore, IdGenerator } from '../ports.js';
import { triggeredExecutionId } from '../triggers/execution-ids.js';
import { caseAudit, caseSummary } from './case-views.js';
import type { CaseRecord, CaseStore } from './ports.js';

/** What the case manager reads of a `signal.detected` payload. */
export interface DetectedSignal {
  signalId: string;
  ruleId: string;
  ruleName: string;
  /** The key cases are deduplicated by: the rule and the entity, or a key the rule names. */
  caseKey: string;
  /** The case title the rule names; else the case is titled with the rule's name. */
  caseTitle?: string | null;
  entityId?: string | null;
  /** Event time at which the rule held (ISO). */
  at: string;
  /** The rule's action; `roles` are its author's (the run acts with them). */
  action?: { startWorkflow: string; input?: Record<string, unknown>; roles?: string[] } | null;
}

export interface SignalCaseDeps {
  cases: CaseStore;
  idempotency: IdempotencyStore;
  clock: Clock;
  ids: IdGenerator;
}

export type SignalCaseOutcome = { outcome: 'opened' | 'updated' | 'duplicate'; caseId: string | null };

/**
 * Attempts at a case change that lost a race (another signal of the key, a user's PATCH) before giving up to the
 * event target's retries. Each lost race means another change won, so a burst of n signals of one key settles in at
 * most n rounds; a short random pause spreads the rounds out.
 */
const MAX_ATTEMPTS = 16;
const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 5 * 2 ** attempt)));

const markerKey = (signalId: string) => `case-signal:${signalId}`;

/**
 * Opens or updates the case of the signal's key (see the module header). Emits `case.opened` or `case.updated`,
 * audited as the case manager. A lost race (another signal opened the key's case first, or the case changed) is
 * retried from a fresh read; a ConflictError after MAX_ATTEMPTS is left to the event target's retries.
 */
export async function recordSignalOnCase(
  tenantId: string,
  signal: DetectedSignal,
  requestId: string,
  deps: SignalCaseDeps,
): Promise<SignalCaseOutcome> {
  const marker = markerKey(signal.signalId);
  const done = await deps.idempotency.find(tenantId, marker);
  if (done) return { outcome: 'duplicate', caseId: (done.result as { caseId?: string } | null)?.caseId ?? null };
  const ref: CaseSignal = {
    signalId: signal.signalId,
    ruleId: signal.ruleId,
    at: signal.at,
    ...(signal.action?.startWorkflow
      ? { executionId: triggeredExecutionId(tenantId, { kind: 'signal', signalId: signal.signalId }) }
      : {}),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const open = await deps.cases.openCaseOf(tenantId, signal.caseKey);
      if (open) {
        if (open.signals.some((s) => s.signalId === signal.signalId)) return { outcome: 'duplicate', caseId: open.id };
        await appendSignal(tenantId, open, ref, requestId, deps);
        return { outcome: 'updated', caseId: open.id };
      }
      return { outcome: 'opened', caseId: await openCase(tenantId, signal, ref, requestId, deps) };
    } catch (error) {
      if (error instanceof EffectAlreadyAppliedError) {
        const applied = await deps.idempotency.find(tenantId, marker);
        return { outcome: 'duplicate', caseId: (applied?.result as { caseId?: string } | null)?.caseId ?? null };
      }
      if (!(error instanceof ConflictError)) throw error;
      // The signal's link to its case outlives the marker (30 days): a delivery after that fails on the link, and
      // the case that holds the signal is the answer, not another round.
      const holder = (await deps.cases.list(tenantId, { signalId: signal.signalId, limit: 1 })).items[0];
      if (holder) return { outcome: 'duplicate', caseId: holder.id };
      if (attempt >= MAX_ATTEMPTS) throw error;
      await pause(attempt);
    }
  }
}

async function openCase(
  tenantId: string,
  signal: DetectedSignal,
  ref: CaseSignal,
  requestId: string,
  deps: SignalCaseDeps,
): Promise<string> {
  const at = deps.clock.now().toISOString();
  const record: CaseRecord = {
    id: `case_${deps.ids.newId()}`,
    caseKey: signal.caseKey,
    title: signal.caseTitle ?? signal.ruleName,
    status: 'open',
    assignee: null,
    notes: [],
    signals: [ref],
    signalCount: 1,
    entityId: signal.entityId ?? null,
    ruleId: signal.ruleId,
    openedAt: at,
    updatedAt: at,
    resolvedAt: null,
    version: 1,
  };
  await deps.cases.create(
    tenantId,
    record,
    {
      audit: caseAudit('case.open', { actor: CASE_MANAGER_ACTOR }, null, record, at, requestId),
      events: [
        {
          name: 'case.opened',
          payload: { case: caseSummary(record), signalId: signal.signalId, actor: CASE_MANAGER_ACTOR },
        },
      ],
      idempotency: { key: markerKey(signal.signalId), result: { caseId: record.id } },
    },
    signal.signalId,
  );
  return record.id;
}

async function appendSignal(
  tenantId: string,
  current: CaseRecord,
  ref: CaseSignal,
  requestId: string,
  deps: SignalCaseDeps,
): Promise<void> {
  const at = deps.clock.now().toISOString();
  const next: CaseRecord = {
    ...current,
    // The newest signals stay listed; the count keeps the total.
    signals: [...current.signals, ref].slice(-MAX_CASE_SIGNALS),
    signalCount: current.signalCount + 1,
    updatedAt: at,
    version: current.version + 1,
  };
  await deps.cases.update(
    tenantId,
    next,
    current.version,
    {
      audit: caseAudit('case.update', { actor: CASE_MANAGER_ACTOR }, current, next, at, requestId),
      events: [
        {
          name: 'case.updated',
          payload: { case: caseSummary(next), changed: ['signals'], signalId: ref.signalId, actor: CASE_MANAGER_ACTOR },
        },
      ],
      idempotency: { key: markerKey(ref.signalId), result: { caseId: current.id } },
    },
    undefined,
    ref.signalId,
  );
}
