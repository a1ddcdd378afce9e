import { describe, expect, it } from 'vitest';
import { genesisHash, linkAudit, verifyLane, type ChainLink } from '../../functions/domain/audit/audit-chain.js';
import type { AuditEntry } from '../../functions/domain/ports.js';

const anEntry = (n: number): AuditEntry => ({
  action: 'entity.update',
  actor: 'user-1',
  resourceType: 'entity',
  resourceId: `ent-${n}`,
  at: `2026-01-01T00:00:0${n}.000Z`,
  requestId: `req-${n}`,
  beforeHash: 'a'.repeat(64),
  afterHash: 'b'.repeat(64),
});

function buildLane(tenant: string, lane: number, count: number): Array<AuditEntry & ChainLink> {
  const out: Array<AuditEntry & ChainLink> = [];
  let prev = genesisHash(tenant, lane);
  for (let seq = 1; seq <= count; seq++) {
    const entry = anEntry(seq);
    const link = linkAudit(entry, lane, seq, prev);
    out.push({ ...entry, ...link });
    prev = link.hash;
  }
  return out;
}

describe('audit hash chain', () => {
  it('verifies an untouched lane', () => {
    expect(verifyLane('t1', 3, buildLane('t1', 3, 5))).toBeUndefined();
  });

  it('detects an altered field in a record', () => {
    const lane = buildLane('t1', 0, 5);
    lane[2] = { ...lane[2]!, actor: 'mallory' };
    expect(verifyLane('t1', 0, lane)).toEqual({ lane: 0, seq: 3, reason: 'hash-mismatch' });
  });

  it('detects a removed record as a gap', () => {
    const lane = buildLane('t1', 0, 5);
    lane.splice(1, 1);
    expect(verifyLane('t1', 0, lane)).toMatchObject({ seq: 3, reason: 'gap' });
  });

  it('detects a lane copied from another tenant', () => {
    expect(verifyLane('t2', 0, buildLane('t1', 0, 2))).toMatchObject({ seq: 1, reason: 'prev-mismatch' });
  });

  it('chains the system and run a principal acted through, and detects them altered or removed', () => {
    let prev = genesisHash('t1', 0);
    const lane: Array<AuditEntry & ChainLink> = [];
    for (const entry of [anEntry(1), { ...anEntry(2), via: 'system:workflow-engine', runId: 'run_1' }, anEntry(3)]) {
      const link = linkAudit(entry, 0, lane.length + 1, prev);
      lane.push({ ...entry, ...link });
      prev = link.hash;
    }
    expect(verifyLane('t1', 0, lane)).toBeUndefined();

    const { via: _via, ...withoutVia } = lane[1]!;
    expect(verifyLane('t1', 0, [lane[0]!, withoutVia, lane[2]!])).toEqual({ lane: 0, seq: 2, reason: 'hash-mismatch' });
    expect(verifyLane('t1', 0, [lane[0]!, { ...lane[1]!, runId: 'run_2' }, lane[2]!])).toEqual({
      lane: 0,
      seq: 2,
      reason: 'hash-mismatch',
    });
  });

  it('detects a record re-hashed after tampering by the next link', () => {
    const lane = buildLane('t1', 0, 3);
    const forged: AuditEntry = { ...anEntry(2), actor: 'mallory' };
    lane[1] = { ...forged, ...linkAudit(forged, 0, 2, lane[0]!.hash) };
    expect(verifyLane('t1', 0, lane)).toMatchObject({ seq: 3, reason: 'prev-mismatch' });
  });
});
