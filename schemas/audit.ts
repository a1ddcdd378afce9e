// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { PageQuery } from './common.js';
import { hasLoneSurrogate } from './json-rules.js';

export const AuditRecord = z
  .object({
    id: z.string(),
    action: z.string(),
    actor: z.string(),
    resourceType: z.string(),
    resourceId: z.string(),
    at: z.string(),
    requestId: z.string(),
    beforeHash: z.string().nullable(),
    afterHash: z.string().nullable(),
    /** The system that acted for `actor` (`system:workflow-engine` for a workflow tool); absent for direct actions. */
    via: z.string().optional(),
    /** The workflow run the change was made in, with `via`. */
    runId: z.string().optional(),
    lane: z.number().int(),
    seq: z.number().int(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditRecord' });
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditList = z
  .object({ items: z.array(AuditRecord), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditList' });

/** A filter value: an id, action or type as records hold them (no control characters, valid Unicode). */
const AuditFilterValue = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'text without control characters')
  .refine((s) => !hasLoneSurrogate(s), 'text is not valid Unicode (a lone surrogate has no UTF-8 encoding)');

/**
 * `GET /audit`: the trail newest first, optionally only the records of an actor, an action, a resource type and a
 * resource id (exact matches, any combination). A filtered page reads at most AUDIT_FILTER_READ_LIMIT records.
 */
export const ListAuditQuery = PageQuery.extend({
  actor: AuditFilterValue.optional(),
  action: AuditFilterValue.optional(),
  resourceType: AuditFilterValue.optional(),
  resourceId: AuditFilterValue.optional(),
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;

/** Records a filtered page of the trail reads at most before it answers with what it found and a cursor. */
export const AUDIT_FILTER_READ_LIMIT = 1_000;

/** Records one verification call checks at most, shared equally by the lanes it checks (1 000 each of 16). */
export const AUDIT_VERIFY_RECORDS_PER_CALL = 16_000;

export const AUDIT_BREAK_REASONS = ['hash-mismatch', 'prev-mismatch', 'gap', 'missing', 'head-mismatch'] as const;

export const AuditChainBreak = z
  .object({
    /** The first sequence number of the lane that does not verify. */
    seq: z.number().int(),
    /** The record at `seq`; null when it is missing. */
    recordId: z.string().nullable(),
    /**
     * `hash-mismatch`: the record's content is not what its hash says; `prev-mismatch`: it does not link to the record
     * before it; `gap`: its sequence number is not the next one; `missing`: the lane head counts records that are not
     * there; `head-mismatch`: the lane head's hash is not the last record's.
     */
    reason: z.enum(AUDIT_BREAK_REASONS),
  })
  .meta({ id: 'AuditChainBreak' });

export const AuditLaneVerification = z
  .object({
    lane: z.number().int(),
    /**
     * The first record this call checked: 1, from the lane's genesis; with a cursor, the record it resumes from (the
     * last one an earlier call verified, hashed again), the records before it verified by the earlier calls only.
     */
    fromSeq: z.number().int(),
    /** Records hashed in this call. */
    records: z.number().int(),
    /** The last record whose link verified (0: none yet): the lane is verified from its genesis through `lastSeq`. */
    lastSeq: z.number().int(),
    /** The lane head's sequence number when the call began: the records the lane holds (0: none). */
    headSeq: z.number().int(),
    verified: z.boolean(),
    /** Checked through `headSeq`, or up to its break (past a break nothing can be verified). */
    complete: z.boolean(),
    break: AuditChainBreak.optional(),
  })
  .meta({ id: 'AuditLaneVerification' });

export const AuditVerification = z
  .object({
    /**
     * No break in the records this call checked, `fromSeq` through `lastSeq` of each lane (with `complete: false`, in
     * those only; a call with a cursor answers only for the lanes it continues).
     */
    verified: z.boolean(),
    checkedAt: z.string(),
    /** Records hashed in this call, all lanes. */
    records: z.number().int(),
    /** Every lane checked through its head (or its break); else `nextCursor` continues. */
    complete: z.boolean(),
    /** The most records of one lane this call checked. */
    recordsPerLane: z.number().int(),
    lanes: z.array(AuditLaneVerification),
    /**
     * Continues the incomplete lanes: signed by the platform for this tenant and the last record verified of each, so
     * it cannot be made by hand or used by another tenant.
     */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'AuditVerification' });
export type AuditVerification = z.infer<typeof AuditVerification>;

/**
 * `GET /audit/verification?cursor=`: the `nextCursor` of an incomplete verification continues its lanes; a cursor the
 * platform did not issue for this tenant, or whose resume record was removed or rewritten since, is refused.
 */
export const AuditVerificationQuery = z.strictObject({ cursor: z.string().min(1).max(8192).optional() });
