/**
 * GET /api/v1/openapi.json (no auth). Trigger: API Gateway.
 * Output: 200, the OpenAPI 3.1 document generated from the zod contracts of every route in the manifest.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';
import { jsonResponse } from '../platform/http.js';
import { openApiDocument } from '../platform/openapi-document.js';

let document: unknown;

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  document ??= openApiDocument();
  return jsonResponse(
    ROUTE_CONTRACTS['GET /api/v1/openapi.json'].status,
    document,
    event.requestContext?.requestId ?? 'unknown',
  );
};
