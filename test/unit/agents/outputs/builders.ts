import { randomBytes, randomUUID } from 'node:crypto';
import { AesSecretBox } from '../../../../functions/adapters/crypto/aes-secret-box.js';
import type { OutputGateDeps } from '../../../../functions/domain/agents/outputs/gate.js';
import { agentOutputNotifier } from '../../../../functions/domain/agents/outputs/notification.js';
import type { ProposeDeps, ProposeOutputInput } from '../../../../functions/domain/agents/outputs/propose.js';
import type { SettleDeps } from '../../../../functions/domain/agents/outputs/settle.js';
import { SYSTEM_SKILLS, type SkillDefinition } from '../../../../functions/domain/agents/skills/catalogue.js';
import { createEntity } from '../../../../functions/domain/entities/entity-use-cases.js';
import type { Clock } from '../../../../functions/domain/ports.js';
import { BUILTIN_TOOLS } from '../../../../functions/domain/tools/builtin.js';
import { ToolRegistry } from '../../../../functions/domain/tools/registry.js';
import type { NotifyDeps } from '../../../../functions/domain/workflows/approvals.js';
import { aContext } from '../../../support/builders.js';
import { InMemoryOutputs, RecordingGateStarter } from '../../../fakes/in-memory-agent-outputs.js';
import { InMemoryEntityRepository } from '../../../fakes/in-memory-entity-repository.js';
import { InMemoryBytesStore } from '../../../fakes/in-memory-mining.js';
import {
  InMemoryApprovals,
  InMemoryRuns,
  InMemoryWorkflows,
  RecordingTaskCallbacks,
  RecordingWebhookSender,
} from '../../../fakes/in-memory-workflows.js';

export const TENANT = 'tenant-a';
export const skill = (name: string): SkillDefinition => SYSTEM_SKILLS.find((s) => s.name === name)!;

/** A clock the test moves. */
export function aMovableClock(iso = '2026-02-03T04:05:06.000Z'): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (next) => (now = new Date(next)) };
}

/**
 * Every port of the output use cases in memory, wired as the composition root wires them: one approval repository
 * shared by the gate, the decision routes and the notifier, the production tools over an in-memory entity graph.
 */
export async function anOutputWorld(options: { approvalTimeoutSeconds?: number } = {}) {
  const outputs = new InMemoryOutputs();
  const blobs = new InMemoryBytesStore();
  const starter = new RecordingGateStarter();
  const approvals = new InMemoryApprovals();
  const callbacks = new RecordingTaskCallbacks();
  const entities = new InMemoryEntityRepository();
  const webhooks = new RecordingWebhookSender();
  const clock = aMovableClock();
  const platformKey = randomBytes(48);
  const secrets = new AesSecretBox(async () => platformKey);
  const callbackKey = randomBytes(48);
  const logs: Array<{ message: string; fields: Record<string, unknown> }> = [];
  const log = (message: string, fields: Record<string, unknown>) => logs.push({ message, fields });
  const account = await createEntity(
    { type: 'organization', attributes: { name: 'Acme', tier: 'basic' } },
    aContext(),
    {
      entities,
      clock,
      ids: { newId: () => randomUUID() },
    },
  );

  const propose: ProposeDeps = {
    outputs,
    blobs,
    starter,
    clock,
    ids: { newId: () => randomUUID() },
    log,
    sleep: async () => undefined,
    ...(options.approvalTimeoutSeconds ? { approvalTimeoutSeconds: options.approvalTimeoutSeconds } : {}),
  };
  const gate: OutputGateDeps = { outputs, approvals, callbacks, clock };
  const settle: SettleDeps = {
    outputs,
    approvals,
    blobs,
    tools: new ToolRegistry(BUILTIN_TOOLS),
    skills: SYSTEM_SKILLS,
    toolDeps: { entities, clock, idempotency: entities, webhooks },
    clock,
    log,
  };
  const notify: NotifyDeps = {
    approvals,
    workflows: new InMemoryWorkflows(),
    runs: new InMemoryRuns(),
    webhooks,
    callbacks,
    callbackKey,
    publicBaseUrl: 'https://api.example',
    secrets,
    log,
    subjects: { agent_output: agentOutputNotifier({ outputs, secrets, clock }) },
  };
  const decide = { approvals, runs: new InMemoryRuns(), callbacks, clock, callbackKey };
  return {
    outputs,
    blobs,
    starter,
    approvals,
    callbacks,
    entities,
    webhooks,
    clock,
    secrets,
    logs,
    account,
    propose,
    gate,
    settle,
    notify,
    decide,
  };
}

export type OutputWorld = Awaited<ReturnType<typeof anOutputWorld>>;

/** A proposal of `skillName` by an admin of TENANT, for agent `agentId`. */
export function aProposal(
  world: OutputWorld,
  skillName: string,
  skillInput: Record<string, unknown>,
  over: Partial<ProposeOutputInput> = {},
): ProposeOutputInput {
  return {
    tenantId: TENANT,
    agent: { id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f', daily_output_limit: 100 },
    sessionId: '0c4e8a2b-7d1f-4b3a-8e6c-5f9d2a1b3c4e',
    proposer: { userId: 'ada', roles: ['admin'] },
    skill: skill(skillName),
    skillInput: skill(skillName).input.parse(skillInput),
    offline: false,
    requestId: 'req-1',
    ...over,
  };
}

/** An update_account proposal on the world's account. */
export const anAccountUpdate = (world: OutputWorld, over: Partial<ProposeOutputInput> = {}) =>
  aProposal(world, 'update_account', { entityId: world.account.id, attributes: { tier: 'gold' } }, over);
