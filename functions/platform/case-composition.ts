import { DynamoCaseStore } from '../adapters/dynamodb/case-repository.js';
import type { CaseDeps } from '../domain/cases/case-use-cases.js';
import type { SignalCaseDeps } from '../domain/cases/signal-cases.js';
import { documentClient } from './aws-clients.js';
import { mutationWriter, systemClock, uuidIds } from './composition.js';
import { config } from './config.js';

/** Composition of the case routes and the case manager: the table-backed case store, clock and ids. */
let store: DynamoCaseStore | undefined;

export function caseStore(): DynamoCaseStore {
  store ??= new DynamoCaseStore(documentClient(), config().TABLE_NAME, mutationWriter());
  return store;
}

export function caseDeps(): CaseDeps {
  return { cases: caseStore(), clock: systemClock, ids: uuidIds };
}

/** The case manager's deps: the store and the markers that make a redelivered signal change nothing. */
export function signalCaseDeps(): SignalCaseDeps {
  return {
    cases: caseStore(),
    idempotency: { find: (tenantId, key) => mutationWriter().findIdempotent(tenantId, key) },
    clock: systemClock,
    ids: uuidIds,
  };
}
