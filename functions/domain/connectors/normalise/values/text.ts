/**
 * Free text as vendors send it: trimmed, runs of white space (tabs, line breaks, no-break spaces) made one space,
 * invisible format characters dropped. What is left empty is absent, never an empty string.
 */

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;

/** The text trimmed and with white space collapsed; undefined when nothing is left. */
export function cleanText(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = value.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return s === '' ? undefined : s;
}
