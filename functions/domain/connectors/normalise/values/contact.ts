/**
 * E-mail addresses and phone numbers. An address or number that cannot be what it claims is left out rather than
 * repaired by guesswork: a wrong value in the graph is worse than a missing one.
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import { phoneMetadata } from '../../../resolution/engine/phone/phone-metadata.js';
import { cleanText } from './text.js';

/** dot-atom local part (RFC 5322, letters of any script allowed as in SMTPUTF8), no leading, trailing or double dot */
const LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
/** host names of at least two labels, the last one alphabetic (or an IDN's xn-- label) */
const DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;

/**
 * The address trimmed and lower-cased (a `mailto:` prefix dropped); undefined when it is not an address. Sub-address
 * tags (`+news`) and dots are kept: they are part of the address the person gave, and it is the identity-resolution
 * engine that compares addresses loosely.
 */
export function normaliseEmail(value: string | null | undefined): string | undefined {
  const s = cleanText(value)
    ?.toLowerCase()
    .replace(/^mailto:/, '');
  if (s === undefined || s.length > 254) return undefined;
  const at = s.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  return local.length <= 64 && LOCAL.test(local) && DOMAIN.test(domain) ? s : undefined;
}

/**
 * The number in E.164 (`+12125550142`), read with `country` (ISO 3166-1 alpha-2) as the region of numbers written
 * without a country calling code; undefined when it cannot be a phone number. Without a region only international
 * numbers (`+44 …`) are read: a national number is not given a country by guessing.
 *
 * The metadata is the identity-resolution engine's (libphonenumber-js's own metadata.min.json in a file next to the
 * bundle, resolution/engine/phone/phone-metadata.ts), so both read a number the same way and the bundle does not
 * carry it. A number is kept when its length is possible for its country (`isPossible`), as the engine does: the
 * stricter `isValid` would drop numbers of ranges newer than the metadata and made-up test ranges (555).
 */
export function normalisePhone(value: string | null | undefined, country?: string): string | undefined {
  const s = cleanText(value);
  if (s === undefined) return undefined;
  // a tel: URI's parameters are not part of the number, and libphonenumber-js checks phone-context with stateful
  // global regular expressions (its result would depend on the number read before): drop them
  const text = s.replace(/^tel:/i, '').split(';')[0]!;
  const metadata = phoneMetadata();
  const region = country !== undefined && isSupportedCountry(country as CountryCode, metadata) ? country : undefined;
  const parsed =
    region === undefined
      ? parsePhoneNumberFromString(text, metadata)
      : parsePhoneNumberFromString(text, region as CountryCode, metadata);
  return parsed?.isPossible() ? parsed.number : undefined;
}
