import { describe, expect, it } from 'vitest';

import * as z from 'zod';
import { ConflictError } from '../../functions/domain/errors.js';
import { httpRoute } from '../../functions/platform/http.js';
import { anApiEvent } from '../support/builders.js';

const Body = z.strictObject({ name: z.string(), count: z.number().int() });
const echo = httpRoute({ body: Body, status: 201 }, async ({ body, ctx }) => ({
  body,
  tenant: ctx.principal.tenantId,
}));
const parse = (r: { body: string }) =>
  JSON.parse(r.body) as {
    error: { code: string; message: string; requestId: string; details?: Array<{ field?: string }> };
  };

describe('httpRoute', () => {
  it('passes the parsed body and the verified tenant to the use case', async () => {
    const res = await echo(anApiEvent({ body: JSON.stringify({ name: 'x', count: 2 }) }));
    expect(res.statusCode).toBe(201);
    expect(JSON.parse(res.body)).toEqual({ body: { name: 'x', count: 2 }, tenant: 'tenant-a' });
    expect(res.headers?.['x-request-id']).toBe('req-test');
  });

  it('answers 400 VALIDATION_ERROR for malformed JSON', async () => {
    const res = await echo(anApiEvent({ body: '{"name":' }));
    expect(res.statusCode).toBe(400);
    expect(parse(res).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      requestId: 'req-test',
      details: [{ field: 'body' }],
    });
  });

  it('names the field of a wrong type', async () => {
    const res = await echo(anApiEvent({ body: JSON.stringify({ name: 'x', count: 'two' }) }));
    expect(res.statusCode).toBe(400);
    expect(parse(res).error.details?.[0]?.field).toBe('count');
  });

  it('names an unknown field', async () => {
    const res = await echo(anApiEvent({ body: JSON.stringify({ name: 'x', count: 1, tenantId: 'other' }) }));
    expect(res.statusCode).toBe(400);
    expect(parse(res).error.details?.[0]?.field).toBe('tenantId');
  });

  it('refuses an oversized body', async () => {
    const res = await echo(anApiEvent({ body: JSON.stringify({ name: 'x'.repeat(70_000), count: 1 }) }));
    expect(res.statusCode).toBe(400);
    expect(parse(res).error.message).toMatch(/exceeds/);
  });

  it('reads no body as {} where every field of the body is optional, and still requires one otherwise', async () => {
    const optional = httpRoute(
      { body: z.strictObject({ full: z.boolean().default(false) }), status: 202 },
      async ({ body }) => body,
    );
    const res = await optional(anApiEvent({ body: null }));
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ full: false });
    const required = await echo(anApiEvent({ body: null }));
    expect(required.statusCode).toBe(400);
    expect(parse(required).error.details?.[0]?.field).toBe('body');
  });

  it('names the body when it is JSON but not an object', async () => {
    const res = await echo(anApiEvent({ body: '0' }));
    expect(res.statusCode).toBe(400);
    expect(parse(res).error.details?.[0]?.field).toBe('body');
  });

  it('refuses a body whose JSON repeats a key, naming it', async () => {
    const res = await echo(anApiEvent({ body: '{"name":"x","count":1,"name":"y"}' }));
    expect(res.statusCode).toBe(400);
    expect(parse(res).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'name', message: expect.stringMatching(/^duplicate key/) }],
    });
  });

  it('refuses a base64 body that is not UTF-8', async () => {
    const event = anApiEvent({ body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64') });
    event.isBase64Encoded = true;
    const res = await echo(event);
    expect(res.statusCode).toBe(400);
    expect(parse(res).error.details?.[0]?.field).toBe('body');
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['a JSON look-alike', 'application/jsonp'],
    ['JSON in Latin-1', 'application/json; charset=iso-8859-1'],
    ['an empty value', ''],
  ])('answers 415 UNSUPPORTED_MEDIA_TYPE for a body sent as %s', async (_name, contentType) => {
    const res = await echo(
      anApiEvent({ body: JSON.stringify({ name: 'x', count: 1 }), headers: { 'content-type': contentType } }),
    );
    expect(res.statusCode).toBe(415);
    expect(parse(res).error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: [{ field: 'content-type' }] });
  });

  it('answers 415 for a body without a Content-Type', async () => {
    const res = await echo(anApiEvent({ body: JSON.stringify({ name: 'x', count: 1 }), headers: {} }));
    expect(res.statusCode).toBe(415);
  });

  it('answers 415 when Content-Type is sent twice with different values', async () => {
    const event = anApiEvent({ body: JSON.stringify({ name: 'x', count: 1 }) });
    event.multiValueHeaders = { 'Content-Type': ['application/json', 'text/plain'] };
    expect((await echo(event)).statusCode).toBe(415);
  });

  it.each([
    'application/json',
    'Application/JSON; charset=UTF-8',
    'application/json;charset="utf-8"',
    'application/merge-patch+json',
    'application/vnd.modos.entity+json; charset=utf-8',
  ])('accepts a body sent as %s', async (contentType) => {
    const res = await echo(
      anApiEvent({ body: JSON.stringify({ name: 'x', count: 1 }), headers: { 'CONTENT-TYPE': contentType } }),
    );
    expect(res.statusCode).toBe(201);
  });

  it('ignores the body and its type on a route that takes none', async () => {
    const h = httpRoute({}, async () => ({ ok: true }));
    expect((await h(anApiEvent({ body: 'not json', headers: { 'content-type': 'text/plain' } }))).statusCode).toBe(200);
  });

  it('answers 401 when no verified principal reached the handler', async () => {
    const res = await echo(anApiEvent({ principal: null, body: '{}' }));
    expect(res.statusCode).toBe(401);
    expect(parse(res).error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a token that expired after the authorizer result was cached', async () => {
    const event = anApiEvent({ body: JSON.stringify({ name: 'x', count: 1 }) });
    (event.requestContext.authorizer as Record<string, unknown>).exp = Math.floor(Date.now() / 1000) - 60;
    const res = await echo(event);
    expect(res.statusCode).toBe(401);
    expect(parse(res).error.message).toBe('token expired');
  });

  it('accepts a token whose expiry is still ahead', async () => {
    const event = anApiEvent({ body: JSON.stringify({ name: 'x', count: 1 }) });
    (event.requestContext.authorizer as Record<string, unknown>).exp = Math.floor(Date.now() / 1000) + 60;
    expect((await echo(event)).statusCode).toBe(201);
  });

  it('maps a domain conflict to 409 CONFLICT', async () => {
    const h = httpRoute({}, async () => {
      throw new ConflictError('stale');
    });
    const res = await h(anApiEvent());
    expect(res.statusCode).toBe(409);
    expect(parse(res).error).toMatchObject({ code: 'CONFLICT', message: 'stale' });
  });

  it('hides the message of an unexpected error behind a 500 with the request id', async () => {
    const h = httpRoute({}, async () => {
      throw new Error('secret internal detail');
    });
    const res = await h(anApiEvent());
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    expect(parse(res).error).toMatchObject({ code: 'INTERNAL_ERROR', requestId: 'req-test' });
  });
});
