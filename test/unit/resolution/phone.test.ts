/**
 * standardisePhone() parses with `libphonenumber-js/core` over the metadata file next to the engine
 * (engine/phone/phone-metadata.ts); it must give exactly what it gave with the full `libphonenumber-js`, which is
 * core plus that same metadata bundled in. The reference below is the function as it was, over the full package.
 * After a libphonenumber-js upgrade the first test fails until `npx vitest run -u test/unit/resolution/phone.test.ts`
 * rewrites the file.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import {
  getCountries,
  getExampleNumber,
  parsePhoneNumberFromString,
  type CountryCode,
  type NumberFormat,
} from 'libphonenumber-js';
import examples from 'libphonenumber-js/examples.mobile.json';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PHONE_METADATA_FILE,
  phoneMetadata,
  PhoneMetadataMissingError,
} from '../../../functions/domain/resolution/engine/phone/phone-metadata.js';
import { standardisePhone } from '../../../functions/domain/resolution/engine/standardise.js';

const ENGINE_DIR = resolve(import.meta.dirname, '../../../functions/domain/resolution/engine');
const DATA_DIR = join(ENGINE_DIR, 'phone', 'libphonenumber-metadata');
const INSTALLED_METADATA = createRequire(import.meta.url).resolve('libphonenumber-js/metadata.min.json');

/** standardisePhone() before its metadata became a file: the full libphonenumber-js, metadata bundled in. */
function reference(value: string | null | undefined, defaultCountry: CountryCode = 'US'): string | null {
  if (!value) return null;
  const digits = value.replace(/\D/g, '');
  if (digits.length < 6) return null;
  try {
    const parsed = parsePhoneNumberFromString(value, defaultCountry);
    if (parsed && parsed.isPossible()) return parsed.number;
  } catch {
    // fall through to raw digits
  }
  return digits;
}

/**
 * libphonenumber-js checks a tel: URI's phone-context with two global regular expressions (`RegExp.test()` with the
 * `g` flag keeps `lastIndex`), so whether such a URI parses depends on the one parsed before it: `+1-310` passes,
 * and the next one fails. Both functions run the same module instances (the full package is core plus metadata), so
 * they share that state; a comparison resets it before each call (a phone-context that fails both sets `lastIndex`
 * back to 0) and the last test compares whole sequences, state included.
 */
const resetPhoneContextState = () => parsePhoneNumberFromString('tel:1;phone-context=!', 'US');

function compare(value: string | null | undefined, country?: CountryCode): [string | null, string | null] {
  resetPhoneContextState();
  const ours = standardisePhone(value, country);
  resetPhoneContextState();
  return [ours, reference(value, country)];
}

const COUNTRIES = getCountries();

/** Every country's example number written as people and exports write it, plus near misses. */
function writtenNumbers(): string[] {
  const out = new Set<string>();
  const formats: NumberFormat[] = ['E.164', 'INTERNATIONAL', 'NATIONAL', 'RFC3966', 'IDD'];
  for (const country of COUNTRIES) {
    const example = getExampleNumber(country, examples);
    if (!example) continue;
    const national = example.nationalNumber as string;
    const calling = example.countryCallingCode as string;
    for (const format of formats)
      for (const fromCountry of ['US', 'GB', 'DE', 'JP'] as CountryCode[]) {
        const text = example.format(format, { fromCountry });
        if (text) out.add(text);
      }
    const e164 = example.number as string;
    out.add(e164);
    out.add(e164.slice(1)); // without the plus
    out.add(`00${calling}${national}`);
    out.add(`011 ${calling} ${national}`);
    out.add(`+${calling} (0) ${national}`);
    out.add(`0${national}`);
    out.add(national);
    out.add(`${example.formatNational()} ext. 42`);
    out.add(`${example.formatInternational()} x1234`);
    out.add(`${example.formatInternational()};ext=7`);
    out.add(`tel:${e164};phone-context=+${calling}`);
    out.add(`Tel: ${example.formatInternational()} (mobile)`);
    out.add(`${e164}0`); // one digit too many
    out.add(e164.slice(0, -1)); // one too few
    out.add(e164.slice(0, -3));
    out.add(`+${calling}${national}${national}`);
    out.add(national.replace(/(\d{3})(?=\d)/g, '$1-'));
    out.add(national.replace(/(\d{2})(?=\d)/g, '$1.'));
    out.add(`(${national.slice(0, 3)}) ${national.slice(3)}`);
    out.add(`${national.slice(0, 3)}/${national.slice(3)}`);
    out.add(`+${calling}-${national.slice(0, 2)}-${national.slice(2)}`);
    out.add(`＋${calling} ${national}`); // full-width plus
    out.add(`+${calling} ${[...national].map((d) => String.fromCharCode(0xff10 + Number(d))).join('')}`); // full-width digits
    out.add(`+${calling} ${[...national].map((d) => String.fromCharCode(0x0660 + Number(d))).join('')}`); // Arabic-Indic
  }
  return [...out];
}

const FIXED = [
  '310/246-1501',
  '(310) 246 1501',
  '+44 20 7946 0958',
  '020 7946 0958',
  '1-800-FLOWERS',
  '1 800 356 9377',
  '+1 (800) 356-9377',
  '911',
  '112233',
  '000000',
  '123456',
  '1234567890123456789',
  '+',
  '++44 20 7946 0958',
  '+44+20 7946 0958',
  '0044 20 7946 0958',
  '+0 123 456 789',
  '+999 123 456 789',
  'phone: n/a 123456',
  '12-34-56',
  '+1 ',
  ' +1 310 246 1501 ',
  '+1 310 246 1501 ext 99',
  '+1 310 246 1501 #99',
  'tel:+1-310-246-1501',
  'tel:2461501;phone-context=+1-310',
  'tel:2461501;phone-context=example.com',
  '+49 (0)30 123456',
  '+33 (0)1 23 45 67 89',
  '06 12 34 56 78',
  '+7 (495) 123-45-67',
  '8 (495) 123-45-67',
  '+86 138 0013 8000',
  '+81 90-1234-5678',
  '+61 4 1234 5678',
  '04 1234 5678',
  '+91 98765 43210',
  '098765 43210',
  '+55 11 91234-5678',
  '+1 242 359 1234',
  '+262 692 12 34 56',
  '+590 690 00 12 34',
  '+599 9 123 4567',
  '+800 1234 5678',
  '+882 1234 5678',
  '+979 123456789',
];

describe('the phone number metadata next to the engine', () => {
  it("is the installed libphonenumber-js's metadata.min.json, byte for byte", async () => {
    await expect(readFileSync(INSTALLED_METADATA, 'utf8')).toMatchFileSnapshot(join(DATA_DIR, PHONE_METADATA_FILE));
  });

  it('is read once and kept', () => {
    expect(phoneMetadata()).toBe(phoneMetadata());
    expect(phoneMetadata()).toEqual(JSON.parse(readFileSync(INSTALLED_METADATA, 'utf8')));
  });
});

describe('standardisePhone gives what it gave over the full libphonenumber-js', () => {
  const written = writtenNumbers();

  it('for every country example number in many formats and near misses, parsed as from several countries', () => {
    expect(written.length).toBeGreaterThan(5000);
    const defaults: CountryCode[] = ['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'AU', 'RU', 'CN', 'NG', 'AE'];
    const differences: string[] = [];
    let compared = 0;
    for (const value of written)
      for (const country of defaults) {
        compared++;
        const [ours, theirs] = compare(value, country);
        if (ours !== theirs) differences.push(`${JSON.stringify(value)} (${country}): ${ours} ≠ ${theirs}`);
      }
    expect(differences.slice(0, 20)).toEqual([]);
    expect(compared).toBeGreaterThan(60_000);
  });

  it('for the national format of each example number with every country as default', () => {
    const differences: string[] = [];
    for (const own of COUNTRIES) {
      const example = getExampleNumber(own, examples);
      if (!example) continue;
      const values = [example.formatNational(), example.nationalNumber as string, `0${example.nationalNumber}`];
      for (const value of values)
        for (const country of COUNTRIES) {
          const [ours, theirs] = compare(value, country);
          if (ours !== theirs) differences.push(`${JSON.stringify(value)} (${country}): ${ours} ≠ ${theirs}`);
        }
    }
    expect(differences.slice(0, 20)).toEqual([]);
    // About 180,000 comparisons: seconds alone, longer under coverage beside other test files.
  }, 120_000);

  it('for fixed cases, and with the default country left out', () => {
    for (const value of [...FIXED, null, undefined, '', '12', 'abc', '+12345']) {
      const [ours, theirs] = compare(value);
      expect(ours, JSON.stringify(value)).toBe(theirs);
      for (const country of COUNTRIES) {
        const [oursIn, theirsIn] = compare(value, country);
        expect(oursIn, `${JSON.stringify(value)} ${country}`).toBe(theirsIn);
      }
    }
    expect(standardisePhone('310/246-1501')).toBe('+13102461501');
    expect(standardisePhone('020 7946 0958', 'GB')).toBe('+442079460958');
  });

  it('for random strings of digits, separators, plus signs, letters and extensions, from any country', () => {
    const char = fc.constantFrom(...'0123456789012345678901234567890123456789 -().+/x#*;,tel:ext+＋٠١٢'.split(''));
    const value = fc.oneof(
      fc.string({ unit: char, minLength: 0, maxLength: 24 }),
      fc
        .tuple(fc.constantFrom('+', '00', '011 ', '', '0', '(0)'), fc.stringMatching(/^\d{4,17}$/))
        .map(([p, d]) => p + d),
      fc.string(),
    );
    const country = fc.constantFrom(...COUNTRIES);
    fc.assert(
      fc.property(value, country, (v, c) => {
        const [ours, theirs] = compare(v, c);
        return ours === theirs;
      }),
      { numRuns: 20_000 },
    );
  });

  it('for whole sequences, the state the phone-context check keeps between numbers included', () => {
    const contexts = ['+1-310', '+44', '+1', 'example.com', '', '+', '!', '+1-310;isub=12', '+49-30'];
    const uris = contexts.flatMap((c) => [`tel:2461501;phone-context=${c}`, `tel:79460958;phone-context=${c}`]);
    const sequence = [...uris, ...FIXED, ...[...uris].reverse(), ...writtenNumbers().filter((_, i) => i % 7 === 0)];
    const countries: CountryCode[] = ['US', 'GB', 'DE'];
    const run = (standardise: typeof reference) => {
      resetPhoneContextState();
      return countries.flatMap((c) => sequence.map((v) => standardise(v, c)));
    };
    const ours = run(standardisePhone);
    const theirs = run(reference);
    expect(ours).toEqual(theirs);
    // The quirk is there in both: the same URI twice in a row parses the first time only.
    for (const standardise of [standardisePhone, reference]) {
      resetPhoneContextState();
      const twice = [1, 2].map(() => standardise('tel:2461501;phone-context=+1-310'));
      expect(twice).toEqual(['+13102461501', '24615011310']);
    }
  });
});

describe('without its metadata next to it (code shipped without its data folder)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modos-phone-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** standardise.ts and the modules it imports, copied into a folder without the data folders. */
  const load = async () => {
    for (const file of [
      'standardise.ts',
      'nicknames.ts',
      'transliterate/transliterate.ts',
      'phone/phone-metadata.ts',
    ]) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      cpSync(join(ENGINE_DIR, file), join(dir, file));
    }
    const url = (file: string) => pathToFileURL(join(dir, file)).href;
    return {
      ...((await import(/* @vite-ignore */ url('standardise.ts'))) as { standardisePhone: typeof standardisePhone }),
      ...((await import(/* @vite-ignore */ url('phone/phone-metadata.ts'))) as {
        PhoneMetadataMissingError: typeof PhoneMetadataMissingError;
      }),
    };
  };

  it('still refuses what cannot be a phone number without reading it', async () => {
    const copy = await load();
    expect(copy.standardisePhone(null)).toBeNull();
    expect(copy.standardisePhone('12-34')).toBeNull();
  });

  it('fails on the first phone number with PhoneMetadataMissingError naming the file, never raw digits', async () => {
    const copy = await load();
    expect(() => copy.standardisePhone('+1 310 246 1501')).toThrow(copy.PhoneMetadataMissingError);
    expect(() => copy.standardisePhone('+1 310 246 1501')).toThrow(
      join(dir, 'phone', 'libphonenumber-metadata', PHONE_METADATA_FILE),
    );
    const error = new PhoneMetadataMissingError('x');
    expect([error.name, error.code]).toEqual(['PhoneMetadataMissingError', 'PHONE_METADATA_MISSING']);
  });
});
