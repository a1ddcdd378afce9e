/**
 * The engine's transliteration against any-ascii itself (a devDependency for this test only). The tables it reads are
 * file snapshots of any-ascii's: what anyAscii() returns for each code point of each block. After an any-ascii upgrade
 * this file fails until `npx vitest run -u test/unit/resolution/transliterate.test.ts` rewrites them.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import anyAscii from 'any-ascii';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  blockFileName,
  transliterate,
  TransliterationDataMissingError,
} from '../../../functions/domain/resolution/engine/transliterate/transliterate.js';

const MODULE_DIR = resolve(import.meta.dirname, '../../../functions/domain/resolution/engine/transliterate');
const DATA_DIR = join(MODULE_DIR, 'any-ascii-blocks');
const LAST_CODE_POINT = 0x10ffff;

/**
 * any-ascii's table of one block as its API gives it: entry i is anyAscii() of code point block × 256 + i, without the
 * empty entries at the end (a code point past the end of a table gives '' in both). ASCII entries are left empty:
 * neither looks them up.
 */
function anyAsciiTable(block: number): string {
  const entries = Array.from({ length: 256 }, (_, i) => {
    const codePoint = (block << 8) | i;
    return codePoint <= 0x7f ? '' : anyAscii(String.fromCodePoint(codePoint));
  });
  while (entries.length > 0 && entries.at(-1) === '') entries.pop();
  return entries.join('\t');
}

describe('transliterate', () => {
  it('reads the tables of the installed any-ascii, one file per block that it transliterates', async () => {
    const expected: string[] = [];
    for (let block = 0; block <= LAST_CODE_POINT >>> 8; block++) {
      const table = anyAsciiTable(block);
      if (table === '') continue;
      expected.push(blockFileName(block));
      await expect(table, blockFileName(block)).toMatchFileSnapshot(join(DATA_DIR, blockFileName(block)));
    }
    expect(expected.length).toBeGreaterThan(600);
    expect(readdirSync(DATA_DIR).sort()).toEqual(expected.sort());
  });

  it('gives what anyAscii() gives for every code point', () => {
    const differences: string[] = [];
    for (let codePoint = 0; codePoint <= LAST_CODE_POINT && differences.length < 10; codePoint++) {
      const c = String.fromCodePoint(codePoint);
      const [ours, theirs] = [transliterate(c), anyAscii(c)];
      if (ours !== theirs) differences.push(`U+${codePoint.toString(16)}: ${JSON.stringify(ours)} ≠ ${theirs}`);
    }
    expect(differences).toEqual([]);
  });

  it('gives what anyAscii() gives for strings mixing scripts, ASCII, surrogate pairs and lone surrogates', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: codeUnit }), fc.string());
    fc.assert(
      fc.property(text, (s) => transliterate(s) === anyAscii(s)),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['Straße', 'Strasse'],
    ['Æsir Ærø', 'Aesir Aero'],
    ['Søren Øresund', 'Soren Oresund'],
    ['Łódź', 'Lodz'],
    ['Đorđe', 'Dorde'],
    ['Þórr', 'Thorr'],
    ['Nguyễn Văn Đức', 'Nguyen Van Duc'],
    ['Σωκράτης Ἀθῆναι', 'Sokratis Athinai'],
    ['Київ Їжак Ґанок Єва', 'Kiiv Izhak Ganok Ieva'],
    ['Мінск Ўладзімір', 'Minsk Uladzimir'],
    ['Москва Щукин', 'Moskva Shchukin'],
    ['北京市', 'BeiJingShi'],
    ['서울', 'SeoUl'],
    ['محمد', 'mhmd'],
    ['ישראל', "ysr'l"],
    ['O’Brien – Smith', "O'Brien - Smith"],
    ["O'Brien-Smith", "O'Brien-Smith"],
  ])('reduces %s to %s, as anyAscii() does', (value, ascii) => {
    expect(transliterate(value)).toBe(ascii);
    expect(anyAscii(value)).toBe(ascii);
  });

  describe('without its tables next to it (code shipped without its data folder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modos-transliterate-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const load = async () => {
      cpSync(join(MODULE_DIR, 'transliterate.ts'), join(dir, 'transliterate.ts'));
      return (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'transliterate.ts')).href)) as {
        transliterate: typeof transliterate;
        TransliterationDataMissingError: typeof TransliterationDataMissingError;
      };
    };

    it('still passes ASCII strings through: they read no table', async () => {
      const copy = await load();
      expect(copy.transliterate('Smith, John 42')).toBe('Smith, John 42');
    });

    it('fails on the first other character with TransliterationDataMissingError naming the folder', async () => {
      const copy = await load();
      expect(() => copy.transliterate('José')).toThrow(copy.TransliterationDataMissingError);
      expect(() => copy.transliterate('José')).toThrow(join(dir, 'any-ascii-blocks'));
      expect(new TransliterationDataMissingError('x').code).toBe('TRANSLITERATION_DATA_MISSING');
    });
  });
});
