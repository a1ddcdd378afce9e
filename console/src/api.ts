/**
 * The console's only way to the platform: the public REST API on the console's own origin, with the signed-in
 * user's token. Every failure becomes an `ApiError` carrying what the API said (code, message, request id, the
 * fields it named), so a view can show it as it is.
 */
import { currentSession, signOut } from './auth.js';

export interface FieldProblem {
  field?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** The problem the API named for a field (`rule.first.detail`, `attributes.email`), if any. */
  fieldMessage(field: string): string | undefined {
    return this.details.find((d) => d.field === field)?.message;
  }
}

let apiBase = '/api/v1';
export const setApiBase = (base: string) => {
  apiBase = base.replace(/\/$/, '');
};
/** The address of an API path (for the few calls that read a response as a stream). */
export const apiUrl = (path: string, query?: Query) => `${apiBase}${pathWithQuery(path, query)}`;

/** Called when the API refuses the token (expired, revoked): the app goes back to sign-in. */
let onUnauthorized: () => void = () => {};
export const setOnUnauthorized = (f: () => void) => {
  onUnauthorized = f;
};

export type Query = Record<string, string | number | boolean | undefined | null>;

export function pathWithQuery(path: string, query?: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `${path}${s ? `${path.includes('?') ? '&' : '?'}${s}` : ''}`;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  accept?: string;
}

/** Sends a request with the session's token; a failure to reach the API becomes an ApiError `NETWORK`. */
async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const session = currentSession();
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(apiUrl(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', `the API could not be reached (${(error as Error).message})`);
  }
}

const parse = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
};

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, options);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const body = parse(text);
  if (!res.ok) throw errorOf(res, body, text);
  return body as T;
}

/** A successful response to read as it arrives (Server-Sent Events); a refusal is thrown as the API's error. */
export async function requestStream(method: string, path: string, options: RequestOptions): Promise<Response> {
  const res = await send(method, path, options);
  if (!res.ok) {
    const text = await res.text();
    throw errorOf(res, parse(text), text);
  }
  return res;
}

/** The API's error body as an ApiError (and back to sign-in on a 401). */
export function errorOf(res: Response, body: unknown, text: string): ApiError {
  {
    const e = (body as { error?: { code?: string; message?: string; requestId?: string; details?: FieldProblem[] } })
      ?.error;
    if (res.status === 401) {
      signOut();
      onUnauthorized();
    }
    return new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? (text.slice(0, 200) || res.statusText),
      e?.requestId ?? res.headers.get('x-request-id') ?? undefined,
      e?.details ?? [],
    );
  }
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown, query?: Query) => request<T>('POST', path, { body: body ?? {}, query }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  del: <T = void>(path: string, query?: Query) => request<T>('DELETE', path, { query }),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
