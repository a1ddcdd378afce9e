import type { Output } from '../../../../schemas/agents.js';
import { changeAudit } from '../../audit/audit-actor.js';
import { ConflictError, TransientError, ValidationError } from '../../errors.js';
import type { BlobStore, Clock, IdGenerator } from '../../ports.js';
import { canonicalJson } from '../../shared/hash.js';
import type { SkillDefinition } from '../skills/catalogue.js';
import { DailyLimitExceededError } from './errors.js';
import { agentActorOf, contentKeyOf, outputApprovalIdOf, utcDayOf } from './naming.js';
import type { OutputGateStarter, OutputRepository, StoredOutput } from './ports.js';
import { executableInputOf, isExecutable, publicOutput } from './view.js';

/** How long an output waits for a decision before it is rejected as timed out (the gate's timeout). */
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 7 * 86_400;
/** Seed 004: "First 500 chars for display". */
export const PREVIEW_CHARS = 500;
/** Every preview of an offline output starts so, wherever it is shown (API, webhook). */
export const OFFLINE_LABEL = '[offline model] ';

export interface ProposeOutputInput {
  tenantId: string;
  agent: { id: string; daily_output_limit: number; webhook_url?: string; sealed_webhook_secret?: string };
  sessionId: string;
  /** The session's user: the output's tool acts with exactly these roles once approved. */
  proposer: { userId: string; roles: readonly string[] };
  /** An output skill (`kind: 'output'`) of the agent. */
  skill: SkillDefinition;
  /** The model's input, already validated with `skill.input`. */
  skillInput: Record<string, unknown>;
  /** Written by the offline model. */
  offline: boolean;
  requestId: string;
}

export interface ProposeDeps {
  outputs: OutputRepository;
  /** The tenant's `agent-outputs/` area. */
  blobs: BlobStore;
  starter: OutputGateStarter;
  clock: Clock;
  ids: IdGenerator;
  /** Default DEFAULT_APPROVAL_TIMEOUT_SECONDS. */
  approvalTimeoutSeconds?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Waits between attempts of a transaction that kept conflicting (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

/** Attempts of the proposal's transaction when it fails transiently (the writer retries inside each too). */
const MAX_ATTEMPTS = 5;

/** The first PREVIEW_CHARS characters shown for approval, labelled when the offline model wrote them. */
export function previewOf(body: string, offline: boolean): string {
  const text = (offline ? OFFLINE_LABEL : '') + body.slice(0, 2 * PREVIEW_CHARS);
  // By code points, so a preview never ends in half a surrogate pair.
  return Array.from(text).slice(0, PREVIEW_CHARS).join('');
}

/**
 * Proposes an output (the model called an output skill): stores its content in S3 under the tenant's
 * `agent-outputs/<agentId>/<outputId>.json|.txt`, then in one transaction counts it against the agent's daily limit
 * and stores its metadata, audit record and `agent.output.proposed` event, then starts its approval gate.
 *
 * Over the limit: DailyLimitExceededError (429) and nothing stays written (the object is deleted again). A gate
 * that could not be started is started by the launcher from the `agent.output.proposed` event, so the output never
 * stays without a gate.
 */
export async function proposeOutput(input: ProposeOutputInput, deps: ProposeDeps): Promise<Output> {
  const { skill, tenantId, agent } = input;
  if (skill.kind !== 'output' || !skill.contentOf) {
    throw new ValidationError(`skill ${skill.name} does not produce outputs`, {
      details: [{ field: 'skill', message: 'not an output skill' }],
    });
  }
  const content = skill.contentOf(input.skillInput);
  const executable = isExecutable(skill);
  // What executes is read back from the stored content: the skill must give its input back unchanged from it, or
  // the person approving would see something else than what runs. A skill that does not is a catalogue defect.
  if (
    executable &&
    canonicalJson(executableInputOf(skill, content.body)) !== canonicalJson(skill.tool!.inputOf(input.skillInput))
  )
    throw new Error(`skill ${skill.name}: its stored content does not give back the input its tool runs with`);

  const id = deps.ids.newId();
  const at = deps.clock.now();
  const createdAt = at.toISOString();
  const { day, resetAt } = utcDayOf(at);
  const key = contentKeyOf(agent.id, id, content.content_type);
  const stored = await deps.blobs.put(tenantId, key, content.body, {
    contentType: content.content_type === 'json' ? 'application/json' : 'text/plain; charset=utf-8',
    metadata: { 'output-id': id, 'agent-id': agent.id, offline: String(input.offline) },
  });
  const notify = Boolean(agent.webhook_url && agent.sealed_webhook_secret);
  const output: StoredOutput = {
    id,
    tenant_id: tenantId,
    agent_id: agent.id,
    session_id: input.sessionId,
    content_type: content.content_type,
    content_preview: previewOf(content.body, input.offline),
    s3_key: key,
    status: 'pending',
    skill_used: skill.name,
    is_automatable: executable,
    offline: input.offline,
    approval_id: outputApprovalIdOf(id),
    webhook_attempts: 0,
    created_at: createdAt,
    updated_at: createdAt,
    proposer: { userId: input.proposer.userId, roles: [...input.proposer.roles] },
    ...(notify ? { webhook_url: agent.webhook_url, sealed_webhook_secret: agent.sealed_webhook_secret } : {}),
    content_sha256: stored.sha256,
    content_size: stored.size,
    approval_timeout_seconds: deps.approvalTimeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS,
    ...(executable ? { tool: skill.tool!.name } : {}),
    skill_description: skill.description,
    version: 1,
  };
  const view = publicOutput(output);
  const mutation = {
    audit: changeAudit({
      action: 'agent.output.propose',
      actor: { actor: input.proposer.userId, via: agentActorOf(agent.id) },
      resourceType: 'agent_output',
      resourceId: id,
      before: null,
      after: view,
      at: createdAt,
      requestId: input.requestId,
    }),
    events: [
      {
        name: 'agent.output.proposed' as const,
        payload: {
          outputId: id,
          agentId: agent.id,
          sessionId: input.sessionId,
          skill: skill.name,
          contentType: content.content_type,
          isAutomatable: executable,
          offline: input.offline,
          approvalId: output.approval_id!,
          createdAt,
          day,
        },
      },
    ],
  };

  try {
    await createWithRetries(tenantId, output, { day, limit: agent.daily_output_limit, resetAt }, mutation, deps);
  } catch (error) {
    // Nothing of a refused proposal stays: its content goes too. A failed delete leaves an object no item names.
    await deps.blobs
      .delete(tenantId, key)
      .catch((e: unknown) =>
        deps.log?.('agent output content not deleted', { outputId: id, errorName: (e as Error)?.name }),
      );
    throw error;
  }

  try {
    await deps.starter.start({ tenantId, outputId: id, timeoutSeconds: output.approval_timeout_seconds });
  } catch (error) {
    deps.log?.('agent output gate not started; the launcher starts it from agent.output.proposed', {
      outputId: id,
      errorName: (error as Error)?.name,
    });
  }
  return view;
}

/**
 * The proposal's transaction, attempted again while it fails transiently (conflicting transactions on the agent's
 * counter under concurrent proposals). An attempt whose answer was lost may have committed: a later attempt that
 * finds its output stored has succeeded, whatever its own transaction says.
 */
async function createWithRetries(
  tenantId: string,
  output: StoredOutput,
  counter: { day: string; limit: number; resetAt: string },
  mutation: Parameters<OutputRepository['create']>[3],
  deps: ProposeDeps,
): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.outputs.create(tenantId, output, counter, mutation);
      return;
    } catch (error) {
      const retried = attempt > 1;
      if (retried && (error instanceof ConflictError || error instanceof DailyLimitExceededError)) {
        if (await deps.outputs.get(tenantId, output.id)) return;
      }
      if (!(error instanceof TransientError) || attempt >= MAX_ATTEMPTS) throw error;
      await sleep(Math.random() * 50 * 2 ** attempt);
    }
  }
}
