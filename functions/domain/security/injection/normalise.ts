/**
 * Text normalisation before the injection detector reads a text: the detector must see the words a model would
 * read, not the bytes an attacker chose to hide them behind. Every transformation that changes something also
 * reports a signal, because hiding words is itself a sign of intent.
 */

import { DISGUISED_WORDS } from './lexicon.js';

/** What normalisation did to a text: the cleaned text (case kept) and the tricks it undid. */
export interface NormalisedText {
  text: string;
  signals: Set<string>;
}

// Characters that render as nothing (zero-width, joiners, soft hyphen, bidi controls, variation selectors, the
// Hangul fillers): a model reads through them, a keyword filter does not.
const INVISIBLE =
  /[\u00AD\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0]|\u034F|[\u180B-\u180D\u180F]|[\uFE00-\uFE0F]|[\u{E0000}-\u{E001F}\u{E007F}-\u{E01EF}]/gu;
// Unicode tag characters (U+E0020..U+E007E) mirror ASCII and are invisible: "ASCII smuggling" hides whole
// instructions in them, so they are decoded, not dropped.
const TAG_CHARS = /[\u{E0020}-\u{E007E}]/gu;

/**
 * Latin look-alikes from Cyrillic, Greek and a few IPA/Latin-extended letters (Unicode confusables, lower case;
 * NFKC has already folded the fullwidth and mathematical alphabets). Mapped inside words that mix them with Latin
 * letters, and in words made only of them when the text is mostly Latin: ordinary Russian or Greek text keeps its
 * words, an English sentence with one "Cyrillic" word does not.
 */
const CONFUSABLE: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ɡ: 'g',
  ո: 'n',
  ս: 'u',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};
const CONFUSABLE_CLASS = `[${Object.keys(CONFUSABLE).join('')}]`;
const HAS_CONFUSABLE = new RegExp(CONFUSABLE_CLASS);
const WORD = /[\p{L}\p{M}]+/gu;
const LATIN = /[A-Za-z]/;
const LATIN_LETTER = /[A-Za-z]/g;
const ANY_LETTER = /\p{L}/gu;
const ONLY_CONFUSABLE = new RegExp(`^${CONFUSABLE_CLASS}+$`);
const CONFUSABLE_GLOBAL = new RegExp(CONFUSABLE_CLASS, 'g');

// Words spelled out letter by letter ("i g n o r e", "p.a.s.s.w.o.r.d"): four letters or more, one separator.
const SPACED_LETTERS = /(?<![\p{L}\p{N}])(?:\p{L}[ .\-_*]){3,}\p{L}(?![\p{L}\p{N}])/gu;

// A word spelled as a list of quoted letters ("A","c","c","e","s","s" or ['p', 'w', 'n']).
const QUOTED_LETTERS = /(?:["'‘“]\p{L}["'’”]\s*,\s*){3,}["'‘“]\p{L}["'’”]/gu;

// Digits and symbols standing for letters ("1gn0re", "p@ssw0rd"). Only a token that becomes one of the words an
// attack needs is rewritten: "python3", "h264" or an e-mail address stay as they are.
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };
const LEET_TOKEN = /(?<![\p{L}\p{N}@$])[\p{L}013457@$]{4,}(?![\p{L}\p{N}])/gu;
const LEET_CHAR = /[013457@$]/;

/** Undoes the common ways of hiding words from a filter; see NormalisedText. O(n) in the text's length. */
export function normaliseText(raw: string): NormalisedText {
  const signals = new Set<string>();
  let text = raw;
  if (TAG_CHARS.test(text)) {
    signals.add('unicode_tags');
    text = text.replace(TAG_CHARS, (c) => String.fromCharCode(c.codePointAt(0)! - 0xe0000));
  }
  TAG_CHARS.lastIndex = 0;
  const withoutInvisible = text.replace(INVISIBLE, '');
  if (withoutInvisible.length !== text.length) {
    // One or two (a BOM, a soft hyphen) are ordinary in copied text; inside words they split keywords apart.
    if (/[\p{L}][\u00AD\u200B-\u200D\u2060\uFEFF][\p{L}]/u.test(text)) signals.add('invisible_chars');
    text = withoutInvisible;
  }
  const nfkc = text.normalize('NFKC');
  if (nfkc !== text && /[\uFF01-\uFF5E]|[\u{1D400}-\u{1D7FF}]/u.test(text)) signals.add('styled_letters');
  text = nfkc;
  if (HAS_CONFUSABLE.test(text)) {
    const letters = text.match(ANY_LETTER)?.length ?? 0;
    const latinText = (text.match(LATIN_LETTER)?.length ?? 0) > 0.8 * letters;
    text = text.replace(WORD, (word) => {
      if (!HAS_CONFUSABLE.test(word)) return word;
      const mixed = LATIN.test(word);
      if (!mixed && !(latinText && word.length >= 3 && ONLY_CONFUSABLE.test(word))) return word;
      if (mixed) signals.add('mixed_script');
      return word.replace(CONFUSABLE_GLOBAL, (c) => CONFUSABLE[c] ?? c);
    });
  }
  text = text.replace(SPACED_LETTERS, (run) => {
    // "e . g ." and initials ("J. R. R.") are short; a spelled-out word has four or more letters.
    const letters = run.replace(/[ .\-_*]/g, '');
    // A run of one repeated letter ("ö ö ö ö") is a token flood, which the structure features measure.
    if (letters.length < 4 || /^(.)\1*$/u.test(letters)) return run;
    signals.add('spaced_letters');
    return letters;
  });
  text = text.replace(QUOTED_LETTERS, (run) => {
    signals.add('spaced_letters');
    return run.replace(/[^\p{L}]/gu, '');
  });
  text = text.replace(LEET_TOKEN, (token) => {
    if (!LEET_CHAR.test(token)) return token;
    const word = token.replace(/[013457@$]/g, (c) => LEET[c] ?? c);
    if (!DISGUISED_WORDS.has(word.toLowerCase())) return token;
    signals.add('leetspeak');
    return word;
  });
  return { text, signals };
}
