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

/** Verifies one lane given its records in ascending `seq`; returns the first break, if any. */
export function verifyLane(
  tenantId: string,
  lane: number,
  records: ReadonlyArray<AuditEntry & ChainLink>,
): ChainBreak | undefined {
  let prev = genesisHash(tenantId, lane);
  let expectedSeq = 1;
  for (const r of records) {
    if (r.seq !== expectedSeq) return { lane, seq: r.seq, reason: 'gap' };
    if (r.prevHash !== prev) return { lane, seq: r.seq, reason: 'prev-mismatch' };
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
    if (linkAudit(entry, lane, r.seq, prev).hash !== r.hash) return { lane, seq: r.seq, reason: 'hash-mismatch' };
    prev = r.hash;
    expectedSeq += 1;
  }
  return undefined;
}
