/**
 * The console's pure pieces, in Node: hash routes, query strings, the token's claims, the SSE parser of agent
 * answers and the role → view table.
 */
import { describe, expect, it } from 'vitest';
import { pathWithQuery } from '../../../console/src/api.js';
import { claimsOf, sessionOf } from '../../../console/src/auth.js';
import { href, parseRoute } from '../../../console/src/router.js';
import { parseSse } from '../../../console/src/views/chat-stream.js';
import { signLocalToken, ensureLocalKeys } from '../../../local/keys.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('console routes', () => {
  it('parses a hash into path and query, and href builds it back', () => {
    expect(parseRoute('#/entities/ent_1?type=person&x=')).toEqual({
      path: ['entities', 'ent_1'],
      query: { type: 'person', x: '' },
    });
    expect(parseRoute('')).toEqual({ path: [], query: {} });
    expect(parseRoute('#/a%2Fb/%E0%A4')).toEqual({ path: ['a/b', '%E0%A4'], query: {} });
    const h = href('cases', 'case_1', { status: 'open', assignee: undefined, rule: '' });
    expect(h).toBe('#/cases/case_1?status=open');
    expect(parseRoute(h)).toEqual({ path: ['cases', 'case_1'], query: { status: 'open' } });
    expect(parseRoute(href('entities', 'a b/c'))).toEqual({ path: ['entities', 'a b/c'], query: {} });
  });

  it('drops empty query values and appends to a path that has a query', () => {
    expect(pathWithQuery('/cases', { status: 'open', assignee: '', limit: 25, rule: undefined, x: null })).toBe(
      '/cases?status=open&limit=25',
    );
    expect(pathWithQuery('/x?a=1', { b: 2 })).toBe('/x?a=1&b=2');
    expect(pathWithQuery('/x')).toBe('/x');
  });
});

describe('console session', () => {
  it('reads tenant, roles, user and expiry from a token the local platform signs', async () => {
    const keys = await ensureLocalKeys(mkdtempSync(join(tmpdir(), 'modos-keys-')));
    const token = await signLocalToken(keys.privateJwk, {
      tenantId: 'acme',
      roles: ['operator', 'approver'],
      userId: 'user-ünï',
      expiresInSeconds: 600,
    });
    const s = sessionOf(token, true);
    expect(s).toMatchObject({ tenantId: 'acme', roles: ['operator', 'approver'], userId: 'user-ünï', local: true });
    expect(s.expiresAt).toBeGreaterThan(Date.now() + 590_000);
    expect(s.expiresAt).toBeLessThan(Date.now() + 610_000);
    expect(claimsOf(token).tenant_id).toBe('acme');
  });

  it('refuses what is not a JWT', () => {
    expect(() => claimsOf('nope')).toThrow(/not a JWT/);
  });
});

describe('agent answers as Server-Sent Events', () => {
  it('splits complete events and keeps the unfinished rest, across chunk boundaries', () => {
    const stream =
      'event: text\ndata: {"delta":"Hel"}\n\nevent: text\r\ndata: {"delta":"lo"}\r\n\r\n: comment\n\nevent: message\ndata: {"a":\ndata: 1}\n\nevent: do';
    const { events, rest } = parseSse(stream);
    expect(events).toEqual([
      { event: 'text', data: '{"delta":"Hel"}' },
      { event: 'text', data: '{"delta":"lo"}' },
      { event: 'message', data: '{"a":\n1}' },
    ]);
    expect(rest).toBe('event: do');
    // Fed one character at a time, the same events come out.
    let buffer = '';
    const seen: string[] = [];
    for (const ch of stream) {
      const r = parseSse(buffer + ch);
      buffer = r.rest;
      seen.push(...r.events.map((e) => e.data));
    }
    expect(seen).toEqual(events.map((e) => e.data));
  });
});

describe('views follow the roles', () => {
  const session = (roles: string[]) => ({ token: 't', expiresAt: 0, userId: 'u', tenantId: 't', roles, local: true });
  it('gives an approver the inbox, an analyst entities and signals, an admin every view', async () => {
    const { allowedViews } = await import('../../../console/src/app.js');
    const ids = (roles: string[]) => allowedViews(session(roles)).map((v) => v.id);
    expect(ids(['approver'])).toEqual(['inbox']);
    expect(ids(['analyst'])).toEqual(['entities', 'signals']);
    expect(ids(['admin'])).toEqual([
      'home',
      'inbox',
      'entities',
      'signals',
      'cases',
      'workflows',
      'process',
      'agents',
      'connectors',
      'audit',
    ]);
    // An operator reads everything (the inbox too, without deciding) but is given no view of its own beyond them.
    expect(ids(['operator'])).toEqual([
      'home',
      'inbox',
      'entities',
      'signals',
      'cases',
      'workflows',
      'process',
      'agents',
      'connectors',
      'audit',
    ]);
    expect(ids([])).toEqual([]);
    expect(ids(['root'])).toEqual([]);
  });
});
