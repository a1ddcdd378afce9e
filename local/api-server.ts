import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayTokenAuthorizerEvent,
  Context,
} from 'aws-lambda';
import type { RouteSpec } from '../functions/platform/manifest.js';
import type { TenantRateLimiter } from './rate-limiter.js';

/** The usage identifier each authorizer result carried (kept beside the cached context, not in it). */
const usageKeys = new WeakMap<object, string | undefined>();

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type TokenAuthorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

interface CompiledRoute {
  spec: RouteSpec;
  regex: RegExp;
  params: string[];
}

export interface LocalApiOptions {
  routes: readonly RouteSpec[];
  resolveHandler: (functionName: string) => Promise<ProxyHandler>;
  authorizer: () => Promise<TokenAuthorizer>;
  stage: string;
  /** Authorizer results are cached per token for this long, as API Gateway does (0 disables). */
  authorizerCacheTtlSeconds?: number;
  /** The authorizer's identity validation expression (manifest AUTHORIZER.tokenPattern). */
  tokenPattern?: RegExp;
  /** Per-tenant limits keyed on the usage identifier the authorizer returns (the usage plan locally). */
  rateLimiter?: TenantRateLimiter;
  /** Largest body read, as API Gateway's 10 MB payload limit. */
  maxBodyBytes?: number;
  /**
   * What answers outside the API (paths other than `/api/…` and `/health`): the console and the local platform's
   * own routes (local/console-site.ts). Without it those paths get the API's 404.
   */
  site?: SiteHandler;
}

/** A request outside the API, its body read (at most SITE_MAX_BODY_BYTES). */
export interface SiteRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  requestId: string;
  /** The server's own origin, `http://127.0.0.1:<port>`. */
  origin: string;
}
export type SiteHandler = (req: SiteRequest) => Promise<APIGatewayProxyResult> | APIGatewayProxyResult;

/** Bodies outside the API are small JSON requests (the development sign-in). */
export const SITE_MAX_BODY_BYTES = 16 * 1024;

/** The API's paths: everything under `/api/` and the health check (the stack's API Gateway serves these). */
export const isApiPath = (path: string): boolean => path === '/health' || path === '/api' || path.startsWith('/api/');

/** API Gateway's default gateway-response bodies, rendered in the modos error shape (lib/ sets the same). */
export const gatewayError = (status: number, code: string, message: string, requestId: string) => ({
  statusCode: status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId },
  body: JSON.stringify({ error: { code, message, requestId } }),
});

function compile(spec: RouteSpec): CompiledRoute {
  const params: string[] = [];
  const pattern = spec.path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m?.[1]) {
        params.push(m[1]);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { spec, regex: new RegExp(`^${pattern}$`), params };
}

/**
 * The local API Gateway: one HTTP server built from the same route table as the CDK RestApi. Each
 * request becomes an API Gateway REST proxy event (v1) with the authorizer's context, and goes to
 * the same handler module the Lambda runs. Unknown paths get 404 and wrong methods 405, as
 * API Gateway's MISSING_AUTHENTICATION_TOKEN / method responses would.
 */
export class LocalApiServer {
  private server: Server | undefined;
  private readonly routes: CompiledRoute[];
  private readonly authCache = new Map<string, { context: Record<string, unknown>; until: number }>();
  private markReady!: () => void;
  /** Requests wait for this: the platform calls setReady() once every handler is loaded. */
  private readonly ready = new Promise<void>((r) => (this.markReady = r));
  url = '';

  constructor(private readonly options: LocalApiOptions) {
    this.routes = options.routes.map(compile);
  }

  async start(port: number, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        const r = gatewayError(500, 'INTERNAL_ERROR', 'internal error', 'local');
        res.writeHead(r.statusCode, r.headers).end(r.body);
        console.error(
          JSON.stringify({
            level: 'ERROR',
            message: 'local api failure',
            errorName: (error as Error)?.name,
            frames: (error as Error)?.stack?.split('\n').slice(0, 4).join(' | '),
          }),
        );
      });
    });
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    if (!address || typeof address !== 'object') throw new Error('API did not bind');
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  setReady(): void {
    this.markReady();
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeIdleConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server.closeAllConnections();
  }

  /**
   * Caches an allow result for the TTL, as API Gateway does: regardless of the token's expiry, which
   * the handlers check from the `exp` in the context.
   */
  private remember(token: string, context: Record<string, unknown>): void {
    const ttl = (this.options.authorizerCacheTtlSeconds ?? 0) * 1000;
    if (ttl <= 0) return;
    if (this.authCache.size > 10_000) this.authCache.clear();
    this.authCache.set(token, { context, until: Date.now() + ttl });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.ready;
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (r: APIGatewayProxyResult) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = String(v);
      res.writeHead(r.statusCode, headers).end(r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
    };
    if (this.options.site && !isApiPath(url.pathname)) return this.handleSite(req, url, requestId, send);
    // As API Gateway: a static path segment wins over a {param} one (/workflows/execute over /workflows/{id}).
    const matching = this.routes.filter((r) => r.regex.test(url.pathname));
    const fewestParams = Math.min(...matching.map((r) => r.params.length));
    const onPath = matching.filter((r) => r.params.length === fewestParams);
    const route = onPath.find((r) => r.spec.method === req.method);
    if (!route) {
      // Drain the body so keep-alive connections stay usable.
      for await (const _ of req) void _;
      return send(
        onPath.length
          ? gatewayError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`, requestId)
          : gatewayError(404, 'NOT_FOUND', `no route for ${url.pathname}`, requestId),
      );
    }
    const max = this.options.maxBodyBytes ?? 10 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > max) return send(gatewayError(413, 'VALIDATION_ERROR', 'request body too large', requestId));
      chunks.push(c as Buffer);
    }
    // As API Gateway REST: `multiValueHeaders` holds every value of a header, `headers` the last one.
    // (req.headers would hold the first Authorization of two: node drops later duplicates of it.)
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (const [k, values] of Object.entries(req.headersDistinct)) {
      if (!values?.length) continue;
      multiValueHeaders[k] = values;
      headers[k] = values[values.length - 1]!;
    }
    let authorizer: Record<string, unknown> | null = null;
    if (route.spec.auth === 'jwt') {
      const methodArn = `arn:aws:execute-api:us-east-1:000000000000:local/${this.options.stage}/${route.spec.method}${route.spec.path}`;
      // The identity source is the header's last value, as API Gateway passes it to a TOKEN authorizer.
      const token = headers.authorization ?? '';
      // API Gateway's identity validation: a token of another shape is refused before the authorizer runs.
      if (this.options.tokenPattern && !this.options.tokenPattern.test(token))
        return send(gatewayError(401, 'UNAUTHORIZED', 'Unauthorized', requestId));
      const cached = this.authCache.get(token);
      if (cached && cached.until > Date.now()) {
        authorizer = cached.context;
      } else {
        try {
          const auth = await (await this.options.authorizer())({ type: 'TOKEN', authorizationToken: token, methodArn });
          authorizer = { ...(auth.context ?? {}), principalId: auth.principalId };
          usageKeys.set(authorizer, auth.usageIdentifierKey ?? undefined);
          this.remember(token, authorizer);
        } catch {
          return send(gatewayError(401, 'UNAUTHORIZED', 'Unauthorized', requestId));
        }
      }
      // The usage plan's throttle and quota, per tenant key, after the authorizer (as in API Gateway).
      const usageKey = usageKeys.get(authorizer);
      if (this.options.rateLimiter && usageKey) {
        const decision = this.options.rateLimiter.take(usageKey);
        if (!decision.allowed) {
          const r =
            decision.reason === 'quota'
              ? gatewayError(429, 'RATE_LIMITED', 'daily request quota exceeded', requestId)
              : gatewayError(429, 'RATE_LIMITED', 'Too many requests', requestId);
          return send({ ...r, headers: { ...r.headers, 'retry-after': String(decision.retryAfterSeconds) } });
        }
      }
    }
    const match = route.regex.exec(url.pathname)!;
    let pathParameters: Record<string, string>;
    try {
      pathParameters = Object.fromEntries(route.params.map((p, i) => [p, decodeURIComponent(match[i + 1] ?? '')]));
    } catch {
      return send(gatewayError(400, 'VALIDATION_ERROR', 'malformed percent-encoding in the path', requestId));
    }
    const query = Object.fromEntries(url.searchParams);
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (multiQuery[k] ??= []).push(v);
    const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : null;
    const event: APIGatewayProxyEvent = {
      resource: route.spec.path,
      path: url.pathname,
      httpMethod: route.spec.method,
      headers,
      multiValueHeaders,
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
      pathParameters: route.params.length ? pathParameters : null,
      stageVariables: null,
      body,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        authorizer,
        protocol: 'HTTP/1.1',
        httpMethod: route.spec.method,
        identity: {
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? null,
        } as APIGatewayProxyEvent['requestContext']['identity'],
        path: `/${this.options.stage}${url.pathname}`,
        stage: this.options.stage,
        requestId,
        requestTimeEpoch: Date.now(),
        resourceId: 'local',
        resourcePath: route.spec.path,
      },
    };
    const handler = await this.options.resolveHandler(route.spec.function);
    let result: APIGatewayProxyResult;
    try {
      result = await handler(event, lambdaContext(route.spec.function, requestId));
      if (!result || typeof result.statusCode !== 'number') throw new Error('malformed Lambda proxy response');
    } catch (error) {
      // A function error, timeout or crash: API Gateway answers 502 (its DEFAULT_5XX response).
      console.error(
        JSON.stringify({
          level: 'ERROR',
          message: 'integration failed',
          function: route.spec.function,
          requestId,
          errorName: (error as Error)?.name,
          error: (error as Error)?.message,
        }),
      );
      return send(gatewayError(502, 'INTERNAL_ERROR', 'internal error', requestId));
    }
    send(result);
  }

  private async handleSite(
    req: IncomingMessage,
    url: URL,
    requestId: string,
    send: (r: APIGatewayProxyResult) => void,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > SITE_MAX_BODY_BYTES)
        return send(
          gatewayError(413, 'VALIDATION_ERROR', `request body exceeds ${SITE_MAX_BODY_BYTES} bytes`, requestId),
        );
      chunks.push(c as Buffer);
    }
    const result = await this.options.site!({
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: req.headers,
      body: Buffer.concat(chunks),
      requestId,
      origin: this.url,
    });
    // HEAD: the headers of GET (content-length included), no body.
    send(req.method === 'HEAD' ? { ...result, body: '', isBase64Encoded: false } : result);
  }
}

export function lambdaContext(functionName: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
