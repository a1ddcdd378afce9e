/**
 * Vendor messages are quoted in errors (the API shows them to the admin who configured the connector), but a vendor
 * may echo what it was sent. Every known secret is cut out of a message before it is used, and messages are kept
 * short and on one line.
 */
const MAX_MESSAGE = 300;

/** `message` with every occurrence of a secret (4+ characters) replaced, on one line, at most 300 characters. */
export function redact(message: string, secrets: readonly (string | null | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join('[redacted]');
    // Also the form-encoded spelling, which an echoed request body carries.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('[redacted]');
  }
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE - 1)}…` : out;
}

/** A short identifier-like vendor code (`INVALID_SESSION_ID`, `RATE_LIMIT`), or undefined for anything else. */
export function vendorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : undefined;
}
