/**
 * How the injection detector reads the shape of a text: which kind of document it is (a table, code, an e-mail, a
 * chat transcript, plain prose), the units it is made of (sentences, table rows, code blocks) and the word tokens
 * of each. An injection is local (one sentence or one block among data), so the detector scores units, and it
 * needs to know what surrounds them.
 */

/** What a unit is within its text. */
export type UnitKind = 'prose' | 'table_row' | 'code' | 'header' | 'field';

/** One sentence, table row, header line or code block of a text. */
export interface TextUnit {
  kind: UnitKind;
  /** The unit's text after normalisation, case kept. */
  text: string;
  /** Lower-case word tokens (letters and digits; one token per CJK character). */
  tokens: string[];
}

/** The kinds of document a text looks like; several can hold (an e-mail with a table). */
export interface DocumentShape {
  table: boolean;
  code: boolean;
  email: boolean;
  chat: boolean;
  /** More than a short request: at least 80 word tokens. */
  long: boolean;
  /** Three units or more. */
  multi: boolean;
  /** JSON data (a tool result, an API response, a synced record): its units are its string values. */
  json: boolean;
}

const TOKEN = /\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** Lower-case word tokens of a text (see TextUnit.tokens). */
export function tokenise(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

const FENCE = /^\s*(?:```|~~~)/;
const TABLE_ROW = /\|[^|\n]*\|/;
const HEADER_LINE = /^\s*(?:subject|from|to|cc|bcc|date|sent|received(?: date)?|email_from|reply-to|re|fw|fwd)\s*:/i;
const EMAIL_MARKERS =
  /(?:^|\|)[ \t]*(?:subject|email_from|from|received date|sent|to)[ \t]*:|^[ \t]*(?:hi|hello|dear|hey|good (?:morning|afternoon|evening))\b[^\n,.!?]{0,30}[,!]|\bunsubscribe\b|\b(?:kind |best |warm )?regards\b|\bsincerely\b|<[^@\s<>]+@[^@\s<>]+>|\breply to this e-?mail\b|\bsent from my\b|\bthis e-?mail (?:is|was|and)\b/im;
// [ \t], not \s: a multi-line anchor followed by \s* rescans every run of blank lines (quadratic).
const CHAT_LINE = /^[ \t]*(?:user|assistant|human|ai|system|bot|agent|customer|me|you|gpt|model)[ \t]*:/gim;
const CODE_LINE =
  /(?:[;{}]\s*$|^\s*(?:def|class|import|from\s+\S+\s+import|function|const|let|var|return|if|for|while)\b|=>|\)\s*$)/;
// A sentence ends at . ! ? followed by space and a capital, a digit or an opening quote or bracket.
// Sentences glued without a space ("…••7681.If you have…") also end there when a capitalised word follows.
const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z0-9"'“‘(\[])|(?<=[a-z0-9)][.!?])(?=[A-Z][a-z])/;
/** Lines longer than this are split into sentences; shorter ones stay whole (a heading, a short request). */
const SPLIT_ABOVE = 100;
/** A code block longer than this many lines is cut into several units, so one unit stays a few statements. */
const CODE_UNIT_LINES = 30;

/** The string values of a JSON value, depth first, in document order (keys are structure, not text). */
function stringLeaves(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) stringLeaves(v, out);
}

/** Short values (a name, a status) are read together as one record unit of about this many words. */
const RECORD_WORDS = 20;

/** The units of a JSON text: long string values as sentences, short ones grouped into record units. */
function jsonStructure(value: unknown): { units: TextUnit[]; shape: DocumentShape } {
  const leaves: string[] = [];
  stringLeaves(value, leaves);
  const units: TextUnit[] = [];
  let record: string[] = [];
  let recordTokens: string[] = [];
  let wordCount = 0;
  const flush = () => {
    if (record.length > 0) units.push({ kind: 'field', text: record.join('; '), tokens: recordTokens });
    record = [];
    recordTokens = [];
  };
  for (const leaf of leaves) {
    const tokens = tokenise(leaf);
    wordCount += tokens.length;
    if (tokens.length < 3) {
      if (tokens.length === 0) continue;
      record.push(leaf);
      recordTokens.push(...tokens);
      if (recordTokens.length >= RECORD_WORDS) flush();
      continue;
    }
    flush();
    for (const line of leaf.split(/\r\n|\r|\n/)) {
      for (const sentence of line.length <= SPLIT_ABOVE ? [line] : line.split(SENTENCE_END)) {
        const t = tokenise(sentence);
        if (t.length > 0) units.push({ kind: 'field', text: sentence, tokens: t });
      }
    }
  }
  flush();
  return {
    units,
    shape: {
      table: false,
      code: false,
      email: false,
      chat: false,
      long: wordCount >= 80,
      multi: units.length >= 3,
      json: true,
    },
  };
}

/** JSON texts up to this size are parsed as JSON; larger ones are read line by line. */
const MAX_JSON_CHARS = 200_000;

/** Splits a normalised text into its units and says what kind of document it looks like. */
export function readStructure(text: string): { units: TextUnit[]; shape: DocumentShape } {
  const trimmed = text.trim();
  const first = trimmed.charCodeAt(0);
  if ((first === 0x7b || first === 0x5b) && trimmed.length <= MAX_JSON_CHARS) {
    try {
      return jsonStructure(JSON.parse(trimmed));
    } catch {
      // Not JSON after all (a bracketed list, a broken fragment): read it as text.
    }
  }
  const lines = text.split(/\r\n|\r|\n/);
  const units: TextUnit[] = [];
  let tableRows = 0;
  let codeLines = 0;
  let wordCount = 0;
  const push = (kind: UnitKind, unitText: string) => {
    const tokens = tokenise(unitText);
    if (tokens.length === 0 && kind !== 'code') return;
    wordCount += tokens.length;
    // A fragment of one or two words ("Thanks,", "David") belongs with the line before it, unless that line is a
    // row or code, so that a unit is a statement and the count of units stays bounded by the words.
    const last = units[units.length - 1];
    if (kind === 'prose' && tokens.length < 3 && last && last.kind === 'prose' && last.tokens.length < 40) {
      last.text = `${last.text}\n${unitText}`;
      last.tokens.push(...tokens);
      return;
    }
    units.push({ kind, text: unitText, tokens });
  };
  let inFence = false;
  let block: string[] = [];
  const flushBlock = () => {
    for (let i = 0; i < block.length; i += CODE_UNIT_LINES)
      push('code', block.slice(i, i + CODE_UNIT_LINES).join('\n'));
    block = [];
  };
  for (const line of lines) {
    if (FENCE.test(line)) {
      if (inFence) flushBlock();
      inFence = !inFence;
      codeLines++;
      continue;
    }
    if (inFence) {
      block.push(line);
      codeLines++;
      continue;
    }
    if (line.trim() === '') continue;
    if (TABLE_ROW.test(line)) {
      tableRows++;
      push('table_row', line);
      continue;
    }
    if (CODE_LINE.test(line) && /[=(){};]/.test(line)) codeLines++;
    if (HEADER_LINE.test(line)) {
      push('header', line);
      continue;
    }
    if (line.length <= SPLIT_ABOVE) {
      push('prose', line);
      continue;
    }
    for (const sentence of line.split(SENTENCE_END)) push('prose', sentence);
  }
  if (inFence) flushBlock();
  CHAT_LINE.lastIndex = 0;
  const chatLines = text.match(CHAT_LINE)?.length ?? 0;
  return {
    units,
    shape: {
      table: tableRows >= 3,
      code: codeLines >= 3,
      email: EMAIL_MARKERS.test(text),
      chat: chatLines >= 2,
      long: wordCount >= 80,
      multi: units.length >= 3,
      json: false,
    },
  };
}
