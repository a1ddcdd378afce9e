import { createHash } from 'node:crypto';
import type { OutputStatus } from '../../../../schemas/agents.js';
import type { DomainEvent } from '../../../../schemas/events.js';
import { ConflictError, isDomainError, TransientError } from '../../errors.js';
import type { BlobStore, Clock } from '../../ports.js';
import type { ToolRegistry } from '../../tools/registry.js';
import type { ToolContext, ToolDeps } from '../../tools/tool.js';
import { ToolRetryableError, WorkflowFailedError } from '../../workflows/errors.js';
import type { ApprovalRepository, StoredApproval } from '../../workflows/ports.js';
import type { SkillDefinition } from '../skills/catalogue.js';
import {
  AGENT_OUTPUTS_ACTOR,
  agentActorOf,
  outputApprovalIdOf,
  outputEffectKeyOf,
  outputExecutionNameOf,
} from './naming.js';
import type { OutputRepository, StoredOutput } from './ports.js';
import { isTerminal, isUndecided } from './status.js';
import { changeOutput } from './transitions.js';
import { executableInputOf, isExecutable } from './view.js';

/**
 * The AgentOutput state machine's Execute task and its ends: what happens to an output once its gate is over.
 *
 * - `approved` (the gate succeeded): the output becomes `approved`, then an automatable, non-sensitive skill's tool
 *   runs once (its effect keyed by the output id, acting as the proposer via the agent) → `executed` with the tool's
 *   result; any other skill, or an execution that fails for good, → `manual` (a person carries it out).
 * - `rejected` (ApprovalRejectedError): → `rejected`.
 * - `timed_out` (States.Timeout): the approval becomes `timed_out` and the output `rejected` with the timeout as its
 *   reason (a decision recorded in time whose delivery to the gate was lost is honoured instead).
 * - `failed` (the execution kept failing transiently): an approved output → `manual` with the error.
 *
 * Every task is idempotent: a re-delivered or retried one reads the output's status and does only what is left; the
 * tool's own effect key makes a second run return the first result instead of acting again.
 */
export type SettleEvent = { tenantId: string; outputId: string } & (
  | { outcome: 'approved' | 'rejected' | 'timed_out' }
  | { outcome: 'failed'; error?: { Error?: string; Cause?: string } }
);

export interface SettleDeps {
  outputs: OutputRepository;
  approvals: ApprovalRepository;
  /** The tenant's `agent-outputs/` area (read): the content an execution runs with. */
  blobs: BlobStore;
  tools: ToolRegistry;
  /** The skills outputs may name (the system skills): an execution checks the skill's definition again. */
  skills: readonly SkillDefinition[];
  toolDeps: ToolDeps;
  clock: Clock;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

type Ref = { tenantId: string; outputId: string };

const ids = (o: StoredOutput) => ({ outputId: o.id, agentId: o.agent_id, sessionId: o.session_id });
const requestIdOf = (ref: Ref, what: string) => `${outputExecutionNameOf(ref.outputId)}:${what}`;

const decidedEvent = (
  o: StoredOutput,
  decision: 'approved' | 'rejected',
  decidedBy: string,
  reason: 'decision' | 'timed_out',
): DomainEvent => ({
  name: 'agent.output.decided',
  payload: { ...ids(o), approvalId: outputApprovalIdOf(o.id), decision, decidedBy, reason },
});

export async function settleOutput(event: SettleEvent, deps: SettleDeps): Promise<{ status: OutputStatus }> {
  const ref = { tenantId: event.tenantId, outputId: event.outputId };
  const approval = await deps.approvals.get(ref.tenantId, outputApprovalIdOf(ref.outputId));
  let settled: StoredOutput;
  switch (event.outcome) {
    case 'approved':
      settled = await settleApproved(ref, approval, deps);
      break;
    case 'rejected':
      settled = await reject(ref, approval, deps);
      break;
    case 'timed_out':
      settled = await expire(ref, approval, deps);
      break;
    case 'failed':
      settled = await failed(ref, approval, event.error, deps);
      break;
  }
  return { status: settled.status };
}

/** The gate succeeded: only an approval decided `approved` gets here (SendTaskSuccess comes from the decision). */
async function settleApproved(ref: Ref, approval: StoredApproval | undefined, deps: SettleDeps) {
  const output = await approve(ref, approval, deps);
  return output.status === 'approved' ? execute(ref, output, deps) : output;
}

async function approve(ref: Ref, approval: StoredApproval | undefined, deps: SettleDeps): Promise<StoredOutput> {
  return changeOutput(deps, ref, (o) => {
    if (!isUndecided(o.status)) return undefined;
    if (approval?.status !== 'approved')
      throw new WorkflowFailedError(`output ${o.id}: its gate completed but approval ${o.approval_id} is not approved`);
    const decidedBy = approval.decidedBy ?? AGENT_OUTPUTS_ACTOR;
    return {
      status: 'approved',
      action: 'agent.output.approve',
      actor: { actor: decidedBy, via: AGENT_OUTPUTS_ACTOR },
      requestId: requestIdOf(ref, 'approve'),
      events: [decidedEvent(o, 'approved', decidedBy, 'decision')],
    };
  });
}

async function reject(ref: Ref, approval: StoredApproval | undefined, deps: SettleDeps): Promise<StoredOutput> {
  const decidedBy = approval?.decidedBy ?? AGENT_OUTPUTS_ACTOR;
  return changeOutput(deps, ref, (o) =>
    isUndecided(o.status)
      ? {
          status: 'rejected',
          patch: {
            result: {
              reason: 'rejected',
              decided_by: decidedBy,
              ...(approval?.comment ? { notes: approval.comment } : {}),
            },
          },
          action: 'agent.output.reject',
          actor: { actor: decidedBy, via: AGENT_OUTPUTS_ACTOR },
          requestId: requestIdOf(ref, 'reject'),
          events: [decidedEvent(o, 'rejected', decidedBy, 'decision')],
        }
      : undefined,
  );
}

async function expire(ref: Ref, approval: StoredApproval | undefined, deps: SettleDeps): Promise<StoredOutput> {
  if (approval?.status === 'approved') return settleApproved(ref, approval, deps);
  if (approval?.status === 'rejected') return reject(ref, approval, deps);
  if (approval?.status === 'pending') {
    // A decision landing now loses: it finds the approval timed out (409), as the gate is gone.
    await deps.approvals
      .save(ref.tenantId, { ...approval, status: 'timed_out', version: approval.version + 1 }, 'pending')
      .catch((e: unknown) => {
        if (!(e instanceof ConflictError)) throw e;
      });
    const latest = await deps.approvals.get(ref.tenantId, approval.id);
    if (latest?.status === 'approved') return settleApproved(ref, latest, deps);
    if (latest?.status === 'rejected') return reject(ref, latest, deps);
  }
  return changeOutput(deps, ref, (o) =>
    isUndecided(o.status)
      ? {
          status: 'rejected',
          patch: { result: { reason: 'timed_out', ...(approval ? { expired_at: approval.expiresAt } : {}) } },
          action: 'agent.output.expire',
          actor: { actor: AGENT_OUTPUTS_ACTOR },
          requestId: requestIdOf(ref, 'expire'),
          events: [decidedEvent(o, 'rejected', AGENT_OUTPUTS_ACTOR, 'timed_out')],
        }
      : undefined,
  );
}

async function failed(
  ref: Ref,
  approval: StoredApproval | undefined,
  error: { Error?: string; Cause?: string } | undefined,
  deps: SettleDeps,
): Promise<StoredOutput> {
  // The execution failed before it recorded the approval (its reads kept failing): record it first.
  const output =
    approval?.status === 'approved'
      ? await approve(ref, approval, deps)
      : await deps.outputs.get(ref.tenantId, ref.outputId);
  if (!output) throw new WorkflowFailedError(`output ${ref.outputId} not found`);
  if (output.status !== 'approved') return output;
  return toManual(ref, deps, { reason: 'execution_failed', error: machineErrorOf(error) });
}

/** The error a state machine Catch hands over (`Error`, and `Cause` as Lambda reports it), for the record. */
function machineErrorOf(error: { Error?: string; Cause?: string } | undefined) {
  let message = error?.Cause ?? '';
  try {
    const cause = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof cause.errorMessage === 'string') message = cause.errorMessage;
  } catch {
    // A Cause that is not Lambda's JSON is kept as it is.
  }
  return { name: error?.Error ?? 'Error', message: message.slice(0, 1000) };
}

const errorOf = (error: unknown) => ({
  name: (error as Error)?.name ?? 'Error',
  ...(isDomainError(error) ? { code: error.code } : {}),
  message: ((error as Error)?.message ?? String(error)).slice(0, 1000),
});

/** Why an approved output goes to a person instead of executing, or undefined when it executes. */
function manualReason(output: StoredOutput, skill: SkillDefinition | undefined, deps: SettleDeps): string | undefined {
  if (!output.tool || !output.is_automatable) return `${output.skill_used ?? 'this skill'} is not automatable`;
  // Checked again now: an output executes only if both its record and the skill's current definition say so.
  if (!skill || !isExecutable(skill) || skill.tool?.name !== output.tool)
    return `${output.skill_used ?? 'the skill'} no longer executes ${output.tool} on its own`;
  const tool = deps.tools.get(output.tool);
  if (!tool?.automatable) return `tool ${output.tool} is not an automatable tool of the registry`;
  return undefined;
}

async function execute(ref: Ref, output: StoredOutput, deps: SettleDeps): Promise<StoredOutput> {
  const skill = deps.skills.find((s) => s.name === output.skill_used);
  const why = manualReason(output, skill, deps);
  if (why) return toManual(ref, deps, { reason: 'not_automatable', message: why });
  const tool = deps.tools.get(output.tool!)!;

  let input: unknown;
  try {
    const bytes = await (await deps.blobs.get(ref.tenantId, output.s3_key)).bytes();
    if (createHash('sha256').update(bytes).digest('hex') !== output.content_sha256)
      throw new Error('the stored content is not the content that was proposed');
    input = tool.input.parse(executableInputOf(skill!, new TextDecoder().decode(bytes)));
  } catch (error) {
    if (error instanceof TransientError) throw error;
    return toManual(ref, deps, { reason: 'invalid_content', error: errorOf(error) });
  }

  const ctx: ToolContext = {
    tenantId: ref.tenantId,
    runId: output.id,
    stepId: skill!.name,
    startedBy: output.proposer,
    via: agentActorOf(output.agent_id),
    effectKey: outputEffectKeyOf(output.id),
    attempt: 1,
  };
  let result: unknown;
  try {
    result = tool.output.parse(await tool.execute(input, ctx, deps.toolDeps));
  } catch (error) {
    // Retried by the state machine (the effect key keeps a retry from acting twice); it hands over when they run out.
    if (error instanceof ToolRetryableError || error instanceof TransientError) throw error;
    return toManual(ref, deps, { reason: 'execution_failed', error: errorOf(error) });
  }
  deps.log?.('agent output executed', { outputId: output.id, tool: tool.name });
  return changeOutput(deps, ref, (o) =>
    o.status === 'approved'
      ? {
          status: 'executed',
          patch: { result: { tool: tool.name, output: result } },
          action: 'agent.output.execute',
          actor: { actor: output.proposer.userId, via: agentActorOf(output.agent_id) },
          requestId: requestIdOf(ref, 'execute'),
          events: [
            {
              name: 'agent.output.completed',
              payload: { ...ids(o), status: 'executed', skill: skill!.name, tool: tool.name },
            },
          ],
        }
      : undefined,
  );
}

/** An approved output handed to a person, with why (the skill does not execute on its own, or its execution failed). */
function toManual(
  ref: Ref,
  deps: SettleDeps,
  why: { reason: 'not_automatable' | 'invalid_content' | 'execution_failed'; message?: string; error?: object },
): Promise<StoredOutput> {
  return changeOutput(deps, ref, (o) => {
    if (o.status !== 'approved') {
      if (isTerminal(o.status)) return undefined;
      throw new WorkflowFailedError(`output ${o.id} is ${o.status}, not approved`);
    }
    return {
      status: 'manual',
      patch: { result: { ...why } },
      action: 'agent.output.manual',
      actor: { actor: AGENT_OUTPUTS_ACTOR },
      requestId: requestIdOf(ref, 'manual'),
      events: [
        {
          name: 'agent.output.completed',
          payload: {
            ...ids(o),
            status: 'manual',
            skill: o.skill_used ?? 'unknown',
            reason:
              why.reason === 'execution_failed'
                ? `execution_failed: ${(why.error as { name?: string })?.name ?? 'Error'}`
                : why.reason,
          },
        },
      ],
    };
  });
}
