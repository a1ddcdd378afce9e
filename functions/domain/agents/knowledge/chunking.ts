/**
 * Splitting a knowledge document into the passages the index ranks and a prompt quotes. Principle: a passage should
 * be a span a reader would quote on its own, so chunks follow the text's own structure — paragraphs (blank lines),
 * Markdown headings and fenced code blocks, which are never cut at a blank line inside them — and are packed up to a
 * target size; only a block longer than the largest chunk is cut, at a sentence end, else at a space, else hard.
 * Consecutive chunks overlap by the end of the previous one (whole sentences or words, up to `overlap` characters),
 * so a fact that straddles a boundary is still found whole in one of them. Each chunk under a heading starts with
 * that heading, so a passage quoted alone still says what it is about.
 */

export interface ChunkOptions {
  /** Chunks are packed up to this many characters (default 1,000). */
  target: number;
  /** No chunk is longer (default 1,500), its heading and overlap included: the overlap is dropped where it would be. */
  max: number;
  /** Characters of the previous chunk repeated at the start of the next one (default 150). */
  overlap: number;
}

export const DEFAULT_CHUNKING: ChunkOptions = { target: 1000, max: 1500, overlap: 150 };

export interface Chunk {
  /** 0, 1, 2… in document order. */
  index: number;
  text: string;
}

interface Block {
  text: string;
  heading: boolean;
}

const FENCE = /^\s*(```|~~~)/;
const HEADING = /^#{1,6}\s+\S/;

/** Blocks of the text: paragraphs, headings and fenced code blocks, in order, trimmed, none empty. */
function blocksOf(text: string, markdown: boolean): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    const joined = current.join('\n').trim();
    if (joined) blocks.push({ text: joined, heading: false });
    current = [];
  };
  for (const line of lines) {
    if (markdown && fence === null && FENCE.test(line)) {
      flush();
      fence = FENCE.exec(line)![1]!;
      current.push(line);
      continue;
    }
    if (fence !== null) {
      current.push(line);
      if (line.trim().startsWith(fence) && current.length > 1) {
        fence = null;
        flush();
      }
      continue;
    }
    if (markdown && HEADING.test(line)) {
      flush();
      blocks.push({ text: line.trim(), heading: true });
      continue;
    }
    if (line.trim() === '') flush();
    else current.push(line);
  }
  flush();
  return blocks;
}

/** Sentence ends: `.`, `!`, `?` (and their CJK forms) followed by space, or a line break. */
const SENTENCE_END = /(?<=[.!?。！？])\s+|\n+/g;

/** Cuts a block longer than `max` into pieces of at most `max` characters, at sentence ends, spaces, or hard. */
function cut(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let at = -1;
    for (const m of window.matchAll(SENTENCE_END)) if (m.index > max / 3 && m.index <= max) at = m.index;
    if (at < 0) {
      const space = window.lastIndexOf(' ', max);
      at = space > max / 3 ? space : max;
    }
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** The end of a chunk to repeat: whole sentences if they fit in `overlap`, else whole words, else nothing. */
function tailOf(text: string, overlap: number): string {
  if (overlap <= 0 || text.length <= overlap) return '';
  const tail = text.slice(text.length - overlap);
  const sentence = tail.search(/(?<=[.!?。！？])\s+\S/);
  if (sentence >= 0) return tail.slice(sentence).trim();
  const space = tail.indexOf(' ');
  return space >= 0 ? tail.slice(space + 1).trim() : '';
}

/**
 * The chunks of a document, in order. `markdown` reads headings and code fences; plain text has only paragraphs.
 * An empty or blank document has no chunks.
 */
export function chunkDocument(text: string, options: Partial<ChunkOptions> & { markdown?: boolean } = {}): Chunk[] {
  const { target, max, overlap } = { ...DEFAULT_CHUNKING, ...options };
  if (!(target > 0 && max >= target && overlap >= 0 && overlap < target))
    throw new RangeError('chunking needs 0 < target <= max and 0 <= overlap < target');
  const chunks: string[] = [];
  let heading = '';
  /** Whether a chunk carries the current heading yet: headings in a row (a title, then a section) stack. */
  let headingUsed = true;
  let body: string[] = [];
  let size = 0;
  let carried = '';
  const emit = () => {
    if (body.length === 0) return;
    chunks.push([heading, carried, ...body].filter(Boolean).join('\n\n'));
    headingUsed = true;
    carried = tailOf(body.join('\n\n'), overlap);
    body = [];
    size = 0;
  };
  const headingCap = Math.floor(max / 4);
  for (const block of blocksOf(text, options.markdown ?? true)) {
    if (block.heading) {
      emit();
      const stacked = headingUsed ? block.text : `${heading}\n${block.text}`;
      heading = stacked.length > headingCap ? stacked.slice(stacked.length - headingCap) : stacked;
      headingUsed = false;
      carried = '';
      continue;
    }
    // A block longer than a chunk's share of the target is cut; the overlap before a piece may pass the target, not max.
    const room = Math.max(target - heading.length - 4, headingCap);
    for (const piece of cut(block.text, room)) {
      if (body.length > 0 && heading.length + carried.length + size + 2 + piece.length > target) emit();
      if (body.length === 0 && heading.length + carried.length + piece.length + 4 > max) carried = '';
      size += (body.length > 0 ? 2 : 0) + piece.length;
      body.push(piece);
    }
  }
  emit();
  // A document of headings only is still findable by them.
  if (chunks.length === 0 && heading) chunks.push(heading);
  return chunks.map((t, index) => ({ index, text: t }));
}
