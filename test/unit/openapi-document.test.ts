import { describe, expect, it } from 'vitest';
import { CONTRACTS_BY_KEY, operationIds } from '../../schemas/api.js';
import { ROUTES } from '../../functions/platform/api-routes.js';
import { openApiDocument } from '../../functions/platform/openapi-document.js';

type Operation = {
  operationId?: string;
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, unknown>;
};
const document = openApiDocument() as unknown as { openapi: string; paths: Record<string, Record<string, Operation>> };
const operations = ROUTES.map((r) => ({
  key: `${r.method} ${r.path}`,
  op: document.paths[r.path]?.[r.method.toLowerCase()],
}));

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1, whose schemas say null with a type, never with the 3.0 nullable keyword', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(JSON.stringify(document)).not.toContain('"nullable"');
  });

  it('gives every operation of the manifest its own operationId', () => {
    const ids = operations.map(({ key, op }) => {
      expect(op?.operationId, key).toMatch(/^[a-z][A-Za-z0-9]+$/);
      return op?.operationId;
    });
    expect(new Set(ids).size).toBe(ROUTES.length);
  });

  it('derives the operationId from the route function, and the path action for a function of several routes', () => {
    const ids = operationIds(ROUTES);
    expect(ids.get('POST /api/v1/entities')).toBe('createEntity');
    expect(ids.get('PATCH /api/v1/entities/{id}')).toBe('updateEntity');
    expect(ids.get('POST /api/v1/approvals/{id}/approve')).toBe('approveApproval');
    expect(ids.get('POST /api/v1/approvals/{id}/reject')).toBe('rejectApproval');
    expect(ids.get('POST /api/v1/entities/{id}/matches/{otherId}/confirm')).toBe('confirmMatch');
  });

  it('refuses two routes that would share an operationId', () => {
    const routes = [
      { method: 'POST', path: '/a/{id}/reject', function: 'DecideThing', auth: 'jwt' as const },
      { method: 'POST', path: '/b/{id}/reject', function: 'DecideThing', auth: 'jwt' as const },
    ];
    expect(() => operationIds(routes)).toThrow(
      /rejectThing of POST \/b\/\{id\}\/reject is already the id of POST \/a\/\{id\}\/reject/,
    );
  });

  it('lists 429 with Retry-After on every operation, the stage throttle answering any route', () => {
    for (const { key, op } of operations)
      expect(op?.responses['429'], key).toMatchObject({ headers: { 'Retry-After': {} } });
  });
});

describe('the examples of the document', () => {
  const withExamples = Object.entries(CONTRACTS_BY_KEY).filter(([, c]) => c.examples);

  it('cover the main request and response bodies', () => {
    const keys = withExamples.map(([key]) => key);
    for (const key of [
      'POST /api/v1/entities',
      'PATCH /api/v1/entities/{id}',
      'POST /api/v1/workflows',
      'POST /api/v1/workflows/execute',
      'POST /api/v1/approvals/{id}/approve',
      'POST /api/v1/approvals/{id}/reject',
    ]) {
      expect(keys, key).toContain(key);
      expect(CONTRACTS_BY_KEY[key]?.examples?.request, key).toBeDefined();
      expect(CONTRACTS_BY_KEY[key]?.examples?.response, key).toBeDefined();
    }
  });

  for (const [key, c] of withExamples) {
    it(`of ${key} are accepted by its contract`, () => {
      if (c.examples?.request !== undefined) {
        expect(c.body, key).toBeDefined();
        const parsed = c.body!.safeParse(c.examples.request);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      }
      if (c.examples?.response !== undefined) {
        const parsed = c.response.safeParse(c.examples.response);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      }
    });
  }

  it('are in the document, on the request body and the success response', () => {
    const op = document.paths['/api/v1/entities']?.post;
    expect(op?.requestBody?.content['application/json']?.example).toEqual(
      CONTRACTS_BY_KEY['POST /api/v1/entities']?.examples?.request,
    );
    expect(op?.responses['201']).toMatchObject({
      content: { 'application/json': { example: CONTRACTS_BY_KEY['POST /api/v1/entities']?.examples?.response } },
    });
  });
});
