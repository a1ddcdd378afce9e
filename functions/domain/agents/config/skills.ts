/**
 * Skills (seed 004 Skill): the system skills of the catalogue, the same in every tenant, and the tenant's own
 * (custom) skills. A custom skill is a tool the model may call to propose an output; it is never automatable, so its
 * approved outputs end `manual` (a person carries them out), whatever the model or the skill's author says.
 */
import * as z from 'zod';
import {
  type CreateSkillRequest,
  type Skill,
  type SkillCategory,
  SkillInputSchema,
} from '../../../../schemas/agents.js';
import { changeAuditOf } from '../../audit/audit-actor.js';
import { requirePermission } from '../../auth/authorize.js';
import { NotFoundError } from '../../errors.js';
import type { Clock, IdGenerator, Page, RequestContext } from '../../ports.js';
import { SYSTEM_SKILLS, type SkillDefinition, skillIdOf } from '../skills/catalogue.js';
import { explainConflict, nameTaken } from './conflicts.js';
import { NameTakenError, ResourceInUseError, SystemSkillImmutableError } from './errors.js';
import { compileSkillInput } from './input-schema.js';
import type { AgentConfigRepository, AgentConfigStore, StoredAgent, StoredCustomSkill } from './ports.js';

/** When the system catalogue was first published: the `created_at` of its skills. */
export const SYSTEM_SKILLS_SINCE = '2026-01-01T00:00:00.000Z';

const SYSTEM_BY_ID: ReadonlyMap<string, SkillDefinition> = new Map(SYSTEM_SKILLS.map((s) => [skillIdOf(s.name), s]));
const SYSTEM_NAMES: ReadonlySet<string> = new Set(SYSTEM_SKILLS.map((s) => s.name));

/** The system skill of an id, if it is one. */
export const systemSkillOf = (id: string): SkillDefinition | undefined => SYSTEM_BY_ID.get(id);

let systemViews: readonly Skill[] | undefined;

/** The system skills as the API shows them, with their input's JSON Schema (the tool definition the model sees). */
export function systemSkills(): readonly Skill[] {
  systemViews ??= SYSTEM_SKILLS.map((s) => ({
    id: skillIdOf(s.name),
    name: s.name,
    display_name: s.display_name,
    description: s.description,
    category: s.category,
    is_automatable: s.is_automatable,
    is_read_only: s.kind === 'read',
    is_sensitive: s.is_sensitive,
    input_schema: z.toJSONSchema(s.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    is_system: true,
    created_at: SYSTEM_SKILLS_SINCE,
  }));
  return systemViews;
}

/** A custom skill as the runtime runs it: an output skill whose input its schema validates, never automatable. */
export function customSkillDefinition(skill: StoredCustomSkill): SkillDefinition {
  return {
    name: skill.name,
    display_name: skill.display_name,
    description: skill.description,
    category: 'custom',
    input: compileSkillInput(SkillInputSchema.parse(skill.input_schema)),
    kind: 'output',
    is_automatable: false,
    is_sensitive: skill.is_sensitive,
    contentOf: (input) => ({ content_type: 'json', body: JSON.stringify(input) }),
  };
}

/**
 * The skills an agent holds, in the order of its `skill_ids`: system skills by their deterministic id, the tenant's
 * custom skills from the store. An id that resolves to neither (a custom skill cannot be deleted while an agent holds
 * it, so only an inconsistent store gives one) is left out: the model is never offered a skill that does not exist.
 */
export async function skillsOfAgent(
  tenantId: string,
  agent: Pick<StoredAgent, 'skill_ids'>,
  deps: { config: Pick<AgentConfigRepository, 'getCustomSkill'> },
): Promise<SkillDefinition[]> {
  const resolved = await Promise.all(
    agent.skill_ids.map(async (id) => {
      const system = SYSTEM_BY_ID.get(id);
      if (system) return system;
      const custom = await deps.config.getCustomSkill(tenantId, id);
      return custom ? customSkillDefinition(custom) : undefined;
    }),
  );
  return resolved.filter((s): s is SkillDefinition => s !== undefined);
}

export interface SkillDeps {
  config: AgentConfigStore;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * The skills an agent may be given: on the first page the system skills (that match the filters), then the tenant's
 * custom skills, newest first, paged by the cursor. Custom skills are of category `custom` and not automatable, so a
 * filter that excludes those lists only system skills.
 */
export async function listSkills(
  query: { category?: SkillCategory; is_automatable?: boolean; limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<SkillDeps, 'config'>,
): Promise<Page<Skill>> {
  requirePermission(ctx.principal, 'agents:read');
  const matches = (s: Skill) =>
    (query.category === undefined || s.category === query.category) &&
    (query.is_automatable === undefined || s.is_automatable === query.is_automatable);
  const system = query.cursor === undefined ? systemSkills().filter(matches) : [];
  const customsMatch = (query.category === undefined || query.category === 'custom') && query.is_automatable !== true;
  if (!customsMatch) return { items: system, nextCursor: null };
  const page = await deps.config.listCustomSkills(ctx.principal.tenantId, {
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  return { items: [...system, ...page.items], nextCursor: page.nextCursor };
}

/** A system or custom skill of the tenant, or NotFoundError. */
export async function getSkill(id: string, ctx: RequestContext, deps: Pick<SkillDeps, 'config'>): Promise<Skill> {
  requirePermission(ctx.principal, 'agents:read');
  const system = systemSkills().find((s) => s.id === id);
  if (system) return system;
  const custom = await deps.config.getCustomSkill(ctx.principal.tenantId, id);
  if (!custom) throw new NotFoundError(`skill ${id} not found`);
  return custom;
}

const skillAudit = (
  action: 'skill.create' | 'skill.delete',
  skill: StoredCustomSkill,
  before: unknown,
  after: unknown,
  at: string,
  ctx: RequestContext,
) =>
  changeAuditOf(ctx, {
    action,
    resourceType: 'skill',
    resourceId: skill.id,
    before,
    after,
    at,
  });

/**
 * Creates a custom skill. Its name is a tool name the model sees beside the system skills', so it may be neither a
 * system skill's name nor another custom skill's (NameTakenError, 409).
 */
export async function createSkill(
  input: CreateSkillRequest,
  ctx: RequestContext,
  deps: SkillDeps,
): Promise<StoredCustomSkill> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  if (SYSTEM_NAMES.has(input.name))
    throw new NameTakenError(`${input.name} is the name of a system skill`, {
      details: [{ field: 'name', message: 'the name of a system skill' }],
    });
  // The schema compiles (every subset schema does); compiling now fails here rather than in a conversation.
  compileSkillInput(input.input_schema);
  const at = deps.clock.now().toISOString();
  const skill: StoredCustomSkill = {
    id: deps.ids.newId(),
    name: input.name,
    display_name: input.display_name,
    description: input.description,
    category: 'custom',
    is_automatable: false,
    is_read_only: false,
    is_sensitive: false,
    input_schema: input.input_schema,
    ...(input.required_config ? { required_config: input.required_config } : {}),
    is_system: false,
    created_at: at,
  };
  const taken = await deps.config.nameOwner(tenantId, 'skill', input.name);
  if (taken) throw nameTaken('skill', input.name);
  await deps.config
    .createCustomSkill(tenantId, skill, { audit: skillAudit('skill.create', skill, null, skill, at, ctx), events: [] })
    .catch((error: unknown) =>
      explainConflict(error, async () => {
        if (await deps.config.nameOwner(tenantId, 'skill', input.name)) throw nameTaken('skill', input.name);
      }),
    );
  return skill;
}

/** Deletes a custom skill no agent holds (ResourceInUseError names those that do). System skills cannot be deleted. */
export async function deleteSkill(id: string, ctx: RequestContext, deps: Pick<SkillDeps, 'config' | 'clock'>) {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  if (SYSTEM_BY_ID.has(id))
    throw new SystemSkillImmutableError(`skill ${id} is a system skill: only custom skills can be deleted`);
  const skill = await deps.config.getCustomSkill(tenantId, id);
  if (!skill) throw new NotFoundError(`skill ${id} not found`);
  const users = (await deps.config.usersOf(tenantId, { kind: 'skill', id })) ?? [];
  if (users.length) throw new ResourceInUseError(`skill ${id}`, users);
  const at = deps.clock.now().toISOString();
  await deps.config
    .deleteCustomSkill(tenantId, skill, { audit: skillAudit('skill.delete', skill, skill, null, at, ctx), events: [] })
    .catch((error: unknown) =>
      explainConflict(error, async () => {
        const now = await deps.config.usersOf(tenantId, { kind: 'skill', id });
        if (now === undefined) throw new NotFoundError(`skill ${id} not found`);
        if (now.length) throw new ResourceInUseError(`skill ${id}`, now);
      }),
    );
}
