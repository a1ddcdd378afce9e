/** Deal amounts and currencies. */

/** A plain decimal, optionally with thousands separators in groups of three ("1,234,567.50"). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/**
 * An amount as a number: a number as it is, a decimal string as HubSpot sends it ("1234.5"). Undefined for what is
 * not a finite decimal ("", "n/a", "0x10", "Infinity"): hexadecimal and the other forms `Number()` would accept are
 * not amounts anyone types.
 */
export function amount(value: number | string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const s = value.trim();
  const plain = DECIMAL.test(s) ? s : GROUPED.test(s) ? s.replace(/,/g, '') : undefined;
  if (plain === undefined) return undefined;
  const n = Number(plain);
  return Number.isFinite(n) ? n : undefined;
}

let currencies: Set<string> | undefined;

/**
 * An ISO 4217 currency code in upper case ("eur" → "EUR"); undefined when it is not one. The list is the one the
 * runtime's ICU knows (`Intl.supportedValuesOf('currency')`: the currencies in use, kept current with each Node
 * release), not one more table to keep.
 */
export function currencyCode(value: string | null | undefined): string | undefined {
  const s = value?.trim().toUpperCase();
  if (!s || !/^[A-Z]{3}$/.test(s)) return undefined;
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(s) ? s : undefined;
}
