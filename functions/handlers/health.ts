/**
 * GET /health (no auth). Trigger: API Gateway. Output: 200 { status: "ok", stage }.
 * The local runtime only starts listening once every emulator is up, so a 200 there means ready.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { config } from '../platform/config.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';
import { jsonResponse } from '../platform/http.js';

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
  jsonResponse(
    ROUTE_CONTRACTS['GET /health'].status,
    { status: 'ok', stage: config().STAGE },
    event.requestContext?.requestId ?? 'unknown',
  );
