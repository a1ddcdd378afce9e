import type { UpdateWorkflowRequest, Workflow, WorkflowDefinitionRequest } from '../../../schemas/workflow.js';
import { requirePermission } from '../auth/authorize.js';
import { NotFoundError, ValidationError, type ErrorDetail } from '../errors.js';
import type { Clock, IdGenerator, Page, RequestContext, SecretBox } from '../ports.js';
import { hashOf } from '../shared/hash.js';
import type { ToolRegistry } from '../tools/registry.js';
import { generateWebhookSecret } from '../webhooks/signing.js';
import { checkWebhookUrl, type UrlPolicy } from '../webhooks/url-policy.js';
import type { StoredStep, StoredWorkflow, WorkflowRepository } from './ports.js';
import { referencesIn } from './references.js';
import { publicStep, sealStepSecrets, secretInputProblems } from './step-secrets.js';

export interface DefinitionDeps {
  workflows: WorkflowRepository;
  tools: ToolRegistry;
  clock: Clock;
  ids: IdGenerator;
  /** Seals webhook secrets and steps' secret inputs with the tenant's key before they are stored. */
  secrets: SecretBox;
  /** Where webhooks may go: the local platform allows http to its development loopback ports; AWS stages never do. */
  urlPolicy: UrlPolicy;
}

/**
 * Checks a definition against the tool registry: known tools, gates where tools need them, references to
 * earlier steps only, secret inputs given as literals (or kept from `previous`, the version it replaces).
 */
export function validateDefinition(
  def: WorkflowDefinitionRequest,
  deps: Pick<DefinitionDeps, 'tools' | 'urlPolicy'>,
  previous: readonly StoredStep[] = [],
): void {
  const problems: ErrorDetail[] = [];
  const seen = new Set<string>();
  def.steps.forEach((step, i) => {
    const field = `steps.${i}`;
    if (seen.has(step.id)) problems.push({ field: `${field}.id`, message: `duplicate step id ${step.id}` });
    const tool = deps.tools.get(step.tool);
    if (!tool) problems.push({ field: `${field}.tool`, message: `unknown tool ${step.tool}` });
    else if (tool.requiresApproval && !step.approval)
      problems.push({ field: `${field}.approval`, message: `tool ${tool.name} requires an approval gate` });
    if (step.approval?.heartbeatSeconds && step.approval.heartbeatSeconds >= step.approval.timeoutSeconds) {
      problems.push({ field: `${field}.approval.heartbeatSeconds`, message: 'must be less than timeoutSeconds' });
    }
    try {
      for (const ref of referencesIn(step.input)) {
        if (ref.root === 'steps' && !seen.has(ref.stepId!)) {
          problems.push({
            field: `${field}.input`,
            message: `references step ${ref.stepId}, which does not run before ${step.id}`,
          });
        }
      }
    } catch (error) {
      problems.push({ field: `${field}.input`, message: (error as Error).message });
    }
    seen.add(step.id);
  });
  problems.push(...secretInputProblems(def.steps, deps.tools, previous));
  if (def.webhook) {
    const verdict = checkWebhookUrl(def.webhook.url, deps.urlPolicy);
    if (!verdict.allowed) problems.push({ field: 'webhook.url', message: verdict.refusal.message });
  }
  if (problems.length) {
    throw new ValidationError(`invalid workflow: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, {
      details: problems,
    });
  }
}

/** The workflow as the API returns it: no secret, sealed or in clear. */
export const publicWorkflow = ({ sealedWebhookSecret, ...wf }: StoredWorkflow, tools: ToolRegistry): Workflow => ({
  ...wf,
  steps: wf.steps.map((s) => publicStep(s, tools)),
});

async function build(
  tenantId: string,
  def: WorkflowDefinitionRequest,
  base: {
    id: string;
    version: number;
    createdAt: string;
    createdBy: string;
    previousSealedSecret?: string;
    previousSteps?: readonly StoredStep[];
  },
  now: string,
  deps: Pick<DefinitionDeps, 'tools' | 'secrets'>,
): Promise<{ stored: StoredWorkflow; generatedSecret?: string }> {
  const secrets = deps.secrets;
  // A webhook keeps its secret across versions unless the change gives a new one; a first webhook
  // without one gets a generated secret, returned once.
  const generatedSecret =
    def.webhook && !def.webhook.secret && !base.previousSealedSecret ? generateWebhookSecret() : undefined;
  const plaintext = def.webhook?.secret ?? generatedSecret;
  const sealed = def.webhook
    ? plaintext
      ? await secrets.seal(tenantId, plaintext)
      : base.previousSealedSecret
    : undefined;
  const stored: StoredWorkflow = {
    id: base.id,
    name: def.name,
    ...(def.description ? { description: def.description } : {}),
    version: base.version,
    steps: await sealStepSecrets(tenantId, def.steps, deps, base.previousSteps),
    ...(def.webhook ? { webhook: { url: def.webhook.url, secretConfigured: true } } : {}),
    ...(sealed ? { sealedWebhookSecret: sealed } : {}),
    createdAt: base.createdAt,
    updatedAt: now,
    createdBy: base.createdBy,
  };
  return { stored, ...(generatedSecret ? { generatedSecret } : {}) };
}

/** Creates version 1 of a workflow. A generated webhook secret is returned once, here. */
export async function createWorkflow(def: WorkflowDefinitionRequest, ctx: RequestContext, deps: DefinitionDeps) {
  requirePermission(ctx.principal, 'workflows:write');
  validateDefinition(def, deps);
  const now = deps.clock.now().toISOString();
  const { stored, generatedSecret } = await build(
    ctx.principal.tenantId,
    def,
    { id: `wf_${deps.ids.newId()}`, version: 1, createdAt: now, createdBy: ctx.principal.userId },
    now,
    deps,
  );
  await deps.workflows.create(ctx.principal.tenantId, stored, {
    audit: {
      action: 'workflow.create',
      actor: ctx.principal.userId,
      resourceType: 'workflow',
      resourceId: stored.id,
      at: now,
      requestId: ctx.requestId,
      beforeHash: null,
      afterHash: hashOf(publicWorkflow(stored, deps.tools)),
    },
    events: [],
  });
  return { ...publicWorkflow(stored, deps.tools), ...(generatedSecret ? { webhookSecret: generatedSecret } : {}) };
}

/** Stores the changed definition as version N+1 (409 if `version` is not the latest). */
export async function updateWorkflow(
  id: string,
  req: UpdateWorkflowRequest,
  ctx: RequestContext,
  deps: DefinitionDeps,
) {
  requirePermission(ctx.principal, 'workflows:write');
  const { version, ...def } = req;
  const current = await deps.workflows.get(ctx.principal.tenantId, id);
  if (!current) throw new NotFoundError(`workflow ${id} not found`);
  // A step whose secret input is omitted keeps the value of the same step in the version it replaces.
  validateDefinition(def, deps, current.steps);
  const now = deps.clock.now().toISOString();
  const { stored, generatedSecret } = await build(
    ctx.principal.tenantId,
    def,
    {
      id,
      version: version + 1,
      createdAt: current.createdAt,
      createdBy: current.createdBy,
      previousSealedSecret: current.sealedWebhookSecret,
      previousSteps: current.steps,
    },
    now,
    deps,
  );
  await deps.workflows.addVersion(ctx.principal.tenantId, stored, version, {
    audit: {
      action: 'workflow.update',
      actor: ctx.principal.userId,
      resourceType: 'workflow',
      resourceId: id,
      at: now,
      requestId: ctx.requestId,
      beforeHash: hashOf(publicWorkflow(current, deps.tools)),
      afterHash: hashOf(publicWorkflow(stored, deps.tools)),
    },
    events: [],
  });
  return { ...publicWorkflow(stored, deps.tools), ...(generatedSecret ? { webhookSecret: generatedSecret } : {}) };
}

export async function getWorkflow(
  id: string,
  version: number | undefined,
  ctx: RequestContext,
  deps: Pick<DefinitionDeps, 'workflows' | 'tools'>,
): Promise<Workflow> {
  requirePermission(ctx.principal, 'workflows:read');
  const wf = await deps.workflows.get(ctx.principal.tenantId, id, version);
  if (!wf)
    throw new NotFoundError(version ? `workflow ${id} version ${version} not found` : `workflow ${id} not found`);
  return publicWorkflow(wf, deps.tools);
}

export async function listWorkflows(
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<DefinitionDeps, 'workflows' | 'tools'>,
): Promise<Page<Workflow>> {
  requirePermission(ctx.principal, 'workflows:read');
  const page = await deps.workflows.list(ctx.principal.tenantId, query);
  return { items: page.items.map((wf) => publicWorkflow(wf, deps.tools)), nextCursor: page.nextCursor };
}
