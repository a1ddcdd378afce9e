import {
  AUDIT_VERIFY_RECORDS_PER_CALL,
  type AuditRecord,
  type AuditVerification,
  type ListAuditQuery,
} from '../../../schemas/audit.js';
import { requirePermission } from '../auth/authorize.js';
import type { AuditLaneHead, AuditReader, Clock, Page, RequestContext } from '../ports.js';
import { mapLimit } from '../shared/concurrency.js';
import { walkLane, type LaneAnchor } from './audit-chain.js';
import {
  checkVerificationCursor,
  encodeVerificationCursor,
  invalidCursor,
  parseVerificationCursor,
} from './verification-cursor.js';

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
  /** The key verification cursors are signed with (derived from the platform key); read only when a cursor is. */
  cursorKey: () => Promise<Buffer>;
}

/** Fewest records of a lane one call checks, however many lanes share the call's budget. */
const MIN_RECORDS_PER_LANE = 50;
/** Lanes read at the same time. */
const LANE_READ_CONCURRENCY = 4;

type LaneResult = AuditVerification['lanes'][number];

/** What one call reads of a lane: the records `fromSeq..throughSeq` (with a cursor, from its resume record). */
interface LaneRead {
  lane: number;
  head: AuditLaneHead | undefined;
  resumeAfter: number | undefined;
  fromSeq: number;
  throughSeq: number;
  records: AuditRecord[];
}

/**
 * Verifies the tenant's audit hash chain lane by lane, from each lane's genesis (or from where the cursor of an
 * earlier call stopped) through the lane head read when the call began. A call checks at most
 * AUDIT_VERIFY_RECORDS_PER_CALL records, shared equally by its lanes; a lane with more left is incomplete and the
 * cursor continues it. The cursor is signed (verification-cursor.ts) over the tenant and the hash of the last record
 * verified of each lane, so a call continues only from records the platform verified, as it verified them: a forged
 * cursor, another tenant's, or one whose resume record was removed or given a new hash since is a ValidationError on
 * `cursor`. The resume record is hashed again, so the new call links on from a record it checked itself.
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
  const cursor = query.cursor === undefined ? undefined : parseVerificationCursor(query.cursor);
  const resume = cursor?.points;
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
  const reads = await mapLimit(lanes, LANE_READ_CONCURRENCY, (lane) =>
    readLane(tenantId, lane, heads.get(lane), resume?.get(lane), perLane, deps.audit),
  );
  if (cursor) {
    // The first record read of a continued lane is its resume record, when it is still there.
    const stored = new Map(
      reads.flatMap((r) => (r.records[0]?.seq === r.resumeAfter ? [[r.lane, r.records[0]!.hash]] : [])),
    );
    checkVerificationCursor(tenantId, cursor, stored, await deps.cursorKey());
  }
  const results = reads.map((read) => walkRead(tenantId, read));
  const incomplete = results.filter((r) => !r.complete);
  return {
    verified: results.every((r) => r.verified),
    checkedAt,
    records: results.reduce((n, r) => n + r.records, 0),
    complete: incomplete.length === 0,
    recordsPerLane: perLane,
    lanes: results,
    nextCursor: incomplete.length
      ? encodeVerificationCursor(
          tenantId,
          incomplete.map((r) => ({ lane: r.lane, seq: r.lastSeq, hash: lastHashOf(reads, r) })),
          await deps.cursorKey(),
        )
      : null,
  };
}

async function readLane(
  tenantId: string,
  lane: number,
  head: AuditLaneHead | undefined,
  resumeAfter: number | undefined,
  perLane: number,
  audit: AuditReader,
): Promise<LaneRead> {
  const headSeq = head?.seq ?? 0;
  // A continued lane re-reads its last verified record: its stored link is where the walk starts.
  const fromSeq = resumeAfter ?? 1;
  const throughSeq = Math.min(headSeq, fromSeq + perLane - (resumeAfter === undefined ? 1 : 0));
  const records =
    throughSeq < fromSeq
      ? []
      : await audit.laneRecords(tenantId, lane, { fromSeq, throughSeq, limit: throughSeq - fromSeq + 1 });
  return { lane, head, resumeAfter, fromSeq, throughSeq, records };
}

function walkRead(tenantId: string, read: LaneRead): LaneResult {
  const { lane, head, resumeAfter, fromSeq, throughSeq, records } = read;
  const headSeq = head?.seq ?? 0;
  const base = { lane, fromSeq, headSeq };
  if (throughSeq < fromSeq) return { ...base, records: 0, lastSeq: 0, verified: true, complete: true };
  let from: LaneAnchor | undefined;
  if (resumeAfter !== undefined) {
    // The cursor's check found this record with the hash the earlier call verified; its content is hashed again.
    const anchor = records[0]!;
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

/** The stored hash of the last record an incomplete lane verified (the walk verified every record it read). */
function lastHashOf(reads: readonly LaneRead[], result: LaneResult): string {
  const read = reads.find((r) => r.lane === result.lane)!;
  return read.records.at(-1)!.hash;
}

function broken(
  base: { lane: number; fromSeq: number; headSeq: number },
  records: number,
  lastSeq: number,
  found: NonNullable<LaneResult['break']>,
): LaneResult {
  return { ...base, records, lastSeq: Math.max(0, lastSeq), verified: false, complete: true, break: found };
}
