// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Id, PageQuery } from './common.js';
import { ScheduleExpression } from './connectors.js';
import { RunStatus } from './workflow.js';

/**
 * Workflow triggers at the API edge: a schedule (cron or rate, EventBridge Scheduler's syntax) or an inbound webhook
 * (Standard Webhooks) that starts a workflow. Signal rules start workflows too, with `then.startWorkflow` on the rule
 * (docs/triggers.md); those are part of the rule, not triggers of their own.
 */
export const TRIGGER_KINDS = ['schedule', 'webhook'] as const;
export const TriggerKind = z.enum(TRIGGER_KINDS).meta({ id: 'TriggerKind' });
export type TriggerKind = z.infer<typeof TriggerKind>;

/** The input member each kind fills with what started the run, so a trigger's own input may not use it. */
export const TRIGGER_INPUT_MEMBER: Readonly<Record<TriggerKind, string>> = { schedule: 'schedule', webhook: 'webhook' };

/** Input merged into every run the trigger starts (after what started it: `{ webhook: <body>, ...input }`). */
const TriggerInput = z.record(z.string(), z.unknown());
const Name = z.string().min(1).max(128);

export const CreateTriggerRequest = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('schedule'),
      workflowId: Id,
      name: Name.optional(),
      /** `rate(…)` or `cron(…)` in UTC; at most once a minute. */
      schedule: ScheduleExpression,
      input: TriggerInput.default({}),
      enabled: z.boolean().default(true),
    }),
    z.strictObject({
      kind: z.literal('webhook'),
      workflowId: Id,
      name: Name.optional(),
      input: TriggerInput.default({}),
      enabled: z.boolean().default(true),
    }),
  ])
  .meta({ id: 'CreateTriggerRequest' });
export type CreateTriggerRequest = z.infer<typeof CreateTriggerRequest>;

/** A change with the version read (409 if it changed); fields left out keep their value. The kind is fixed. */
export const UpdateTriggerRequest = z
  .strictObject({
    version: z.number().int().min(1),
    workflowId: Id.optional(),
    name: Name.nullable().optional(),
    schedule: ScheduleExpression.optional(),
    input: TriggerInput.optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: 'UpdateTriggerRequest' });
export type UpdateTriggerRequest = z.infer<typeof UpdateTriggerRequest>;

export const Trigger = z
  .object({
    id: z.string(),
    kind: TriggerKind,
    name: z.string().nullable(),
    workflowId: z.string(),
    input: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
    /** The schedule expression (kind schedule), else null. */
    schedule: z.string().nullable(),
    /** The hook id (kind webhook), else null: `POST /api/v1/hooks/{hookId}` starts the workflow. */
    hookId: z.string().nullable(),
    hookPath: z.string().nullable(),
    /** The user whose roles the trigger's runs act with: whoever created or last changed it. */
    updatedBy: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int().min(1),
  })
  .meta({ id: 'Trigger' });
export type Trigger = z.infer<typeof Trigger>;

/** A created webhook trigger carries its signing secret (`whsec_…`), this once: it is never returned again. */
export const CreatedTrigger = Trigger.extend({ secret: z.string().optional() }).meta({ id: 'CreatedTrigger' });
export type CreatedTrigger = z.infer<typeof CreatedTrigger>;

export const TriggerList = z
  .object({ items: z.array(Trigger), nextCursor: z.string().nullable() })
  .meta({ id: 'TriggerList' });
export const ListTriggersQuery = PageQuery;
export const TriggerIdPath = z.strictObject({
  id: z.string().regex(/^trg_[A-Za-z0-9_-]{6,64}$/, 'a trigger id (trg_…)'),
});

/**
 * A hook id: `hk.<tenantId>.<key>`, where the trigger's id is `trg_<key>`. It names the tenant because the hook's
 * route has no token: the request is authenticated by its Standard Webhooks signature with the trigger's secret.
 */
export const HOOK_ID = /^hk\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{6,64})$/;
export const HookIdPath = z.strictObject({ hookId: z.string().max(140) });

/** The answer to an inbound webhook: the run it started, or (`duplicate`) the run an earlier delivery of its id did. */
export const WebhookAccepted = z
  .object({ executionId: z.string(), status: RunStatus, duplicate: z.boolean() })
  .meta({ id: 'WebhookAccepted' });
export type WebhookAccepted = z.infer<typeof WebhookAccepted>;

/** The input a trigger's schedule gives ScheduledWorkflow (`<aws.scheduler.scheduled-time>` filled in by Scheduler). */
export const ScheduledWorkflowInput = z.strictObject({
  tenantId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  triggerId: z.string().regex(/^trg_[A-Za-z0-9_-]{6,64}$/),
  scheduledTime: z.iso.datetime({ offset: true }),
});
export type ScheduledWorkflowInput = z.infer<typeof ScheduledWorkflowInput>;
