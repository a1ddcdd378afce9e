import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ZodType } from 'zod';
import { isDomainError, UnsupportedMediaTypeError, ValidationError } from '../domain/errors.js';
import { errorResponse, jsonResponse, type ApiHandler } from './http.js';
import { logger } from './logger.js';

/** A request as a route that authenticates its own body sees it: the exact bytes, every header value. */
export interface RawRequest<P> {
  /** The body as sent: API Gateway's `body`, base64-decoded when `isBase64Encoded` (binary media types). */
  body: Uint8Array;
  /** Every value of every header (API Gateway's `multiValueHeaders`; `headers` when an event has none). */
  headers: Record<string, string[]>;
  params: P;
  requestId: string;
}

/** `application/json` or a structured `+json` type, as the JSON routes take it (functions/platform/http.ts). */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.+-]+\+)?json$/;

function headersOf(event: APIGatewayProxyEvent): Record<string, string[]> {
  const multi = event.multiValueHeaders ?? {};
  const out: Record<string, string[]> = {};
  if (Object.keys(multi).length) {
    for (const [k, v] of Object.entries(multi)) if (v) out[k] = v.map(String);
  } else {
    for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined && v !== null) out[k] = [String(v)];
  }
  return out;
}

function bodyOf(event: APIGatewayProxyEvent): Uint8Array {
  if (event.body === null || event.body === undefined) return new Uint8Array();
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** A non-empty body is refused unless its one Content-Type is JSON, as every JSON route of the API refuses it. */
function requireJson(headers: Record<string, string[]>, body: Uint8Array): void {
  if (body.byteLength === 0) return;
  const values = Object.entries(headers)
    .filter(([k]) => k.toLowerCase() === 'content-type')
    .flatMap(([, v]) => v);
  const type = values.length === 1 ? (values[0]!.split(';')[0] ?? '').trim().toLowerCase() : '';
  if (!JSON_MEDIA_TYPE.test(type))
    throw new UnsupportedMediaTypeError('request bodies are JSON', {
      details: [{ field: 'content-type', message: 'one Content-Type, application/json or application/*+json' }],
    });
}

function mapError(error: unknown, requestId: string): APIGatewayProxyResult {
  if (isDomainError(error)) {
    if (error.status >= 500) logger.error('request failed', { errorName: error.name, code: error.code });
    else logger.info('request not served', { errorName: error.name, code: error.code, status: error.status });
    const res = errorResponse(error.status, error.code, error.message, requestId, error.details);
    const wait = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    return typeof wait === 'number' ? { ...res, headers: { ...res.headers, 'retry-after': String(wait) } } : res;
  }
  // The stack's first line repeats the message, which may quote input: log the frames only.
  logger.error('unhandled error', {
    errorName: (error as Error)?.name,
    frames: (error as Error)?.stack?.split('\n').slice(1, 8).join('\n'),
  });
  return errorResponse(500, 'INTERNAL_ERROR', 'internal error', requestId);
}

/**
 * A public route (no JWT) whose request authenticates itself over its raw body, such as an inbound webhook signed
 * over `id.timestamp.body`: the handler gets the exact bytes (a JSON route's parse would lose them: whitespace, key
 * order, escapes) and every header value, after the path parameters are parsed with the contract's schema and a body
 * is checked to be declared JSON. Domain errors map to their status and code (a `retryAfterSeconds` on the error
 * becomes `Retry-After`); anything else is a 500 logged by name.
 */
export function rawPublicRoute<P>(
  contract: { params?: ZodType<P>; status?: number },
  run: (request: RawRequest<P>) => Promise<unknown>,
): ApiHandler {
  const core = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    try {
      logger.appendKeys({ requestId });
      let params = undefined as P;
      if (contract.params) {
        const parsed = contract.params.safeParse(event.pathParameters ?? {});
        if (!parsed.success)
          throw new ValidationError('invalid path', {
            details: parsed.error.issues.map((i) => ({
              field: ['path', ...i.path.map(String)].join('.'),
              message: i.message,
            })),
          });
        params = parsed.data;
      }
      const headers = headersOf(event);
      const body = bodyOf(event);
      requireJson(headers, body);
      return jsonResponse(contract.status ?? 200, await run({ body, headers, params, requestId }), requestId);
    } catch (error) {
      return mapError(error, requestId);
    } finally {
      logger.removeKeys(['requestId']);
    }
  };
  return middy(core).use(injectLambdaContext(logger, { resetKeys: true })) as unknown as ApiHandler;
}
