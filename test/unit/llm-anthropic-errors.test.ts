/**
 * How SDK errors of the Messages API become failure kinds (status, error type, stable error code; never the
 * message except for the one code-less spend limit), how a retry-after is read, and the answer-shape check.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AnthropicError,
} from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { classifyAnthropicError, retryAfterMsOf } from '../../functions/adapters/anthropic/errors.js';
import { fromMessage, toMessagesParams } from '../../functions/adapters/anthropic/messages-transport.js';
import { LlmCallError } from '../../functions/domain/agents/llm-transport.js';

const apiError = (status: number | undefined, type: string, extra: Record<string, unknown> = {}, headers = {}) =>
  status === undefined
    ? new APIError(
        undefined,
        { type: 'error', error: { type, message: 'm', ...extra } },
        undefined,
        new Headers(headers),
      )
    : APIError.generate(
        status,
        { type: 'error', error: { type, message: 'm', ...extra } },
        undefined,
        new Headers(headers),
      );

const kindOf = (e: unknown, timedOut = false) => {
  const c = classifyAnthropicError(e, timedOut);
  return c instanceof LlmCallError ? c.kind : 'unclassified';
};

describe('classifyAnthropicError', () => {
  it.each([
    [429, 'rate_limit_error', 'rate_limited'],
    [529, 'overloaded_error', 'overloaded'],
    [500, 'api_error', 'server_error'],
    [503, 'api_error', 'server_error'],
    [409, 'conflict_error', 'server_error'],
    [504, 'timeout_error', 'timeout'],
    [408, 'timeout_error', 'timeout'],
    [400, 'invalid_request_error', 'invalid_request'],
    [404, 'not_found_error', 'invalid_request'],
    [413, 'request_too_large', 'invalid_request'],
    [401, 'authentication_error', 'authentication'],
    [403, 'permission_error', 'authentication'],
    [402, 'billing_error', 'spend_limit'],
  ])('classifies a %i %s as %s', (status, type, kind) => {
    expect(kindOf(apiError(status, type))).toBe(kind);
  });

  it('tells a reached spend limit from a rate limit by its stable code, whatever the status', () => {
    for (const [status, code] of [
      [429, 'enforced_spend_limit_reached'],
      [429, 'contract_spend_limit_reached'],
      [402, 'linked_organization_spend_limit_reached'],
    ] as const) {
      expect(kindOf(apiError(status, 'rate_limit_error', { details: { error_code: code } }))).toBe('spend_limit');
    }
    expect(kindOf(apiError(429, 'rate_limit_error', { details: { error_code: 'some_new_code' } }))).toBe(
      'rate_limited',
    );
  });

  it('reads the spend limit that a 400 reports without a code from its message', () => {
    const e = APIError.generate(
      400,
      {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'You have reached your specified API usage limits. You will regain access on 2027-01-01.',
        },
      },
      undefined,
      new Headers(),
    );
    expect(kindOf(e)).toBe('spend_limit');
  });

  it('classifies an error event inside a stream (no status) by its type', () => {
    expect(kindOf(apiError(undefined, 'overloaded_error'))).toBe('overloaded');
    expect(kindOf(apiError(undefined, 'api_error'))).toBe('server_error');
  });

  it('keeps the status and the retry-after of the response', () => {
    const c = classifyAnthropicError(
      apiError(429, 'rate_limit_error', {}, { 'retry-after': '7' }),
      false,
    ) as LlmCallError;
    expect(c).toMatchObject({ kind: 'rate_limited', httpStatus: 429, retryAfterMs: 7000, retryable: true });
  });

  it('classifies timeouts, our own deadline, aborts and connection failures', () => {
    expect(kindOf(new APIConnectionTimeoutError())).toBe('timeout');
    expect(kindOf(new APIUserAbortError(), true)).toBe('timeout');
    expect(kindOf(new APIUserAbortError(), false)).toBe('connection');
    expect(kindOf(new APIConnectionError({ message: 'reset' }))).toBe('connection');
    const cut = new TypeError('terminated', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(kindOf(cut)).toBe('connection');
  });

  it('classifies an unreadable answer as malformed and lets a defect through', () => {
    expect(kindOf(new SyntaxError('Unexpected end of JSON input'))).toBe('malformed_response');
    expect(kindOf(new AnthropicError('stream ended without producing a Message with role=assistant'))).toBe(
      'malformed_response',
    );
    const defect = new RangeError('a bug');
    expect(classifyAnthropicError(defect, false)).toBe(defect);
  });
});

describe('retryAfterMsOf', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  it('reads retry-after-ms, retry-after seconds and an HTTP date', () => {
    expect(retryAfterMsOf(new Headers({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMsOf(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMsOf(new Headers({ 'retry-after': 'Tue, 01 Dec 2026 10:00:05 GMT' }), now)).toBe(5000);
  });
  it('ignores what is absent, unreadable or past', () => {
    expect(retryAfterMsOf(new Headers(), now)).toBeUndefined();
    expect(retryAfterMsOf(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMsOf(new Headers({ 'retry-after': 'Tue, 01 Dec 2026 09:00:00 GMT' }), now)).toBeUndefined();
    expect(retryAfterMsOf(new Headers({ 'retry-after': '0' }), now)).toBeUndefined();
  });
});

describe('the Messages API mapping', () => {
  it('maps blocks both ways and caches the system prompt with the tools', () => {
    const params = toMessagesParams('claude-x', {
      task: { type: 'chat', complexity: 'low' },
      system: 'sys',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get_entity', input: { entityId: 'e' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '{}' }] },
      ],
      tools: [{ name: 'get_entity', description: 'd', inputSchema: { $schema: 'x', type: 'object', properties: {} } }],
      maxTokens: 64,
    });
    expect(params).toEqual({
      model: 'claude-x',
      max_tokens: 64,
      system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get_entity', input: { entityId: 'e' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '{}', is_error: false }] },
      ],
      tools: [{ name: 'get_entity', description: 'd', input_schema: { type: 'object', properties: {} } }],
    });
  });

  it('reads a message, leaving out blocks the port does not carry', () => {
    const answer = fromMessage({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: '', signature: 's' },
        { type: 'text', text: 'Hello' },
        { type: 'tool_use', id: 't', name: 'n', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 5, output_tokens: 6, cache_creation_input_tokens: null, cache_read_input_tokens: 7 },
    });
    expect(answer).toEqual({
      content: [
        { type: 'text', text: 'Hello' },
        { type: 'tool_use', id: 't', name: 'n', input: { a: 1 } },
      ],
      stopReason: 'tool_use',
      usage: { inputTokens: 5, outputTokens: 6, cacheCreationInputTokens: 0, cacheReadInputTokens: 7 },
    });
  });

  it.each([
    ['no content', { role: 'assistant', stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } }],
    [
      'an unfinished answer',
      { role: 'assistant', content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 1 } },
    ],
    [
      'a tool call without id',
      {
        role: 'assistant',
        content: [{ type: 'tool_use', name: 'n', input: {} }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    ],
    [
      'a tool input that is not an object',
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 't', name: 'n', input: [1] }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    ],
    ['no usage', { role: 'assistant', content: [], stop_reason: 'end_turn' }],
    [
      'a user message',
      { role: 'user', content: [], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } },
    ],
  ])('refuses %s as malformed_response', (_label, message) => {
    expect(() => fromMessage(message)).toThrow(
      expect.objectContaining({ name: 'LlmCallError', kind: 'malformed_response' }),
    );
  });
});
