import type { AuditEntry } from '../ports.js';
import { canonicalJson, sha256Hex } from '../shared/hash.js';

/**
 * The per-tenant audit hash chain. A tenant's chain is split into a fixed number of lanes so
 * concurrent writers do not all contend on one head item; each lane is a strict chain:
 * `hash = sha256(prevHash + canonical(entry, lane, seq))`, with a genesis hash per tenant and lane.
 * Changing, removing or reordering a record breaks its lane from that point on.
 */
export interface ChainLink {
  lane: number;
  seq: number;
  prevHash: string;
  hash: string;
}

export const genesisHash = (tenantId: string, lane: number): string =>
  sha256Hex(`modos-audit-genesis:${tenantId}:${lane}`);

export function linkAudit(entry: AuditEntry, lane: number, seq: number, prevHash: string): ChainLink {
  const hash = sha256Hex(prevHash + canonicalJson({ ...entry, lane, seq }));
  return { lane, seq, prevHash, hash };
}

export interface ChainBreak {
  lane: number;
  seq: number;
  reason: 'hash-mismatch' | 'gap' | 'prev-mismatch';
}

/** A link already verified that a walk of a lane continues after: its sequence number and hash. */
export interface LaneAnchor {
  seq: number;
  hash: string;
}

/** Where a walk of a lane got to: its first break (with the record's index in the walk) or none, and its last link. */
export interface LaneWalk {
  break?: ChainBreak & { index: number };
  /** The last record that verified (the anchor when none did). */
  last: LaneAnchor;
}

/**
 * Walks a lane's records in ascending `seq` from `from` (default: the lane's genesis, before seq 1), checking that
 * each is the next sequence number, links to the one before and hashes to its stored hash; stops at the first break.
 */
export function walkLane(
  tenantId: string,
  lane: number,
  records: ReadonlyArray<AuditEntry & ChainLink>,
  from: LaneAnchor = { seq: 0, hash: genesisHash(tenantId, lane) },
): LaneWalk {
  let last = from;
  for (const [index, r] of records.entries()) {
    const broken = (reason: ChainBreak['reason']): LaneWalk => ({ break: { lane, seq: r.seq, reason, index }, last });
    if (r.seq !== last.seq + 1) return broken('gap');
    if (r.prevHash !== last.hash) return broken('prev-mismatch');
    const entry: AuditEntry = {
      action: r.action,
      actor: r.actor,
      resourceType: r.resourceType,
      resourceId: r.resourceId,
      at: r.at,
      requestId: r.requestId,
      beforeHash: r.beforeHash,
      afterHash: r.afterHash,
      // Optional fields are hashed only where present, so records written before they existed still verify.
      ...(r.via === undefined ? {} : { via: r.via }),
      ...(r.runId === undefined ? {} : { runId: r.runId }),
    };
    if (linkAudit(entry, lane, r.seq, last.hash).hash !== r.hash) return broken('hash-mismatch');
    last = { seq: r.seq, hash: r.hash };
  }
  return { last };
}

/** Verifies one lane given its records in ascending `seq`; returns the first break, if any. */
export function verifyLane(
  tenantId: string,
  lane: number,
  records: ReadonlyArray<AuditEntry & ChainLink>,
): ChainBreak | undefined {
  const found = walkLane(tenantId, lane, records).break;
  return found && { lane: found.lane, seq: found.seq, reason: found.reason };
}
