import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { listAudit, verifyAuditChain } from '../../functions/domain/audit/audit-use-cases.js';
import { linkAudit } from '../../functions/domain/audit/audit-chain.js';
import { ForbiddenError, ValidationError } from '../../functions/domain/errors.js';
import { AUDIT_VERIFY_RECORDS_PER_CALL, AuditVerification } from '../../schemas/audit.js';
import { InMemoryAuditTrail } from '../fakes/in-memory-audit.js';
import { aContext, anApiEvent, aPrincipal, stubHandlerSettings } from '../support/builders.js';

const clock = { now: () => new Date('2026-02-01T00:00:00.000Z') };
const ctx = aContext({ roles: ['operator'] });

/** A trail of `perLane[i]` records in lane i, appended round-robin as concurrent writers would. */
function aTrail(perLane: number[]): InMemoryAuditTrail {
  const trail = new InMemoryAuditTrail();
  const most = Math.max(...perLane);
  for (let n = 0; n < most; n++) {
    for (const [lane, count] of perLane.entries()) if (n < count) trail.append(lane);
  }
  return trail;
}

const cursorKey = Buffer.from('unit-audit-cursor-key');
const depsOf = (trail: InMemoryAuditTrail, lanes: number, key = cursorKey) => ({
  audit: trail,
  clock,
  lanes,
  cursorKey: async () => key,
});

const verify = (trail: InMemoryAuditTrail, lanes: number, cursor?: string, as = ctx, key = cursorKey) =>
  verifyAuditChain(cursor === undefined ? {} : { cursor }, as, depsOf(trail, lanes, key));

/** A cursor's body as a client can read it (base64url JSON before the MAC). */
const bodyOf = (cursor: string) => JSON.parse(Buffer.from(cursor.split('.')[0]!, 'base64url').toString('utf8'));
const aBody = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A MAC-shaped segment no key made. */
const FAKE_MAC = Buffer.alloc(32, 7).toString('base64url');

/** A trail with one lane longer than one call's share of 256 lanes, and that share. */
function aLongLane(extra = 10) {
  const lanes = 256;
  const perLane = Math.floor(AUDIT_VERIFY_RECORDS_PER_CALL / lanes);
  return { lanes, perLane, trail: aTrail([perLane + extra]) };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).details).toEqual([{ field: 'cursor', message: 'invalid cursor' }]);
}

const recordAt = (trail: InMemoryAuditTrail, lane: number, seq: number) =>
  trail.records.find((r) => r.lane === lane && r.seq === seq)!;

describe('audit chain verification', () => {
  it('verifies every lane of an untouched chain through its head, empty lanes included', async () => {
    const result = await verify(aTrail([3, 0, 5]), 4);
    expect(AuditVerification.parse(result)).toEqual(result);
    expect(result).toMatchObject({ verified: true, complete: true, records: 8, nextCursor: null });
    expect(result.checkedAt).toBe('2026-02-01T00:00:00.000Z');
    expect(result.lanes).toEqual([
      { lane: 0, fromSeq: 1, records: 3, lastSeq: 3, headSeq: 3, verified: true, complete: true },
      { lane: 1, fromSeq: 1, records: 0, lastSeq: 0, headSeq: 0, verified: true, complete: true },
      { lane: 2, fromSeq: 1, records: 5, lastSeq: 5, headSeq: 5, verified: true, complete: true },
      { lane: 3, fromSeq: 1, records: 0, lastSeq: 0, headSeq: 0, verified: true, complete: true },
    ]);
  });

  it('reports a record altered after it was written as a hash mismatch at its sequence number', async () => {
    const trail = aTrail([4, 4]);
    const victim = recordAt(trail, 1, 3);
    victim.actor = 'mallory';
    const result = await verify(trail, 2);
    expect(result.verified).toBe(false);
    expect(result.lanes[0]).toMatchObject({ verified: true });
    expect(result.lanes[1]).toEqual({
      lane: 1,
      fromSeq: 1,
      records: 3,
      lastSeq: 2,
      headSeq: 4,
      verified: false,
      complete: true,
      break: { seq: 3, recordId: victim.id, reason: 'hash-mismatch' },
    });
  });

  it('reports a deleted record as a gap at the record after it, and a deleted newest record as missing', async () => {
    const trail = aTrail([5, 5]);
    trail.records.splice(trail.records.indexOf(recordAt(trail, 0, 2)), 1);
    trail.records.splice(trail.records.indexOf(recordAt(trail, 1, 5)), 1);
    const result = await verify(trail, 2);
    expect(result.lanes[0]!.break).toEqual({ seq: 3, recordId: recordAt(trail, 0, 3).id, reason: 'gap' });
    expect(result.lanes[1]!.break).toEqual({ seq: 5, recordId: null, reason: 'missing' });
    expect(result.lanes[1]).toMatchObject({ records: 4, lastSeq: 4 });
  });

  it('reports a lane rewritten consistently from a record on, links and hashes recomputed, at its head', async () => {
    const trail = aTrail([4]);
    // Rewrite records 3 and 4 with a new actor and their links recomputed: the lane walks, the head does not match.
    let prev = recordAt(trail, 0, 2).hash;
    for (const seq of [3, 4]) {
      const r = recordAt(trail, 0, seq);
      const { id: _id, lane: _lane, seq: _seq, prevHash: _p, hash: _h, ...entry } = { ...r, actor: 'mallory' };
      Object.assign(r, { actor: 'mallory' }, linkAudit(entry, 0, seq, prev));
      prev = r.hash;
    }
    const result = await verify(trail, 1);
    expect(result.lanes[0]).toMatchObject({
      verified: false,
      lastSeq: 4,
      break: { seq: 4, recordId: recordAt(trail, 0, 4).id, reason: 'head-mismatch' },
    });
  });

  it('checks at most its share of the call budget per lane, and its cursor continues where it stopped', async () => {
    const lanes = 256;
    const perLane = Math.floor(AUDIT_VERIFY_RECORDS_PER_CALL / lanes);
    const trail = aTrail([perLane + 40, 10]);
    // Altered beyond what the first call checks: only the call that continues the lane can find it.
    recordAt(trail, 0, perLane + 20).action = 'entity.delete';
    const first = await verify(trail, lanes);
    expect(first).toMatchObject({ verified: true, complete: false, recordsPerLane: perLane });
    expect(first.lanes[0]).toEqual({
      lane: 0,
      fromSeq: 1,
      records: perLane,
      lastSeq: perLane,
      headSeq: perLane + 40,
      verified: true,
      complete: false,
    });
    expect(first.lanes[1]).toMatchObject({ records: 10, complete: true });
    expect(first.nextCursor).toEqual(expect.any(String));

    const second = await verify(trail, lanes, first.nextCursor!);
    expect(second.lanes.map((l) => l.lane)).toEqual([0]);
    expect(second).toMatchObject({ verified: false, complete: true, nextCursor: null });
    expect(second.lanes[0]!.break).toEqual({
      seq: perLane + 20,
      recordId: recordAt(trail, 0, perLane + 20).id,
      reason: 'hash-mismatch',
    });
  });

  it('shares the budget of a continued call among the lanes still incomplete, re-hashing where each resumes', async () => {
    const lanes = 256;
    const perLane = Math.floor(AUDIT_VERIFY_RECORDS_PER_CALL / lanes);
    const trail = aTrail([perLane * 2 + 5, perLane * 3, 7]);
    const first = await verify(trail, lanes);
    expect(first.lanes.slice(0, 3).map((l) => [l.lastSeq, l.complete])).toEqual([
      [perLane, false],
      [perLane, false],
      [7, true],
    ]);
    const second = await verify(trail, lanes, first.nextCursor!);
    expect(second.recordsPerLane).toBe(AUDIT_VERIFY_RECORDS_PER_CALL / 2);
    // Each continued lane hashes the record it resumes from again, then the rest.
    expect(second.lanes).toEqual([
      {
        lane: 0,
        fromSeq: perLane,
        records: perLane + 6,
        lastSeq: perLane * 2 + 5,
        headSeq: perLane * 2 + 5,
        verified: true,
        complete: true,
      },
      {
        lane: 1,
        fromSeq: perLane,
        records: perLane * 2 + 1,
        lastSeq: perLane * 3,
        headSeq: perLane * 3,
        verified: true,
        complete: true,
      },
    ]);
    expect(second).toMatchObject({ verified: true, complete: true, records: perLane * 3 + 7, nextCursor: null });
  });

  it('reports a record a cursor resumes from whose content was altered since, its hash kept', async () => {
    const { lanes, perLane, trail } = aLongLane();
    const first = await verify(trail, lanes);
    recordAt(trail, 0, perLane).actor = 'mallory';
    const second = await verify(trail, lanes, first.nextCursor!);
    expect(second.lanes[0]).toMatchObject({ fromSeq: perLane, verified: false, lastSeq: perLane - 1 });
    expect(second.lanes[0]!.break).toMatchObject({ seq: perLane, reason: 'hash-mismatch' });
  });

  it('refuses a hand-made cursor for a real lane, its JSON well formed, whatever its MAC segment', async () => {
    const { lanes, perLane, trail } = aLongLane(500);
    // Lane 0 "verified through perLane + 400" although no call checked it: the call would check only the rest.
    const claim = aBody({ l: [[0, perLane + 400]] });
    await refusal(verify(trail, lanes, claim));
    await refusal(verify(trail, lanes, `${claim}.${FAKE_MAC}`));
  });

  it('refuses a cursor whose points were moved, its MAC genuine', async () => {
    const { lanes, perLane, trail } = aLongLane(500);
    const first = await verify(trail, lanes);
    expect(bodyOf(first.nextCursor!)).toEqual({ l: [[0, perLane]] });
    const mac = first.nextCursor!.split('.')[1];
    await refusal(verify(trail, lanes, `${aBody({ l: [[0, perLane + 400]] })}.${mac}`));
  });

  it("refuses another tenant's cursor over the same records, and one signed with another key", async () => {
    const { lanes, trail } = aLongLane();
    const first = await verify(trail, lanes);
    await expect(verify(trail, lanes, first.nextCursor!)).resolves.toMatchObject({ verified: true });
    await refusal(verify(trail, lanes, first.nextCursor!, aContext({ tenantId: 'tenant-b', roles: ['operator'] })));
    await refusal(verify(trail, lanes, first.nextCursor!, ctx, Buffer.from('another-platform-key')));
  });

  it('refuses a cursor whose resume record was rewritten with a new hash, or removed, since it was verified', async () => {
    const { lanes, perLane, trail } = aLongLane();
    const first = await verify(trail, lanes);
    const anchor = recordAt(trail, 0, perLane);
    const { id: _id, lane: _lane, seq: _seq, prevHash: _p, hash: _h, ...entry } = { ...anchor, actor: 'mallory' };
    Object.assign(anchor, { actor: 'mallory' }, linkAudit(entry, 0, perLane, anchor.prevHash));
    await refusal(verify(trail, lanes, first.nextCursor!));
    trail.records.splice(trail.records.indexOf(anchor), 1);
    await refusal(verify(trail, lanes, first.nextCursor!));
    // Verifying again from the genesis finds what changed.
    expect((await verify(trail, lanes)).lanes[0]!.break).toMatchObject({ seq: perLane, reason: 'missing' });
  });

  it('does not check again what an earlier call verified: a record altered before the resume point after it was verified is found by the next verification from the genesis', async () => {
    const { lanes, perLane, trail } = aLongLane();
    const first = await verify(trail, lanes);
    const victim = recordAt(trail, 0, 5);
    victim.actor = 'mallory';
    const second = await verify(trail, lanes, first.nextCursor!);
    expect(second).toMatchObject({ verified: true, complete: true });
    expect(second.lanes[0]).toMatchObject({ fromSeq: perLane, lastSeq: perLane + 10 });
    const again = await verify(trail, lanes);
    expect(again.lanes[0]).toMatchObject({ fromSeq: 1, verified: false, break: { seq: 5, reason: 'hash-mismatch' } });
  });

  it.each([
    ['no MAC', aBody({ l: [[0, 1]] })],
    ['a MAC segment too short', `${aBody({ l: [[0, 1]] })}.${FAKE_MAC.slice(1)}`],
    ['a third segment', `${aBody({ l: [[0, 1]] })}.${FAKE_MAC}.x`],
    ['not base64url', `!!.${FAKE_MAC}`],
    ['not JSON', `${Buffer.from('{').toString('base64url')}.${FAKE_MAC}`],
    ['not UTF-8', `${Buffer.from([0xff, 0xfe]).toString('base64url')}.${FAKE_MAC}`],
    ['no lanes', `${aBody({ l: [] })}.${FAKE_MAC}`],
    ['a negative lane', `${aBody({ l: [[-1, 1]] })}.${FAKE_MAC}`],
    [
      'a lane twice',
      `${aBody({
        l: [
          [0, 1],
          [0, 2],
        ],
      })}.${FAKE_MAC}`,
    ],
    [
      'lanes out of order',
      `${aBody({
        l: [
          [1, 1],
          [0, 1],
        ],
      })}.${FAKE_MAC}`,
    ],
    ['a sequence number of 0', `${aBody({ l: [[0, 0]] })}.${FAKE_MAC}`],
    ['a record beyond the head', `${aBody({ l: [[0, 99]] })}.${FAKE_MAC}`],
    ['another field', `${aBody({ l: [[0, 1]], x: 1 })}.${FAKE_MAC}`],
  ])('refuses a cursor with %s, naming the field', async (_what, cursor) => {
    await refusal(verify(aTrail([3, 3]), 2, cursor));
  });

  it('needs audit:read', async () => {
    await expect(verifyAuditChain({}, aContext({ roles: ['analyst'] }), depsOf(aTrail([1]), 1))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(listAudit({ limit: 5 }, aContext({ roles: ['approver'] }), { audit: aTrail([1]) })).rejects.toThrow(
      ForbiddenError,
    );
  });
});

describe('the audit routes', () => {
  let makeHandler: typeof import('../../functions/handlers/list-audit.js').makeHandler;
  beforeAll(async () => {
    stubHandlerSettings((name, value) => vi.stubEnv(name, value));
    ({ makeHandler } = await import('../../functions/handlers/list-audit.js'));
  });

  const trail = new InMemoryAuditTrail();
  trail.append(0, { actor: 'ada', action: 'entity.create', resourceId: 'e1' });
  trail.append(1, { actor: 'bob', action: 'entity.update', resourceId: 'e1' });
  trail.append(0, { actor: 'ada', action: 'entity.update', resourceId: 'e2' });
  const get = (resource: string, query: Record<string, string> = {}): APIGatewayProxyEvent => ({
    ...anApiEvent({ query, principal: aPrincipal({ roles: ['operator'] }) }),
    httpMethod: 'GET',
    resource,
    path: resource,
  });
  const call = async (resource: string, query?: Record<string, string>) => {
    const res = await makeHandler(depsOf(trail, 2))(get(resource, query));
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };

  it('filters the trail by actor, action and resource, combined', async () => {
    const byAda = await call('/api/v1/audit', { actor: 'ada' });
    expect(byAda.body.items.map((r: { resourceId: string }) => r.resourceId)).toEqual(['e2', 'e1']);
    const both = await call('/api/v1/audit', { action: 'entity.update', resourceType: 'entity', resourceId: 'e1' });
    expect(both.body.items.map((r: { actor: string }) => r.actor)).toEqual(['bob']);
  });

  it('answers the verification route with the lanes', async () => {
    const res = await call('/api/v1/audit/verification');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verified: true, complete: true, records: 3 });
    expect(res.body.lanes.map((l: { headSeq: number }) => l.headSeq)).toEqual([2, 1]);
  });

  it.each([
    ['/api/v1/audit', { actor: 'a\u0001b' }, 'query.actor'],
    ['/api/v1/audit', { action: '\ud800' }, 'query.action'],
    ['/api/v1/audit', { resourceType: 'x'.repeat(257) }, 'query.resourceType'],
    ['/api/v1/audit', { resourceId: '' }, 'query.resourceId'],
    ['/api/v1/audit', { resource: 'e1' }, 'query.resource'],
    ['/api/v1/audit', { limit: '-1' }, 'query.limit'],
    ['/api/v1/audit/verification', { limit: '5' }, 'query.limit'],
    ['/api/v1/audit/verification', { cursor: 'nope!' }, 'cursor'],
  ])('refuses %s with %o naming %s', async (resource, query, field) => {
    const res = await call(resource, query);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});
