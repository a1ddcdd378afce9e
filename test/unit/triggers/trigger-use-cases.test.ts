import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../functions/domain/errors.js';
import {
  createTrigger,
  deleteTrigger,
  getTrigger,
  listTriggers,
  TriggerScheduleNotAppliedError,
  updateTrigger,
  workflowScheduleProblem,
} from '../../../functions/domain/triggers/trigger-use-cases.js';
import { isValidWebhookSecret } from '../../../functions/domain/webhooks/signing.js';
import { HOOK_ID } from '../../../schemas/triggers.js';
import { aContext } from '../../support/builders.js';
import { triggerWorld } from './builders.js';

const admin = aContext({ userId: 'ada', roles: ['admin'] });

describe('schedule triggers', () => {
  it('creates one with its schedule in the scheduler, recording the roles its runs act with', async () => {
    const { deps, schedules, triggers } = await triggerWorld();

    const out = await createTrigger(
      { kind: 'schedule', workflowId: 'wf-1', schedule: 'rate(1 minute)', input: { a: 1 }, enabled: true },
      admin,
      deps,
    );

    expect(out).toMatchObject({ kind: 'schedule', schedule: 'rate(1 minute)', hookId: null, version: 1 });
    expect(out).not.toHaveProperty('secret');
    expect(schedules.schedules.get(`tenant-a/${out.id}`)).toBe('rate(1 minute)');
    expect((await triggers.get('tenant-a', out.id))!.roles).toEqual(['admin']);
    expect(triggers.mutations[0]!.audit).toMatchObject({ action: 'trigger.create', actor: 'ada' });
  });

  it('creates a disabled one without a schedule, and enabling it puts the schedule', async () => {
    const { deps, schedules } = await triggerWorld();
    const t = await createTrigger(
      { kind: 'schedule', workflowId: 'wf-1', schedule: 'cron(0 2 * * ? *)', input: {}, enabled: false },
      admin,
      deps,
    );
    expect(schedules.calls).toEqual([]);

    await updateTrigger(t.id, { version: 1, enabled: true }, admin, deps);
    expect(schedules.schedules.get(`tenant-a/${t.id}`)).toBe('cron(0 2 * * ? *)');
    await updateTrigger(t.id, { version: 2, enabled: false }, admin, deps);
    expect(schedules.schedules.has(`tenant-a/${t.id}`)).toBe(false);
  });

  it.each([
    ['a one-time schedule', 'at(2030-01-01T00:00:00)'],
    ['a rate of a plural unit for 1', 'rate(1 minutes)'],
    ['a cron with both days given', 'cron(0 2 1 * MON *)'],
  ])('refuses %s with 400 naming schedule', async (_label, schedule) => {
    const { deps, triggers } = await triggerWorld();
    const error = await createTrigger(
      { kind: 'schedule', workflowId: 'wf-1', schedule, input: {}, enabled: true },
      admin,
      deps,
    ).catch((e: unknown) => e);
    expect((error as ValidationError).details?.map((d) => d.field)).toEqual(['schedule']);
    expect(triggers.items.size).toBe(0);
  });

  it('accepts a schedule every minute, which connectors would refuse', () => {
    expect(workflowScheduleProblem('cron(* * * * ? *)')).toBeNull();
    expect(workflowScheduleProblem('rate(1 minute)')).toBeNull();
  });

  it('keeps nothing when the schedule cannot be created (503)', async () => {
    const { deps, schedules, triggers } = await triggerWorld();
    schedules.failNext = new Error('scheduler down');
    await expect(
      createTrigger(
        { kind: 'schedule', workflowId: 'wf-1', schedule: 'rate(5 minutes)', input: {}, enabled: true },
        admin,
        deps,
      ),
    ).rejects.toBeInstanceOf(TriggerScheduleNotAppliedError);
    expect(triggers.items.size).toBe(0);
    expect(triggers.mutations.map((m) => m.audit.action)).toEqual(['trigger.create', 'trigger.delete']);
  });

  it('puts a changed trigger back when its schedule cannot follow', async () => {
    const { deps, schedules, triggers } = await triggerWorld();
    const t = await createTrigger(
      { kind: 'schedule', workflowId: 'wf-1', schedule: 'rate(5 minutes)', input: {}, enabled: true },
      admin,
      deps,
    );
    schedules.failNext = new Error('scheduler down');

    await expect(updateTrigger(t.id, { version: 1, schedule: 'rate(1 hour)' }, admin, deps)).rejects.toBeInstanceOf(
      TriggerScheduleNotAppliedError,
    );
    expect((await triggers.get('tenant-a', t.id))!).toMatchObject({ schedule: 'rate(5 minutes)', version: 3 });
    expect(schedules.schedules.get(`tenant-a/${t.id}`)).toBe('rate(5 minutes)');
  });

  it('deletes the trigger and its schedule', async () => {
    const { deps, schedules, triggers } = await triggerWorld();
    const t = await createTrigger(
      { kind: 'schedule', workflowId: 'wf-1', schedule: 'rate(5 minutes)', input: {}, enabled: true },
      admin,
      deps,
    );
    await deleteTrigger(t.id, admin, deps);
    expect(triggers.items.size).toBe(0);
    expect(schedules.schedules.size).toBe(0);
    await expect(deleteTrigger(t.id, admin, deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('webhook triggers', () => {
  it('returns the signing secret once and keeps it only sealed; reads never show it', async () => {
    const { deps, triggers, secrets } = await triggerWorld();

    const out = await createTrigger({ kind: 'webhook', workflowId: 'wf-1', input: {}, enabled: true }, admin, deps);

    expect(isValidWebhookSecret(out.secret!)).toBe(true);
    expect(HOOK_ID.exec(out.hookId!)?.slice(1)).toEqual(['tenant-a', out.id.slice('trg_'.length)]);
    expect(out.hookPath).toBe(`/api/v1/hooks/${out.hookId}`);
    const stored = (await triggers.get('tenant-a', out.id))!;
    expect(JSON.stringify(stored)).not.toContain(out.secret!.slice(6));
    expect(await secrets.open('tenant-a', stored.sealedSecret!)).toBe(out.secret);
    const read = await getTrigger(out.id, admin, deps);
    const listed = await listTriggers({ limit: 10 }, admin, deps);
    for (const view of [read, ...listed.items]) {
      expect(view).not.toHaveProperty('secret');
      expect(view).not.toHaveProperty('sealedSecret');
      expect(view).not.toHaveProperty('roles');
    }
  });

  it('refuses an input setting the member its runs fill (input.webhook), and a schedule on a webhook trigger', async () => {
    const { deps } = await triggerWorld();
    const error = await createTrigger(
      { kind: 'webhook', workflowId: 'wf-1', input: { webhook: 1 }, enabled: true },
      admin,
      deps,
    ).catch((e: unknown) => e);
    expect((error as ValidationError).details?.map((d) => d.field)).toEqual(['input.webhook']);
    const t = await createTrigger({ kind: 'webhook', workflowId: 'wf-1', input: {}, enabled: true }, admin, deps);
    const patched = await updateTrigger(t.id, { version: 1, schedule: 'rate(1 hour)' }, admin, deps).catch(
      (e: unknown) => e,
    );
    expect((patched as ValidationError).details?.map((d) => d.field)).toEqual(['schedule']);
  });
});

describe('any trigger', () => {
  it('refuses an unknown workflow with 400 naming workflowId', async () => {
    const { deps } = await triggerWorld();
    const error = await createTrigger(
      { kind: 'webhook', workflowId: 'wf-missing', input: {}, enabled: true },
      admin,
      deps,
    ).catch((e: unknown) => e);
    expect((error as ValidationError).details?.map((d) => d.field)).toEqual(['workflowId']);
  });

  it('answers 409 to a stale version, and records who changed it last with their roles', async () => {
    const { deps, triggers } = await triggerWorld();
    const t = await createTrigger({ kind: 'webhook', workflowId: 'wf-1', input: {}, enabled: true }, admin, deps);
    const other = aContext({ userId: 'bob', roles: ['admin', 'approver'] });
    await updateTrigger(t.id, { version: 1, name: 'orders' }, other, deps);
    await expect(updateTrigger(t.id, { version: 1, name: 'x' }, admin, deps)).rejects.toBeInstanceOf(ConflictError);
    expect((await triggers.get('tenant-a', t.id))!).toMatchObject({
      name: 'orders',
      updatedBy: 'bob',
      createdBy: 'ada',
      roles: ['admin', 'approver'],
    });
  });

  it('is managed by admins only; operators may read; another tenant sees none', async () => {
    const { deps } = await triggerWorld();
    const operator = aContext({ roles: ['operator'] });
    await expect(
      createTrigger({ kind: 'webhook', workflowId: 'wf-1', input: {}, enabled: true }, operator, deps),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const t = await createTrigger({ kind: 'webhook', workflowId: 'wf-1', input: {}, enabled: true }, admin, deps);
    await expect(getTrigger(t.id, operator, deps)).resolves.toMatchObject({ id: t.id });
    await expect(getTrigger(t.id, aContext({ tenantId: 'tenant-b' }), deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});
