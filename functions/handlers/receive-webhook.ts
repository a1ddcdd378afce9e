/**
 * POST /api/v1/hooks/{hookId} (no JWT: the Standard Webhooks signature with the hook's secret authenticates it, and
 * the hook id names the tenant). Trigger: API Gateway.
 * Input: any JSON body, with webhook-id, webhook-timestamp and webhook-signature headers, verified on the raw bytes.
 * Output: 202 { executionId, status, duplicate }: the run started, or (`duplicate`) the one an earlier delivery of
 * the same webhook-id started.
 * Errors: ValidationError 400 (body too large or not JSON), UnsupportedMediaTypeError 415, InboundWebhookRefusedError
 * 401 (headers, a timestamp over 5 minutes off, signature; `details` names the header), NotFoundError 404 (no such
 * hook, for any tenant, or disabled), HookRateLimitedError 429 (Retry-After).
 */
import { TRIGGER_ROUTE_CONTRACTS } from '../../schemas/triggers-api.js';
import { receiveWebhook, type WebhookDeps } from '../domain/triggers/starts.js';
import { secretBox } from '../platform/callback-key.js';
import { systemClock } from '../platform/composition.js';
import { rawPublicRoute } from '../platform/raw-route.js';
import { startDeps } from '../platform/sfn-composition.js';
import { parseStrictJson } from '../platform/strict-json.js';
import { hookRateLimiter, triggerStore } from '../platform/trigger-composition.js';

const contract = TRIGGER_ROUTE_CONTRACTS['POST /api/v1/hooks/{hookId}'];

export const makeHandler = (deps: WebhookDeps) =>
  rawPublicRoute(contract, ({ body, headers, params, requestId }) =>
    receiveWebhook({ hookId: params.hookId, body, headers, requestId }, deps),
  );

export const handler = makeHandler({
  ...startDeps(),
  triggers: triggerStore(),
  secrets: secretBox(),
  rateLimiter: hookRateLimiter(),
  parseJson: (text) => parseStrictJson(text),
  clock: systemClock,
});
