/**
 * GET /api/v1/events/catalogue (no auth: the events' contract, no tenant data). Trigger: API Gateway.
 * Output: 200 `{ events: [{ source, detailType, schemaVersion, schema, pattern }] }`, one entry per event on the
 * bus: the JSON Schema (draft 2020-12) of the whole EventBridge event, generated from its zod schema in
 * schemas/events.ts, and the EventBridge pattern of a rule receiving it. Errors: none of its own (it reads no
 * data); a crash is API Gateway's 502.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { buildEventCatalogue, type EventCatalogue } from '../../schemas/event-catalogue.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';
import { jsonResponse } from '../platform/http.js';

let catalogue: EventCatalogue | undefined;

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  catalogue ??= buildEventCatalogue();
  return jsonResponse(
    ROUTE_CONTRACTS['GET /api/v1/events/catalogue'].status,
    catalogue,
    event.requestContext?.requestId ?? 'unknown',
  );
};
