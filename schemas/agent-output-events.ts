// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';

/**
 * Events of an agent output's life (functions/domain/agents/outputs): proposed, its webhook failing, decided, and
 * carried out (executed by its skill's tool, or handed to a person). Payloads carry ids, names and statuses only,
 * never the output's content (which may hold personal data): readers fetch it with GET /api/v1/outputs/{id}.
 */

const Ids = { outputId: z.string(), agentId: z.string(), sessionId: z.string() };

/** `agent.output.proposed`: stored (content in S3, metadata in the table) and counted against the daily limit. */
export const AgentOutputProposedPayload = z.object({
  ...Ids,
  skill: z.string(),
  contentType: z.enum(['text', 'json', 'file']),
  isAutomatable: z.boolean(),
  offline: z.boolean(),
  approvalId: z.string(),
  createdAt: z.string(),
  /** The UTC day (`YYYY-MM-DD`) whose daily output limit counted it. */
  day: z.string(),
});

/** `agent.output.notification_failed`: the approval webhook exhausted its retries; the output is still decidable. */
export const AgentOutputNotificationFailedPayload = z.object({
  ...Ids,
  approvalId: z.string(),
  attempts: z.number().int().min(0),
  /** The failure's kind (`timeout`, `http_status`, `refused`…), never a response body. */
  failure: z.string(),
});

/** `agent.output.decided`: approved or rejected by a person, or rejected because the approval timed out. */
export const AgentOutputDecidedPayload = z.object({
  ...Ids,
  approvalId: z.string(),
  decision: z.enum(['approved', 'rejected']),
  decidedBy: z.string(),
  /** `timed_out` when nobody decided in time. */
  reason: z.enum(['decision', 'timed_out']),
});

/** `agent.output.completed`: an approved output was executed by its skill's tool, or went to a person (`manual`). */
export const AgentOutputCompletedPayload = z.object({
  ...Ids,
  status: z.enum(['executed', 'manual']),
  skill: z.string(),
  /** The registry tool that executed it (executed outputs only). */
  tool: z.string().optional(),
  /** Why a person carries it out (manual outputs only): not automatable, or the execution's error name. */
  reason: z.string().optional(),
});
