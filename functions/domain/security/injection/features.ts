/**
 * Feature extraction of the injection detector, shared by the detector and its training script so that both read
 * a text the same way.
 *
 * A text becomes (a) global features: hashed word unigrams and bigrams of the whole text, its document shape, token
 * floods, normalisation tricks and which detectors fired anywhere; and (b) one feature vector per unit (sentence,
 * table row, code block): its hashed words, its detectors, its form (imperative, question, request) and that form
 * crossed with the document around it (an imperative in a table, a question foreign to the e-mail it sits in).
 * The model scores the text as its global score plus the score of its most suspicious unit or pair of adjacent
 * units, because an injection is a passage hidden among data.
 */
import { IMPERATIVE_VERBS, INSTRUCTION_OPENERS, MODEL_NOUNS, OUTPUT_NOUNS, STOPWORDS } from './lexicon.js';
import { normaliseText } from './normalise.js';
import { CODE_DANGER, screenDetectors, unitSignals } from './signals.js';
import { type DocumentShape, type TextUnit, readStructure, tokenise } from './text-structure.js';

/** log2 of the hashed feature space. */
export const FEATURE_BITS = 20;
const MASK = (1 << FEATURE_BITS) - 1;

/** A sparse vector over the hashed feature space: parallel arrays of indices and values. */
export interface SparseVector {
  idx: number[];
  val: number[];
}

/** A pair of adjacent units, scored as the sum of both units plus its own conjunction features. */
export interface UnitPair {
  a: number;
  b: number;
  features: SparseVector;
}

/** Everything the model reads of one text. */
export interface TextFeatures {
  global: SparseVector;
  units: SparseVector[];
  pairs: UnitPair[];
  /** Reason codes found in the text (detectors, normalisation tricks, floods), sorted. */
  signals: string[];
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser over two words: a well-spread index for a (namespace, token) or (token, token) key. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const NS_GLOBAL_1 = fnv1a('g1');
const NS_GLOBAL_2 = fnv1a('g2');
const NS_UNIT_1 = fnv1a('u1');
const NS_UNIT_2 = fnv1a('u2');
const named = new Map<string, number>();
/** The index of a named feature (a signal, a shape, a cross of context and form). */
export function featureIndex(name: string): number {
  let i = named.get(name);
  if (i === undefined) {
    i = mix(fnv1a(name), 0x51ed270b) & MASK;
    named.set(name, i);
  }
  return i;
}

/** Collects features, summing the values of indices that collide. */
class Builder {
  private readonly values = new Map<number, number>();
  add(index: number, value: number): void {
    this.values.set(index, (this.values.get(index) ?? 0) + value);
  }
  named(name: string, value = 1): void {
    this.add(featureIndex(name), value);
  }
  build(): SparseVector {
    const idx: number[] = [];
    const val: number[] = [];
    for (const [i, v] of this.values) {
      idx.push(i);
      val.push(v);
    }
    return { idx, val };
  }
}

/** Adds hashed unigrams and bigrams of `tokens`, scaled so that their vector has unit length. */
function addNgrams(b: Builder, tokens: readonly string[], ns1: number, ns2: number): void {
  if (tokens.length === 0) return;
  const hashes = tokens.map(fnv1a);
  const keys = new Set<number>();
  for (let i = 0; i < hashes.length; i++) {
    keys.add(mix(ns1, hashes[i]!) & MASK);
    if (i > 0) keys.add(mix(mix(ns2, hashes[i - 1]!), hashes[i]!) & MASK);
  }
  const v = 1 / Math.sqrt(keys.size);
  for (const k of keys) b.add(k, v);
}

const QUESTION_START =
  /^(?:what|who|whom|whose|how|why|when|where|which|is|are|was|were|can|could|do|does|did|should|would|will|shall|may|might|have|has)$/;
const REQUEST =
  /\b(?:can|could|would|will) you\b|\bi (?:want|need|would like|'d like) you to\b|^please\b|\bplease (?:\w+ )?(?:\w+)\b/;
const MODAL_YOU =
  /\byou (?:must|should|need to|have to|will|shall|are to|may not|cannot|can't|are (?:now|not|required|allowed))\b/;
const QUOTE = /["“”]|(?:^|\s)'[^'\n]{2,}'/;
// An address starts where a run of address characters starts: scanning from inside a long run is quadratic.
const URL_OR_MAIL = /https?:\/\/|\bwww\.|(?<![\w.+-])[\w.+-]+@[\w-]+\.[a-z]{2,}/i;

/** The form of a unit: what kind of sentence it is, independent of its topic. */
function unitForm(unit: TextUnit): string[] {
  const form: string[] = [];
  const t = unit.tokens;
  let i = 0;
  // Skip list markers and openers ("1.", "Please", "Now also") to reach the verb that carries the order.
  while (i < t.length && i < 4 && (INSTRUCTION_OPENERS.has(t[i]!) || /^\d+$/.test(t[i]!))) i++;
  if (t[i] === 'to' || t[i] === 'you') i++;
  const first = t[i];
  if (first !== undefined && IMPERATIVE_VERBS.has(first)) form.push('imp', `verb=${first}`);
  if (t[0] !== undefined && QUESTION_START.test(t[0]) && /\?\s*$/.test(unit.text)) form.push('q');
  else if (/\?\s*$/.test(unit.text)) form.push('q_any');
  const lower = unit.text.toLowerCase();
  if (REQUEST.test(lower)) form.push('request');
  if (MODAL_YOU.test(lower)) form.push('modal_you');
  let you = false;
  let output = false;
  let model = false;
  for (const w of t) {
    if (w === 'you' || w === 'your' || w === "you're" || w === 'yourself') you = true;
    else if (OUTPUT_NOUNS.has(w)) output = true;
    else if (MODEL_NOUNS.has(w)) model = true;
  }
  if (you) form.push('you');
  if (you && output) form.push('you_output');
  if (model) form.push('model_noun');
  if (QUOTE.test(unit.text)) form.push('quote');
  if (URL_OR_MAIL.test(unit.text)) form.push('link');
  let digits = 0;
  for (const w of t) if (/^\d/.test(w)) digits++;
  if (t.length > 0 && digits / t.length > 0.4) form.push('numeric');
  form.push(t.length <= 3 ? 'len=short' : t.length <= 12 ? 'len=mid' : t.length <= 40 ? 'len=long' : 'len=huge');
  return form;
}

/** The contexts a unit is read in: the document's shapes, or "short" for a bare request. */
function contextsOf(shape: DocumentShape): string[] {
  const ctx: string[] = [];
  if (shape.table) ctx.push('table');
  if (shape.code) ctx.push('code');
  if (shape.email) ctx.push('email');
  if (shape.chat) ctx.push('chat');
  if (shape.json) ctx.push('json');
  ctx.push(shape.long ? 'doc' : shape.multi ? 'multi' : 'short');
  return ctx;
}

/** A bucket of how many of a unit's content words appear elsewhere in its document (topic cohesion). */
function cohesionBucket(unit: TextUnit, counts: Map<string, number>, contentTotal: number): string | undefined {
  const own = new Map<string, number>();
  for (const w of unit.tokens) if (isContent(w)) own.set(w, (own.get(w) ?? 0) + 1);
  // Too little text around the unit to say what the document is about.
  if (own.size === 0 || contentTotal - own.size < 15) return undefined;
  let shared = 0;
  for (const [w, n] of own) if ((counts.get(w) ?? 0) > n) shared++;
  const r = shared / own.size;
  return r === 0 ? 'coh=0' : r < 0.25 ? 'coh<25' : r < 0.5 ? 'coh<50' : 'coh>=50';
}

const isContent = (w: string): boolean => w.length >= 3 && !STOPWORDS.has(w) && !/^\d+$/.test(w);

// Form flags crossed with the context: the ones that say "this sentence speaks to the reader of the text".
const CROSSED_FORMS = new Set([
  'imp',
  'q',
  'q_any',
  'request',
  'modal_you',
  'you_output',
  'model_noun',
  'link',
  'quote',
]);

const BASE64_RUN = /[A-Za-z0-9+/]{24,}={0,2}/g;
/** At most this many encoded runs of a text are decoded and read as extra units. */
const MAX_DECODED = 8;

/** Text hidden in base64 runs that decodes to readable words: read as one more unit. */
function decodedUnits(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(BASE64_RUN)) {
    if (out.length >= MAX_DECODED) break;
    let decoded: string;
    try {
      decoded = atob(m[0].length % 4 === 0 ? m[0] : m[0].slice(0, m[0].length - (m[0].length % 4)));
    } catch {
      continue;
    }
    let printable = 0;
    let spaces = 0;
    for (let i = 0; i < decoded.length; i++) {
      const c = decoded.charCodeAt(i);
      if ((c >= 0x20 && c < 0x7f) || c === 10) printable++;
      if (c === 0x20) spaces++;
    }
    if (printable / decoded.length > 0.95 && spaces >= 2) out.push(decoded);
  }
  return out;
}

/** Most words of three letters or more are in capitals (not single-letter labels such as chords or grades). */
function shoutedWords(text: string): boolean {
  let words = 0;
  let shouted = 0;
  for (const m of text.matchAll(/[A-Za-z]{3,}/g)) {
    words++;
    if (m[0] === m[0].toUpperCase()) shouted++;
  }
  return words >= 5 && shouted / words > 0.5;
}

/** The period (2 to 40) of a token that is one string repeated at least three times, else 0. */
function periodOf(token: string): number {
  for (let p = 2; p <= 40 && p * 3 <= token.length; p++) {
    let i = p;
    while (i < token.length && token.charCodeAt(i) === token.charCodeAt(i - p)) i++;
    if (i === token.length) return p;
  }
  return 0;
}

/** Token floods: a long run of one repeated token or character pads an attack past a model's attention. */
function floodSignals(text: string, json: boolean): string[] {
  const out: string[] = [];
  const raw = text.split(/\s+/);
  let run = 1;
  let longest = 0;
  let counted = 0;
  let previous = '';
  const freq = new Map<string, number>();
  let top = 0;
  let topToken = '';
  let flooded = false;
  for (const token of raw) {
    if (token === '') continue;
    // Table rules and separators repeat by design.
    const c = token.charCodeAt(0);
    if ((c === 124 || c === 45 || c === 43 || c === 58 || c === 61) && /^[|+\-:=]+$/.test(token)) continue;
    counted++;
    const n = (freq.get(token) ?? 0) + 1;
    freq.set(token, n);
    if (n > top) {
      top = n;
      topToken = token;
    }
    if (token.length >= 24 && !flooded && periodOf(token) > 0) flooded = true;
    run = token === previous ? run + 1 : 1;
    if (run > longest) longest = run;
    previous = token;
  }
  if (longest >= 8) out.push('flood_run8');
  if (longest >= 25) out.push('flood_run25');
  // A frequent short word ("a", "the", "de") is language, not a flood.
  if (counted >= 40 && top / counted > 0.3 && !/^[\p{L}]{1,3}$/u.test(topToken)) out.push('flood_share');
  let letters = 0;
  let upper = 0;
  let symbols = 0;
  let charRun = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      letters++;
      upper++;
    } else if ((c >= 97 && c <= 122) || c >= 0xc0) letters++;
    else if (c > 32 && !(c >= 48 && c <= 57)) symbols++;
    // Twenty of one character in a row, other than spaces and the rules drawn with - = _ * . # |; or a word repeated
    // without spaces.
    if (i > 0 && c === text.charCodeAt(i - 1)) {
      if (++charRun >= 20 && c > 32 && ![45, 61, 95, 42, 46, 35, 124].includes(c)) flooded = true;
    } else charRun = 1;
  }
  if (flooded) out.push('flood_chars');
  // JSON's punctuation is its syntax, not a flood.
  if (!json && text.length >= 40 && symbols / text.length > 0.3) out.push('symbol_heavy');
  if (letters >= 20 && upper / letters > 0.5 && shoutedWords(text)) out.push('shouting');
  return out;
}

/** Reads one text (at most a window of a few kilobytes; the detector windows longer texts). */
export function extractFeatures(raw: string): TextFeatures {
  const { text, signals: normSignals } = normaliseText(raw);
  const { units, shape } = readStructure(text);
  for (const decoded of decodedUnits(text)) {
    normSignals.add('encoded_text');
    units.push({ kind: 'prose', text: decoded, tokens: tokenise(decoded) });
  }
  const contexts = contextsOf(shape);
  const counts = new Map<string, number>();
  let contentTotal = 0;
  const allTokens: string[] = [];
  for (const u of units) {
    for (const w of u.tokens) {
      allTokens.push(w);
      if (isContent(w)) {
        counts.set(w, (counts.get(w) ?? 0) + 1);
        contentTotal++;
      }
    }
  }
  const textSignals = new Set<string>(normSignals);
  for (const s of floodSignals(text, shape.json)) textSignals.add(s);
  const unitVectors: SparseVector[] = [];
  const unitCodes: string[][] = [];
  const last = units.length - 1;
  const screen = screenDetectors(
    units
      .map((u) => u.text)
      .join('\n')
      .toLowerCase(),
  );
  units.forEach((unit, position) => {
    const b = new Builder();
    addNgrams(b, unit.tokens, NS_UNIT_1, NS_UNIT_2);
    const lower = unit.text.toLowerCase();
    const codes = unitSignals(lower, screen);
    unitCodes.push(codes);
    for (const c of codes) textSignals.add(c);
    const form = unitForm(unit);
    b.named(`k:${unit.kind}`);
    for (const f of form) b.named(`f:${f}`);
    for (const c of codes) b.named(`d:${c}`);
    const coh = cohesionBucket(unit, counts, contentTotal);
    const inTable = shape.table && unit.kind !== 'table_row';
    const inCode = shape.code && unit.kind !== 'code';
    for (const ctx of contexts) {
      b.named(`x:${ctx}&${unit.kind}`);
      for (const f of form) if (CROSSED_FORMS.has(f)) b.named(`x:${ctx}&${f}`);
      for (const c of codes) b.named(`x:${ctx}&d:${c}`);
      if (coh) {
        b.named(`x:${ctx}&${coh}`);
        for (const f of form) if (f === 'imp' || f === 'q' || f === 'request') b.named(`x:${ctx}&${coh}&${f}`);
      }
    }
    if (inTable) {
      b.named('x:prose_in_table');
      for (const f of form) if (CROSSED_FORMS.has(f)) b.named(`x:prose_in_table&${f}`);
    }
    if (inCode) for (const f of form) if (f === 'imp' || f === 'you_output') b.named(`x:prose_in_code&${f}`);
    if (units.length > 2 && (position === 0 || position === last)) {
      const edge = position === 0 ? 'first' : 'last';
      for (const f of form) if (f === 'imp' || f === 'q' || f === 'request') b.named(`x:${edge}&${f}`);
    }
    unitVectors.push(b.build());
  });
  const pairs: UnitPair[] = [];
  for (let i = 0; i + 1 < units.length; i++) {
    const b = new Builder();
    const next = units[i + 1]!;
    const danger = unitCodes[i + 1]!.some((c) => CODE_DANGER.has(c));
    if (next.kind === 'code') {
      b.named('pair:any>code');
      if (unitCodes[i]!.includes('code_introducer')) b.named('pair:introducer>code');
      if (danger) b.named('pair:any>danger');
      if (danger && unitCodes[i]!.includes('code_introducer')) b.named('pair:introducer>danger');
    }
    pairs.push({ a: i, b: i + 1, features: b.build() });
  }
  const g = new Builder();
  addNgrams(g, allTokens, NS_GLOBAL_1, NS_GLOBAL_2);
  g.named('bias');
  for (const ctx of contexts) g.named(`gs:ctx=${ctx}`);
  const n = allTokens.length;
  g.named(`gs:len=${n < 8 ? 0 : n < 32 ? 1 : n < 128 ? 2 : n < 512 ? 3 : 4}`);
  // The max over more passages is larger by chance alone: the global part knows how many there were.
  g.named(`gs:units=${Math.min(7, Math.floor(Math.log2(units.length + 1)))}`);
  for (const s of textSignals) g.named(`gs:${s}`);
  const detectorCount = [...textSignals].filter((s) => !normSignals.has(s)).length;
  g.named(`gs:signals=${Math.min(detectorCount, 4)}`);
  return { global: g.build(), units: unitVectors, pairs, signals: [...textSignals].sort() };
}
