import { describe, expect, it } from 'vitest';
import { getCase, listCases, updateCase } from '../../../functions/domain/cases/case-use-cases.js';
import { recordSignalOnCase } from '../../../functions/domain/cases/signal-cases.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../functions/domain/errors.js';
import { MAX_CASE_NOTES } from '../../../schemas/cases.js';
import { EVENT_CATALOGUE } from '../../../schemas/events.js';
import { aContext } from '../../support/builders.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import { InMemoryCaseStore } from '../../fakes/in-memory-cases.js';
import { aSignal } from './builders.js';

function setup() {
  const cases = new InMemoryCaseStore();
  const deps = { cases, clock: fixedClock('2026-02-04T10:00:00.000Z'), ids: sequentialIds('note-id') };
  const open = async (overrides: Parameters<typeof aSignal>[0] = {}) =>
    (await recordSignalOnCase('tenant-a', aSignal(overrides), 'req-s', {
      cases,
      idempotency: cases,
      clock: fixedClock(),
      ids: sequentialIds(`case-${Math.random().toString(36).slice(2, 8)}`),
    }))!.caseId!;
  const operator = aContext({ userId: 'otto', roles: ['operator'] });
  const patch = (id: string, body: Parameters<typeof updateCase>[1], ctx = operator) => updateCase(id, body, ctx, deps);
  const lastEvent = () => cases.mutations.at(-1)!.events.at(-1)!;
  return { cases, deps, open, patch, operator, lastEvent };
}

describe('changing a case', () => {
  it('takes a case in progress with an assignee and a note, audited as the user, emitting case.updated', async () => {
    const { cases, open, patch, lastEvent } = setup();
    const id = await open();

    const out = await patch(id, { version: 1, status: 'in_progress', assignee: 'ada', note: 'on it' });

    expect(out).toMatchObject({ status: 'in_progress', assignee: 'ada', version: 2, resolvedAt: null });
    expect(out.notes).toEqual([
      { id: 'note_note-id-1', author: 'otto', text: 'on it', at: '2026-02-04T10:00:00.000Z' },
    ]);
    expect(cases.mutations.at(-1)!.audit).toMatchObject({ action: 'case.update', actor: 'otto', resourceId: id });
    expect(lastEvent()).toMatchObject({
      name: 'case.updated',
      payload: { changed: ['status', 'assignee', 'notes'], actor: 'otto', case: { noteCount: 1 } },
    });
    // Notes are free text: the event carries their count, never their text.
    expect(JSON.stringify(lastEvent().payload)).not.toContain('on it');
    expect(EVENT_CATALOGUE['case.updated'].detail.shape.payload.safeParse(lastEvent().payload).success).toBe(true);
  });

  it('resolves a case with case.resolved and frees its key, so the next signal opens a new case', async () => {
    const { cases, open, patch, lastEvent } = setup();
    const id = await open();
    await patch(id, { version: 1, status: 'in_progress' });

    const out = await patch(id, { version: 2, status: 'resolved' });

    expect(out).toMatchObject({ status: 'resolved', resolvedAt: '2026-02-04T10:00:00.000Z' });
    expect(cases.mutations.at(-1)!.audit.action).toBe('case.resolve');
    expect(lastEvent()).toMatchObject({ name: 'case.resolved', payload: { changed: ['status'] } });
    expect(EVENT_CATALOGUE['case.resolved'].detail.shape.payload.safeParse(lastEvent().payload).success).toBe(true);
    expect(await cases.openCaseOf('tenant-a', out.caseKey)).toBeUndefined();
    expect(await open()).not.toBe(id);
  });

  it('resolves an open case at once, and reopens a resolved one (case.updated) taking its key back', async () => {
    const { cases, open, patch, lastEvent } = setup();
    const id = await open();
    await patch(id, { version: 1, status: 'resolved' });

    const out = await patch(id, { version: 2, status: 'open' });

    expect(out).toMatchObject({ status: 'open', resolvedAt: null, version: 3 });
    expect(lastEvent()).toMatchObject({ name: 'case.updated', payload: { changed: ['status'] } });
    expect((await cases.openCaseOf('tenant-a', out.caseKey))!.id).toBe(id);
  });

  it('refuses to reopen a case whose key a newer case holds (409 naming it)', async () => {
    const { open, patch } = setup();
    const old = await open();
    await patch(old, { version: 1, status: 'resolved' });
    const newer = await open();

    const error = await patch(old, { version: 2, status: 'open' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toContain(newer);
  });

  it.each([
    ['in_progress', 'open'],
    ['resolved', 'in_progress'],
  ] as const)('refuses %s → %s with 400 naming status', async (from, to) => {
    const { open, patch, cases } = setup();
    const id = await open();
    let version = 1;
    if (from === 'in_progress') await patch(id, { version: version++, status: 'in_progress' });
    if (from === 'resolved') await patch(id, { version: version++, status: 'resolved' });
    const writes = cases.mutations.length;

    const error = await patch(id, { version, status: to }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details?.[0]?.field).toBe('status');
    expect(cases.mutations).toHaveLength(writes);
  });

  it('answers 409 to a stale version and changes nothing', async () => {
    const { open, patch, cases } = setup();
    const id = await open();
    await patch(id, { version: 1, assignee: 'ada' });
    const error = await patch(id, { version: 1, assignee: 'bob' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((await cases.get('tenant-a', id))!.assignee).toBe('ada');
  });

  it('unassigns with null, and writes nothing for a change that changes nothing', async () => {
    const { open, patch, cases } = setup();
    const id = await open();
    await patch(id, { version: 1, assignee: 'ada' });
    const writes = cases.mutations.length;
    expect((await patch(id, { version: 2, assignee: 'ada', status: 'open' })).version).toBe(2);
    expect(cases.mutations).toHaveLength(writes);
    expect((await patch(id, { version: 2, assignee: null })).assignee).toBeNull();
  });

  it('refuses a note beyond the most a case keeps, naming note', async () => {
    const { open, patch } = setup();
    const id = await open();
    for (let v = 1; v <= MAX_CASE_NOTES; v++) await patch(id, { version: v, note: `n${v}` });
    const error = await patch(id, { version: MAX_CASE_NOTES + 1, note: 'one more' }).catch((e: unknown) => e);
    expect((error as ValidationError).details?.[0]?.field).toBe('note');
  });

  it('lets admin and operator change cases, not analysts; a case of another tenant is not found', async () => {
    const { open, deps } = setup();
    const id = await open();
    await expect(
      updateCase(id, { version: 1, note: 'x' }, aContext({ roles: ['analyst'] }), deps),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      updateCase(id, { version: 1, note: 'x' }, aContext({ roles: ['admin'] }), deps),
    ).resolves.toMatchObject({ version: 2 });
    await expect(getCase(id, aContext({ tenantId: 'tenant-b' }), deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('listing cases', () => {
  it('filters by status, assignee, rule and entity together', async () => {
    const { open, patch, deps, operator } = setup();
    const a = await open({ caseKey: 'r1:e1', ruleId: 'r1', entityId: 'e1' });
    const b = await open({ caseKey: 'r1:e2', ruleId: 'r1', entityId: 'e2' });
    await open({ caseKey: 'r2:e1', ruleId: 'r2', entityId: 'e1' });
    await patch(a, { version: 1, assignee: 'ada', status: 'in_progress' });
    await patch(b, { version: 1, assignee: 'ada' });

    const ids = async (q: Record<string, string>) =>
      (await listCases({ limit: 25, ...q }, operator, deps)).items.map((c) => c.id).sort();

    expect(await ids({ assignee: 'ada' })).toEqual([a, b].sort());
    expect(await ids({ assignee: 'ada', status: 'open' })).toEqual([b]);
    expect(await ids({ rule: 'r1', entity: 'e1' })).toEqual([a]);
    expect((await ids({ entity: 'e1' })).length).toBe(2);
    await expect(listCases({ limit: 25 }, aContext({ roles: ['approver'] }), deps)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});
