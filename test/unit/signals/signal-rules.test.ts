// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../functions/domain/errors.js';
import {
  createSignalRule,
  deleteSignalRule,
  getSignalRule,
  listSignalRules,
  type SignalRuleDeps,
  updateSignalRule,
} from '../../../functions/domain/signals/use-cases/signal-rules.js';
import { aContext } from '../../support/builders.js';
import { fixedClock } from '../../fakes/clock-and-ids.js';
import { InMemorySignalRuleStore, workflowCatalogOf } from '../../fakes/in-memory-signals.js';

const T = 'tenant-a';
const admin = aContext({ tenantId: T, roles: ['admin'], userId: 'alice' });
const operator = aContext({ tenantId: T, roles: ['operator'], userId: 'otto' });
const analyst = aContext({ tenantId: T, roles: ['analyst'], userId: 'ann' });

const deps = (): SignalRuleDeps & { rules: InMemorySignalRuleStore } => ({
  rules: new InMemorySignalRuleStore(),
  workflows: workflowCatalogOf({ [T]: ['wf-review'] }),
  clock: fixedClock('2026-11-30T09:00:00.000Z'),
});

const anAbsenceRule = (overrides: Record<string, unknown> = {}) => ({
  id: 'S1',
  name: 'won, not invoiced',
  kind: 'absence',
  first: { detail: { activity: ['won'] } },
  missing: { detail: { activity: ['invoiced'] } },
  within: 'P7D',
  ...structuredClone(overrides),
});

/** The window of a rule of a kind that has one. */
const withinOf = (rule: object) => (rule as { within?: string }).within;

/** The fields a ValidationError names. */
async function refusedFields(p: Promise<unknown>): Promise<string[]> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return ((error as ValidationError).details ?? []).map((d) => d.field ?? '');
}

describe('creating signal rules', () => {
  it('stores version 1 with its defaults, audited, and moves the rule set', async () => {
    const d = deps();
    const rule = await createSignalRule(anAbsenceRule(), admin, d);
    expect(rule).toMatchObject({ id: 'S1', version: 1, key: 'entityId', enabled: true, createdBy: 'alice' });
    expect(d.rules.mutations.map((m) => [m.audit.action, m.audit.resourceId, m.audit.beforeHash])).toEqual([
      ['signal-rule.create', 'S1', null],
    ]);
    expect(await d.rules.ruleSetVersion(T)).toBe(1);
  });

  it('lets an operator create rules and refuses an analyst (signals:write)', async () => {
    const d = deps();
    await expect(createSignalRule(anAbsenceRule(), operator, d)).resolves.toMatchObject({ createdBy: 'otto' });
    await expect(createSignalRule(anAbsenceRule({ id: 'S2' }), analyst, d)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses an id the tenant already has with 409, and stores nothing', async () => {
    const d = deps();
    await createSignalRule(anAbsenceRule(), admin, d);
    await expect(createSignalRule(anAbsenceRule({ name: 'other' }), admin, d)).rejects.toBeInstanceOf(ConflictError);
    expect(d.rules.mutations).toHaveLength(1);
  });

  it('refuses the id preview, which the preview route would shadow, naming id', async () => {
    const d = deps();
    expect(await refusedFields(createSignalRule(anAbsenceRule({ id: 'preview' }), admin, d))).toEqual(['id']);
    expect(d.rules.mutations).toHaveLength(0);
    await expect(createSignalRule(anAbsenceRule({ id: 'previews' }), admin, d)).resolves.toMatchObject({ version: 1 });
  });

  it.each([
    ['a malformed pattern inside first', { first: { detail: { activity: 'won' } } }, 'first.detail.activity'],
    ['a window that is no ISO 8601 duration', { within: '7 days' }, 'within'],
    ['a field the kind does not have', { atLeast: 3 }, 'atLeast'],
    ['an unknown kind', { kind: 'sometimes' }, 'kind'],
  ])('refuses %s with 400 naming the field, and stores nothing', async (_what, change, field) => {
    const d = deps();
    expect(await refusedFields(createSignalRule(anAbsenceRule(change), admin, d))).toContain(field);
    expect(d.rules.mutations).toHaveLength(0);
  });

  it('refuses a rule that starts a workflow the tenant does not have, naming then.startWorkflow', async () => {
    const d = deps();
    const unknown = anAbsenceRule({ then: { startWorkflow: 'wf-nope' } });
    expect(await refusedFields(createSignalRule(unknown, admin, d))).toEqual(['then.startWorkflow']);
    const viaAction = anAbsenceRule({ action: { startWorkflow: 'wf-nope' } });
    expect(await refusedFields(createSignalRule(viaAction, admin, d))).toEqual(['action.startWorkflow']);
    await expect(
      createSignalRule(anAbsenceRule({ then: { startWorkflow: 'wf-review' } }), admin, d),
    ).resolves.toMatchObject({
      then: { startWorkflow: 'wf-review' },
    });
  });

  it("does not see another tenant's workflow as the tenant's", async () => {
    const d = { ...deps(), workflows: workflowCatalogOf({ 'tenant-b': ['wf-b'] }) };
    expect(await refusedFields(createSignalRule(anAbsenceRule({ then: { startWorkflow: 'wf-b' } }), admin, d))).toEqual(
      ['then.startWorkflow'],
    );
  });
});

describe('changing and deleting signal rules', () => {
  it('stores a change as version N+1 and keeps version N readable', async () => {
    const d = deps();
    await createSignalRule(anAbsenceRule(), admin, d);
    const changed = await updateSignalRule('S1', { version: 1, within: 'P10D' }, operator, d);
    expect(changed).toMatchObject({ version: 2, within: 'P10D', updatedBy: 'otto', createdBy: 'alice' });
    expect(withinOf(await getSignalRule('S1', 1, analyst, d))).toBe('P7D');
    expect(withinOf(await getSignalRule('S1', undefined, analyst, d))).toBe('P10D');
    expect(d.rules.mutations.at(-1)?.audit).toMatchObject({ action: 'signal-rule.update', resourceId: 'S1' });
  });

  it('answers 409 to a stale version and 404 to an unknown rule', async () => {
    const d = deps();
    await createSignalRule(anAbsenceRule(), admin, d);
    await updateSignalRule('S1', { version: 1, name: 'renamed' }, admin, d);
    await expect(updateSignalRule('S1', { version: 1, name: 'again' }, admin, d)).rejects.toBeInstanceOf(ConflictError);
    await expect(updateSignalRule('S9', { version: 1, name: 'x' }, admin, d)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('removes an optional field given as null, and checks the merged rule as a new one', async () => {
    const d = deps();
    await createSignalRule(anAbsenceRule({ description: 'why', case: { title: 'Not invoiced' } }), admin, d);
    const changed = await updateSignalRule('S1', { version: 1, description: null, case: null }, admin, d);
    expect(changed).not.toHaveProperty('description');
    expect(changed).not.toHaveProperty('case');
    expect(await refusedFields(updateSignalRule('S1', { version: 2, within: 'soon' }, admin, d))).toEqual(['within']);
    expect(await refusedFields(updateSignalRule('S1', { version: 2, id: 'S2' }, admin, d))).toEqual(['id']);
    expect(await refusedFields(updateSignalRule('S1', { version: 2, missing: null }, admin, d))).toContain('missing');
  });

  it('changes kind when the fields of the new kind are given and the old ones removed', async () => {
    const d = deps();
    await createSignalRule(anAbsenceRule(), admin, d);
    const count = await updateSignalRule(
      'S1',
      { version: 1, kind: 'count', first: null, missing: null, match: { detail: { activity: ['won'] } }, atLeast: 3 },
      admin,
      d,
    );
    expect(count).toMatchObject({ kind: 'count', atLeast: 3, within: 'P7D', version: 2 });
  });

  it('writes nothing for a change that changes nothing', async () => {
    const d = deps();
    await createSignalRule(anAbsenceRule(), admin, d);
    expect(await updateSignalRule('S1', { version: 1, within: 'P7D' }, admin, d)).toMatchObject({ version: 1 });
    expect(d.rules.mutations).toHaveLength(1);
  });

  it('deletes a rule (409 with a stale version), keeps its versions, and counts on when the id is used again', async () => {
    const d = deps();
    await createSignalRule(anAbsenceRule(), admin, d);
    await updateSignalRule('S1', { version: 1, within: 'P10D' }, admin, d);
    await expect(deleteSignalRule('S1', 1, admin, d)).rejects.toBeInstanceOf(ConflictError);
    await deleteSignalRule('S1', 2, admin, d);
    await expect(getSignalRule('S1', undefined, admin, d)).rejects.toBeInstanceOf(NotFoundError);
    expect(withinOf(await getSignalRule('S1', 2, admin, d))).toBe('P10D');
    expect((await listSignalRules({ limit: 10 }, admin, d)).items).toEqual([]);
    const again = await createSignalRule(anAbsenceRule({ name: 'back' }), admin, d);
    expect(again.version).toBe(3);
    expect((await getSignalRule('S1', 1, admin, d)).name).toBe('won, not invoiced');
    await expect(deleteSignalRule('S9', undefined, admin, d)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("keeps each tenant's rules apart", async () => {
    const d = deps();
    await createSignalRule(anAbsenceRule(), admin, d);
    const other = aContext({ tenantId: 'tenant-b', roles: ['admin'] });
    await expect(getSignalRule('S1', undefined, other, d)).rejects.toBeInstanceOf(NotFoundError);
    await expect(createSignalRule(anAbsenceRule(), other, d)).resolves.toMatchObject({ version: 1 });
    expect((await listSignalRules({ limit: 10 }, admin, d)).items.map((r) => r.name)).toEqual(['won, not invoiced']);
  });
});
