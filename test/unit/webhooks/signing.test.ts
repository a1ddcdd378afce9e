import { describe, expect, it } from 'vitest';
import { Webhook, WebhookVerificationError as PackageVerificationError } from 'standardwebhooks';
import { ValidationError } from '../../../functions/domain/errors.js';
import { InvalidWebhookSecretError, WebhookVerificationError } from '../../../functions/domain/webhooks/errors.js';
import { buildWebhookBody } from '../../../functions/domain/webhooks/payload.js';
import {
  generateWebhookSecret,
  isValidWebhookSecret,
  newWebhookMessageId,
  parseWebhookSecret,
  signWebhook,
  verifyWebhook,
} from '../../../functions/domain/webhooks/signing.js';

// The standardwebhooks package checks timestamps against the real clock, so signatures use it too.
const aBody = () =>
  buildWebhookBody({
    type: 'entity.merged',
    occurredAt: new Date('2025-01-02T03:04:05.000Z'),
    data: { id: 'e-1', name: 'Zoë' },
  });
const aSignedMessage = (overrides: { secrets?: string[]; timestamp?: Date; body?: string; id?: string } = {}) => {
  const secrets = overrides.secrets ?? [generateWebhookSecret()];
  const body = overrides.body ?? aBody();
  const headers = signWebhook({
    id: overrides.id ?? newWebhookMessageId(),
    timestamp: overrides.timestamp ?? new Date(),
    body,
    secrets,
  });
  return { secrets, body, headers };
};
const rejectedByPackage = (secret: string, body: string, headers: Record<string, string>) => {
  try {
    new Webhook(secret).verify(body, headers);
    return false;
  } catch (error) {
    return error instanceof PackageVerificationError;
  }
};

describe('webhook secrets', () => {
  it('generates whsec_ secrets of 32 random bytes that parse back', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(parseWebhookSecret(secret)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it.each([
    ['no prefix', Buffer.alloc(32, 1).toString('base64')],
    ['wrong prefix', `whsk_${Buffer.alloc(32, 1).toString('base64')}`],
    ['empty key', 'whsec_'],
    ['23 bytes', `whsec_${Buffer.alloc(23, 1).toString('base64')}`],
    ['65 bytes', `whsec_${Buffer.alloc(65, 1).toString('base64')}`],
    ['base64url alphabet', `whsec_${Buffer.alloc(33, 0xfb).toString('base64url')}`],
    ['missing padding', `whsec_${Buffer.alloc(32, 1).toString('base64').replace(/=+$/, '')}`],
    ['non-zero trailing bits', `whsec_${Buffer.alloc(32, 1).toString('base64').replace(/E=$/, 'F=')}`],
    [
      'embedded whitespace',
      `whsec_${Buffer.alloc(32, 1)
        .toString('base64')
        .replace(/^(.{8})/, '$1 ')}`,
    ],
  ])('refuses a malformed secret: %s', (_, secret) => {
    expect(isValidWebhookSecret(secret)).toBe(false);
    expect(() => parseWebhookSecret(secret)).toThrow(InvalidWebhookSecretError);
  });

  it('accepts 24 and 64 byte keys, the spec bounds', () => {
    expect(parseWebhookSecret(generateWebhookSecret(24))).toHaveLength(24);
    expect(parseWebhookSecret(generateWebhookSecret(64))).toHaveLength(64);
    expect(() => generateWebhookSecret(16)).toThrow(InvalidWebhookSecretError);
  });

  it('never puts the secret in the error message', () => {
    const secret = `whsec_${Buffer.alloc(20, 7).toString('base64')}`;
    expect(() => parseWebhookSecret(secret)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret.slice(6)) }),
    );
  });
});

describe('message ids', () => {
  it('are msg_ + random, without the spec delimiter', () => {
    const ids = new Set(Array.from({ length: 100 }, newWebhookMessageId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
  });

  it.each(['msg.1', '', 'a b', 'x\r\ny: 1', 'x'.repeat(129)])('refuses to sign with id %j', (id) => {
    expect(() => signWebhook({ id, timestamp: new Date(), body: '{}', secrets: [generateWebhookSecret()] })).toThrow(
      ValidationError,
    );
  });
});

describe('signWebhook, checked by the standardwebhooks package', () => {
  it('produces headers the package verifies, with an integer-seconds timestamp', () => {
    const { secrets, body, headers } = aSignedMessage({ id: 'msg_abc' });
    expect(headers['webhook-id']).toBe('msg_abc');
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secrets[0]!).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('signs the exact body bytes, including non-ASCII characters', () => {
    const body = JSON.stringify({ type: 'x.y', timestamp: new Date().toISOString(), data: { name: 'Zoë 東京 🚀' } });
    const { secrets, headers } = aSignedMessage({ body });
    expect(new Webhook(secrets[0]!).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('during rotation sends one signature per secret and each secret verifies alone', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const { body, headers } = aSignedMessage({ secrets: [oldSecret, newSecret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, headers)).not.toThrow();
    expect(rejectedByPackage(generateWebhookSecret(), body, headers)).toBe(true);
  });

  it('is refused by the package when the body, id or timestamp is altered', () => {
    const { secrets, body, headers } = aSignedMessage();
    const secret = secrets[0]!;
    expect(rejectedByPackage(secret, body, headers)).toBe(false);
    expect(rejectedByPackage(secret, body.replace('e-1', 'e-2'), headers)).toBe(true);
    expect(rejectedByPackage(secret, `${body} `, headers)).toBe(true);
    expect(rejectedByPackage(secret, body, { ...headers, 'webhook-id': 'msg_other' })).toBe(true);
    expect(
      rejectedByPackage(secret, body, {
        ...headers,
        'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1),
      }),
    ).toBe(true);
  });
});

describe('verifyWebhook', () => {
  const NOW = new Date('2025-06-01T12:00:00.000Z');
  const reasonOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof WebhookVerificationError) return error.reason;
      throw error;
    }
    return 'accepted';
  };

  it('accepts signatures made by the standardwebhooks package', () => {
    const secret = generateWebhookSecret();
    const body = aBody();
    const timestamp = new Date();
    const signature = new Webhook(secret).sign('msg_fromPackage', timestamp, body);
    const headers = {
      'webhook-id': 'msg_fromPackage',
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect(verifyWebhook({ body, headers, secrets: [secret] })).toEqual({
      id: 'msg_fromPackage',
      timestamp: new Date(Math.floor(timestamp.getTime() / 1000) * 1000),
    });
  });

  it('accepts a Buffer body, mixed-case headers, and any of several secrets', () => {
    const { secrets, body, headers } = aSignedMessage({ timestamp: NOW });
    const mixed = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'webhook-signature': headers['webhook-signature'],
    };
    expect(
      reasonOf(() =>
        verifyWebhook({
          body: Buffer.from(body),
          headers: mixed,
          secrets: [generateWebhookSecret(), secrets[0]!],
          now: NOW,
        }),
      ),
    ).toBe('accepted');
  });

  it('accepts a header where only a later signature matches, skipping unknown schemes', () => {
    const { secrets, body, headers } = aSignedMessage({ timestamp: NOW });
    const signature = `v1a,${Buffer.alloc(64).toString('base64')} v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`;
    expect(
      reasonOf(() =>
        verifyWebhook({ body, headers: { ...headers, 'webhook-signature': signature }, secrets, now: NOW }),
      ),
    ).toBe('accepted');
  });

  it('refuses a timestamp older than the 5 minute tolerance', () => {
    const { secrets, body, headers } = aSignedMessage({ timestamp: new Date(NOW.getTime() - 301_000) });
    expect(reasonOf(() => verifyWebhook({ body, headers, secrets, now: NOW }))).toBe('timestamp_too_old');
    const atEdge = aSignedMessage({ secrets, timestamp: new Date(NOW.getTime() - 300_000) });
    expect(reasonOf(() => verifyWebhook({ body: atEdge.body, headers: atEdge.headers, secrets, now: NOW }))).toBe(
      'accepted',
    );
  });

  it('refuses a timestamp more than 5 minutes in the future', () => {
    const { secrets, body, headers } = aSignedMessage({ timestamp: new Date(NOW.getTime() + 301_000) });
    expect(reasonOf(() => verifyWebhook({ body, headers, secrets, now: NOW }))).toBe('timestamp_too_new');
  });

  it('refuses an altered body, id or timestamp and a foreign secret', () => {
    const { secrets, body, headers } = aSignedMessage({ timestamp: NOW });
    const verify = (b: string, h: Record<string, string>, s = secrets) =>
      reasonOf(() => verifyWebhook({ body: b, headers: h, secrets: s, now: NOW }));
    expect(verify(body, headers)).toBe('accepted');
    expect(verify(body.replace('e-1', 'e-2'), headers)).toBe('no_matching_signature');
    expect(verify(body, { ...headers, 'webhook-id': 'msg_other' })).toBe('no_matching_signature');
    expect(verify(body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1) })).toBe(
      'no_matching_signature',
    );
    expect(verify(body, headers, [generateWebhookSecret()])).toBe('no_matching_signature');
  });

  it.each([
    ['missing signature', { 'webhook-signature': undefined }, 'missing_headers'],
    ['missing id', { 'webhook-id': undefined }, 'missing_headers'],
    ['timestamp with trailing junk', { 'webhook-timestamp': '1748779200abc' }, 'malformed_headers'],
    ['timestamp in milliseconds', { 'webhook-timestamp': String(NOW.getTime()) }, 'malformed_headers'],
    ['id containing the delimiter', { 'webhook-id': 'msg.1' }, 'malformed_headers'],
    ['duplicated signature header', { 'webhook-signature': ['v1,a', 'v1,b'] }, 'malformed_headers'],
  ] as const)('refuses %s', (_, change, reason) => {
    const { secrets, body, headers } = aSignedMessage({ timestamp: NOW });
    expect(reasonOf(() => verifyWebhook({ body, headers: { ...headers, ...change }, secrets, now: NOW }))).toBe(reason);
  });

  it('answers 401 UNAUTHORIZED through the domain error', () => {
    const { secrets, body, headers } = aSignedMessage({ timestamp: NOW });
    expect(() => verifyWebhook({ body: `${body}x`, headers, secrets, now: NOW })).toThrow(
      expect.objectContaining({ name: 'WebhookVerificationError', code: 'UNAUTHORIZED', status: 401 }),
    );
  });
});
