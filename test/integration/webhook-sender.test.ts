/**
 * The webhook sender against real local HTTP receivers on loopback (dev-mode policy), with the
 * receiver checking every delivery with the independent `standardwebhooks` package. DNS is an
 * injected resolver (no outside network here); backoff sleeps are recorded, not waited.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import {
  HttpWebhookSender,
  type HttpWebhookSenderOptions,
  type Resolver,
} from '../../functions/adapters/http/webhook-sender.js';
import { ValidationError } from '../../functions/domain/errors.js';
import { InvalidWebhookSecretError } from '../../functions/domain/webhooks/errors.js';
import { generateWebhookSecret } from '../../functions/domain/webhooks/signing.js';
import { PRODUCTION_URL_POLICY } from '../../functions/domain/webhooks/url-policy.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  verifiedBy: string[];
}
type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'stream-forever';

const servers: http.Server[] = [];
/** The dev-mode policy's development ports: every receiver's, added as it starts (and 8080, which no test listens on). */
const devPorts = new Set<number>([8080]);
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
  devPorts.clear();
  devPorts.add(8080);
});

/** A receiver that answers the scripted replies in order (the last one repeats) and verifies each request with every given secret. */
async function aReceiver(opts: { replies: Reply[]; secrets?: string[]; host?: string; devPort?: boolean }) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const verifiedBy = (opts.secrets ?? []).filter((secret) => {
        try {
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      });
      received.push({ path: req.url ?? '', headers: req.headers, body, verifiedBy });
      const reply = opts.replies[Math.min(received.length - 1, opts.replies.length - 1)]!;
      if (reply === 'hang') return;
      if (reply === 'stream-forever') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(16 * 1024, 120);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('error', () => {});
        pump();
        return;
      }
      res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
    });
  });
  servers.push(server);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(0, host, r));
  const { port } = server.address() as AddressInfo;
  if (opts.devPort !== false) devPorts.add(port);
  return { url: `http://${host}:${port}/hooks/modos`, port, received };
}

function aSender(overrides: Partial<HttpWebhookSenderOptions> = {}) {
  const sleeps: number[] = [];
  const resolverCalls: string[] = [];
  const resolve: Resolver = overrides.resolve
    ? async (hostname) => (resolverCalls.push(hostname), overrides.resolve!(hostname))
    : async (hostname) => {
        throw new Error(`unexpected DNS lookup of ${hostname}`);
      };
  const sender = new HttpWebhookSender({
    policy: { allowHttpLoopback: true, loopbackPorts: devPorts },
    random: () => 0.5,
    ...overrides,
    resolve,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { sender, sleeps, resolverCalls };
}

const aRequest = (url: string, secrets: string[], extra: Record<string, unknown> = {}) => ({
  url,
  secrets,
  eventType: 'entity.merged',
  payload: { entityId: 'e-1', into: 'e-2' },
  ...extra,
});

describe('HttpWebhookSender delivery', () => {
  it('POSTs a Standard Webhooks message that the standardwebhooks package verifies on the receiver', async () => {
    const secret = generateWebhookSecret();
    const receiver = await aReceiver({ replies: [{ status: 204 }], secrets: [secret] });
    const { sender } = aSender();

    const result = await sender.send(
      aRequest(receiver.url, [secret], { id: 'msg_fixed1', occurredAt: new Date('2025-05-01T10:00:00.000Z') }),
    );

    expect(result).toEqual({ delivered: true, id: 'msg_fixed1', attempts: 1, status: 204 });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.verifiedBy).toEqual([secret]);
    expect(request!.path).toBe('/hooks/modos');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toBe('msg_fixed1');
    expect(JSON.parse(request!.body)).toEqual({
      type: 'entity.merged',
      timestamp: '2025-05-01T10:00:00.000Z',
      data: { entityId: 'e-1', into: 'e-2' },
    });
  });

  it('signs with every active secret during rotation, each verifying on its own', async () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const receiver = await aReceiver({
      replies: [{ status: 200 }],
      secrets: [oldSecret, newSecret, generateWebhookSecret()],
    });

    await aSender().sender.send(aRequest(receiver.url, [oldSecret, newSecret]));

    expect(receiver.received[0]!.verifiedBy).toEqual([oldSecret, newSecret]);
  });

  it('generates a msg_ id when the caller gives none', async () => {
    const receiver = await aReceiver({ replies: [{ status: 200 }] });
    const result = await aSender().sender.send(aRequest(receiver.url, [generateWebhookSecret()]));
    expect(result.id).toMatch(/^msg_/);
    expect(receiver.received[0]!.headers['webhook-id']).toBe(result.id);
  });
});

describe('HttpWebhookSender retries', () => {
  it('retries a 500 with backoff, same webhook-id, same body, fresh timestamp and signature', async () => {
    const secret = generateWebhookSecret();
    const receiver = await aReceiver({
      replies: [{ status: 500 }, { status: 503 }, { status: 200 }],
      secrets: [secret],
    });
    // A clock that moves a minute per reading, starting two minutes ago (the package checks ±5 min against real time).
    let tick = 0;
    const start = Date.now() - 120_000;
    const { sender, sleeps } = aSender({ clock: { now: () => new Date(start + 60_000 * tick++) } });

    const result = await sender.send(aRequest(receiver.url, [secret]));

    expect(result).toMatchObject({ delivered: true, attempts: 3, status: 200 });
    const [first, second, third] = receiver.received;
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(Number(second!.headers['webhook-timestamp'])).toBeGreaterThan(Number(first!.headers['webhook-timestamp']));
    expect(Number(third!.headers['webhook-timestamp'])).toBeGreaterThan(Number(second!.headers['webhook-timestamp']));
    expect(new Set(receiver.received.map((r) => r.headers['webhook-signature'])).size).toBe(3);
    expect(receiver.received.every((r) => r.verifiedBy.length === 1)).toBe(true);
    // equal jitter with random()=0.5: 0.75 × 1 s, then 0.75 × 2 s
    expect(sleeps).toEqual([750, 1500]);
  });

  it('waits as long as a 429 Retry-After asks before retrying', async () => {
    const receiver = await aReceiver({ replies: [{ status: 429, headers: { 'retry-after': '7' } }, { status: 200 }] });
    const { sender, sleeps } = aSender();

    const result = await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(result).toMatchObject({ delivered: true, attempts: 2 });
    expect(sleeps).toEqual([7000]);
  });

  it('understands Retry-After as an HTTP date', async () => {
    const now = new Date('2025-05-01T10:00:00.000Z');
    const receiver = await aReceiver({
      replies: [{ status: 503, headers: { 'retry-after': 'Thu, 01 May 2025 10:00:12 GMT' } }, { status: 200 }],
    });
    const { sender, sleeps } = aSender({ clock: { now: () => now } });

    await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(sleeps).toEqual([12_000]);
  });

  it('stops and reports the wait when Retry-After exceeds what it may wait in-process', async () => {
    const receiver = await aReceiver({
      replies: [{ status: 429, headers: { 'retry-after': '3600' } }, { status: 200 }],
    });
    const { sender, sleeps } = aSender();

    const result = await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(result).toMatchObject({
      delivered: false,
      attempts: 1,
      lastError: { kind: 'http_status', status: 429, retryAfterMs: 3_600_000 },
    });
    expect(sleeps).toEqual([]);
    expect(receiver.received).toHaveLength(1);
  });

  it.each([400, 401, 404, 410, 422])('does not retry a %i', async (status) => {
    const receiver = await aReceiver({ replies: [{ status }, { status: 200 }] });
    const { sender, sleeps } = aSender();

    const result = await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(result).toMatchObject({ delivered: false, attempts: 1, lastError: { kind: 'http_status', status } });
    expect(receiver.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after maxAttempts and returns the last error as a value', async () => {
    const receiver = await aReceiver({ replies: [{ status: 500 }] });
    const { sender, sleeps } = aSender();

    const result = await sender.send(aRequest(receiver.url, [generateWebhookSecret()], { id: 'msg_exhausted' }));

    expect(result).toEqual({
      delivered: false,
      id: 'msg_exhausted',
      attempts: 4,
      lastError: { kind: 'http_status', status: 500, message: 'receiver answered 500' },
    });
    expect(receiver.received).toHaveLength(4);
    expect(sleeps).toEqual([750, 1500, 3000]);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const receiver = await aReceiver({ replies: [{ status: 502 }] });
    const { sender, sleeps } = aSender({ maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 4000, random: () => 0.999 });
    await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));
    expect(sleeps).toEqual([1000, 1999, 3998, 3998, 3998]);
  });

  it('retries a refused connection, then reports the network error', async () => {
    const receiver = await aReceiver({ replies: [{ status: 200 }] });
    await new Promise((r) => servers.pop()!.close(r)); // nothing listens on that port any more
    const { sender, sleeps } = aSender({ maxAttempts: 2 });

    const result = await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(result).toMatchObject({
      delivered: false,
      attempts: 2,
      lastError: { kind: 'network', code: 'ECONNREFUSED' },
    });
    expect(sleeps).toHaveLength(1);
  });

  it('retries a temporary DNS failure but not a name that does not exist', async () => {
    const dnsError = (code: string) => Object.assign(new Error(`getaddrinfo ${code}`), { code });
    const temporary = aSender({ maxAttempts: 3, resolve: async () => Promise.reject(dnsError('EAI_AGAIN')) });
    const missing = aSender({ maxAttempts: 3, resolve: async () => Promise.reject(dnsError('ENOTFOUND')) });

    expect(
      await temporary.sender.send(aRequest('http://localhost:8080/hook', [generateWebhookSecret()])),
    ).toMatchObject({
      delivered: false,
      attempts: 3,
      lastError: { kind: 'network', code: 'EAI_AGAIN' },
    });
    expect(await missing.sender.send(aRequest('http://localhost:8080/hook', [generateWebhookSecret()]))).toMatchObject({
      delivered: false,
      attempts: 1,
      lastError: { kind: 'network', code: 'ENOTFOUND' },
    });
  });

  it('times out an attempt whose receiver never answers', async () => {
    const receiver = await aReceiver({ replies: ['hang'] });
    const { sender } = aSender({ timeoutMs: 200, maxAttempts: 2 });

    const result = await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(result).toMatchObject({ delivered: false, attempts: 2, lastError: { kind: 'timeout' } });
    expect(receiver.received).toHaveLength(2);
  });

  it('stops reading a response body at the size cap instead of waiting for its end', async () => {
    const receiver = await aReceiver({ replies: ['stream-forever'] });
    const { sender } = aSender({ timeoutMs: 20_000, maxResponseBytes: 64 * 1024 });
    const started = Date.now();

    const result = await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(result).toMatchObject({ delivered: true, status: 200, attempts: 1 });
    expect(Date.now() - started).toBeLessThan(10_000); // the body never ends: only the cap lets it return before the 20 s deadline
  });
});

describe('HttpWebhookSender SSRF protection', () => {
  it('does not follow a redirect, to a private address or anywhere else', async () => {
    const receiver = await aReceiver({
      replies: [{ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }],
    });
    const { sender, sleeps } = aSender();

    const result = await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(result).toMatchObject({
      delivered: false,
      attempts: 1,
      lastError: { kind: 'redirect', status: 302, location: 'http://169.254.169.254/latest/meta-data/' },
    });
    expect(receiver.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does not follow a redirect even to an allowed URL on the same receiver', async () => {
    const receiver = await aReceiver({
      replies: [{ status: 307, headers: { location: '/landing' } }, { status: 200 }],
    });

    const result = await aSender().sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(result).toMatchObject({ delivered: false, lastError: { kind: 'redirect', status: 307 } });
    expect(receiver.received.map((r) => r.path)).toEqual(['/hooks/modos']);
  });

  it('refuses a host name that resolves to a private address, without connecting', async () => {
    const { sender, resolverCalls } = aSender({
      policy: PRODUCTION_URL_POLICY,
      resolve: async () => [{ address: '10.0.0.5', family: 4 }],
    });

    const result = await sender.send(aRequest('https://hooks.customer.example/modos', [generateWebhookSecret()]));

    expect(result).toMatchObject({
      delivered: false,
      attempts: 1,
      lastError: { kind: 'refused', reason: 'resolved_address_not_allowed', addressClass: 'private' },
    });
    expect(resolverCalls).toEqual(['hooks.customer.example']);
  });

  it('refuses when any one of the resolved addresses is private', async () => {
    const { sender } = aSender({
      policy: PRODUCTION_URL_POLICY,
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '::ffff:169.254.169.254', family: 6 },
      ],
    });

    const result = await sender.send(aRequest('https://hooks.customer.example/modos', [generateWebhookSecret()]));

    expect(result).toMatchObject({ delivered: false, lastError: { kind: 'refused', addressClass: 'metadata' } });
  });

  it('refuses a private IP-literal URL before any DNS or connection', async () => {
    const { sender, resolverCalls } = aSender({
      policy: PRODUCTION_URL_POLICY,
      resolve: async () => [{ address: '93.184.216.34', family: 4 }],
    });

    const result = await sender.send(aRequest('https://0xa9fea9fe/latest', [generateWebhookSecret()]));

    expect(result).toMatchObject({
      delivered: false,
      attempts: 0,
      lastError: { kind: 'refused', reason: 'non_canonical_ip' },
    });
    expect(resolverCalls).toEqual([]);
  });

  it('in dev mode refuses a loopback receiver whose port is not a configured development port, without connecting', async () => {
    const receiver = await aReceiver({ replies: [{ status: 200 }], devPort: false });
    const { sender } = aSender();

    const result = await sender.send(aRequest(receiver.url, [generateWebhookSecret()]));

    expect(result).toMatchObject({
      delivered: false,
      attempts: 0,
      lastError: { kind: 'refused', reason: 'loopback_port_not_allowed' },
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('in dev mode still refuses localhost resolving to a non-loopback address', async () => {
    const { sender } = aSender({ resolve: async () => [{ address: '192.168.1.10', family: 4 }] });

    const result = await sender.send(aRequest('http://localhost:8080/hook', [generateWebhookSecret()]));

    expect(result).toMatchObject({
      delivered: false,
      lastError: { kind: 'refused', reason: 'resolved_address_not_allowed', addressClass: 'private' },
    });
  });

  it('connects to the address it checked, resolving once per attempt (no rebinding window)', async () => {
    // The receiver listens on 127.0.0.2 only; the system resolver would say 127.0.0.1 or ::1 for localhost.
    const receiver = await aReceiver({ replies: [{ status: 500 }, { status: 200 }], host: '127.0.0.2' });
    const answers = ['127.0.0.2', '127.0.0.2'];
    const { sender, resolverCalls } = aSender({
      // A rebinding zone: after the answers we expect, it points at the metadata service.
      resolve: async () => [{ address: answers.shift() ?? '169.254.169.254', family: 4 }],
    });

    const result = await sender.send(
      aRequest(`http://localhost:${receiver.port}/hooks/modos`, [generateWebhookSecret()]),
    );

    expect(result).toMatchObject({ delivered: true, attempts: 2 });
    expect(resolverCalls).toEqual(['localhost', 'localhost']);
    expect(receiver.received.map((r) => r.headers.host)).toEqual([
      `localhost:${receiver.port}`,
      `localhost:${receiver.port}`,
    ]);
  });
});

describe('HttpWebhookSender caller defects', () => {
  it('throws for an invalid secret, id or event type before sending anything', async () => {
    const receiver = await aReceiver({ replies: [{ status: 200 }] });
    const { sender } = aSender();
    const secret = generateWebhookSecret();

    await expect(sender.send(aRequest(receiver.url, ['whsec_short']))).rejects.toBeInstanceOf(
      InvalidWebhookSecretError,
    );
    await expect(sender.send(aRequest(receiver.url, []))).rejects.toBeInstanceOf(ValidationError);
    await expect(sender.send(aRequest(receiver.url, [secret], { id: 'msg.1' }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(sender.send(aRequest(receiver.url, [secret], { eventType: 'entity merged' }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(sender.send(aRequest(receiver.url, [secret], { payload: { n: 1n } }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      sender.send(aRequest(receiver.url, [secret], { payload: 'x'.repeat(300 * 1024) })),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(receiver.received).toHaveLength(0);
  });
});
