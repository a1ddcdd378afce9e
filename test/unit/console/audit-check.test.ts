/**
 * The audit view's chain check over continued calls: records and lanes add up across calls, a break found in any call
 * keeps the check broken, and a first call starts afresh.
 */
import { describe, expect, it } from 'vitest';
import type { AuditVerification } from '../../../schemas/audit.js';
import { nextCheck } from '../../../console/src/views/audit.js';

const lane = (
  n: number,
  over: Partial<AuditVerification['lanes'][number]> = {},
): AuditVerification['lanes'][number] => ({
  lane: n,
  fromSeq: 1,
  records: 10,
  lastSeq: 10,
  headSeq: 20,
  verified: true,
  complete: false,
  ...over,
});
const call = (lanes: AuditVerification['lanes'], over: Partial<AuditVerification> = {}): AuditVerification => ({
  verified: lanes.every((l) => l.verified),
  checkedAt: '2026-12-02T00:00:00.000Z',
  records: lanes.reduce((n, l) => n + l.records, 0),
  complete: lanes.every((l) => l.complete),
  recordsPerLane: 10,
  lanes,
  nextCursor: lanes.every((l) => l.complete) ? null : 'c',
  ...over,
});

describe('the audit chain check over continued calls', () => {
  it('counts every lane read by any call, not only the lanes the last call continued', () => {
    const first = nextCheck(
      null,
      call([lane(0, { complete: true, headSeq: 5, records: 5, lastSeq: 5 }), lane(1), lane(2)]),
    );
    const second = nextCheck(
      first,
      call([
        lane(1, { fromSeq: 10, records: 11, lastSeq: 20, complete: true }),
        lane(2, { fromSeq: 10, records: 11, lastSeq: 20, complete: true }),
      ]),
    );
    expect(second.lanes).toEqual([0, 1, 2]);
    expect(second.records).toBe(25 + 22);
    expect(second.last.complete).toBe(true);
    expect(second.breaks).toEqual([]);
  });

  it('stays broken once a call found a break, and names each broken lane once', () => {
    const brk = { seq: 7, recordId: 'r7', reason: 'hash-mismatch' as const };
    const first = nextCheck(null, call([lane(0, { verified: false, complete: true, break: brk }), lane(1)]));
    const second = nextCheck(first, call([lane(1, { complete: true })]));
    expect(second.last.verified).toBe(false);
    expect(second.breaks).toEqual([{ ...brk, lane: 0 }]);
  });

  it('starts afresh on a first call', () => {
    const first = nextCheck(null, call([lane(0), lane(1)]));
    const again = nextCheck(null, call([lane(3)]));
    expect(again.lanes).toEqual([3]);
    expect(again.records).toBe(10);
    expect(first.lanes).toEqual([0, 1]);
  });
});
