import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DynamoApprovalRepository, DynamoRunRepository, DynamoWorkflowRepository } from '../adapters/dynamodb/workflow-repositories.js';
import { DynamoEntityRepository } from '../adapters/dynamodb/entity-repository.js';
import { HttpWebhookSender } from '../adapters/http/webhook-sender.js';
import { SfnTaskCallbacks, SfnWorkflowStarter } from '../adapters/sfn/workflow-starter.js';
import { ToolRegistry } from '../domain/tools/registry.js';
import type { ApprovalDeps } from '../domain/workflows/approvals.js';
import type { DefinitionDeps } from '../domain/workflows/definitions.js';
import { documentClient, secretsClient, sfnClient } from './aws-clients.js';
import { mutationWriter, systemClock, uuidIds } from './composition.js';
import { config } from './config.js';
import { logger } from './logger.js';

/** Composition of the workflow runtime's ports (one set per process). */
let tools: ToolRegistry | undefined;
let deps: Omit<ApprovalDeps, 'callbackKey'> | undefined;
let key: Promise<Buffer> | undefined;

export function toolRegistry(): ToolRegistry {
  tools ??= new ToolRegistry();
  return tools;
}

export function definitionDeps(): DefinitionDeps {
  const c = config();
  return {
    workflows: new DynamoWorkflowRepository(documentClient(), c.TABLE_NAME, mutationWriter()),
    tools: toolRegistry(),
    clock: systemClock,
    ids: uuidIds,
    allowHttpLoopback: c.ALLOW_HTTP_LOOPBACK_WEBHOOKS,
  };
}

function baseDeps(): Omit<ApprovalDeps, 'callbackKey'> {
  if (!deps) {
    const c = config();
    const doc = documentClient();
    const writer = mutationWriter();
    if (c.ALLOW_HTTP_LOOPBACK_WEBHOOKS) logger.warn('webhooks to http://127.0.0.1 and http://localhost are allowed (local development only)');
    deps = {
      workflows: new DynamoWorkflowRepository(doc, c.TABLE_NAME, writer),
      runs: new DynamoRunRepository(doc, c.TABLE_NAME, writer),
      approvals: new DynamoApprovalRepository(doc, c.TABLE_NAME, writer),
      starter: new SfnWorkflowStarter(sfnClient(), c.WORKFLOW_STATE_MACHINE_ARN),
      callbacks: new SfnTaskCallbacks(sfnClient()),
      tools: toolRegistry(),
      entities: new DynamoEntityRepository(doc, c.TABLE_NAME, writer),
      idempotency: { find: (tenantId, k) => writer.findIdempotent(tenantId, k) },
      webhooks: new HttpWebhookSender({ policy: { allowHttpLoopback: c.ALLOW_HTTP_LOOPBACK_WEBHOOKS } }),
      clock: systemClock,
      ids: uuidIds,
      publicBaseUrl: c.PUBLIC_API_URL,
      log: (message, fields) => logger.info(message, fields),
    };
  }
  return deps;
}

/** The callback-credential HMAC key: from Secrets Manager in AWS (read once per container), from env locally. */
function callbackKey(): Promise<Buffer> {
  key ??= (async () => {
    const c = config();
    // The key is the secret's text as UTF-8 bytes in both runtimes.
    if (c.CALLBACK_KEY) return Buffer.from(c.CALLBACK_KEY, 'utf8');
    if (!c.CALLBACK_KEY_SECRET_ARN) throw new Error('CALLBACK_KEY or CALLBACK_KEY_SECRET_ARN must be set');
    const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: c.CALLBACK_KEY_SECRET_ARN }));
    if (!out.SecretString) throw new Error('callback key secret is empty');
    return Buffer.from(out.SecretString, 'utf8');
  })();
  return key;
}

export async function workflowDeps(): Promise<ApprovalDeps> {
  return { ...baseDeps(), callbackKey: await callbackKey() };
}

/** Deps for code that never touches callback credentials (no secret read). */
export function runDeps(): Omit<ApprovalDeps, 'callbackKey'> {
  return baseDeps();
}
