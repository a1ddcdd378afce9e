import type { ApprovalRecord, Output } from '../../../../schemas/agents.js';
import type { StoredApproval } from '../../workflows/ports.js';
import type { SkillDefinition } from '../skills/catalogue.js';
import type { StoredOutput } from './ports.js';

/** The API's view of an output: the server-side fields (proposer, webhook, sealed secret, hashes) left out. */
export function publicOutput(o: StoredOutput): Output {
  return {
    id: o.id,
    tenant_id: o.tenant_id,
    agent_id: o.agent_id,
    session_id: o.session_id,
    content_type: o.content_type,
    ...(o.content_preview !== undefined ? { content_preview: o.content_preview } : {}),
    s3_key: o.s3_key,
    status: o.status,
    ...(o.skill_used !== undefined ? { skill_used: o.skill_used } : {}),
    is_automatable: o.is_automatable,
    offline: o.offline,
    approval_id: o.approval_id,
    webhook_attempts: o.webhook_attempts,
    ...(o.webhook_last_error !== undefined ? { webhook_last_error: o.webhook_last_error } : {}),
    ...(o.result !== undefined ? { result: o.result } : {}),
    created_at: o.created_at,
    updated_at: o.updated_at,
  };
}

/**
 * Whether an approved output of the skill executes without a person: an automatable output skill with a registry
 * tool, and not sensitive. Whatever a model says, every other output ends `manual`.
 */
export const isExecutable = (skill: SkillDefinition): boolean =>
  skill.kind === 'output' && skill.is_automatable && !skill.is_sensitive && skill.tool !== undefined;

/**
 * The tool input an executable skill's stored content gives: its content is the skill's input as JSON, validated
 * again with the skill's (strict) schema, so what runs is exactly what was stored and shown for approval.
 * Throws (SyntaxError, ZodError) on content that is not such an input.
 */
export function executableInputOf(skill: SkillDefinition, body: string): Record<string, unknown> {
  if (!skill.tool) throw new Error(`skill ${skill.name} has no tool`);
  return skill.tool.inputOf(skill.input.parse(JSON.parse(body)));
}

/**
 * The seed's ApprovalRecord of an output: the human decision on it, derived from its approval. None while it is
 * undecided or when nobody decided in time (the output then ends rejected with the timeout as its reason).
 */
export function approvalRecordOf(output: StoredOutput, approval: StoredApproval | undefined): ApprovalRecord | null {
  if (!approval || (approval.status !== 'approved' && approval.status !== 'rejected')) return null;
  if (!approval.decidedBy || !approval.decidedAt) return null;
  return {
    id: approval.id,
    output_id: output.id,
    decision: approval.status,
    decided_by: approval.decidedBy,
    decided_at: approval.decidedAt,
    ...(approval.comment ? { notes: approval.comment } : {}),
    auto_execute: output.is_automatable,
  };
}
