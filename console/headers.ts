/**
 * The console's response headers, one list for both runtimes: CloudFront's response headers policy
 * (lib/constructs/console-hosting.ts) and the local API server's static files (local/api-server.ts) send the same.
 *
 * The content security policy lets the page load only its own files and call only its own origin (the API is on the
 * same origin: `/api/*` in both runtimes) and the stage's identity provider (`connectSrc`: the issuer's origin, for
 * the OIDC discovery document and the token endpoint). No inline script or style, no frames, no plugins.
 */
export interface ConsoleHeaderOptions {
  /** Origins the page may call besides its own (the identity provider's), e.g. `https://login.example.com`. */
  connectSrc?: readonly string[];
}

export function contentSecurityPolicy(options: ConsoleHeaderOptions = {}): string {
  const connect = ["'self'", ...(options.connectSrc ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Every security header the console's responses carry (lower-case names). */
export function consoleSecurityHeaders(options: ConsoleHeaderOptions = {}): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(options),
    'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** How long a file may be cached: hashed assets for a year, everything else never. */
export const cacheControlOf = (name: string): string =>
  /-[0-9a-f]{10}\.(js|css)$/.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache';
