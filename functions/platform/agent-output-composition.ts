import { DynamoAgentOutputRepository } from '../adapters/dynamodb/agent-output-repository.js';
import { SfnOutputGateStarter } from '../adapters/sfn/agent-output-starter.js';
import type { OutputGateDeps } from '../domain/agents/outputs/gate.js';
import { agentOutputNotifier } from '../domain/agents/outputs/notification.js';
import type { OutputGateStarter, OutputRepository } from '../domain/agents/outputs/ports.js';
import type { ProposeDeps } from '../domain/agents/outputs/propose.js';
import type { OutputQueryDeps } from '../domain/agents/outputs/queries.js';
import type { SettleDeps } from '../domain/agents/outputs/settle.js';
import { SYSTEM_SKILLS } from '../domain/agents/skills/catalogue.js';
import type { SecretBox } from '../domain/ports.js';
import type { WebhookSender } from '../domain/webhooks/ports.js';
import type { ApprovalSubjectNotifier } from '../domain/workflows/ports.js';
import { documentClient, sfnClient } from './aws-clients.js';
import { blobStore } from './blob-composition.js';
import { mutationWriter, systemClock, uuidIds } from './composition.js';
import { config, stateMachineArn } from './config.js';
import { logger } from './logger.js';
import type { FunctionName } from './manifest.js';
import { taskCallbacks } from './sfn-composition.js';
import { approvalRepository, entityRepository, idempotencyStore, toolRegistry } from './workflow-composition.js';

/**
 * Composition of agent outputs: the table-backed output repository, the AgentOutput state machine's starter, and the
 * deps of each use case as the functions that run them are bound (manifest FUNCTIONS). The approval ports are the
 * workflow runtime's (workflow-composition.ts): an output's approval is one of theirs.
 */
const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

// Pure: a bundle that never calls a getter (the routes never start a gate) leaves its adapter and client out.
export const outputRepository = /* @__PURE__ */ once(
  (): OutputRepository => new DynamoAgentOutputRepository(documentClient(), config().TABLE_NAME, mutationWriter()),
);
/** StartExecution of AgentOutput: only functions the manifest lets start it have its ARN. */
export const outputGateStarter = /* @__PURE__ */ once(
  (): OutputGateStarter => new SfnOutputGateStarter(sfnClient(), stateMachineArn('AgentOutput')),
);
const outputLog = (message: string, fields: Record<string, unknown>) => logger.info(message, fields);

/**
 * What proposing an output needs, in a function that writes the `agent-outputs/` area and starts AgentOutput
 * (AgentSessions; the blob store refuses any other binding at init).
 */
export function proposeDeps(fn: FunctionName = 'AgentSessions'): ProposeDeps {
  return {
    outputs: outputRepository(),
    blobs: blobStore(fn, 'agent-outputs/'),
    starter: outputGateStarter(),
    clock: systemClock,
    ids: uuidIds,
    log: outputLog,
  };
}

/** The Gate task (AgentOutputGate). */
export function outputGateDeps(): OutputGateDeps {
  return {
    outputs: outputRepository(),
    approvals: approvalRepository(),
    callbacks: taskCallbacks(),
    clock: systemClock,
  };
}

/** The Execute, HandOver, Rejected and TimedOut tasks (AgentOutputStep). `webhooks` is built only if a tool sends one. */
export function settleDeps(webhooks: () => WebhookSender): SettleDeps {
  return {
    outputs: outputRepository(),
    approvals: approvalRepository(),
    blobs: blobStore('AgentOutputStep', 'agent-outputs/'),
    tools: toolRegistry(),
    skills: SYSTEM_SKILLS,
    toolDeps: {
      entities: entityRepository(),
      clock: systemClock,
      idempotency: idempotencyStore(),
      get webhooks() {
        return webhooks();
      },
    },
    clock: systemClock,
    log: outputLog,
  };
}

/** The output routes (AgentOutputsApi: the table and `agent-outputs/`, read only). */
export function outputQueryDeps(): OutputQueryDeps {
  return {
    outputs: outputRepository(),
    approvals: approvalRepository(),
    blobs: blobStore('AgentOutputsApi', 'agent-outputs/'),
  };
}

/** The launcher (AgentOutputLauncher). */
export function launcherDeps(): { outputs: OutputRepository; starter: OutputGateStarter } {
  return { outputs: outputRepository(), starter: outputGateStarter() };
}

/**
 * The approval notifier's notifiers of approval subjects: agent outputs' webhooks go to the agent's endpoint. The
 * secret box is the caller's (it reads the platform key), so this module does not bundle the key's client.
 */
export function approvalSubjectNotifiers(secrets: SecretBox): { agent_output: ApprovalSubjectNotifier } {
  return { agent_output: agentOutputNotifier({ outputs: outputRepository(), secrets, clock: systemClock }) };
}
