/**
 * The Messages API through `@anthropic-ai/sdk`, as an LlmTransport: one call to one model. The client is built
 * with `maxRetries: 0` (retries and fallback are the routed client's policy) and a timeout below the Lambda's;
 * each call also carries its own deadline as an abort signal, because the SDK's timeout stops at the response
 * headers and a slow or stalled body (a stream above all) would outlive it. Streams when the caller wants text
 * as it arrives (`messages.stream` + `finalMessage`, tool input rebuilt from `input_json_delta`), else one
 * `messages.create`. The answer's shape is checked: a body that is not a finished assistant message fails as
 * `malformed_response` instead of reaching the agent half-read.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import { Messages } from '@anthropic-ai/sdk/resources/messages/messages';
import * as z from 'zod';
import type { LlmContentBlock, LlmRequest, LlmResponse, LlmTool } from '../../domain/agents/llm.js';
import {
  LlmCallError,
  type LlmTransport,
  type LlmTransportAnswer,
  type LlmTransportCall,
} from '../../domain/agents/llm-transport.js';
import { classifyAnthropicError } from './errors.js';

export interface AnthropicClientOptions {
  apiKey: string;
  /** Another endpoint speaking the Messages API (a proxy, the local fake); default the public API. */
  baseUrl?: string;
  /** The SDK's request timeout (below the Lambda's). */
  timeoutMs: number;
}

/**
 * The SDK's Messages resource as this adapter uses it: no SDK retries, an explicit endpoint and key (no
 * environment reads). Built on the SDK's base client with the one resource it needs rather than the full
 * `Anthropic` client, which carries every API of the platform: 130 KB in a bundle instead of 450 KB.
 */
export function makeAnthropicMessages(options: AnthropicClientOptions): Messages {
  const client = new BaseAnthropic({
    apiKey: options.apiKey,
    baseURL: options.baseUrl ?? 'https://api.anthropic.com',
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  return new Messages(client);
}

type Params = Anthropic.Messages.MessageCreateParamsNonStreaming;

function toBlockParam(b: LlmContentBlock): Anthropic.Messages.ContentBlockParam {
  switch (b.type) {
    case 'text':
      return { type: 'text', text: b.text };
    case 'tool_use':
      return { type: 'tool_use', id: b.id, name: b.name, input: b.input };
    case 'tool_result':
      return { type: 'tool_result', tool_use_id: b.tool_use_id, content: b.content, is_error: b.is_error ?? false };
  }
}

function toToolParam(t: LlmTool): Anthropic.Messages.Tool {
  // `$schema` is a document marker, not part of a tool's input schema.
  const { $schema: _marker, ...schema } = t.inputSchema;
  return {
    name: t.name,
    description: t.description,
    input_schema: { ...schema, type: 'object' } as Anthropic.Messages.Tool.InputSchema,
  };
}

/**
 * The request body for a model. With prompt caching on, one cache breakpoint closes the system prompt, so the
 * tools and the system prompt (the part every turn of a session repeats) are cached together; a prefix below
 * the model's minimum is silently not cached and costs nothing extra.
 */
export function toMessagesParams(model: string, request: LlmRequest, promptCaching = true): Params {
  const params: Params = {
    model,
    max_tokens: request.maxTokens,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content.map(toBlockParam) })),
  };
  if (request.system.length > 0) {
    params.system = promptCaching
      ? [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral' } }]
      : request.system;
  }
  if (request.tools.length > 0) params.tools = request.tools.map(toToolParam);
  return params;
}

const Count = z.number().int().nonnegative();
const AnswerShape = z.object({
  role: z.literal('assistant'),
  content: z.array(z.looseObject({ type: z.string() })),
  // null when a stream ended before its message_delta: the answer is incomplete.
  stop_reason: z.string(),
  usage: z.looseObject({
    input_tokens: Count,
    output_tokens: Count,
    cache_creation_input_tokens: Count.nullish(),
    cache_read_input_tokens: Count.nullish(),
  }),
});
const TextShape = z.object({ type: z.literal('text'), text: z.string() });
const ToolUseShape = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});

/**
 * The port's answer from an SDK message, or LlmCallError `malformed_response`. Blocks the port does not carry
 * (thinking, server-tool blocks) are left out; text and tool_use blocks must be whole.
 */
export function fromMessage(message: unknown): LlmTransportAnswer {
  try {
    const m = AnswerShape.parse(message);
    const content: LlmResponse['content'] = [];
    for (const block of m.content) {
      if (block.type === 'text') content.push(TextShape.parse(block));
      // Reading `input` may parse the streamed JSON of the tool input: a broken one throws here.
      else if (block.type === 'tool_use') content.push(ToolUseShape.parse({ ...block, input: block.input }));
    }
    return {
      content,
      stopReason: m.stop_reason,
      usage: {
        inputTokens: m.usage.input_tokens,
        outputTokens: m.usage.output_tokens,
        cacheCreationInputTokens: m.usage.cache_creation_input_tokens ?? 0,
        cacheReadInputTokens: m.usage.cache_read_input_tokens ?? 0,
      },
    };
  } catch (e) {
    throw new LlmCallError('the model answer is not a finished assistant message', 'malformed_response', { cause: e });
  }
}

export class AnthropicMessagesTransport implements LlmTransport {
  constructor(
    private readonly messages: Messages,
    private readonly options: { promptCaching?: boolean } = {},
  ) {}

  async send(call: LlmTransportCall): Promise<LlmTransportAnswer> {
    const params = toMessagesParams(call.model, call.request, this.options.promptCaching ?? true);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, call.timeoutMs);
    const requestOptions = { timeout: call.timeoutMs, maxRetries: 0, signal: controller.signal };
    let message: unknown;
    try {
      if (call.onText) {
        const onText = call.onText;
        const stream = this.messages.stream(params, requestOptions);
        stream.on('text', (delta) => onText(delta));
        message = await stream.finalMessage();
      } else {
        message = await this.messages.create(params, requestOptions);
      }
    } catch (e) {
      throw classifyAnthropicError(e, timedOut);
    } finally {
      clearTimeout(timer);
    }
    return fromMessage(message);
  }
}
