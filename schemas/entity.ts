// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Id, PageQuery } from './common.js';
import { jsonValueIssues } from './json-rules.js';

export const ENTITY_TYPES = ['person', 'organization', 'deal', 'employee', 'account', 'contact', 'ticket'] as const;
export const EntityType = z.enum(ENTITY_TYPES).meta({ id: 'EntityType' });
export type EntityType = z.infer<typeof EntityType>;

const AttributeName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'attribute names start with a letter: letters, digits, _ . - (max 64)');

const MAX_ATTRIBUTE_STRING = 4096;
const MAX_ATTRIBUTE_ITEMS = 100;

const JsonValue: z.ZodType<unknown> = z
  .lazy(() =>
    z.union([
      z.string().max(MAX_ATTRIBUTE_STRING),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(JsonValue).max(MAX_ATTRIBUTE_ITEMS),
      z.record(z.string(), JsonValue),
    ]),
  )
  .meta({
    id: 'AttributeValue',
    description: `A JSON value: a string of at most ${MAX_ATTRIBUTE_STRING} characters, a number, a boolean, null, an array of at most ${MAX_ATTRIBUTE_ITEMS} items or an object, whose items and values are attribute values too.`,
    // The document leaves nested items open instead of spelling out the recursion: TypeScript generators
    // (openapi-typescript) turn a schema whose array contains itself into `any`, and typed clients with it.
    anyOf: [
      { type: 'string', maxLength: MAX_ATTRIBUTE_STRING },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'null' },
      { type: 'array', items: {}, maxItems: MAX_ATTRIBUTE_ITEMS },
      { type: 'object', additionalProperties: {} },
    ],
  });

/**
 * Attribute values: JSON scalars, arrays and objects (each string up to 4 KB) that DynamoDB stores as
 * sent (schemas/json-rules.ts: number range, nesting, keys, Unicode). The rules are checked first, by an
 * iterative walk: the recursive schema below only ever sees a value of bounded depth.
 */
export const Attributes = z
  .preprocess(
    (value, ctx) => {
      for (const issue of jsonValueIssues(value))
        ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path], input: value });
      return value;
    },
    z.record(AttributeName, JsonValue).refine((a) => Object.keys(a).length <= 200, 'at most 200 attributes'),
  )
  .meta({ id: 'Attributes' });

export const CreateEntityRequest = z
  .strictObject({
    type: EntityType,
    attributes: Attributes,
  })
  .meta({ id: 'CreateEntityRequest' });
export type CreateEntityRequest = z.infer<typeof CreateEntityRequest>;

/** JSON merge patch of attributes: a `null` value removes the attribute. `version` is the one read. */
export const UpdateEntityRequest = z
  .strictObject({
    version: z.number().int().min(1),
    attributes: Attributes,
  })
  .meta({ id: 'UpdateEntityRequest' });
export type UpdateEntityRequest = z.infer<typeof UpdateEntityRequest>;

export const Entity = z
  .object({
    id: Id,
    type: EntityType,
    attributes: z.record(z.string(), z.unknown()),
    version: z.number().int().min(1),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Entity' });
export type Entity = z.infer<typeof Entity>;

export const EntityList = z
  .object({ items: z.array(Entity), nextCursor: z.string().nullable() })
  .meta({ id: 'EntityList' });

export const ListEntitiesQuery = PageQuery.extend({ type: EntityType.optional() });
export const EntityIdPath = z.strictObject({ id: Id });
