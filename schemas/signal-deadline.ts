// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';

/**
 * The input of a signal deadline's one-shot schedule (the SignalDeadline function's event): the rule and key whose
 * deadline it is, and the deadline (ISO, to the millisecond). Scheduler passes it on as written.
 */
export const SignalDeadlineInput = z.object({
  tenantId: z.string().min(1).max(64),
  ruleId: z.string().min(1).max(64),
  ruleVersion: z.number().int().min(1).optional(),
  key: z.string().min(1).max(4096),
  deadline: z.iso.datetime(),
});
export type SignalDeadlineInput = z.infer<typeof SignalDeadlineInput>;
