/**
 * What the local API server answers outside the API: the operator console at `/` and the local platform's own
 * routes under `/local/` (the development sign-in, local/sign-in.ts).
 *
 * The console is built at each start with `buildConsole()` (console/build.ts) into the data folder, never the
 * source tree, and served from memory with the headers CloudFront sends in AWS: `consoleSecurityHeaders({ connectSrc
 * })` and `cacheControlOf(name)` of console/headers.ts. `/config.json` is the local `ConsoleConfig`. Any other path is a
 * 404 in the API's error shape. Differences from CloudFront: docs/local-console.md.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { buildConsole, type ConsoleBuild } from '../console/build.js';
import { cacheControlOf, type ConsoleHeaderOptions, consoleSecurityHeaders } from '../console/headers.js';
import type { ConsoleConfig } from '../console/src/config.js';
import { gatewayError, type SiteHandler, type SiteRequest } from './api-server.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

export const contentTypeOf = (name: string): string =>
  CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';

/** A file kept in memory with every header of its response. */
interface ServedFile {
  body: string;
  isBase64Encoded: boolean;
  headers: Record<string, string>;
}

function servedFile(name: string, data: Buffer, security: Record<string, string>): ServedFile {
  return {
    body: data.toString('base64'),
    isBase64Encoded: true,
    headers: {
      ...security,
      'content-type': contentTypeOf(name),
      'content-length': String(data.byteLength),
      'cache-control': cacheControlOf(name),
      etag: `"${createHash('sha256').update(data).digest('base64url').slice(0, 22)}"`,
    },
  };
}

/** Whether an If-None-Match names the file's ETag (a list, weak forms, or `*`). */
const matchesEtag = (header: string | undefined, etag: string): boolean =>
  !!header?.split(',').some((t) => ['*', etag].includes(t.trim().replace(/^W\//, '')));

/** A local route: `/local/<name>`, by method. */
export type LocalRoutes = Record<string, Partial<Record<string, SiteHandler>>>;

export interface ConsoleSiteOptions {
  /** The console's build, or why it failed (the API still serves; `/` answers 503 with the reason). */
  build: ConsoleBuild | { error: string };
  config: ConsoleConfig;
  /** Routes of the local platform only, by path (`/local/sign-in`) and method. */
  localRoutes?: LocalRoutes;
  /**
   * Origins the console may call besides its own (`connect-src`): the identity provider's when the platform signs in
   * with one, as `consoleConnectSrcOf` (lib/modos-stack.ts) gives CloudFront's policy. Default: none.
   */
  connectSrc?: ConsoleHeaderOptions['connectSrc'];
}

/** Builds the console into `outDir`; a failure is returned, not thrown, so the platform starts without it. */
export async function buildLocalConsole(outDir: string): Promise<ConsoleBuild | { error: string }> {
  try {
    return await buildConsole({ outDir });
  } catch (error) {
    return { error: (error as Error).message.split('\n').slice(0, 4).join(' ') };
  }
}

const errorWithHeaders = (
  security: Record<string, string>,
  status: number,
  code: string,
  message: string,
  requestId: string,
  extra: Record<string, string> = {},
): APIGatewayProxyResult => {
  const r = gatewayError(status, code, message, requestId);
  return {
    ...r,
    headers: {
      ...security,
      ...r.headers,
      'cache-control': 'no-cache',
      'content-length': String(Buffer.byteLength(r.body)),
      ...extra,
    },
  };
};

const methodNotAllowed = (security: Record<string, string>, req: SiteRequest, allowed: string[]) =>
  errorWithHeaders(security, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`, req.requestId, {
    allow: allowed.join(', '),
  });

/**
 * The handler of every path outside the API: GET/HEAD of `/` (index.html), of each built file by its name and of
 * `/config.json`; the local routes; 404 for anything else, 405 for another method on a file or a local route.
 */
export function consoleSite(options: ConsoleSiteOptions): SiteHandler {
  const security = consoleSecurityHeaders({ connectSrc: options.connectSrc ?? [] });
  const files = new Map<string, ServedFile>();
  if ('files' in options.build) {
    for (const f of options.build.files)
      files.set(`/${f.name}`, servedFile(f.name, readFileSync(join(options.build.outDir, f.name)), security));
    const index = files.get('/index.html');
    if (index) files.set('/', index);
  }
  files.set('/config.json', servedFile('config.json', Buffer.from(JSON.stringify(options.config)), security));
  const unavailable = 'error' in options.build ? options.build.error : undefined;

  return async (req) => {
    if (req.path.startsWith('/local/')) {
      const route = options.localRoutes?.[req.path];
      if (!route) return errorWithHeaders(security, 404, 'NOT_FOUND', `no route for ${req.path}`, req.requestId);
      const handler = route[req.method];
      return handler ? handler(req) : methodNotAllowed(security, req, Object.keys(route));
    }
    const file = files.get(req.path);
    if (!file) {
      if (unavailable && (req.path === '/' || req.path === '/index.html'))
        return errorWithHeaders(
          security,
          503,
          'CONSOLE_UNAVAILABLE',
          `the console did not build: ${unavailable}`,
          req.requestId,
        );
      return errorWithHeaders(security, 404, 'NOT_FOUND', `no such file: ${req.path}`, req.requestId);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(security, req, ['GET', 'HEAD']);
    if (matchesEtag(req.headers['if-none-match'], file.headers.etag!)) {
      const { 'content-length': _, 'content-type': __, ...headers } = file.headers;
      return { statusCode: 304, headers, body: '' };
    }
    return { statusCode: 200, headers: file.headers, body: file.body, isBase64Encoded: file.isBase64Encoded };
  };
}
