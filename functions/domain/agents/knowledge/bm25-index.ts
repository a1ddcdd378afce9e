/**
 * The BM25 index of one knowledge base: its chunks, ranked with Okapi BM25 (minisearch's BM25+ defaults) over the
 * chunk's text and its document's title. minisearch is a pure library (no I/O), so the index lives in the domain; the
 * store that keeps its JSON in S3 is the adapter's business. It is written here rather than behind a vector store
 * because lexical ranking needs no embedding model in the Lambda, and the KnowledgeIndex port lets a vector store of
 * seed 004 replace it.
 *
 * Terms: the default tokenizer's words (split at white space and punctuation), with accents folded (NFKD, marks
 * dropped) and case folded, plural endings removed by Harman's S-stemmer (conservative: it conflates only plural and
 * singular forms), and the most common English function words left out, which carry no topic and would make every
 * chunk match a question. Search ORs the query's terms; terms of 4+ characters also match as prefixes (plural,
 * inflected forms), terms of 6+ characters within a small edit distance (typing errors) when the query is short, so a
 * long message does not make the fuzzy expansion of every term cost a scan of the vocabulary.
 */
import MiniSearch, { type Options, type SearchOptions } from 'minisearch';

export interface IndexedChunk {
  /** `<documentId>#<chunk>` */
  id: string;
  documentId: string;
  chunk: number;
  title: string;
  text: string;
}

export interface ChunkHit {
  documentId: string;
  chunk: number;
  title: string;
  text: string;
  score: number;
}

const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it ' +
    'its me my no not of on or our she so than that the their them then there these they this those to too us was we ' +
    'were what when where which while who whom why will with would you your'
  ).split(' '),
);

/**
 * Harman's S-stemmer (1991): `-ies` → `-y` (not `-eies`, `-aies`), `-es` → `-e` (not `-aes`, `-ees`, `-oes`), `-s` →
 * `` (not `-us`, `-ss`); words of three letters or fewer, and words with digits, stay as they are.
 */
export function sStem(word: string): string {
  if (word.length <= 3 || /\p{N}/u.test(word)) return word;
  if (word.endsWith('ies') && !word.endsWith('eies') && !word.endsWith('aies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('es') && !word.endsWith('aes') && !word.endsWith('ees') && !word.endsWith('oes'))
    return word.slice(0, -1);
  if (word.endsWith('s') && !word.endsWith('us') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Folds a term to its indexed form, or drops it (null): stop words, and single characters that are not digits. */
export function processTerm(term: string): string | null {
  const folded = term
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  if (folded.length === 0 || (folded.length === 1 && !/\p{N}/u.test(folded))) return null;
  return STOPWORDS.has(folded) ? null : sStem(folded);
}

const tokenize: (text: string) => string[] = MiniSearch.getDefault('tokenize');

/** Queries are cut to this many characters: enough for a question, bounded for a pasted page. */
const MAX_QUERY_CHARS = 2000;
/** Fuzzy matching only for queries of at most this many terms. */
const FUZZY_TERMS = 8;

const OPTIONS: Options<IndexedChunk> = {
  fields: ['title', 'text'],
  storeFields: ['documentId', 'chunk', 'title', 'text'],
  processTerm,
};

function searchOptions(terms: number): SearchOptions {
  return {
    boost: { title: 1.5 },
    combineWith: 'OR',
    prefix: (term) => term.length >= 4,
    fuzzy: (term) => (terms <= FUZZY_TERMS && term.length >= 6 ? 0.2 : false),
    weights: { fuzzy: 0.3, prefix: 0.5 },
  };
}

export class Bm25Index {
  private constructor(private readonly mini: MiniSearch<IndexedChunk>) {}

  static empty(): Bm25Index {
    return new Bm25Index(new MiniSearch(OPTIONS));
  }

  /** An index from its JSON (`toJson`). */
  static fromJson(json: string): Bm25Index {
    return new Bm25Index(MiniSearch.loadJSON<IndexedChunk>(json, OPTIONS));
  }

  toJson(): string {
    return JSON.stringify(this.mini);
  }

  /** Chunks indexed. */
  get size(): number {
    return this.mini.documentCount;
  }

  /** Adds a document's chunks (its id must not be indexed yet: `removeDocument` first to replace it). */
  addDocument(documentId: string, title: string, chunks: readonly { index: number; text: string }[]): void {
    this.mini.addAll(
      chunks.map((c) => ({ id: `${documentId}#${c.index}`, documentId, chunk: c.index, title, text: c.text })),
    );
  }

  /** Removes a document's `chunkCount` chunks (those indexed); returns how many were. */
  removeDocument(documentId: string, chunkCount: number): number {
    let removed = 0;
    for (let i = 0; i < chunkCount; i++) {
      const id = `${documentId}#${i}`;
      const stored = this.mini.getStoredFields(id) as Omit<IndexedChunk, 'id'> | undefined;
      if (!stored) continue;
      this.mini.remove({ id, ...stored });
      removed++;
    }
    return removed;
  }

  /** The `k` best chunks for the query, best first; none for a query without an indexed term. */
  search(query: string, k: number): ChunkHit[] {
    const text = query.slice(0, MAX_QUERY_CHARS);
    const terms = tokenize(text).filter((t) => processTerm(t) !== null).length;
    if (terms === 0 || k <= 0) return [];
    return this.mini
      .search(text, searchOptions(terms))
      .slice(0, k)
      .map((r) => ({
        documentId: r.documentId as string,
        chunk: r.chunk as number,
        title: r.title as string,
        text: r.text as string,
        score: r.score,
      }));
  }
}
