/**
 * The bytes of a log file to text chunks, streaming: gzip detected by its magic bytes (1f 8b) and inflated with
 * node:zlib, the text decoded as UTF-8 (or the encoding an XML declaration names) with a byte-order mark dropped.
 * Nothing here holds the whole file: a log of hundreds of megabytes passes through in chunks.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LogFormatError } from './errors.js';

/** A whole log in memory, or a stream of its chunks (a file read stream, an S3 object body). */
export type LogInput = Uint8Array | string | AsyncIterable<Uint8Array | string>;

/** Large in-memory inputs are handed on in slices so no single decoded string approaches V8's length limit. */
const SLICE = 1 << 20;

async function* chunksOf(input: LogInput): AsyncGenerator<Uint8Array | string> {
  if (typeof input === 'string') {
    for (let i = 0; i < input.length; i += SLICE) yield input.slice(i, i + SLICE);
  } else if (input instanceof Uint8Array) {
    for (let i = 0; i < input.length; i += SLICE) yield input.subarray(i, i + SLICE);
  } else {
    yield* input;
  }
}

/** True when the bytes begin with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The text of the input, in chunks (see the module comment). */
export async function* textChunks(input: LogInput): AsyncGenerator<string> {
  const it = chunksOf(input)[Symbol.asyncIterator]();
  // Enough leading bytes to see the gzip magic (a stream may hand over one byte first).
  let head: Uint8Array = new Uint8Array(0);
  let first: IteratorResult<Uint8Array | string>;
  for (;;) {
    first = await it.next();
    if (first.done) break;
    if (typeof first.value === 'string') break;
    head = concat(head, first.value);
    if (head.length >= 2) break;
  }
  if (!first.done && typeof first.value === 'string') {
    // Text input: strings pass through (a leading BOM dropped); any later byte chunks are decoded as UTF-8.
    if (head.length) yield new TextDecoder().decode(head, { stream: false });
    yield* decodeMixed(first.value.replace(/^\uFEFF/, ''), it);
    return;
  }
  const rest = remaining(head, it);
  const bytes = isGzip(head) ? gunzip(rest) : rest;
  yield* decode(bytes);
}

async function* remaining(
  head: Uint8Array,
  it: AsyncIterator<Uint8Array | string>,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (head.length) yield head;
  for (let r = await it.next(); !r.done; r = await it.next()) {
    yield typeof r.value === 'string' ? new TextEncoder().encode(r.value) : r.value;
  }
}

async function* decodeMixed(first: string, it: AsyncIterator<Uint8Array | string>): AsyncGenerator<string> {
  yield first;
  const decoder = new TextDecoder();
  for (let r = await it.next(); !r.done; r = await it.next()) {
    yield typeof r.value === 'string' ? r.value : decoder.decode(r.value, { stream: true });
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

async function* gunzip(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const inflate = createGunzip();
  const source = Readable.from(bytes, { objectMode: false });
  source.on('error', (err) => inflate.destroy(err));
  source.pipe(inflate);
  try {
    for await (const chunk of inflate) yield chunk as Uint8Array;
  } catch (err) {
    if (err instanceof LogFormatError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('Z_')) throw new LogFormatError(`not a valid gzip stream (${(err as Error).message})`);
    throw err;
  } finally {
    source.destroy();
  }
}

async function* decode(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  for await (const chunk of bytes) {
    decoder ??= new TextDecoder(declaredEncoding(chunk));
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const tail = decoder?.decode();
  if (tail) yield tail;
}

/**
 * The encoding an XML declaration at the very start names (`<?xml version="1.0" encoding="ISO-8859-1"?>`), when the
 * platform's TextDecoder knows it; UTF-8 otherwise (CSV, and XML without a declaration, are UTF-8).
 */
function declaredEncoding(firstChunk: Uint8Array): string {
  const start = firstChunk[0] === 0xef && firstChunk[1] === 0xbb && firstChunk[2] === 0xbf ? 3 : 0;
  const prolog = new TextDecoder('latin1').decode(firstChunk.subarray(start, start + 200));
  const m = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(prolog);
  if (!m) return 'utf-8';
  try {
    return new TextDecoder(m[1]).encoding;
  } catch {
    throw new LogFormatError(`the XML declaration names an unknown encoding "${m[1]}"`, { line: 1, field: 'encoding' });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * The first text of a stream up to its first non-blank character, and the whole stream again (nothing is lost):
 * what format sniffing needs.
 */
export async function peekText(
  chunks: AsyncIterable<string>,
): Promise<{ firstChar: string | undefined; all: AsyncGenerator<string> }> {
  const it = chunks[Symbol.asyncIterator]();
  const seen: string[] = [];
  let firstChar: string | undefined;
  for (let r = await it.next(); !r.done; r = await it.next()) {
    seen.push(r.value);
    const m = /\S/.exec(r.value);
    if (m) {
      firstChar = m[0];
      break;
    }
  }
  async function* all(): AsyncGenerator<string> {
    yield* seen;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { firstChar, all: all() };
}
