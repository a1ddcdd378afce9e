/**
 * POST /api/v1/signal-rules/preview. Trigger: API Gateway (JWT).
 * Input: `{ rule: <a signal rule body>, days?: 1..30 }` (schemas/signals-api.ts PreviewSignalRuleRequest).
 * Output: 200 SignalRulePreview: how often the rule would have fired on the signal history of the last `days` UTC
 * days (domain/signals/use-cases/rule-preview.ts). Writes nothing.
 * Errors: ValidationError 400 (`rule.<field>` as create names it, `days`), ForbiddenError 403 (needs signals:read,
 * and entities:read in the use case); mapped by httpRoute. A read of the table that fails is a 500 with the request id.
 */
import { SIGNAL_ROUTE_CONTRACTS } from '../../schemas/signals-api.js';
import { previewSignalRule, type RulePreviewDeps } from '../domain/signals/use-cases/rule-preview.js';
import { httpRoute } from '../platform/http.js';
import { rulePreviewDeps } from '../platform/signals-composition.js';

export const makeHandler = (deps: RulePreviewDeps) =>
  httpRoute(SIGNAL_ROUTE_CONTRACTS['POST /api/v1/signal-rules/preview'], ({ body, ctx }) =>
    previewSignalRule(body, ctx, deps),
  );
export const handler = makeHandler(rulePreviewDeps());
