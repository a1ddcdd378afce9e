/**
 * A custom skill's input schema (the restricted JSON Schema subset of schemas/agents.ts SkillInputSchema) as the
 * zod schema that validates what a model passes to the skill. Strict like the system skills' inputs: a field the
 * schema does not name is refused, so a model cannot smuggle data through an unnamed field.
 */
import * as z from 'zod';
import type { SkillInputProperty, SkillInputSchema } from '../../../../schemas/agents.js';

/** Strings without a maxLength are bounded all the same: a model's input is stored and shown for approval. */
const DEFAULT_MAX_STRING = 20_000;

function propertySchema(p: SkillInputProperty): z.ZodType {
  let schema: z.ZodType;
  if ('enum' in p && p.enum) schema = z.enum(p.enum as [string, ...string[]]);
  else if (!('type' in p)) throw new Error('a property without a type has an enum');
  else if (p.type === 'string') {
    let s =
      p.format === 'email'
        ? z.email()
        : p.format === 'uri'
          ? z.url()
          : p.format === 'date'
            ? z.iso.date()
            : p.format === 'date-time'
              ? z.iso.datetime({ offset: true })
              : z.string();
    s = s.max(p.maxLength ?? DEFAULT_MAX_STRING);
    if (p.minLength !== undefined) s = s.min(p.minLength);
    schema = s;
  } else if (p.type === 'number' || p.type === 'integer') {
    let n = p.type === 'integer' ? z.number().int() : z.number();
    if (p.minimum !== undefined) n = n.min(p.minimum);
    if (p.maximum !== undefined) n = n.max(p.maximum);
    schema = n;
  } else schema = z.boolean();
  return p.description ? schema.describe(p.description) : schema;
}

/** The zod schema of a custom skill's input: its properties, those in `required` required, nothing else. */
export function compileSkillInput(schema: SkillInputSchema): z.ZodType<Record<string, unknown>> {
  const required = new Set(schema.required ?? []);
  const shape: Record<string, z.ZodType> = {};
  for (const [name, p] of Object.entries(schema.properties)) {
    const s = propertySchema(p);
    shape[name] = required.has(name) ? s : s.optional();
  }
  const object = z.strictObject(shape);
  return (schema.description ? object.describe(schema.description) : object) as z.ZodType<Record<string, unknown>>;
}
