/**
 * The agent configuration routes (one function): personas (POST/GET /personas, GET/PATCH/DELETE /personas/{id}),
 * skills (GET/POST /skills, GET/DELETE /skills/{id}) and agents (POST/GET /agents, GET/PATCH/DELETE /agents/{id}).
 * Trigger: API Gateway (JWT); routeTable picks the route by method and resource path.
 * Output: the resource (201 on create, 204 on delete), lists with a cursor.
 * Errors: ValidationError 400 (the field refused, e.g. `persona_id`, `skill_ids.2`, `webhook_url`), ForbiddenError 403
 * (agents:read / agents:write), NotFoundError 404, ConflictError 409 (stale version), NameTakenError 409 (name of the
 * tenant's), ResourceInUseError 409 (names the agents), SystemSkillImmutableError 409; mapped by httpRoute.
 */
import { AGENT_CONFIG_ROUTE_CONTRACTS } from '../../schemas/agent-config-api.js';
import {
  type AgentDeps,
  createAgent,
  deleteAgent,
  getAgent,
  listAgents,
  updateAgent,
} from '../domain/agents/config/agents.js';
import {
  createPersona,
  deletePersona,
  getPersona,
  listPersonas,
  updatePersona,
} from '../domain/agents/config/personas.js';
import { createSkill, deleteSkill, getSkill, listSkills } from '../domain/agents/config/skills.js';
import { agentConfigDeps } from '../platform/agent-config-composition.js';
import { secretBox } from '../platform/callback-key.js';
import { httpRoute, routeTable } from '../platform/http.js';

const PERSONAS = '/api/v1/personas';
const SKILLS = '/api/v1/skills';
const AGENTS = '/api/v1/agents';

export const makeHandler = (deps: AgentDeps) =>
  routeTable({
    [`POST ${PERSONAS}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`POST ${PERSONAS}`], ({ body, ctx }) =>
      createPersona(body, ctx, deps),
    ),
    [`GET ${PERSONAS}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`GET ${PERSONAS}`], ({ query, ctx }) =>
      listPersonas(query, ctx, deps),
    ),
    [`GET ${PERSONAS}/{id}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`GET ${PERSONAS}/{id}`], ({ params, ctx }) =>
      getPersona(params.id, ctx, deps),
    ),
    [`PATCH ${PERSONAS}/{id}`]: httpRoute(
      AGENT_CONFIG_ROUTE_CONTRACTS[`PATCH ${PERSONAS}/{id}`],
      ({ params, body, ctx }) => updatePersona(params.id, body, ctx, deps),
    ),
    [`DELETE ${PERSONAS}/{id}`]: httpRoute(
      AGENT_CONFIG_ROUTE_CONTRACTS[`DELETE ${PERSONAS}/{id}`],
      ({ params, query, ctx }) => deletePersona(params.id, query, ctx, deps),
    ),
    [`GET ${SKILLS}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`GET ${SKILLS}`], ({ query, ctx }) =>
      listSkills(query, ctx, deps),
    ),
    [`POST ${SKILLS}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`POST ${SKILLS}`], ({ body, ctx }) =>
      createSkill(body, ctx, deps),
    ),
    [`GET ${SKILLS}/{id}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`GET ${SKILLS}/{id}`], ({ params, ctx }) =>
      getSkill(params.id, ctx, deps),
    ),
    [`DELETE ${SKILLS}/{id}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`DELETE ${SKILLS}/{id}`], ({ params, ctx }) =>
      deleteSkill(params.id, ctx, deps),
    ),
    [`POST ${AGENTS}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`POST ${AGENTS}`], ({ body, ctx }) =>
      createAgent(body, ctx, deps),
    ),
    [`GET ${AGENTS}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`GET ${AGENTS}`], ({ query, ctx }) =>
      listAgents(query, ctx, deps),
    ),
    [`GET ${AGENTS}/{id}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`GET ${AGENTS}/{id}`], ({ params, ctx }) =>
      getAgent(params.id, ctx, deps),
    ),
    [`PATCH ${AGENTS}/{id}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`PATCH ${AGENTS}/{id}`], ({ params, body, ctx }) =>
      updateAgent(params.id, body, ctx, deps),
    ),
    [`DELETE ${AGENTS}/{id}`]: httpRoute(
      AGENT_CONFIG_ROUTE_CONTRACTS[`DELETE ${AGENTS}/{id}`],
      ({ params, query, ctx }) => deleteAgent(params.id, query, ctx, deps),
    ),
  });

export const handler = makeHandler(agentConfigDeps(secretBox()));
