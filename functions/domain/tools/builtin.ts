import * as z from 'zod';
import { Attributes } from '../../../schemas/entity.js';
import { patchEntity } from '../entities/entity-use-cases.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { ToolFailedError, ToolRetryableError } from '../workflows/errors.js';
import type { Tool, ToolContext, ToolDeps } from './tool.js';

const Json = z.record(z.string(), z.unknown());

/** Returns its input: for tests, demos and wiring checks. No effect, so it declares no compensation. */
export const coreEcho: Tool<Record<string, unknown>, Record<string, unknown>> = {
  name: 'core.echo',
  description: 'Returns its input unchanged.',
  input: Json,
  output: Json,
  automatable: true,
  requiresApproval: false,
  execute: async (input) => input,
};

const FailInput = z.strictObject({
  /** `retryable` failures are retried by the state machine; `permanent` ones are not. */
  kind: z.enum(['retryable', 'permanent']).default('permanent'),
  /** Fail only the first N attempts of the step, then succeed (default: always fail). */
  attempts: z.number().int().min(1).max(100).optional(),
  message: z.string().max(200).default('failure requested by core.fail'),
});

/** Fails on purpose, for testing retries, compensation and redrive. */
export const coreFail: Tool<z.infer<typeof FailInput>, { attempt: number }> = {
  name: 'core.fail',
  description: 'Fails with a retryable or permanent error (optionally only the first N attempts), for testing failure handling.',
  input: FailInput,
  output: z.object({ attempt: z.number().int() }),
  automatable: true,
  requiresApproval: false,
  async execute(input, ctx) {
    if (input.attempts === undefined || ctx.attempt <= input.attempts) {
      throw input.kind === 'retryable' ? new ToolRetryableError(input.message) : new ToolFailedError(input.message);
    }
    return { attempt: ctx.attempt };
  },
};

const EntityUpdateInput = z.strictObject({
  entityId: z.string().min(1).max(64),
  attributes: Attributes,
  /** Expected version; default: the version read just before the update. */
  version: z.number().int().min(1).optional(),
});
const EntityUpdateOutput = z.object({
  entityId: z.string(),
  version: z.number().int(),
  /** The attributes' values before the update (null: absent), to compensate. */
  before: z.record(z.string(), z.unknown()),
});

const actingAs = (ctx: ToolContext) => ({
  principal: { tenantId: ctx.tenantId, userId: ctx.actor, roles: ['admin'] as string[] },
  requestId: `${ctx.runId}:${ctx.stepId}`,
});

/** Patches an entity through the normal audited path (entity.updated event, audit record), exactly once per step. */
export const entityUpdate: Tool<z.infer<typeof EntityUpdateInput>, z.infer<typeof EntityUpdateOutput>> = {
  name: 'entity.update',
  description: 'Patches attributes of an entity (JSON merge patch, null removes), audited as the user who started the run.',
  input: EntityUpdateInput,
  output: EntityUpdateOutput,
  automatable: true,
  requiresApproval: false,
  async execute(input, ctx, deps) {
    try {
      // The version read here only matters for the first application: a repeated step gets the first
      // result back from the idempotency marker, including the values it replaced.
      const version = input.version ?? (await deps.entities.get(ctx.tenantId, input.entityId))?.version ?? 1;
      const { entity, previous } = await patchEntity(input.entityId, { version, attributes: input.attributes }, actingAs(ctx), entityDeps(deps), {
        idempotencyKey: `${ctx.effectKey}:apply`,
      });
      const before = Object.fromEntries(Object.keys(input.attributes).map((k) => [k, previous.attributes[k] ?? null]));
      return { entityId: entity.id, version: entity.version, before };
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof ConflictError || error instanceof ValidationError) throw new ToolFailedError(error.message, { cause: error });
      throw error;
    }
  },
  async compensate(input, output, ctx, deps) {
    try {
      await patchEntity(output.entityId, { version: output.version, attributes: output.before }, actingAs(ctx), entityDeps(deps), {
        idempotencyKey: `${ctx.effectKey}:compensate`,
      });
    } catch (error) {
      // Changed by someone else since: the compensation would overwrite their change, so it is refused.
      if (error instanceof ConflictError || error instanceof NotFoundError) throw new ToolFailedError(`cannot compensate: ${error.message}`, { cause: error });
      throw error;
    }
  },
};

const entityDeps = (deps: ToolDeps) => ({ entities: deps.entities, clock: deps.clock, idempotency: deps.idempotency });

const WebhookInput = z.strictObject({
  url: z.string().url().max(2048),
  secret: z.string().startsWith('whsec_'),
  eventType: z.string().min(1).max(100).default('workflow.step'),
  payload: Json.default({}),
});

/**
 * A signed outbound call (Standard Webhooks). Its webhook-id is the step's effect key, so a retried
 * step re-sends the same message id and the receiver deduplicates. Not compensatable.
 */
export const httpWebhook: Tool<z.infer<typeof WebhookInput>, { delivered: true; attempts: number; status: number }> = {
  name: 'http.webhook',
  description: 'Sends a signed webhook (Standard Webhooks) to an https URL; private and metadata addresses are refused.',
  input: WebhookInput,
  output: z.object({ delivered: z.literal(true), attempts: z.number().int(), status: z.number().int() }),
  automatable: false,
  requiresApproval: true,
  async execute(input, ctx, deps) {
    const delivery = await deps.webhooks.send({
      url: input.url,
      secrets: [input.secret],
      eventType: input.eventType,
      payload: input.payload,
      id: `msg_${ctx.effectKey.replace(/[^A-Za-z0-9_-]/g, '_')}`,
    });
    if (!delivery.delivered) {
      const { lastError } = delivery;
      // A refused URL or a 4xx will not get better by retrying the step.
      const permanent = lastError.kind === 'refused' || lastError.kind === 'redirect' || (lastError.kind === 'http_status' && lastError.status < 500 && lastError.status !== 429);
      throw permanent ? new ToolFailedError(`webhook not delivered: ${lastError.message}`) : new ToolRetryableError(`webhook not delivered: ${lastError.message}`);
    }
    return { delivered: true, attempts: delivery.attempts, status: delivery.status };
  },
};

export const BUILTIN_TOOLS: readonly Tool[] = [coreEcho, coreFail, entityUpdate, httpWebhook];
