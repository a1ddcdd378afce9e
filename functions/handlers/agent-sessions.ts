/**
 * Agent sessions and the usage report. Trigger: API Gateway (JWT), routes of schemas/agent-sessions-api.ts.
 * - POST /agents/{id}/sessions → 201 Session. GET /sessions/{id} → Session.
 * - POST /sessions/{id}/messages → 200 Message (the answer), or with `Accept: text/event-stream` the same answer as
 *   Server-Sent Events (`text` deltas, then `message` with the whole Message, then `done`).
 * - GET /sessions/{id}/messages → MessageList. GET /usage → UsageReport.
 * Errors: ValidationError 400 (the field), ForbiddenError 403 (permission; another user's session), NotFoundError 404,
 * ConflictError 409 (inactive agent, a concurrent turn), DailyLimitExceededError 429 (an output past the agent's
 * daily limit: nothing of the turn is stored), LlmSpendLimitError 429, LlmUnavailableError 503; mapped by httpRoute.
 */
import { SESSION_ROUTE_CONTRACTS } from '../../schemas/agent-sessions-api.js';
import {
  createSession,
  getSession,
  listMessages,
  postMessage,
  type ConversationDeps,
} from '../domain/agents/runtime/conversation.js';
import { getUsage } from '../domain/agents/runtime/usage.js';
import { agentSessionDeps } from '../platform/agent-session-composition.js';
import { httpRoute, RawBody, routeTable } from '../platform/http.js';

/** The client asked for Server-Sent Events (and not JSON first). */
export const wantsEventStream = (accept: string | undefined): boolean =>
  !!accept && /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept);

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export const makeHandler = (deps: () => ConversationDeps | Promise<ConversationDeps>) =>
  routeTable({
    'POST /api/v1/agents/{id}/sessions': httpRoute(
      SESSION_ROUTE_CONTRACTS['POST /api/v1/agents/{id}/sessions'],
      async ({ params, body, ctx }) => createSession(params.id, body, ctx, await deps()),
    ),
    'GET /api/v1/sessions/{id}': httpRoute(
      SESSION_ROUTE_CONTRACTS['GET /api/v1/sessions/{id}'],
      async ({ params, ctx }) => getSession(params.id, ctx, await deps()),
    ),
    'POST /api/v1/sessions/{id}/messages': httpRoute(
      SESSION_ROUTE_CONTRACTS['POST /api/v1/sessions/{id}/messages'],
      async ({ params, body, ctx, headers }) => {
        if (!wantsEventStream(headers.accept)) return postMessage(params.id, body, ctx, await deps());
        const events: string[] = [];
        const message = await postMessage(params.id, body, ctx, await deps(), {
          onText: (delta) => events.push(sse('text', { delta })),
        });
        // A model that does not stream (the offline one) still gives the client its text before the message.
        if (events.length === 0) events.push(sse('text', { delta: message.content }));
        events.push(sse('message', message), sse('done', {}));
        return new RawBody('text/event-stream; charset=utf-8', events.join(''));
      },
    ),
    'GET /api/v1/sessions/{id}/messages': httpRoute(
      SESSION_ROUTE_CONTRACTS['GET /api/v1/sessions/{id}/messages'],
      async ({ params, query, ctx }) => listMessages(params.id, query, ctx, await deps()),
    ),
    'GET /api/v1/usage': httpRoute(SESSION_ROUTE_CONTRACTS['GET /api/v1/usage'], async ({ query, ctx }) =>
      getUsage(query, ctx, await deps()),
    ),
  });

export const handler = makeHandler(agentSessionDeps);
