// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Id, PageQuery } from './common.js';

/**
 * Cases at the API edge and on the bus. A case gathers the signals of one case key (a rule and an entity, or a key
 * the rule names): while it is open or in progress every signal of its key lands on it; once resolved, the key's
 * next signal opens a new case (functions/domain/cases/).
 */
export const CASE_STATUSES = ['open', 'in_progress', 'resolved'] as const;
export const CaseStatus = z.enum(CASE_STATUSES).meta({ id: 'CaseStatus' });
export type CaseStatus = z.infer<typeof CaseStatus>;

/** At most this many signals are listed on a case (the newest); `signalCount` counts them all. */
export const MAX_CASE_SIGNALS = 50;
/** At most this many notes on a case, each at most MAX_NOTE_LENGTH characters: a case stays one small item. */
export const MAX_CASE_NOTES = 100;
export const MAX_NOTE_LENGTH = 2000;

/** A user id as tokens carry it (`sub`): printable, no control characters. */
const UserId = z
  .string()
  .min(1)
  .max(128)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the class names the control characters it refuses.
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'a user id without control characters');

export const CaseSignal = z
  .object({
    signalId: z.string(),
    ruleId: z.string(),
    /** Event time at which the rule held. */
    at: z.string(),
    /** The run the signal's rule started (its `then.startWorkflow`), when it names one. */
    executionId: z.string().optional(),
  })
  .meta({ id: 'CaseSignal' });
export type CaseSignal = z.infer<typeof CaseSignal>;

export const CaseNote = z
  .object({ id: z.string(), author: z.string(), text: z.string(), at: z.string() })
  .meta({ id: 'CaseNote' });
export type CaseNote = z.infer<typeof CaseNote>;

export const Case = z
  .object({
    id: z.string(),
    caseKey: z.string(),
    title: z.string(),
    status: CaseStatus,
    /** The user working on it, or null. */
    assignee: z.string().nullable(),
    notes: z.array(CaseNote),
    /** The newest MAX_CASE_SIGNALS signals, oldest first. */
    signals: z.array(CaseSignal),
    signalCount: z.number().int().min(1),
    entityId: z.string().nullable(),
    ruleId: z.string(),
    openedAt: z.string(),
    updatedAt: z.string(),
    resolvedAt: z.string().nullable(),
    version: z.number().int().min(1),
  })
  .meta({ id: 'Case' });
export type Case = z.infer<typeof Case>;

export const CaseList = z.object({ items: z.array(Case), nextCursor: z.string().nullable() }).meta({ id: 'CaseList' });

export const CaseIdPath = z.strictObject({
  id: z.string().regex(/^case_[A-Za-z0-9_-]{6,64}$/, 'a case id (case_…)'),
});

export const ListCasesQuery = PageQuery.extend({
  status: CaseStatus.optional(),
  assignee: UserId.optional(),
  rule: Id.optional(),
  entity: Id.optional(),
  /** The case the signal was recorded on: a page of at most one case (none while the case manager has not yet). */
  signal: Id.optional(),
}).refine((q) => q.signal === undefined || q.cursor === undefined, {
  path: ['cursor'],
  message: 'a list by signal is one page: no cursor',
});
export type ListCasesQuery = z.infer<typeof ListCasesQuery>;

/**
 * A change to a case with the version read (409 if it changed). `status` moves along open → in_progress → resolved
 * (open → resolved too) or reopens a resolved case (resolved → open); `assignee` null unassigns; `note` appends a
 * note by the caller.
 */
export const UpdateCaseRequest = z
  .strictObject({
    version: z.number().int().min(1),
    status: CaseStatus.optional(),
    assignee: UserId.nullable().optional(),
    note: z.string().trim().min(1).max(MAX_NOTE_LENGTH).optional(),
  })
  .meta({ id: 'UpdateCaseRequest' });
export type UpdateCaseRequest = z.infer<typeof UpdateCaseRequest>;

/** What the case events carry of a case: everything but its notes (free text, which may name people). */
export const CaseSummary = Case.omit({ notes: true, signals: true }).extend({ noteCount: z.number().int() });
export type CaseSummary = z.infer<typeof CaseSummary>;

/** `case.opened`: a signal opened a case. */
export const CaseOpenedPayload = z.object({ case: CaseSummary, signalId: z.string(), actor: z.string() });
/** `case.updated`: a signal landed on an open case, or a user changed it (status other than resolved, assignee, note). */
export const CaseUpdatedPayload = z.object({
  case: CaseSummary,
  /** The fields changed: `signals`, `status`, `assignee`, `notes`. */
  changed: z.array(z.enum(['signals', 'status', 'assignee', 'notes'])),
  signalId: z.string().optional(),
  actor: z.string(),
});
/** `case.resolved`: a case was resolved (with whatever else the same change set). */
export const CaseResolvedPayload = z.object({
  case: CaseSummary,
  changed: z.array(z.enum(['status', 'assignee', 'notes'])),
  actor: z.string(),
});
