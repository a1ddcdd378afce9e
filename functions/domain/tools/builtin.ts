import * as z from 'zod';
import { Attributes } from '../../../schemas/entity.js';
import { WebhookSecret } from '../../../schemas/workflow.js';
import { patchEntity } from '../entities/entity-use-cases.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { ToolFailedError, ToolRetryableError } from '../workflows/errors.js';
import { requestContextOf, type Tool, type ToolContext, type ToolDeps } from './tool.js';

const Json = z.record(z.string(), z.unknown());

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

/**
 * Patches an entity through the normal audited path (entity.updated event, audit record), exactly once per
 * step, as the user who started the run: their roles must grant entities:write, or the step fails FORBIDDEN.
 */
export const entityUpdate: Tool<z.infer<typeof EntityUpdateInput>, z.infer<typeof EntityUpdateOutput>> = {
  name: 'entity.update',
  description:
    'Patches attributes of an entity (JSON merge patch, null removes) with the roles of the user who started the run, audited as them.',
  input: EntityUpdateInput,
  output: EntityUpdateOutput,
  automatable: true,
  requiresApproval: false,
  async execute(input, ctx, deps) {
    try {
      // The version read here only matters for the first application: a repeated step gets the first
      // result back from the idempotency marker, including the values it replaced.
      const version = input.version ?? (await deps.entities.get(ctx.tenantId, input.entityId))?.version ?? 1;
      const { entity, previous } = await patchEntity(
        input.entityId,
        { version, attributes: input.attributes },
        requestContextOf(ctx),
        entityDeps(deps),
        {
          idempotencyKey: `${ctx.effectKey}:apply`,
        },
      );
      const before = Object.fromEntries(Object.keys(input.attributes).map((k) => [k, previous.attributes[k] ?? null]));
      return { entityId: entity.id, version: entity.version, before };
    } catch (error) {
      throw asToolError(error, ctx);
    }
  },
  async compensate(input, output, ctx, deps) {
    try {
      await patchEntity(
        output.entityId,
        { version: output.version, attributes: output.before },
        requestContextOf(ctx),
        entityDeps(deps),
        {
          idempotencyKey: `${ctx.effectKey}:compensate`,
        },
      );
    } catch (error) {
      // Changed by someone else since: the compensation would overwrite their change, so it is refused.
      if (error instanceof ConflictError || error instanceof NotFoundError)
        throw new ToolFailedError(`cannot compensate: ${error.message}`, { cause: error });
      throw asToolError(error, ctx);
    }
  },
};

const entityDeps = (deps: ToolDeps) => ({ entities: deps.entities, clock: deps.clock, idempotency: deps.idempotency });

/** Refusals that a retry cannot change become ToolFailedError; a missing permission keeps its FORBIDDEN code. */
function asToolError(error: unknown, ctx: ToolContext): unknown {
  if (error instanceof ForbiddenError) {
    return new ToolFailedError(`${ctx.startedBy.userId}, who started the run, may not do this: ${error.message}`, {
      cause: error,
      code: 'FORBIDDEN',
    });
  }
  if (error instanceof NotFoundError || error instanceof ConflictError || error instanceof ValidationError)
    return new ToolFailedError(error.message, { cause: error });
  return error;
}

const WebhookInput = z.strictObject({
  url: z.string().url().max(2048),
  /** Sealed at rest with the definition and never returned (`secretInputs`); opened when the step runs. */
  secret: WebhookSecret,
  eventType: z.string().min(1).max(100).default('workflow.step'),
  payload: Json.default({}),
});

/**
 * A signed outbound call (Standard Webhooks). Its webhook-id is the step's effect key, so a retried
 * step re-sends the same message id and the receiver deduplicates. Not compensatable.
 */
export const httpWebhook: Tool<z.infer<typeof WebhookInput>, { delivered: true; attempts: number; status: number }> = {
  name: 'http.webhook',
  description:
    'Sends a signed webhook (Standard Webhooks) to an https URL; private and metadata addresses are refused.',
  input: WebhookInput,
  output: z.object({ delivered: z.literal(true), attempts: z.number().int(), status: z.number().int() }),
  automatable: false,
  requiresApproval: true,
  secretInputs: ['secret'],
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
      const permanent =
        lastError.kind === 'refused' ||
        lastError.kind === 'redirect' ||
        (lastError.kind === 'http_status' && lastError.status < 500 && lastError.status !== 429);
      throw permanent
        ? new ToolFailedError(`webhook not delivered: ${lastError.message}`)
        : new ToolRetryableError(`webhook not delivered: ${lastError.message}`);
    }
    return { delivered: true, attempts: delivery.attempts, status: delivery.status };
  },
};

/**
 * The tools every tenant's registry holds, in AWS and on the local platform alike. The composition root
 * builds the registry from this list; tools for tests live under test/ and are never part of it.
 */
export const BUILTIN_TOOLS: readonly Tool[] = [entityUpdate, httpWebhook];
