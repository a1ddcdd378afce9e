import { createHash } from 'node:crypto';

/**
 * Names derived from an output's id, so every retried or re-delivered step finds the same thing: its approval, its
 * gate's execution, its content object, the key of its execution's effect.
 */

/** The one approval of an output (`apr_…`, like every approval id, so the approval routes take it). */
export const outputApprovalIdOf = (outputId: string): string =>
  `apr_${createHash('sha256').update(`agent-output:${outputId}`).digest('base64url').slice(0, 24)}`;

/** The name of the output's gate execution (AgentOutput state machine): a second start of it is a no-op. */
export const outputExecutionNameOf = (outputId: string): string => `agent-output-${outputId}`;

/** The content's key in the tenant's `agent-outputs/` area. */
export const contentKeyOf = (agentId: string, outputId: string, contentType: 'text' | 'json'): string =>
  `${agentId}/${outputId}.${contentType === 'json' ? 'json' : 'txt'}`;

/** The effect key of the output's execution: the tool applies its effect at most once per key. */
export const outputEffectKeyOf = (outputId: string): string => `agent-output:${outputId}`;

/** The agent acting for the user who proposed the output: recorded as `via` beside them in the audit. */
export const agentActorOf = (agentId: string): string => `system:agent:${agentId}`;

/** The output gate itself (approval requests, timeouts, hand-overs to a person). */
export const AGENT_OUTPUTS_ACTOR = 'system:agent-outputs';

/** The UTC day of an instant (`YYYY-MM-DD`) and when it ends (the next UTC midnight). */
export function utcDayOf(at: Date): { day: string; resetAt: string } {
  const day = at.toISOString().slice(0, 10);
  const next = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
  return { day, resetAt: next.toISOString() };
}
