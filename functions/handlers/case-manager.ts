/**
 * EventBridge target of signal.detected (rule OpenCaseFromSignal). Opens the case of the signal's case key, or records
 * the signal on the key's open (or in-progress) case; emits case.opened or case.updated.
 * Output: `{ outcome, caseId }` (`duplicate`: the signal was recorded before, nothing changed).
 * Errors: EventSchemaError (not a catalogue signal.detected: dead-letters), ConflictError after repeated lost races
 * and TransientError (both retried by the target's retry policy).
 */
import { recordSignalOnCase, type SignalCaseDeps } from '../domain/cases/signal-cases.js';
import { signalCaseDeps } from '../platform/case-composition.js';
import { logger } from '../platform/logger.js';
import { eventTarget } from '../platform/task.js';

export const makeHandler = (deps: SignalCaseDeps) =>
  eventTarget('case-manager', 'signal.detected', async (detail) => {
    const result = await recordSignalOnCase(
      detail.tenantId,
      detail.payload,
      detail.correlationId ?? `signal-${detail.payload.signalId}`,
      deps,
    );
    logger.info('signal recorded on case', {
      tenantId: detail.tenantId,
      signalId: detail.payload.signalId,
      ...result,
    });
    return result;
  });

export const handler = makeHandler(signalCaseDeps());
