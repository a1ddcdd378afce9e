/**
 * Unicode → ASCII transliteration: any-ascii's algorithm (https://anyascii.com, ISC licence) over any-ascii's own
 * tables, so the output is `anyAscii(value)`'s for every code point, without those tables in the bundle.
 *
 * any-ascii keeps one table per Unicode block of 256 code points, all of them in one 530 KB module that made every
 * bundle of the engine about 1.1 MB. Here each table is a text file of `any-ascii-blocks/` (`<block in hex>.txt`:
 * block 0x4e holds U+4E00–U+4EFF, entries separated by tabs), read the first time a string uses that block: an ASCII
 * string reads nothing, a name with accents reads one or two files of about 0.5 KB once per process.
 *
 * The folder sits next to this module in the sources and next to `index.mjs` in a bundle (lib/bundle-assets.ts copies
 * it into every bundle that contains this module, for the CDK stack and for the local bundles alike), so one URL
 * relative to `import.meta.url` finds it in the sources, in the local sandboxes and in Lambda. Reading it is loading
 * program data, like importing a JSON module, deferred because it is large: read-only files shipped with the code,
 * not the outside world, so the engine takes no port for it.
 *
 * test/unit/resolution/transliterate.test.ts keeps the files equal to the installed any-ascii's tables (its `-u` run
 * rewrites them after an upgrade) and compares the output with anyAscii() for every code point.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The folder name is also what lib/bundle-assets.ts looks for in a bundle to decide that it needs the folder. A
 * function, not a constant: esbuild keeps a top-level `new URL()` in every bundle that imports this module without
 * using it, and the literal with it.
 */
const dataDir = (): URL => new URL('./any-ascii-blocks/', import.meta.url);

/** The data folder is missing or unreadable: the bundle was deployed without the files that ship with it. */
export class TransliterationDataMissingError extends Error {
  override readonly name = 'TransliterationDataMissingError';
  readonly code = 'TRANSLITERATION_DATA_MISSING';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** File of the table of one block (code points `block << 8` to `block << 8 | 0xff`). */
export const blockFileName = (block: number): string => `${block.toString(16).padStart(3, '0')}.txt`;

// A block without a file has no transliteration at all (its characters are dropped, as any-ascii drops them).
let blocksWithTables: Set<number> | undefined;
const tables = new Map<number, readonly string[]>();

function listTables(): Set<number> {
  try {
    return new Set(
      readdirSync(dataDir())
        .filter((f) => /^[0-9a-f]{3,4}\.txt$/.test(f))
        .map((f) => Number.parseInt(f.slice(0, -4), 16)),
    );
  } catch (cause) {
    throw new TransliterationDataMissingError(`transliteration tables not found in ${fileURLToPath(dataDir())}`, {
      cause,
    });
  }
}

function tableOf(block: number): readonly string[] {
  let table = tables.get(block);
  if (table === undefined) {
    blocksWithTables ??= listTables();
    table = blocksWithTables.has(block)
      ? readFileSync(new URL(blockFileName(block), dataDir()), 'utf8').split('\t')
      : [];
    tables.set(block, table);
  }
  return table;
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** ASCII for any Unicode string, character by character, exactly as any-ascii's `anyAscii()`. */
export function transliterate(value: string): string {
  if (ASCII_ONLY.test(value)) return value;
  let out = '';
  // By code point, as any-ascii: a surrogate pair is one character, a lone surrogate is looked up as itself.
  for (const c of value) {
    const codePoint = c.codePointAt(0)!;
    if (codePoint <= 0x7f) out += c;
    else out += tableOf(codePoint >>> 8)[codePoint & 0xff] ?? '';
  }
  return out;
}
