/**
 * Chunking of knowledge documents, on documents a seeded generator writes (paragraphs of random length, headings,
 * fenced code with blank lines inside, very long paragraphs without sentence ends) and on a few written by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkDocument, DEFAULT_CHUNKING } from '../../../../functions/domain/agents/knowledge/chunking.js';

const word = fc.stringMatching(/^[a-z]{1,12}$/);
const sentence = fc
  .array(word, { minLength: 3, maxLength: 25 })
  .map((ws) => `${ws.join(' ').replace(/^./, (c) => c.toUpperCase())}.`);
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 20 }).map((ss) => ss.join(' '));
/** A paragraph with no sentence end at all: it can only be cut at spaces. */
const runOn = fc.array(word, { minLength: 150, maxLength: 400 }).map((ws) => ws.join(' '));
const code = fc
  .array(fc.stringMatching(/^[a-z =();]{0,30}$/), { minLength: 2, maxLength: 12 })
  .map((lines) => `\`\`\`js\n${lines.join('\n\n')}\n\`\`\``);
const heading = fc.tuple(fc.integer({ min: 1, max: 3 }), sentence).map(([n, s]) => `${'#'.repeat(n)} ${s}`);
const block = fc.oneof(
  { weight: 6, arbitrary: paragraph.map((text) => ({ kind: 'p' as const, text })) },
  { weight: 1, arbitrary: runOn.map((text) => ({ kind: 'p' as const, text })) },
  { weight: 1, arbitrary: code.map((text) => ({ kind: 'code' as const, text })) },
  { weight: 2, arbitrary: heading.map((text) => ({ kind: 'h' as const, text })) },
);
const documents = fc.array(block, { minLength: 1, maxLength: 40 });
const PARAMS = { seed: 20261130, numRuns: 100 };

describe('chunking a document', () => {
  it('keeps every chunk within the maximum, its heading and overlap included', () => {
    fc.assert(
      fc.property(documents, (blocks) => {
        const chunks = chunkDocument(blocks.map((b) => b.text).join('\n\n'));
        for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(DEFAULT_CHUNKING.max);
        expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
      }),
      PARAMS,
    );
  });

  it('loses no word, and keeps the words of the document in order', () => {
    fc.assert(
      fc.property(documents, (blocks) => {
        const text = blocks.map((b) => b.text).join('\n\n');
        const chunks = chunkDocument(text).map((c) => c.text);
        // Each word of the body is found in a chunk at or after the chunk of the word before it.
        let chunk = 0;
        let from = 0;
        for (const b of blocks.filter((x) => x.kind !== 'h')) {
          for (const w of b.text.split(/\s+/).filter(Boolean)) {
            for (;;) {
              const at = chunks[chunk]?.indexOf(w, from) ?? -1;
              if (at >= 0) {
                from = at + w.length;
                break;
              }
              chunk++;
              from = 0;
              expect(chunk, `word ${w} not found in order`).toBeLessThan(chunks.length);
            }
          }
        }
      }),
      PARAMS,
    );
  });

  it('never cuts a paragraph or a fenced code block that fits in a chunk beside the longest heading', () => {
    // Headings are kept to a quarter of the maximum; a block within the rest of the target is never cut.
    const fits = DEFAULT_CHUNKING.target - DEFAULT_CHUNKING.max / 4 - 4;
    fc.assert(
      fc.property(documents, (blocks) => {
        const chunks = chunkDocument(blocks.map((b) => b.text).join('\n\n')).map((c) => c.text);
        for (const b of blocks)
          if (b.kind !== 'h' && b.text.length <= fits) expect(chunks.some((c) => c.includes(b.text))).toBe(true);
      }),
      PARAMS,
    );
  });

  it('starts each chunk under a heading with that heading, stacking a title and its first section', () => {
    const text = [
      '# Handbook',
      '## Travel',
      'Book trains for trips under four hours. '.repeat(40),
      '## Expenses',
      'Submit receipts within thirty days. '.repeat(5),
    ].join('\n\n');
    const chunks = chunkDocument(text).map((c) => c.text);
    expect(chunks.length).toBeGreaterThan(2);
    const travel = chunks.filter((c) => c.includes('Book trains'));
    expect(travel.length).toBeGreaterThan(1);
    for (const c of travel) expect(c.startsWith('# Handbook\n## Travel\n\n')).toBe(true);
    expect(chunks.at(-1)?.startsWith('## Expenses\n\nSubmit receipts')).toBe(true);
  });

  it('repeats the end of a chunk at the start of the next one in the same section', () => {
    const sentences = Array.from({ length: 60 }, (_, i) => `Fact number ${i} holds for the account.`);
    const chunks = chunkDocument(sentences.join(' ')).map((c) => c.text);
    expect(chunks.length).toBeGreaterThan(1);
    for (let i = 1; i < chunks.length; i++) {
      const firstSentence = /^[^.]*\./.exec(chunks[i]!)![0];
      expect(chunks[i - 1]).toContain(firstSentence);
      expect(firstSentence.length).toBeLessThanOrEqual(DEFAULT_CHUNKING.overlap);
    }
  });

  it('reads plain text without headings or fences, and gives no chunk for a blank document', () => {
    expect(chunkDocument('   \n\n\t\n')).toEqual([]);
    const plain = chunkDocument('# not a heading\n\nbody', { markdown: false });
    expect(plain.map((c) => c.text)).toEqual(['# not a heading\n\nbody']);
    expect(chunkDocument('# Only a title').map((c) => c.text)).toEqual(['# Only a title']);
  });

  it('refuses settings that cannot make chunks', () => {
    expect(() => chunkDocument('x', { target: 100, max: 50 })).toThrow(RangeError);
    expect(() => chunkDocument('x', { target: 100, overlap: 100 })).toThrow(RangeError);
  });
});
