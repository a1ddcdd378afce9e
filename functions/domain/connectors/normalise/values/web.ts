/**
 * Company web addresses. Vendors hold them as typed ("www.acme.com", "https://www.acme.com/", "acme.com/en",
 * "HTTP://ACME.COM"): the host is the part that identifies the company, and it is read with the WHATWG URL parser
 * Node has built in (lower case, IDNs in punycode, percent-encoding) instead of a pattern of our own.
 */
import { cleanText } from './text.js';

/** A registrable-looking host name: two labels at least, the last one alphabetic or an IDN's xn-- label. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function parseWebAddress(value: string | null | undefined): URL | undefined {
  const s = cleanText(value);
  if (s === undefined || s.includes(' ')) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s.replace(/^\/\//, '')}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  // an address with credentials (or an e-mail address typed into the field) does not name the company's site
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '')
    return undefined;
  const host = url.hostname.replace(/\.$/, '');
  if (!HOST.test(host)) return undefined;
  url.hostname = host;
  return url;
}

/** The company's domain: the lower-case host without `www.` (`https://www.Acme.com/en` → `acme.com`). */
export function domainOf(value: string | null | undefined): string | undefined {
  const url = parseWebAddress(value);
  if (url === undefined) return undefined;
  const host = url.hostname;
  const bareHost = host.replace(/^www\d*\./, '');
  return bareHost.includes('.') ? bareHost : host;
}

/**
 * The site as an https URL: lower-case host as given (a `www.` stays: it is the site's address), the path without a
 * trailing slash; query and fragment dropped (campaign parameters, anchors). `acme.com/en/` → `https://acme.com/en`.
 */
export function normaliseWebsite(value: string | null | undefined): string | undefined {
  const url = parseWebAddress(value);
  if (url === undefined) return undefined;
  // the parser already dropped a port that is its scheme's default
  const port = url.port === '' ? '' : `:${url.port}`;
  const path = url.pathname.replace(/\/+$/, '');
  return `https://${url.hostname}${port}${path}`;
}
