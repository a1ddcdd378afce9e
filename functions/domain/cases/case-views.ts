import type { CaseSummary } from '../../../schemas/cases.js';
import type { AuditEntry } from '../ports.js';
import { changeAudit } from '../audit/audit-actor.js';
import type { CaseRecord } from './ports.js';

/** What the case events carry: the case without its notes (free text) and signal list, with the notes' count. */
export function caseSummary(record: CaseRecord): CaseSummary {
  const { notes, signals: _signals, ...rest } = record;
  return { ...rest, noteCount: notes.length };
}

/** The audit record of a case change; hashes of the whole case before and after. */
export function caseAudit(
  action: 'case.open' | 'case.update' | 'case.resolve',
  actor: Pick<AuditEntry, 'actor' | 'via' | 'runId'>,
  before: CaseRecord | null,
  after: CaseRecord,
  at: string,
  requestId: string,
): AuditEntry {
  return changeAudit({ action, actor, resourceType: 'case', resourceId: after.id, before, after, at, requestId });
}
