// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';

export const AuditRecord = z
  .object({
    id: z.string(),
    action: z.string(),
    actor: z.string(),
    resourceType: z.string(),
    resourceId: z.string(),
    at: z.string(),
    requestId: z.string(),
    beforeHash: z.string().nullable(),
    afterHash: z.string().nullable(),
    /** The system that acted for `actor` (`system:workflow-engine` for a workflow tool); absent for direct actions. */
    via: z.string().optional(),
    /** The workflow run the change was made in, with `via`. */
    runId: z.string().optional(),
    lane: z.number().int(),
    seq: z.number().int(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditRecord' });
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditList = z
  .object({ items: z.array(AuditRecord), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditList' });
