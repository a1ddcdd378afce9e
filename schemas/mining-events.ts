// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';

/**
 * `mining.log.uploaded`: an event log was stored and its mining job queued; the mining worker mines it. Apart from
 * the route contracts (schemas/mining-api.ts), so the event targets do not bundle every route's schemas.
 */
export const MiningLogUploadedPayload = z.object({
  jobId: z.string(),
  format: z.enum(['xes', 'csv']),
  compressed: z.boolean(),
  size: z.number().int(),
  uploadedBy: z.string(),
});
