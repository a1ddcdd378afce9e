/**
 * A local fake of the Messages API (POST /v1/messages) on node:http, for tests and benches that drive the real
 * `@anthropic-ai/sdk` through its `baseURL`. It answers in JSON, or in SSE when the request says `stream: true`
 * (message_start, content_block_start / delta (text_delta, input_json_delta) / stop, message_delta with the
 * usage, message_stop), with the offline model's decision for the conversation, labelled with the requested
 * model id and with usage counted as the API does (uncached input, output, and prompt-cache writes and reads for
 * a cached system prompt and tools of 1,024 tokens or more). Scripted faults are met in order by the next
 * requests (a fault naming a model waits for a request to that model): 429 with or without `retry-after`, the
 * spend-limit 429, 529 overloaded, 5xx, 401, 4xx, a delay, a malformed body, a stream cut off or stalled after
 * its first events (a request without `stream` then gets no answer at all), or a given answer.
 *
 * CLI: `tsx local/anthropic-fake.ts --port 8788` (prints its URL; any key is accepted).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { LlmContentBlock, LlmMessage, LlmTool } from '../functions/domain/agents/llm.js';
import { decideOffline, estimateTokens, offlineToolUseId } from '../functions/domain/agents/offline-model.js';

export type WireBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | Record<string, unknown>;

export interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

type Targeted = { model?: string; times?: number };
export type FakeFault = Targeted &
  (
    | { kind: 'rate_limited'; retryAfterSeconds?: number }
    | { kind: 'spend_limit' }
    | { kind: 'overloaded'; retryAfterSeconds?: number }
    | { kind: 'server_error'; status?: number }
    | { kind: 'unauthorized' }
    | { kind: 'invalid_request'; status?: number }
    | { kind: 'delay'; ms: number }
    | { kind: 'malformed'; body?: string }
    | { kind: 'cut_stream'; afterEvents?: number }
    | { kind: 'stall_stream'; afterEvents?: number }
    | { kind: 'answer'; content: WireBlock[]; stopReason?: string | null; usage?: Partial<WireUsage> }
  );

export interface FakeRequest {
  model: string;
  stream: boolean;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** The fault this request met, if any. */
  fault?: FakeFault['kind'];
}

export interface FakeMessagesApi {
  url: string;
  /** Replaces the queue of faults the next requests meet. */
  script(faults: FakeFault[]): void;
  /** Every request received, in order. */
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

/** The API's smallest cacheable prefix, in tokens (below it nothing is cached, silently). */
const MIN_CACHEABLE_TOKENS = 1024;

const ERROR_TYPE_OF_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function toLlmBlock(b: Record<string, unknown>): LlmContentBlock | undefined {
  if (b.type === 'text' && typeof b.text === 'string') return { type: 'text', text: b.text };
  if (b.type === 'tool_use') {
    return {
      type: 'tool_use',
      id: String(b.id),
      name: String(b.name),
      input: (b.input ?? {}) as Record<string, unknown>,
    };
  }
  if (b.type === 'tool_result') {
    const c = b.content;
    const content =
      typeof c === 'string' ? c : Array.isArray(c) ? c.map((x) => (x as { text?: string }).text ?? '').join('') : '';
    return { type: 'tool_result', tool_use_id: String(b.tool_use_id), content, is_error: b.is_error === true };
  }
  return undefined;
}

function toLlmMessages(messages: unknown): LlmMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((m: { role?: string; content?: unknown }) => ({
    role: m.role === 'assistant' ? 'assistant' : 'user',
    content:
      typeof m.content === 'string'
        ? [{ type: 'text', text: m.content }]
        : Array.isArray(m.content)
          ? m.content.map((b) => toLlmBlock(b as Record<string, unknown>)).filter((b) => b !== undefined)
          : [],
  }));
}

function toLlmTools(tools: unknown): LlmTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.map((t: { name?: string; description?: string; input_schema?: Record<string, unknown> }) => ({
    name: String(t.name),
    description: t.description ?? '',
    inputSchema: t.input_schema ?? {},
  }));
}

const systemText = (system: unknown): { text: string; cached: boolean } => {
  if (typeof system === 'string') return { text: system, cached: false };
  if (!Array.isArray(system)) return { text: '', cached: false };
  return {
    text: system.map((b: { text?: string }) => b.text ?? '').join('\n'),
    cached: system.some((b: { cache_control?: unknown }) => b.cache_control !== undefined),
  };
};

/** Starts the fake on 127.0.0.1 (`port` 0 or absent: any free port). */
export async function startFakeMessagesApi(options: { port?: number; apiKey?: string } = {}): Promise<FakeMessagesApi> {
  let queue: FakeFault[] = [];
  const requests: FakeRequest[] = [];
  const cachedPrefixes = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let n = 0;

  const takeFault = (model: string): FakeFault | undefined => {
    const i = queue.findIndex((f) => f.model === undefined || f.model === model);
    if (i < 0) return undefined;
    const fault = queue[i]!;
    if ((fault.times ?? 1) > 1) queue[i] = { ...fault, times: (fault.times ?? 1) - 1 };
    else queue.splice(i, 1);
    return fault;
  };

  const sendError = (
    res: http.ServerResponse,
    status: number,
    message: string,
    extra: { headers?: Record<string, string>; errorCode?: string; type?: string } = {},
  ) => {
    const id = `req_fake_${++n}`;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': id, ...extra.headers });
    res.end(
      JSON.stringify({
        type: 'error',
        error: {
          type: extra.type ?? ERROR_TYPE_OF_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'),
          message,
          ...(extra.errorCode ? { details: { error_code: extra.errorCode } } : {}),
        },
        request_id: id,
      }),
    );
  };

  /** The default answer: the offline model's decision, as this model, with the usage the API would count. */
  const answerFor = (body: Record<string, unknown>) => {
    const messages = toLlmMessages(body.messages);
    const tools = toLlmTools(body.tools);
    const decision = decideOffline({ messages, tools });
    const content: WireBlock[] =
      decision.kind === 'text'
        ? [{ type: 'text', text: decision.text }]
        : [
            { type: 'text', text: `I will use ${decision.name}.` },
            {
              type: 'tool_use',
              id: offlineToolUseId(decision.name, decision.input, messages.length),
              name: decision.name,
              input: decision.input,
            },
          ];
    const system = systemText(body.system);
    const prefix = `${JSON.stringify(body.tools ?? [])}\n${system.text}`;
    const prefixTokens = estimateTokens(prefix);
    const restTokens = estimateTokens(JSON.stringify(body.messages ?? []));
    const usage: WireUsage = {
      input_tokens: restTokens,
      output_tokens: estimateTokens(JSON.stringify(content)),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
    const key = `${String(body.model)}\n${prefix}`;
    if (system.cached && prefixTokens >= MIN_CACHEABLE_TOKENS) {
      if (cachedPrefixes.has(key)) usage.cache_read_input_tokens = prefixTokens;
      else {
        cachedPrefixes.add(key);
        usage.cache_creation_input_tokens = prefixTokens;
      }
    } else usage.input_tokens += prefixTokens;
    return { content, stopReason: decision.kind === 'tool' ? 'tool_use' : 'end_turn', usage };
  };

  const writeJson = (res: http.ServerResponse, model: string, answer: ReturnType<typeof answerFor>) => {
    const id = ++n;
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_fake_${id}` });
    res.end(
      JSON.stringify({
        id: `msg_fake_${id}`,
        type: 'message',
        role: 'assistant',
        model,
        content: answer.content,
        stop_reason: answer.stopReason,
        stop_sequence: null,
        usage: answer.usage,
      }),
    );
  };

  const writeStream = (
    res: http.ServerResponse,
    model: string,
    answer: { content: WireBlock[]; stopReason: string | null; usage: WireUsage },
    stop?: { afterEvents: number; how: 'cut' | 'stall' },
  ) => {
    const id = ++n;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'request-id': `req_fake_${id}`,
    });
    let events = 0;
    const send = (event: string, data: unknown): boolean => {
      if (stop && events >= stop.afterEvents) {
        // A stalled stream just stops sending (headers and the first events came: only a deadline on the whole
        // call ends it). A cut one drops the connection once what was sent is through: no terminating chunk,
        // no message_stop.
        if (stop.how === 'stall') return false;
        const socket = res.socket;
        const t = setTimeout(() => {
          timers.delete(t);
          socket?.destroy();
        }, 30);
        timers.add(t);
        return false;
      }
      events += 1;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      return true;
    };
    const { output_tokens, ...inputUsage } = answer.usage;
    if (
      !send('message_start', {
        type: 'message_start',
        message: {
          id: `msg_fake_${id}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...inputUsage, output_tokens: 1 },
        },
      })
    )
      return;
    for (const [index, block] of answer.content.entries()) {
      if (block.type === 'text') {
        if (
          !send('content_block_start', {
            type: 'content_block_start',
            index,
            content_block: { type: 'text', text: '' },
          })
        )
          return;
        for (const piece of String(block.text).match(/\S+\s*|\s+/g) ?? []) {
          if (
            !send('content_block_delta', {
              type: 'content_block_delta',
              index,
              delta: { type: 'text_delta', text: piece },
            })
          )
            return;
        }
      } else if (block.type === 'tool_use') {
        if (
          !send('content_block_start', {
            type: 'content_block_start',
            index,
            content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
          })
        )
          return;
        const json = JSON.stringify(block.input ?? {});
        const third = Math.ceil(json.length / 3);
        for (let i = 0; i < json.length; i += third) {
          const partial_json = json.slice(i, i + third);
          if (
            !send('content_block_delta', {
              type: 'content_block_delta',
              index,
              delta: { type: 'input_json_delta', partial_json },
            })
          )
            return;
        }
      } else if (!send('content_block_start', { type: 'content_block_start', index, content_block: block })) return;
      if (!send('content_block_stop', { type: 'content_block_stop', index })) return;
    }
    if (answer.stopReason !== null) {
      if (
        !send('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: answer.stopReason, stop_sequence: null },
          usage: { output_tokens },
        })
      )
        return;
      if (!send('message_stop', { type: 'message_stop' })) return;
    }
    res.end();
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/messages') {
      return sendError(res, 404, `no route ${req.method} ${req.url}`);
    }
    if (options.apiKey !== undefined) {
      const given = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer\s+/i, '');
      if (given !== options.apiKey) return sendError(res, 401, 'invalid x-api-key');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return sendError(res, 400, 'the request body is not JSON');
    }
    const model = typeof body.model === 'string' ? body.model : '';
    const stream = body.stream === true;
    const record: FakeRequest = { model, stream, body, headers: req.headers };
    requests.push(record);
    if (!model || typeof body.max_tokens !== 'number' || !Array.isArray(body.messages)) {
      return sendError(res, 400, 'model, max_tokens and messages are required');
    }
    const fault = takeFault(model);
    if (fault) record.fault = fault.kind;
    const retryAfter = (s?: number): Record<string, string> => (s === undefined ? {} : { 'retry-after': String(s) });
    switch (fault?.kind) {
      case 'rate_limited':
        return sendError(res, 429, 'Number of request tokens has exceeded your per-minute rate limit', {
          headers: retryAfter(fault.retryAfterSeconds),
        });
      case 'spend_limit':
        // As the API reports a usage tier's monthly cap: a rate_limit_error with a stable code and no retry-after.
        return sendError(res, 429, 'Your organization has reached its monthly API usage limit.', {
          errorCode: 'enforced_spend_limit_reached',
        });
      case 'overloaded':
        return sendError(res, 529, 'Overloaded', { headers: retryAfter(fault.retryAfterSeconds) });
      case 'server_error':
        return sendError(res, fault.status ?? 500, 'Internal server error');
      case 'unauthorized':
        return sendError(res, 401, 'invalid x-api-key');
      case 'invalid_request':
        return sendError(res, fault.status ?? 400, 'The request is not valid');
      case 'malformed': {
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_fake_${++n}` });
        return res.end(fault.body ?? '{"id":"msg_fake","type":"message","content":[{"type":"text","text":"cut');
      }
      case 'delay':
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, fault.ms);
          timers.add(t);
        });
        if (res.destroyed) return;
        break;
      case 'cut_stream':
        if (!stream) {
          res.socket?.destroy();
          return;
        }
        return writeStream(res, model, answerFor(body), { afterEvents: fault.afterEvents ?? 3, how: 'cut' });
      case 'stall_stream':
        if (!stream) return;
        return writeStream(res, model, answerFor(body), { afterEvents: fault.afterEvents ?? 1, how: 'stall' });
      case 'answer': {
        const base = answerFor(body);
        const answer = {
          content: fault.content,
          stopReason: fault.stopReason === undefined ? 'end_turn' : fault.stopReason,
          usage: { ...base.usage, ...fault.usage },
        };
        if (stream) return writeStream(res, model, answer);
        const id = ++n;
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_fake_${id}` });
        return res.end(
          JSON.stringify({
            id: `msg_fake_${id}`,
            type: 'message',
            role: 'assistant',
            model,
            content: answer.content,
            stop_reason: answer.stopReason,
            stop_sequence: null,
            usage: answer.usage,
          }),
        );
      }
      case undefined:
        break;
    }
    const answer = answerFor(body);
    if (stream) writeStream(res, model, answer);
    else writeJson(res, model, answer);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e: unknown) => {
        if (!res.headersSent) sendError(res, 500, e instanceof Error ? e.message : 'fake failure');
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    script(faults) {
      queue = [...faults];
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--port');
  const port = i >= 0 ? Number(process.argv[i + 1]) : 8788;
  const api = await startFakeMessagesApi({ port });
  console.log(`fake Messages API on ${api.url} (set ANTHROPIC_BASE_URL to it; any key is accepted)`);
  const stop = () => void api.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
