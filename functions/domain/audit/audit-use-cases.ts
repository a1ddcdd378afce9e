import {
  AUDIT_VERIFY_RECORDS_PER_CALL,
  type AuditRecord,
  type AuditVerification,
  type ListAuditQuery,
} from '../../../schemas/audit.js';
import { requirePermission } from '../auth/authorize.js';
import { ValidationError } from '../errors.js';
import type { AuditLaneHead, AuditReader, Clock, Page, RequestContext } from '../ports.js';
import { mapLimit } from '../shared/concurrency.js';
import { walkLane, type LaneAnchor } from './audit-chain.js';

/** The trail newest first; the filters (actor, action, resource type and id) are exact matches, combinable. */
export async function listAudit(
  query: ListAuditQuery,
  ctx: RequestContext,
  deps: { audit: AuditReader },
): Promise<Page<AuditRecord>> {
  requirePermission(ctx.principal, 'audit:read');
  return deps.audit.list(ctx.principal.tenantId, query);
}

export interface VerifyAuditDeps {
  audit: AuditReader;
  clock: Clock;
  /** The lanes the tenant's chain is written in (AUDIT_CHAIN_LANES); lanes with a head are checked too. */
  lanes: number;
}

/** Fewest records of a lane one call checks, however many lanes share the call's budget. */
const MIN_RECORDS_PER_LANE = 50;
/** Lanes read at the same time. */
const LANE_READ_CONCURRENCY = 4;
const MAX_LANE = 255;

type LaneResult = AuditVerification['lanes'][number];

/**
 * Verifies the tenant's audit hash chain lane by lane, from each lane's genesis (or from where the cursor of an
 * earlier call stopped) through the lane head read when the call began. A call checks at most
 * AUDIT_VERIFY_RECORDS_PER_CALL records, shared equally by its lanes; a lane with more left is incomplete and the
 * cursor continues it, re-hashing the last record checked so the next call links on from a verified record.
 * A lane stops at its first break: a record whose content, link or sequence number is wrong, a record the head counts
 * that is missing, or a head whose hash is not the last record's.
 */
export async function verifyAuditChain(
  query: { cursor?: string },
  ctx: RequestContext,
  deps: VerifyAuditDeps,
): Promise<AuditVerification> {
  requirePermission(ctx.principal, 'audit:read');
  const tenantId = ctx.principal.tenantId;
  const resume = decodeVerificationCursor(query.cursor);
  const checkedAt = deps.clock.now().toISOString();
  const heads = await deps.audit.laneHeads(tenantId);
  const lanes = resume
    ? [...resume.keys()]
    : [...new Set([...Array.from({ length: deps.lanes }, (_, i) => i), ...heads.keys()])];
  lanes.sort((a, b) => a - b);
  const perLane = Math.max(MIN_RECORDS_PER_LANE, Math.floor(AUDIT_VERIFY_RECORDS_PER_CALL / Math.max(1, lanes.length)));
  for (const lane of lanes) {
    const after = resume?.get(lane);
    if (after !== undefined && after > (heads.get(lane)?.seq ?? 0)) throw invalidCursor();
  }
  const results = await mapLimit(lanes, LANE_READ_CONCURRENCY, (lane) =>
    verifyOneLane(tenantId, lane, heads.get(lane), resume?.get(lane), perLane, deps.audit),
  );
  const incomplete = results.filter((r) => !r.complete);
  return {
    verified: results.every((r) => r.verified),
    checkedAt,
    records: results.reduce((n, r) => n + r.records, 0),
    complete: incomplete.length === 0,
    recordsPerLane: perLane,
    lanes: results,
    nextCursor: incomplete.length ? encodeVerificationCursor(incomplete) : null,
  };
}

async function verifyOneLane(
  tenantId: string,
  lane: number,
  head: AuditLaneHead | undefined,
  resumeAfter: number | undefined,
  perLane: number,
  audit: AuditReader,
): Promise<LaneResult> {
  const headSeq = head?.seq ?? 0;
  // A continued lane re-reads its last verified record: its stored link is where the walk starts.
  const fromSeq = resumeAfter ?? 1;
  const throughSeq = Math.min(headSeq, fromSeq + perLane - (resumeAfter === undefined ? 1 : 0));
  const base = { lane, headSeq };
  if (throughSeq < fromSeq) return { ...base, records: 0, lastSeq: 0, verified: true, complete: true };
  const records = await audit.laneRecords(tenantId, lane, { fromSeq, throughSeq, limit: throughSeq - fromSeq + 1 });
  let from: LaneAnchor | undefined;
  if (resumeAfter !== undefined) {
    const anchor = records[0];
    if (!anchor || anchor.seq !== resumeAfter)
      return broken(base, 0, resumeAfter - 1, { seq: resumeAfter, recordId: null, reason: 'missing' });
    from = { seq: anchor.seq - 1, hash: anchor.prevHash };
  }
  const walk = walkLane(tenantId, lane, records, from);
  if (walk.break) {
    const { seq, reason, index } = walk.break;
    return broken(base, index + 1, walk.last.seq, { seq, recordId: records[index]!.id, reason });
  }
  const lastSeq = walk.last.seq;
  if (lastSeq < throughSeq)
    return broken(base, records.length, lastSeq, { seq: lastSeq + 1, recordId: null, reason: 'missing' });
  if (throughSeq === headSeq && walk.last.hash !== head!.hash)
    // Every link verified, yet the head does not end the lane: its records were rewritten (or the head was).
    return broken(base, records.length, lastSeq, {
      seq: lastSeq,
      recordId: records.at(-1)!.id,
      reason: 'head-mismatch',
    });
  return { ...base, records: records.length, lastSeq, verified: true, complete: throughSeq === headSeq };
}

function broken(
  base: { lane: number; headSeq: number },
  records: number,
  lastSeq: number,
  found: NonNullable<LaneResult['break']>,
): LaneResult {
  return { ...base, records, lastSeq: Math.max(0, lastSeq), verified: false, complete: true, break: found };
}

const invalidCursor = () =>
  new ValidationError('cursor is not valid for this verification', {
    details: [{ field: 'cursor', message: 'invalid cursor' }],
  });

/** The cursor: base64url JSON `{ "l": [[lane, lastSeq], …] }`, the last record verified of each incomplete lane. */
function encodeVerificationCursor(lanes: readonly LaneResult[]): string {
  return Buffer.from(JSON.stringify({ l: lanes.map((r) => [r.lane, r.lastSeq]) }), 'utf8').toString('base64url');
}

function decodeVerificationCursor(cursor: string | undefined): Map<number, number> | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const pairs = (parsed as { l?: unknown } | null)?.l;
  if (!Array.isArray(pairs) || pairs.length === 0 || Object.keys(parsed as object).length !== 1) throw invalidCursor();
  const resume = new Map<number, number>();
  for (const pair of pairs) {
    const [lane, seq] = Array.isArray(pair) && pair.length === 2 ? pair : [];
    if (!Number.isSafeInteger(lane) || lane < 0 || lane > MAX_LANE || resume.has(lane)) throw invalidCursor();
    if (!Number.isSafeInteger(seq) || seq < 1) throw invalidCursor();
    resume.set(lane, seq);
  }
  return resume;
}
