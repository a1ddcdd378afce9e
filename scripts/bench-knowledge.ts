/**
 * Knowledge base index figures: `npm run -s bench:knowledge [-- --sizes 1000,5000,10000]`. For knowledge bases of
 * the given numbers of passages (documents of a seeded generator: Zipf-distributed words, paragraphs of 20-100 words),
 * it prints the chunking rate, the index's build time, its JSON size, the time to parse it (what a Lambda instance
 * pays once per index version), the heap the parsed index takes, and the search latency (p50/p95) for queries of 6
 * words and of 60 words (a pasted paragraph). Run with `node --expose-gc` for exact heap figures (tsx forwards it).
 */
import { parseArgs } from 'node:util';
import { Bm25Index } from '../functions/domain/agents/knowledge/bm25-index.js';
import { chunkDocument } from '../functions/domain/agents/knowledge/chunking.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,5000,10000' } } });
const sizes = values.sizes.split(',').map(Number);

let seed = 20261130;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const vocabulary = Array.from(
  { length: 30_000 },
  (_, i) => `${i.toString(36)}${Math.floor(random() * 1e6).toString(36)}`,
);
/** Zipf-like: a few words very common, most rare, as in prose. */
const word = () => vocabulary[Math.floor(vocabulary.length * random() ** 3)]!;
const paragraph = () => `${Array.from({ length: 20 + Math.floor(random() * 80) }, word).join(' ')}.`;
const gc = (globalThis as { gc?: () => void }).gc;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

for (const size of sizes) {
  const index = Bm25Index.empty();
  let chunks = 0;
  let chars = 0;
  let chunkMs = 0;
  let addMs = 0;
  for (let doc = 0; chunks < size; doc++) {
    const text = Array.from({ length: 40 }, paragraph).join('\n\n');
    let t = performance.now();
    const parts = chunkDocument(text).slice(0, size - chunks);
    chunkMs += performance.now() - t;
    t = performance.now();
    index.addDocument(`doc-${doc}`, `Document ${doc}`, parts);
    addMs += performance.now() - t;
    chunks += parts.length;
    chars += text.length;
  }
  let t = performance.now();
  const json = index.toJson();
  const serialiseMs = performance.now() - t;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  t = performance.now();
  const loaded = Bm25Index.fromJson(json);
  const loadMs = performance.now() - t;
  gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  const latencies = (terms: number, n: number) =>
    Array.from({ length: n }, () => {
      const query = Array.from({ length: terms }, word).join(' ');
      const start = performance.now();
      loaded.search(query, 5);
      return performance.now() - start;
    });
  const short = latencies(6, 200);
  const long = latencies(60, 50);
  console.log(
    JSON.stringify({
      passages: loaded.size,
      textMb: round(chars / 1e6),
      chunkingMbPerS: round(chars / 1e6 / (chunkMs / 1000)),
      buildS: round(addMs / 1000),
      jsonMb: round(json.length / 1e6),
      serialiseMs: Math.round(serialiseMs),
      loadMs: Math.round(loadMs),
      heapMb: gc ? Math.round(heapMb) : 'run with node --expose-gc',
      search6TermsMs: { p50: round(percentile(short, 0.5), 2), p95: round(percentile(short, 0.95), 2) },
      search60TermsMs: { p50: round(percentile(long, 0.5), 2), p95: round(percentile(long, 0.95), 2) },
    }),
  );
}
