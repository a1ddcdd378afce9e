import { describe, expect, it } from 'vitest';
import {
  checkResolvedAddresses,
  checkWebhookUrl,
  classifyAddress,
  PRODUCTION_URL_POLICY,
  type AddressClass,
  type UrlRefusalReason,
} from '../../../functions/domain/webhooks/url-policy.js';

const DEV = { allowHttpLoopback: true, loopbackPorts: new Set([3000, 8900]) };
const refusalOf = (url: string, policy = PRODUCTION_URL_POLICY) => {
  const decision = checkWebhookUrl(url, policy);
  return decision.allowed ? 'allowed' : decision.refusal.reason;
};
const classOf = (url: string, policy = PRODUCTION_URL_POLICY) => {
  const decision = checkWebhookUrl(url, policy);
  return decision.allowed ? 'public' : decision.refusal.addressClass;
};

describe('checkWebhookUrl refuses', () => {
  const cases: Array<[string, UrlRefusalReason, AddressClass?]> = [
    // scheme, credentials, ports
    ['http://example.com/hook', 'scheme_not_allowed'],
    ['ftp://example.com/hook', 'scheme_not_allowed'],
    ['file:///etc/passwd', 'scheme_not_allowed'],
    ['gopher://example.com:70/_', 'scheme_not_allowed'],
    ['javascript:alert(1)', 'scheme_not_allowed'],
    ['https://user:pass@example.com/hook', 'userinfo_not_allowed'],
    ['https://user@example.com/hook', 'userinfo_not_allowed'],
    ['https://@example.com/hook', 'userinfo_not_allowed'],
    ['https://example.com:22/hook', 'port_not_allowed'],
    ['https://example.com:80/hook', 'port_not_allowed'],
    ['https://example.com:0/hook', 'port_not_allowed'],
    ['not a url', 'invalid_url'],
    ['', 'invalid_url'],
    ['https://exam\tple.com/', 'invalid_url'],
    [' https://example.com/', 'invalid_url'],
    [`https://example.com/${'a'.repeat(2100)}`, 'invalid_url'],
    // private (RFC 1918)
    ['https://10.0.0.1/', 'address_not_allowed', 'private'],
    ['https://10.255.255.255/', 'address_not_allowed', 'private'],
    ['https://172.16.0.1/', 'address_not_allowed', 'private'],
    ['https://172.31.255.254/', 'address_not_allowed', 'private'],
    ['https://192.168.1.1/', 'address_not_allowed', 'private'],
    // loopback
    ['https://127.0.0.1/', 'address_not_allowed', 'loopback'],
    ['https://127.255.0.9:8443/', 'address_not_allowed', 'loopback'],
    ['https://[::1]/', 'address_not_allowed', 'loopback'],
    ['https://[0:0:0:0:0:0:0:1]/', 'address_not_allowed', 'loopback'],
    // link-local, metadata
    ['https://169.254.1.1/', 'address_not_allowed', 'link_local'],
    ['https://[fe80::1]/', 'address_not_allowed', 'link_local'],
    ['https://[febf::1]/', 'address_not_allowed', 'link_local'],
    ['https://169.254.169.254/latest/meta-data/', 'address_not_allowed', 'metadata'],
    ['https://169.254.170.2/v2/credentials', 'address_not_allowed', 'metadata'],
    ['https://[fd00:ec2::254]/', 'address_not_allowed', 'metadata'],
    ['https://100.100.100.200/', 'address_not_allowed', 'metadata'],
    // unique-local, CGNAT, this-network, multicast, broadcast, reserved
    ['https://[fc00::1]/', 'address_not_allowed', 'unique_local'],
    ['https://[fdff:ffff::1]/', 'address_not_allowed', 'unique_local'],
    ['https://100.64.0.1/', 'address_not_allowed', 'cgnat'],
    ['https://100.127.255.254/', 'address_not_allowed', 'cgnat'],
    ['https://0.0.0.0/', 'address_not_allowed', 'unspecified'],
    ['https://0.1.2.3/', 'address_not_allowed', 'unspecified'],
    ['https://[::]/', 'address_not_allowed', 'unspecified'],
    ['https://224.0.0.1/', 'address_not_allowed', 'multicast'],
    ['https://239.255.255.250/', 'address_not_allowed', 'multicast'],
    ['https://[ff02::1]/', 'address_not_allowed', 'multicast'],
    ['https://255.255.255.255/', 'address_not_allowed', 'broadcast'],
    ['https://240.0.0.1/', 'address_not_allowed', 'reserved'],
    ['https://192.0.2.10/', 'address_not_allowed', 'reserved'],
    ['https://198.18.0.1/', 'address_not_allowed', 'reserved'],
    ['https://[2001:db8::1]/', 'address_not_allowed', 'reserved'],
    ['https://[2002:7f00:1::]/', 'address_not_allowed', 'reserved'],
    ['https://[2001::1]/', 'address_not_allowed', 'reserved'],
    ['https://[fec0::1]/', 'address_not_allowed', 'reserved'],
    ['https://[::127.0.0.1]/', 'address_not_allowed', 'reserved'],
    ['https://[100::1]/', 'address_not_allowed', 'reserved'],
    // IPv4-mapped and NAT64 IPv6 forms of the above
    ['https://[::ffff:127.0.0.1]/', 'address_not_allowed', 'loopback'],
    ['https://[::ffff:7f00:1]/', 'address_not_allowed', 'loopback'],
    ['https://[::ffff:10.0.0.1]/', 'address_not_allowed', 'private'],
    ['https://[::ffff:169.254.169.254]/', 'address_not_allowed', 'metadata'],
    ['https://[::ffff:a9fe:a9fe]/', 'address_not_allowed', 'metadata'],
    ['https://[0:0:0:0:0:ffff:192.168.0.1]/', 'address_not_allowed', 'private'],
    ['https://[64:ff9b::169.254.169.254]/', 'address_not_allowed', 'metadata'],
    ['https://[64:ff9b::10.1.2.3]/', 'address_not_allowed', 'private'],
    ['https://[64:ff9b:1::1]/', 'address_not_allowed', 'reserved'],
    // IPv4 written in other encodings (WHATWG would turn each into a dotted quad)
    ['https://2130706433/', 'non_canonical_ip'],
    ['https://0x7f.1/', 'non_canonical_ip'],
    ['https://0x7f000001/', 'non_canonical_ip'],
    ['https://017700000001/', 'non_canonical_ip'],
    ['https://0177.0.0.1/', 'non_canonical_ip'],
    ['https://127.1/', 'non_canonical_ip'],
    ['https://127.0.0.1./', 'non_canonical_ip'],
    ['https://0xa9fea9fe/', 'non_canonical_ip'],
    ['https://%31%32%37.0.0.1/', 'non_canonical_ip'],
    ['https://１２７.０.０.１/', 'non_canonical_ip'],
    ['https://134744072/', 'non_canonical_ip'], // 8.8.8.8 in decimal: refused for the encoding alone
    ['https:\\\\0x7f.1\\x', 'non_canonical_ip'],
    // names
    ['https://localhost/', 'localhost'],
    ['https://LOCALHOST:8443/', 'localhost'],
    ['https://localhost./', 'localhost'],
    ['https://api.localhost/', 'localhost'],
    ['https://metadata/', 'internal_hostname'],
    ['https://instance-data./', 'internal_hostname'],
    ['https://metadata.google.internal/', 'internal_hostname'],
    ['https://printer.local/', 'internal_hostname'],
    ['https://nas.home.arpa/', 'internal_hostname'],
  ];

  it.each(cases)('%s → %s %s', (url, reason, addressClass) => {
    const decision = checkWebhookUrl(url, PRODUCTION_URL_POLICY);
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.refusal.reason).toBe(reason);
    expect(decision.refusal.addressClass).toBe(addressClass);
    expect(decision.refusal.message).not.toBe('');
  });
});

describe('checkWebhookUrl allows', () => {
  it.each([
    'https://hooks.example.com/modos',
    'https://example.com',
    'https://EXAMPLE.com:443/a?b=c#d',
    'https://example.com:8443/hook',
    'https://example.com./hook',
    'https://xn--bcher-kva.example/hook',
    'https://8.8.8.8/hook',
    'https://172.32.0.1/', // just outside 172.16/12
    'https://100.128.0.1/', // just outside 100.64/10
    'https://[2606:4700:4700::1111]/hook',
    'https://[::ffff:8.8.8.8]/hook',
    'https://[64:ff9b::8.8.8.8]/hook',
  ])('%s', (url) => {
    expect(refusalOf(url)).toBe('allowed');
  });

  it('returns the parsed target with its port and whether the host is an IP literal', () => {
    const decision = checkWebhookUrl('https://[2606:4700:4700::1111]:8443/x?y=1', PRODUCTION_URL_POLICY);
    expect(decision).toMatchObject({
      allowed: true,
      target: { hostname: '2606:4700:4700::1111', port: 8443, ipLiteral: '2606:4700:4700::1111', devLoopback: false },
    });
    expect(checkWebhookUrl('https://hooks.example.com/x', PRODUCTION_URL_POLICY)).toMatchObject({
      allowed: true,
      target: { hostname: 'hooks.example.com', port: 443, ipLiteral: null },
    });
  });
});

describe('development mode (allowHttpLoopback)', () => {
  it.each([
    'http://127.0.0.1:3000/hook',
    'http://localhost:3000/hook',
    'http://127.0.0.1:8900/hook',
    'http://LOCALHOST:8900/x?y=1',
  ])('allows %s', (url) => {
    expect(checkWebhookUrl(url, DEV)).toMatchObject({ allowed: true, target: { devLoopback: true } });
  });

  it.each([
    ['http://127.0.0.1:3000/hook', 'scheme_not_allowed'],
    ['http://localhost:3000/hook', 'scheme_not_allowed'],
  ])('refuses %s in production', (url, reason) => {
    expect(refusalOf(url)).toBe(reason);
  });

  it.each([
    ['http://10.0.0.1:3000/', 'scheme_not_allowed'],
    ['http://example.com/', 'scheme_not_allowed'],
    ['http://127.0.0.2:3000/', 'scheme_not_allowed'],
    ['http://[::1]:3000/', 'scheme_not_allowed'],
    ['http://api.localhost:3000/', 'scheme_not_allowed'],
    ['http://2130706433:3000/', 'non_canonical_ip'],
    ['http://127.1:3000/', 'non_canonical_ip'],
    ['http://user@127.0.0.1:3000/', 'userinfo_not_allowed'],
    ['https://127.0.0.1:3000/', 'address_not_allowed'],
    ['https://localhost:3000/', 'localhost'],
    ['https://10.0.0.1/', 'address_not_allowed'],
    ['https://169.254.169.254/', 'address_not_allowed'],
  ])('still refuses %s', (url, reason) => {
    expect(refusalOf(url, DEV)).toBe(reason);
  });

  it.each([
    'http://localhost:22/', // SSH
    'http://127.0.0.1:25/', // SMTP
    'http://127.0.0.1/hook', // port 80
    'http://localhost/hook',
    'http://127.0.0.1:8000/', // an emulator's port, say
    'http://127.0.0.1:45123/',
    'http://localhost:65535/',
  ])('refuses %s: not a configured development port', (url) => {
    expect(refusalOf(url, DEV)).toBe('loopback_port_not_allowed');
  });

  it('refuses ports below 1024 even when they are listed', () => {
    const listed = { allowHttpLoopback: true, loopbackPorts: new Set([22, 80, 1024]) };
    expect(refusalOf('http://localhost:22/', listed)).toBe('loopback_port_not_allowed');
    expect(refusalOf('http://127.0.0.1/', listed)).toBe('loopback_port_not_allowed');
    expect(refusalOf('http://127.0.0.1:1024/', listed)).toBe('allowed');
  });

  it('refuses every loopback port when none is configured', () => {
    expect(refusalOf('http://127.0.0.1:3000/hook', { allowHttpLoopback: true, loopbackPorts: new Set() })).toBe(
      'loopback_port_not_allowed',
    );
  });

  it('lets dev loopback targets resolve only to loopback addresses', () => {
    const dev = checkWebhookUrl('http://localhost:3000/', DEV);
    if (!dev.allowed) throw new Error('expected allowed');
    expect(
      checkResolvedAddresses(dev.target, [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ]),
    ).toMatchObject({ allowed: true, address: { address: '127.0.0.1' } });
    expect(checkResolvedAddresses(dev.target, [{ address: '10.0.0.1', family: 4 }])).toMatchObject({
      allowed: false,
      refusal: { reason: 'resolved_address_not_allowed', addressClass: 'private' },
    });
  });
});

describe('checkResolvedAddresses', () => {
  const target = (() => {
    const decision = checkWebhookUrl('https://hooks.example.com/x', PRODUCTION_URL_POLICY);
    if (!decision.allowed) throw new Error('expected allowed');
    return decision.target;
  })();

  it('pins the first address when every answer is public', () => {
    expect(
      checkResolvedAddresses(target, [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ]),
    ).toEqual({
      allowed: true,
      address: { address: '93.184.216.34', family: 4 },
    });
  });

  it.each([
    [[{ address: '127.0.0.1', family: 4 }], 'loopback'],
    [
      [
        { address: '93.184.216.34', family: 4 },
        { address: '10.1.2.3', family: 4 },
      ],
      'private',
    ],
    [[{ address: '::ffff:169.254.169.254', family: 6 }], 'metadata'],
    [[{ address: 'fd00:ec2::254', family: 6 }], 'metadata'],
    [[{ address: 'not-an-ip', family: 4 }], 'reserved'],
  ] as const)('refuses %j when any answer is %s', (addresses, addressClass) => {
    expect(checkResolvedAddresses(target, addresses)).toMatchObject({
      allowed: false,
      refusal: { reason: 'resolved_address_not_allowed', addressClass },
    });
  });

  it('refuses an empty answer', () => {
    expect(checkResolvedAddresses(target, [])).toMatchObject({ allowed: false, refusal: { reason: 'no_addresses' } });
  });
});

describe('classifyAddress', () => {
  it.each([
    ['1.1.1.1', 'public'],
    ['9.255.255.255', 'public'],
    ['11.0.0.0', 'public'],
    ['172.15.255.255', 'public'],
    ['192.169.0.1', 'public'],
    ['2a00:1450:4001::1', 'public'],
    ['::ffff:1.1.1.1', 'public'],
    ['fe80::1%eth0', 'link_local'],
    ['::ffff:0.0.0.0', 'unspecified'],
  ] as const)('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it('reports the class in the refusal of an IP-literal URL', () => {
    expect(classOf('https://[::ffff:100.100.100.200]/')).toBe('metadata');
  });
});
