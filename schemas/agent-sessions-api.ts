// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Message, Session, UsageRow } from './agents.js';
import { PageQuery } from './common.js';
import { routeContract } from './route-contract.js';

/**
 * The agent session routes: a user's conversation with an agent, and the model usage report. An answer can be
 * asked for as Server-Sent Events (`Accept: text/event-stream`): docs/agents.md, Sessions.
 */

const IdPath = z.strictObject({ id: z.uuid() });

/** Longest message a user sends (characters). */
export const MAX_MESSAGE_CHARS = 32_000;

export const CreateSessionRequest = z
  .strictObject({
    /** Session context: `prospect_id` names the entity discussed (the `prospect` memory scope). */
    metadata: z
      .record(z.string().min(1).max(64), z.union([z.string().max(1000), z.number(), z.boolean()]))
      .refine((m) => Object.keys(m).length <= 20, 'at most 20 keys')
      .optional(),
  })
  .meta({ id: 'CreateSessionRequest' });

export const PostMessageRequest = z
  .strictObject({
    content: z.string().trim().min(1).max(MAX_MESSAGE_CHARS),
    /** Which model the routing table should prefer for this answer (docs/models.md); default `balanced`. */
    model_preference: z.enum(['quality', 'balanced', 'cost']).optional(),
  })
  .meta({ id: 'PostMessageRequest' });

export const MessageList = z
  .object({ items: z.array(Message), nextCursor: z.string().nullable() })
  .meta({ id: 'MessageList' });

const Day = z.iso.date();
export const UsageQuery = z.strictObject({ from: Day.optional(), to: Day.optional(), agent_id: z.uuid().optional() });
export const UsageReport = z
  .object({
    from: z.string(),
    to: z.string(),
    items: z.array(UsageRow),
    totals: UsageRow.omit({ date: true, agent_id: true, model: true }),
  })
  .meta({ id: 'UsageReport' });

/** API contracts of the session routes (merged into ROUTE_CONTRACTS in routes.ts). */
export const SESSION_ROUTE_CONTRACTS = {
  'POST /api/v1/agents/{id}/sessions': routeContract({
    operationId: 'createSession',
    function: 'AgentSessions',
    auth: 'jwt',
    summary: 'Start a session with an active agent (the caller is its user)',
    permission: 'agents:read',
    params: IdPath,
    body: CreateSessionRequest,
    status: 201,
    response: Session,
  }),
  'GET /api/v1/sessions/{id}': routeContract({
    operationId: 'getSession',
    function: 'AgentSessions',
    auth: 'jwt',
    summary: 'A session: its agent, user, counts and context (its user or an admin)',
    permission: 'agents:read',
    params: IdPath,
    status: 200,
    response: Session,
  }),
  'POST /api/v1/sessions/{id}/messages': routeContract({
    operationId: 'postMessage',
    function: 'AgentSessions',
    auth: 'jwt',
    summary:
      "Send a message: the agent answers in its persona's style, may call its skills and propose outputs (429 DAILY_LIMIT_EXCEEDED past the agent's daily output limit); `Accept: text/event-stream` answers as Server-Sent Events",
    permission: 'agents:read',
    params: IdPath,
    body: PostMessageRequest,
    status: 200,
    response: Message,
  }),
  'GET /api/v1/sessions/{id}/messages': routeContract({
    operationId: 'listMessages',
    function: 'AgentSessions',
    auth: 'jwt',
    summary: "A session's messages in order, with the passages, skill calls and outputs of each answer",
    permission: 'agents:read',
    params: IdPath,
    query: PageQuery,
    status: 200,
    response: MessageList,
  }),
  'GET /api/v1/usage': routeContract({
    operationId: 'getUsage',
    function: 'AgentSessions',
    auth: 'jwt',
    summary: 'Model tokens and cost per agent, model and UTC day (default: the last 7 days; at most 92)',
    permission: 'usage:read',
    query: UsageQuery,
    status: 200,
    response: UsageReport,
  }),
};
