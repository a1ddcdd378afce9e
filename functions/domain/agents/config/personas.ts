/**
 * Personas (seed 004): the sales representative an agent writes as. Names are unique per tenant; changes carry the
 * version read (optimistic locking); a persona an agent uses cannot be deleted.
 */
import type { CreatePersonaRequest, Persona, UpdatePersonaRequest } from '../../../../schemas/agents.js';
import { changeAuditOf } from '../../audit/audit-actor.js';
import { requirePermission } from '../../auth/authorize.js';
import { NotFoundError } from '../../errors.js';
import type { Clock, IdGenerator, Page, RequestContext } from '../../ports.js';
import { explainConflict, nameTaken, staleVersion } from './conflicts.js';
import { ResourceInUseError } from './errors.js';
import { nameKeyOf } from './names.js';
import type { AgentConfigStore } from './ports.js';

export interface PersonaDeps {
  config: AgentConfigStore;
  clock: Clock;
  ids: IdGenerator;
}

const personaAudit = (
  action: 'persona.create' | 'persona.update' | 'persona.delete',
  id: string,
  before: Persona | null,
  after: Persona | null,
  at: string,
  ctx: RequestContext,
) =>
  changeAuditOf(ctx, {
    action,
    resourceType: 'persona',
    resourceId: id,
    before,
    after,
    at,
  });

async function requireFreeName(deps: PersonaDeps, tenantId: string, name: string, self?: string) {
  const owner = await deps.config.nameOwner(tenantId, 'persona', name);
  if (owner && owner !== self) throw nameTaken('persona', name);
}

/** Creates a persona (version 1); NameTakenError (409) if the tenant has one of that name. */
export async function createPersona(
  input: CreatePersonaRequest,
  ctx: RequestContext,
  deps: PersonaDeps,
): Promise<Persona> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  await requireFreeName(deps, tenantId, input.name);
  const at = deps.clock.now().toISOString();
  const persona: Persona = {
    ...input,
    id: deps.ids.newId(),
    tenant_id: tenantId,
    version: 1,
    created_at: at,
    updated_at: at,
  };
  await deps.config
    .createPersona(tenantId, persona, {
      audit: personaAudit('persona.create', persona.id, null, persona, at, ctx),
      events: [],
    })
    .catch((error: unknown) => explainConflict(error, () => requireFreeName(deps, tenantId, input.name)));
  return persona;
}

/** The tenant's persona, or NotFoundError (also for another tenant's id). */
export async function getPersona(id: string, ctx: RequestContext, deps: Pick<PersonaDeps, 'config'>) {
  requirePermission(ctx.principal, 'agents:read');
  const persona = await deps.config.getPersona(ctx.principal.tenantId, id);
  if (!persona) throw new NotFoundError(`persona ${id} not found`);
  return persona;
}

/** The tenant's personas, newest first. */
export async function listPersonas(
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<PersonaDeps, 'config'>,
): Promise<Page<Persona>> {
  requirePermission(ctx.principal, 'agents:read');
  return deps.config.listPersonas(ctx.principal.tenantId, query);
}

/**
 * Changes a persona if `version` is the stored one (else ConflictError naming `version`); fields left out keep their
 * value. A new name must be free (NameTakenError). The agents that use the persona write in its new style from their
 * next answer on.
 */
export async function updatePersona(
  id: string,
  input: UpdatePersonaRequest,
  ctx: RequestContext,
  deps: PersonaDeps,
): Promise<Persona> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.config.getPersona(tenantId, id);
  if (!current) throw new NotFoundError(`persona ${id} not found`);
  if (current.version !== input.version) throw staleVersion(`persona ${id}`, current.version, input.version);
  const { version: _v, ...changes } = input;
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length === 0) return current;
  const renamed = defined.name !== undefined && nameKeyOf(defined.name as string) !== nameKeyOf(current.name);
  if (renamed) await requireFreeName(deps, tenantId, defined.name as string, id);
  const at = deps.clock.now().toISOString();
  const next: Persona = { ...current, ...defined, version: current.version + 1, updated_at: at };
  await deps.config
    .updatePersona(tenantId, next, current, {
      audit: personaAudit('persona.update', id, current, next, at, ctx),
      events: [],
    })
    .catch((error: unknown) =>
      explainConflict(error, async () => {
        const now = await deps.config.getPersona(tenantId, id);
        if (!now) throw new NotFoundError(`persona ${id} not found`);
        if (now.version !== current.version) throw staleVersion(`persona ${id}`, now.version, input.version);
        if (renamed) await requireFreeName(deps, tenantId, next.name, id);
      }),
    );
  return next;
}

/**
 * Deletes a persona that no agent uses (ResourceInUseError names the agents that do). With `version`, a stale one is
 * refused (ConflictError) as in a change.
 */
export async function deletePersona(
  id: string,
  query: { version?: number },
  ctx: RequestContext,
  deps: Pick<PersonaDeps, 'config' | 'clock'>,
): Promise<void> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.config.getPersona(tenantId, id);
  if (!current) throw new NotFoundError(`persona ${id} not found`);
  if (query.version !== undefined && query.version !== current.version)
    throw staleVersion(`persona ${id}`, current.version, query.version);
  const users = (await deps.config.usersOf(tenantId, { kind: 'persona', id })) ?? [];
  if (users.length) throw new ResourceInUseError(`persona ${id}`, users);
  const at = deps.clock.now().toISOString();
  await deps.config
    .deletePersona(tenantId, current, {
      audit: personaAudit('persona.delete', id, current, null, at, ctx),
      events: [],
    })
    .catch((error: unknown) =>
      explainConflict(error, async () => {
        const now = await deps.config.getPersona(tenantId, id);
        if (!now) throw new NotFoundError(`persona ${id} not found`);
        const using = (await deps.config.usersOf(tenantId, { kind: 'persona', id })) ?? [];
        if (using.length) throw new ResourceInUseError(`persona ${id}`, using);
        if (now.version !== current.version) throw staleVersion(`persona ${id}`, now.version, current.version);
      }),
    );
}
