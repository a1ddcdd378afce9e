/**
 * GET /api/v1/openapi.json (no auth). Trigger: API Gateway.
 * Output: 200, the OpenAPI 3 document generated from the zod contracts of every route in the manifest.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { buildOpenApiDocument } from '../../schemas/api.js';
import { ROUTES } from '../platform/manifest.js';
import { jsonResponse } from '../platform/http.js';

let document: unknown;

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  document ??= buildOpenApiDocument(ROUTES, '0.1.0');
  return jsonResponse(200, document, event.requestContext?.requestId ?? 'unknown');
};
