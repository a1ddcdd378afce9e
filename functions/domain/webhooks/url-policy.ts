/**
 * SSRF guard for customer-supplied webhook URLs. Pure (node:net's BlockList/isIP do the range
 * matching; no I/O). Two checks, both needed:
 *
 * 1. `checkWebhookUrl` on the URL text, at registration and before every delivery;
 * 2. `checkResolvedAddresses` on what DNS returned, right before connecting, after which the
 *    connection must be pinned to the checked address (DNS rebinding).
 *
 * Default-deny for anything that is not public unicast. See docs/webhooks.md for the rules and why.
 */
import { BlockList, isIP } from 'node:net';
import { MIN_LOOPBACK_WEBHOOK_PORT } from './loopback-ports.js';

export interface UrlPolicy {
  /**
   * Local platform development mode: also allow `http://127.0.0.1:<port>` and
   * `http://localhost:<port>` for the ports in `loopbackPorts` (nothing else private, and https is
   * still required elsewhere).
   */
  allowHttpLoopback: boolean;
  /**
   * The only loopback ports dev mode reaches: the development receivers', never the emulators' or a
   * system service's (`http://localhost:22`). Ports below 1024 are refused even when listed.
   */
  loopbackPorts: ReadonlySet<number>;
}

export const PRODUCTION_URL_POLICY: UrlPolicy = Object.freeze({
  allowHttpLoopback: false,
  loopbackPorts: new Set<number>(),
});

/** What an IP address is, for the purpose of deciding whether we may connect to it. */
export type AddressClass =
  | 'public'
  | 'metadata'
  | 'loopback'
  | 'unspecified'
  | 'private'
  | 'link_local'
  | 'unique_local'
  | 'cgnat'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

export type UrlRefusalReason =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'userinfo_not_allowed'
  | 'port_not_allowed'
  /** Dev mode: a loopback port that is not one of the configured development ports. */
  | 'loopback_port_not_allowed'
  /** An IPv4 host written other than as a plain dotted quad (decimal, octal, hex, short, trailing dot…). */
  | 'non_canonical_ip'
  /** An IP literal (or a resolved address) that is not public unicast; see `addressClass`. */
  | 'address_not_allowed'
  | 'localhost'
  /** Single-label names and reserved internal suffixes (.internal, .local…): resolved by search domains or mDNS. */
  | 'internal_hostname'
  /** DNS returned an address that is not public unicast (refused even if other answers are public). */
  | 'resolved_address_not_allowed'
  | 'no_addresses';

export interface UrlRefusal {
  reason: UrlRefusalReason;
  message: string;
  addressClass?: AddressClass;
}

/** A URL that passed `checkWebhookUrl`: where to connect and how to check what DNS returns. */
export interface WebhookTarget {
  url: URL;
  /** Host without IPv6 brackets, as given to DNS / the TLS SNI. */
  hostname: string;
  port: number;
  /** The address itself when the host is an IP literal (no DNS then). */
  ipLiteral: string | null;
  /** Allowed only through `allowHttpLoopback`: resolved addresses must then be loopback. */
  devLoopback: boolean;
}

export type UrlDecision = { allowed: true; target: WebhookTarget } | { allowed: false; refusal: UrlRefusal };

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type AddressDecision = { allowed: true; address: ResolvedAddress } | { allowed: false; refusal: UrlRefusal };

// --- address classification -------------------------------------------------------------

/** IPv4 ranges that are not public unicast (RFC 6890 special-purpose registry and cloud metadata). */
const V4_RANGES: ReadonlyArray<readonly [Exclude<AddressClass, 'public'>, readonly string[]]> = [
  // Before the wider ranges that contain them, so they are reported by their real name.
  ['metadata', ['169.254.169.254/32', '169.254.170.2/32', '100.100.100.200/32']],
  ['broadcast', ['255.255.255.255/32']],
  ['loopback', ['127.0.0.0/8']],
  ['unspecified', ['0.0.0.0/8']],
  ['link_local', ['169.254.0.0/16']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
  ['cgnat', ['100.64.0.0/10']],
  ['multicast', ['224.0.0.0/4']],
  [
    'reserved',
    [
      '192.0.0.0/24', // IETF protocol assignments
      '192.0.2.0/24', // TEST-NET-1
      '192.88.99.0/24', // 6to4 relay anycast (deprecated)
      '198.18.0.0/15', // benchmarking
      '198.51.100.0/24', // TEST-NET-2
      '203.0.113.0/24', // TEST-NET-3
      '240.0.0.0/4', // reserved for future use
    ],
  ],
];

const V6_RANGES: ReadonlyArray<readonly [Exclude<AddressClass, 'public'>, readonly string[]]> = [
  ['metadata', ['fd00:ec2::254/128']],
  ['loopback', ['::1/128']],
  ['unspecified', ['::/128']],
  ['link_local', ['fe80::/10']],
  ['unique_local', ['fc00::/7']],
  ['multicast', ['ff00::/8']],
  [
    'reserved',
    [
      '64:ff9b:1::/48', // local-use NAT64
      '100::/64', // discard-only
      '2001::/23', // IETF protocol assignments (Teredo, ORCHID…)
      '2001:db8::/32', // documentation
      '2002::/16', // 6to4: embeds an arbitrary IPv4 address
      '3fff::/20', // documentation
      'fec0::/10', // site-local (deprecated)
    ],
  ],
];

/**
 * IPv6 forms that carry an IPv4 address the stack (or a NAT64 gateway) will actually reach:
 * IPv4-mapped `::ffff:a.b.c.d` and the well-known NAT64 prefix `64:ff9b::/96`. They are classified
 * by the embedded IPv4 address, so `::ffff:127.0.0.1` is loopback and `::ffff:8.8.8.8` public.
 */
const EMBEDDING_PREFIXES = ['::ffff:', '64:ff9b::'] as const;

const CLASS_LISTS: ReadonlyArray<readonly [Exclude<AddressClass, 'public'>, BlockList]> = (() => {
  const lists = new Map<Exclude<AddressClass, 'public'>, BlockList>();
  const listFor = (cls: Exclude<AddressClass, 'public'>) => {
    let list = lists.get(cls);
    if (!list) lists.set(cls, (list = new BlockList()));
    return list;
  };
  for (const [cls, cidrs] of V4_RANGES) {
    for (const cidr of cidrs) {
      const [network, prefix] = splitCidr(cidr);
      listFor(cls).addSubnet(network, prefix, 'ipv4');
      // Explicitly, rather than relying on BlockList matching IPv4 rules against mapped addresses.
      for (const embedding of EMBEDDING_PREFIXES) listFor(cls).addSubnet(embedding + network, 96 + prefix, 'ipv6');
    }
  }
  for (const [cls, cidrs] of V6_RANGES) {
    for (const cidr of cidrs) {
      const [network, prefix] = splitCidr(cidr);
      listFor(cls).addSubnet(network, prefix, 'ipv6');
    }
  }
  // Metadata first: it sits inside link-local, unique-local and CGNAT ranges.
  const order: Array<Exclude<AddressClass, 'public'>> = [
    'metadata',
    'broadcast',
    'loopback',
    'unspecified',
    'link_local',
    'private',
    'cgnat',
    'unique_local',
    'multicast',
    'reserved',
  ];
  return order.map((cls) => [cls, listFor(cls)] as const);
})();

/** Only 2000::/3 is allocated as global unicast; plus the IPv4-embedding prefixes above. */
const V6_MAYBE_PUBLIC = (() => {
  const list = new BlockList();
  list.addSubnet('2000::', 3, 'ipv6');
  list.addSubnet('::ffff:0:0', 96, 'ipv6');
  list.addSubnet('64:ff9b::', 96, 'ipv6');
  return list;
})();

function splitCidr(cidr: string): [string, number] {
  const slash = cidr.lastIndexOf('/');
  return [cidr.slice(0, slash), Number(cidr.slice(slash + 1))];
}

/**
 * Classifies a textual IP address (IPv4 dotted quad or IPv6, no brackets, no zone).
 * Anything that is not a valid IP is `reserved` (never connectable).
 */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, list] of CLASS_LISTS) if (list.check(address, type)) return cls;
  if (family === 6 && !V6_MAYBE_PUBLIC.check(address, 'ipv6')) return 'reserved';
  return 'public';
}

/** Whether we may connect to `address`: public unicast, or loopback for a dev-loopback target. */
export function checkAddress(
  address: string,
  options: { allowLoopback: boolean },
): { allowed: true } | { allowed: false; addressClass: AddressClass } {
  const addressClass = classifyAddress(address);
  if (addressClass === 'public') return { allowed: true };
  if (addressClass === 'loopback' && options.allowLoopback) return { allowed: true };
  return { allowed: false, addressClass };
}

// --- URL checks ------------------------------------------------------------------------

const INTERNAL_SUFFIXES = ['.local', '.internal', '.localdomain', '.home.arpa'];
/** Ports allowed besides 443: unprivileged ones. 1–1023 host system services (SSH, SMTP, DNS…). */
const MIN_CUSTOM_PORT = 1024;
const MAX_URL_LENGTH = 2048;

const refuse = (reason: UrlRefusalReason, message: string, addressClass?: AddressClass): UrlDecision => ({
  allowed: false,
  refusal: addressClass === undefined ? { reason, message } : { reason, message, addressClass },
});

/** The authority as written: after `scheme:` and any slashes/backslashes, up to the path/query/fragment. */
function rawAuthority(input: string): string {
  return /^[a-z][a-z0-9+.-]*:[/\\]*([^/\\?#]*)/i.exec(input)?.[1] ?? '';
}

/**
 * The host exactly as written in the URL text (lower-cased), before the WHATWG parser turns
 * `0x7f.1`, `2130706433`, `127.1` or full-width digits into `127.0.0.1`. Only used to detect
 * that such a rewrite happened; any doubt leads to refusal, never to acceptance.
 */
function rawHost(input: string): string | null {
  const authority = rawAuthority(input);
  if (authority.startsWith('[')) return null; // IPv6 literal: not an IPv4 rewrite
  const colon = authority.lastIndexOf(':');
  return (colon >= 0 ? authority.slice(0, colon) : authority).toLowerCase();
}

/**
 * Decides whether a webhook URL may be called under `policy`. Returns the parsed target or a typed
 * refusal; never throws. Order: parse → scheme → userinfo → IPv4 encodings → dev loopback →
 * https → port → IP literal class → hostname rules.
 */
export function checkWebhookUrl(input: string, policy: UrlPolicy): UrlDecision {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_URL_LENGTH)
    return refuse('invalid_url', 'URL is empty or too long');
  // The WHATWG parser silently strips tabs/newlines and surrounding controls/spaces; refuse instead.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(input))
    return refuse('invalid_url', 'URL contains whitespace or control characters');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse('invalid_url', 'URL does not parse');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return refuse('scheme_not_allowed', `scheme ${url.protocol} is not allowed`);
  if (url.username !== '' || url.password !== '' || /@/.test(rawAuthority(input)))
    return refuse('userinfo_not_allowed', 'credentials in the URL are not allowed');

  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const family = isIP(hostname);
  if (family === 4 && rawHost(input) !== hostname)
    return refuse('non_canonical_ip', 'IPv4 addresses must be written as a plain dotted quad');

  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);

  if (policy.allowHttpLoopback && url.protocol === 'http:' && (hostname === '127.0.0.1' || hostname === 'localhost')) {
    if (port < MIN_LOOPBACK_WEBHOOK_PORT || !policy.loopbackPorts.has(port)) {
      return refuse(
        'loopback_port_not_allowed',
        `loopback port ${port} is not a configured development port (LOOPBACK_WEBHOOK_PORTS)`,
      );
    }
    return {
      allowed: true,
      target: { url, hostname, port, ipLiteral: family === 4 ? hostname : null, devLoopback: true },
    };
  }
  if (url.protocol !== 'https:') return refuse('scheme_not_allowed', 'webhook URLs must use https');
  if (port !== 443 && port < MIN_CUSTOM_PORT)
    return refuse('port_not_allowed', `port ${port} is not allowed (443 or ${MIN_CUSTOM_PORT}-65535)`);

  if (family !== 0) {
    const decision = checkAddress(hostname, { allowLoopback: false });
    if (!decision.allowed)
      return refuse('address_not_allowed', `address is ${decision.addressClass}`, decision.addressClass);
    return { allowed: true, target: { url, hostname, port, ipLiteral: hostname, devLoopback: false } };
  }

  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (name === 'localhost' || name.endsWith('.localhost')) return refuse('localhost', 'localhost is not allowed');
  if (!name.includes('.')) return refuse('internal_hostname', 'single-label host names are not allowed');
  if (INTERNAL_SUFFIXES.some((suffix) => name.endsWith(suffix)))
    return refuse('internal_hostname', 'internal host names are not allowed');
  return { allowed: true, target: { url, hostname, port, ipLiteral: null, devLoopback: false } };
}

/**
 * Checks every address DNS returned for a target. Refuses if ANY is not allowed (an attacker who
 * controls the zone can mix a public and a private answer and let the client pick), and returns
 * the one address the connection must be pinned to.
 */
export function checkResolvedAddresses(target: WebhookTarget, addresses: readonly ResolvedAddress[]): AddressDecision {
  if (addresses.length === 0)
    return { allowed: false, refusal: { reason: 'no_addresses', message: 'host name resolved to no address' } };
  for (const { address } of addresses) {
    const decision = checkAddress(address, { allowLoopback: target.devLoopback });
    if (!decision.allowed) {
      return {
        allowed: false,
        refusal: {
          reason: 'resolved_address_not_allowed',
          message: `host name resolves to a ${decision.addressClass} address`,
          addressClass: decision.addressClass,
        },
      };
    }
  }
  return { allowed: true, address: addresses[0]! };
}
