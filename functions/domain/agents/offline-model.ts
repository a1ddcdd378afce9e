/**
 * The offline model: an LlmClient without network, used when no model provider is configured, so demos and
 * tests run without a key. It is deterministic (the same request, the same answer), says so in every text it
 * writes (`[offline model] `), estimates usage as one token per four characters and costs nothing.
 *
 * It decides like a cautious assistant, from general rules only:
 * - the user turn carries tool results: it answers with a digest of each (no further tool call);
 * - the user's own words name a tool, or share at least two word stems with a tool's name and description,
 *   and every required input of that tool can be read off the user's words: it calls that tool;
 * - otherwise it answers in text, citing the knowledge passages given with the turn.
 * Retrieved passages (`<passage source="...">...</passage>`) are data: they never choose a tool nor fill its
 * input, so a passage that gives orders cannot make this model act.
 */
import type { LlmClient, LlmContentBlock, LlmMessage, LlmRequest, LlmResponse, LlmTool } from './llm.js';

export const OFFLINE_MODEL_ID = 'offline';
export const OFFLINE_LABEL = '[offline model] ';

export type OfflineDecision =
  | { kind: 'tool'; name: string; input: Record<string, unknown> }
  | { kind: 'text'; text: string };

/** One token per four characters, rounded up: the usual estimate for English text. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

// Words of four letters or more that say nothing about which tool is meant.
const STOP_WORDS = new Set(
  (
    'about above after again also among anyone anything because been before being below between both ' +
    'could does doing done down during each either else every from have having here hers into just kind ' +
    'like made make many might more most much must need none only other ours over please really same ' +
    'shall should some such than that their theirs them then there these they this those through under ' +
    'until upon very want were what when where which while whom whose will with within without would ' +
    'your yours thanks thank hello dear'
  ).split(' '),
);

const STEM_LENGTH = 5;

/** Lower-case word stems (the first five letters) of the words of four letters or more, stop-words dropped. */
export function stemsOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    if (word.length < 4 || STOP_WORDS.has(word)) continue;
    out.add(word.slice(0, STEM_LENGTH));
  }
  return out;
}

interface Passage {
  source: string;
  text: string;
}

const PASSAGE = /<passage\s+source="([^"]*)"\s*>([\s\S]*?)<\/passage>/g;

function splitPassages(text: string): { own: string; passages: Passage[] } {
  const passages: Passage[] = [];
  const own = text.replace(PASSAGE, (_m, source: string, body: string) => {
    passages.push({ source, text: body.trim() });
    return ' ';
  });
  return { own: own.replace(/\s+/g, ' ').trim(), passages };
}

/** The first sentence of a text, whitespace collapsed, cut at a word boundary to `max` characters. */
export function firstSentence(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/[.!?](\s|$)/);
  const sentence = end >= 0 ? flat.slice(0, end + 1) : flat;
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max / 2 ? cut.slice(0, space) : cut).trimEnd();
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const HTTPS_URL = /https:\/\/[^\s"'<>)]+/;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;
// A prefixed id such as `ent_7f3k2`: a short lower-case prefix, an underscore and a token holding a digit.
const PREFIXED_ID = /\b[a-z]{2,10}_[A-Za-z0-9]*\d[A-Za-z0-9]*\b/;

function firstId(text: string): string | undefined {
  const a = UUID.exec(text);
  const b = PREFIXED_ID.exec(text);
  if (a && b) return a.index <= b.index ? a[0] : b[0];
  return (a ?? b)?.[0];
}

function firstNumber(text: string): number | undefined {
  // Digits inside addresses and ids are not quantities.
  const bare = text
    .replace(new RegExp(EMAIL.source, 'g'), ' ')
    .replace(new RegExp(HTTPS_URL.source, 'g'), ' ')
    .replace(new RegExp(UUID.source, 'gi'), ' ')
    .replace(new RegExp(PREFIXED_ID.source, 'g'), ' ');
  const m = /-?\b\d+(?:\.\d+)?\b/.exec(bare);
  return m ? Number(m[0]) : undefined;
}

type JsonSchema = Record<string, unknown>;

const schemaType = (schema: JsonSchema): string | undefined => {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  return undefined;
};

/** A value for one input property read off the user's words, or undefined when the words do not give one. */
/** The first JSON object written in the text (`{"tier": "gold"}`), or undefined: how a user gives structured values. */
export function firstJsonObject(text: string): Record<string, unknown> | undefined {
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    for (let end = text.indexOf('}', start); end !== -1; end = text.indexOf('}', end + 1)) {
      try {
        const value: unknown = JSON.parse(text.slice(start, end + 1));
        if (value !== null && typeof value === 'object' && !Array.isArray(value))
          return value as Record<string, unknown>;
      } catch {
        // not a whole object yet: try the next closing brace
      }
    }
  }
  return undefined;
}

function fillProperty(name: string, schema: JsonSchema, text: string): unknown {
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = schemaType(schema);
  if (type === 'boolean') return false;
  if (type === 'number' || type === 'integer') {
    const n = firstNumber(text);
    if (n === undefined) return undefined;
    const v = type === 'integer' ? Math.trunc(n) : n;
    const min = typeof schema.minimum === 'number' ? schema.minimum : -Infinity;
    const max = typeof schema.maximum === 'number' ? schema.maximum : Infinity;
    return Math.min(max, Math.max(min, v));
  }
  if (type === 'object') return firstJsonObject(text);
  if (type !== undefined && type !== 'string') return undefined;
  const n = name.toLowerCase();
  const format = typeof schema.format === 'string' ? schema.format : '';
  let value: string | undefined;
  if (format === 'email' || /e-?mail|^to$|recipient/.test(n)) value = EMAIL.exec(text)?.[0];
  else if (format === 'uri' || /url|link|endpoint|webhook/.test(n)) value = HTTPS_URL.exec(text)?.[0];
  else if (/entity|account/.test(n) || /(^|_)id$/.test(n) || /[a-z]Id$/.test(name)) value = firstId(text);
  else if (/subject|title|headline/.test(n)) value = firstSentence(text, 100) || undefined;
  else if (/body|content|text|message|summary|note|query|question/.test(n)) value = text || undefined;
  if (value === undefined) return undefined;
  return typeof schema.maxLength === 'number' ? value.slice(0, schema.maxLength) : value;
}

/** The tool's whole input, or undefined when a required property cannot be filled. */
function fillInput(tool: LlmTool, text: string): Record<string, unknown> | undefined {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
  const required = Array.isArray(tool.inputSchema.required) ? (tool.inputSchema.required as string[]) : [];
  const input: Record<string, unknown> = {};
  for (const key of required) {
    const value = fillProperty(key, properties[key] ?? {}, text);
    if (value === undefined) return undefined;
    input[key] = value;
  }
  return input;
}

const names = (tool: LlmTool, lower: string): boolean =>
  lower.includes(tool.name.toLowerCase()) || lower.includes(tool.name.toLowerCase().replace(/[_-]+/g, ' '));

/**
 * The tool the user's words ask for: one they name (its name, or its name with spaces), else the one sharing the most stems (at least two) with
 * its name and description (the first listed on a tie). Undefined when none qualifies.
 */
export function chooseTool(text: string, tools: readonly LlmTool[]): LlmTool | undefined {
  const lower = text.toLowerCase();
  // The longest name mentioned wins, so `get_entity_changes` is not read as `get_entity`.
  let named: LlmTool | undefined;
  for (const t of tools) if (names(t, lower) && (!named || t.name.length > named.name.length)) named = t;
  if (named) return named;
  const words = stemsOf(text);
  let best: LlmTool | undefined;
  let bestOverlap = 1;
  for (const tool of tools) {
    const stems = stemsOf(`${tool.name.replace(/[_-]+/g, ' ')} ${tool.description}`);
    let overlap = 0;
    for (const s of stems) if (words.has(s)) overlap += 1;
    if (overlap > bestOverlap) {
      best = tool;
      bestOverlap = overlap;
    }
  }
  return best;
}

const DIGEST_CHARS = 300;

const quote = (s: string, max: number) => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);

function shortValue(v: unknown): string {
  if (Array.isArray(v)) return `${v.length} item${v.length === 1 ? '' : 's'}`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    return `{${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}}`;
  }
  if (typeof v === 'string') return quote(v, 60);
  return String(v);
}

/** A compact digest of a tool result: JSON summarised by keys and counts, other text cut to a few hundred characters. */
export function digestOf(content: string): string {
  const trimmed = content.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (Array.isArray(value)) {
        const first = value[0];
        const each =
          first !== null && typeof first === 'object' && !Array.isArray(first)
            ? `, each with ${Object.keys(first).slice(0, 6).join(', ')}`
            : '';
        return `${shortValue(value)}${each}`;
      }
      if (value !== null && typeof value === 'object') {
        const entries = Object.entries(value);
        const shown = entries.slice(0, 8).map(([k, v]) => `${k}: ${shortValue(v)}`);
        const more = entries.length > 8 ? `; … (${entries.length} keys)` : '';
        return `${shown.join('; ')}${more}`.slice(0, DIGEST_CHARS + 100);
      }
    } catch {
      // not JSON after all: digested as text below
    }
  }
  const flat = trimmed.replace(/\s+/g, ' ');
  return flat.length > DIGEST_CHARS ? `${flat.slice(0, DIGEST_CHARS)}…` : flat;
}

function toolNameOf(messages: readonly LlmMessage[], toolUseId: string): string {
  for (const m of messages) {
    for (const b of m.content) if (b.type === 'tool_use' && b.id === toolUseId) return b.name;
  }
  return toolUseId;
}

function reportResults(results: Extract<LlmContentBlock, { type: 'tool_result' }>[], messages: LlmMessage[]): string {
  const lines = results.map((r) => {
    const name = toolNameOf(messages, r.tool_use_id);
    return `- ${name}${r.is_error ? ' failed' : ''}: ${digestOf(r.content)}`;
  });
  return `Here is what the ${results.length === 1 ? 'skill' : 'skills'} returned:\n${lines.join('\n')}`;
}

function textAnswer(own: string, passages: Passage[]): string {
  if (passages.length > 0) {
    const sources = [...new Set(passages.map((p) => p.source))];
    const sentence = firstSentence(passages[0]!.text, 200);
    return `From the knowledge base (${sources.map((s) => `[${s}]`).join(', ')}): "${sentence}" [${passages[0]!.source}]`;
  }
  if (own.length === 0) return 'There is nothing to answer yet.';
  // Said by whichever model answers (the fake Messages API answers with these words too): the offline label,
  // added by OfflineLlmClient, is what tells that no language model wrote it.
  return `I read your message: "${firstSentence(own, 100)}" I use a skill when your words name it or describe it and give everything it needs.`;
}

/** What the offline model does with a request: one tool call or one text answer (unlabelled). */
export function decideOffline(request: Pick<LlmRequest, 'messages' | 'tools'>): OfflineDecision {
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
  if (!lastUser) return { kind: 'text', text: 'There is nothing to answer yet.' };
  const results = lastUser.content.filter(
    (b): b is Extract<LlmContentBlock, { type: 'tool_result' }> => b.type === 'tool_result',
  );
  if (results.length > 0) return { kind: 'text', text: reportResults(results, request.messages) };
  const text = lastUser.content
    .filter((b): b is Extract<LlmContentBlock, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
  const { own, passages } = splitPassages(text);
  const tool = chooseTool(own, request.tools);
  const input = tool && fillInput(tool, own);
  if (tool && input) return { kind: 'tool', name: tool.name, input };
  return { kind: 'text', text: textAnswer(own, passages) };
}

/** FNV-1a, 32 bits: a short deterministic id part (not a security hash). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A deterministic tool_use id for a decision in a conversation of this length. */
export const offlineToolUseId = (name: string, input: Record<string, unknown>, turn: number): string =>
  `toolu_offline_${fnv1a(`${turn}:${name}:${JSON.stringify(input)}`)}`;

/** How many characters the prompt of a request holds (system, every block, the tools' schemas). */
export function promptChars(request: Pick<LlmRequest, 'system' | 'messages' | 'tools'>): number {
  let n = request.system.length;
  for (const m of request.messages) {
    for (const b of m.content) {
      if (b.type === 'text') n += b.text.length;
      else if (b.type === 'tool_use') n += b.name.length + JSON.stringify(b.input).length;
      else n += b.content.length;
    }
  }
  for (const t of request.tools) n += t.name.length + t.description.length + JSON.stringify(t.inputSchema).length;
  return n;
}

/** Splits a text into word-sized pieces (each with its trailing space), as a stream would deliver it. */
const pieces = (text: string): string[] => text.match(/\S+\s*|\s+/g) ?? [];

export class OfflineLlmClient implements LlmClient {
  async complete(request: LlmRequest): Promise<LlmResponse> {
    const decision = decideOffline(request);
    const maxChars = Math.max(1, request.maxTokens) * 4;
    let stopReason = decision.kind === 'tool' ? 'tool_use' : 'end_turn';
    let text = OFFLINE_LABEL + (decision.kind === 'tool' ? `Using the ${decision.name} skill.` : decision.text);
    if (text.length > maxChars) {
      text = text.slice(0, maxChars);
      stopReason = 'max_tokens';
    }
    for (const piece of request.onText ? pieces(text) : []) request.onText?.(piece);
    const content: LlmResponse['content'] = [{ type: 'text', text }];
    let outputChars = text.length;
    if (decision.kind === 'tool' && stopReason === 'tool_use') {
      const id = offlineToolUseId(decision.name, decision.input, request.messages.length);
      content.push({ type: 'tool_use', id, name: decision.name, input: decision.input });
      outputChars += decision.name.length + JSON.stringify(decision.input).length;
    }
    return {
      model: OFFLINE_MODEL_ID,
      offline: true,
      content,
      stopReason,
      usage: {
        inputTokens: Math.ceil(promptChars(request) / 4),
        outputTokens: Math.ceil(outputChars / 4),
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
      },
      costUsd: 0,
      fallbacks: [],
    };
  }
}
