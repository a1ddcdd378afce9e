import type { Case, CaseStatus } from '../../../schemas/cases.js';
import type { MutationRecord, Page } from '../ports.js';

/** A case as stored: the public view (cases carry nothing that stays server-side). */
export type CaseRecord = Case;

/** Filters of the case list; any combination, newest opened first. */
export interface CaseQuery {
  status?: CaseStatus;
  assignee?: string;
  ruleId?: string;
  entityId?: string;
  /** The case the signal was recorded on (at most one). */
  signalId?: string;
  limit: number;
  cursor?: string;
}

/**
 * What a case change does to its key's claim: the one open (or in-progress) case of a key holds it. `release` when
 * the case is resolved, `claim` when it is reopened (ConflictError if another case of the key is open by then).
 */
export type CaseKeyChange = 'claim' | 'release';

/**
 * Cases of a tenant. At most one case per case key is open or in progress: `create` and a reopening `update` claim
 * the key in the same transaction as the case, and fail with ConflictError when another case holds it.
 */
export interface CaseStore {
  get(tenantId: string, id: string): Promise<CaseRecord | undefined>;
  /** The open or in-progress case of the key, if there is one. */
  openCaseOf(tenantId: string, caseKey: string): Promise<CaseRecord | undefined>;
  /**
   * Stores a new (open) case claiming its key; ConflictError if the key is claimed or the id exists. `signalId`: the
   * signal that opened it, linked to the case in the same transaction (`list({ signalId })` finds it).
   */
  create(tenantId: string, record: CaseRecord, mutation: MutationRecord, signalId?: string): Promise<void>;
  /**
   * Replaces the case if its stored version is `expectedVersion` (else ConflictError), changing its key's claim;
   * `signalId`: a signal recorded on the case by this change, linked to it in the same transaction.
   */
  update(
    tenantId: string,
    record: CaseRecord,
    expectedVersion: number,
    mutation: MutationRecord,
    keyChange?: CaseKeyChange,
    signalId?: string,
  ): Promise<void>;
  list(tenantId: string, query: CaseQuery): Promise<Page<CaseRecord>>;
}
