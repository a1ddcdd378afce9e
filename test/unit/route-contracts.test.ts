import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ROUTES } from '../../functions/platform/api-routes.js';
import { FUNCTIONS } from '../../functions/platform/manifest.js';
import type { ApiHandler, httpRoute as HttpRoute } from '../../functions/platform/http.js';
import { PERMISSIONS } from '../../functions/domain/auth/permissions.js';
import { CONTRACTS_BY_KEY, type RouteContract } from '../../schemas/api.js';
import { anApiEvent, aPrincipal, stubHandlerSettings } from '../support/builders.js';

const contracts = Object.entries(CONTRACTS_BY_KEY);
const permissioned = contracts.filter((e): e is [string, RouteContract & { permission: string }] =>
  Boolean(e[1].permission),
);
const handlers = new Map<string, ApiHandler>();
let httpRoute: typeof HttpRoute;

beforeAll(async () => {
  // The handler modules build their production `handler` on import, which reads the bound settings; a request
  // refused for its permission never reaches the dependencies.
  stubHandlerSettings((name, value) => vi.stubEnv(name, value));
  // Imported after the settings: the logger reads the configuration once, on first use.
  ({ httpRoute } = await import('../../functions/platform/http.js'));
  for (const [, c] of permissioned) {
    const entry = FUNCTIONS[c.function as keyof typeof FUNCTIONS].entry;
    const mod = (await import(/* @vite-ignore */ `../../${entry.replace(/\.ts$/, '.js')}`)) as { handler: ApiHandler };
    handlers.set(c.function, mod.handler);
  }
});

describe('the route contracts', () => {
  it('give every route of the manifest, in order, and only those', () => {
    expect(ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual(contracts.map(([key]) => key));
    for (const r of ROUTES) {
      const c = CONTRACTS_BY_KEY[`${r.method} ${r.path}`];
      expect({ function: c?.function, auth: c?.auth }, `${r.method} ${r.path}`).toEqual({
        function: r.function,
        auth: r.auth,
      });
    }
  });

  it('name only permissions the roles can grant, and one on every route behind the authorizer but the public ones', () => {
    for (const [key, c] of contracts) {
      if (c.permission) expect(PERMISSIONS as readonly string[], key).toContain(c.permission);
      if (c.auth === 'none') expect(c.permission, key).toBeUndefined();
    }
    expect(permissioned.length).toBe(contracts.filter(([, c]) => c.auth === 'jwt').length);
  });

  it('refuse to build a handler whose contract names a permission no role can grant', () => {
    expect(() => httpRoute({ permission: 'entities:delete' }, async () => ({}))).toThrow(
      /unknown permission entities:delete/,
    );
  });

  it('are what each handler serves its route with', () => {
    for (const [key, c] of contracts) {
      const source = readFileSync(FUNCTIONS[c.function as keyof typeof FUNCTIONS].entry, 'utf8');
      const servesSeveral = ROUTES.filter((r) => r.function === c.function).length > 1;
      // A function of several routes picks the contract by the path's action (a template literal), or names each.
      if (servesSeveral && /ROUTE_CONTRACTS\[`/.test(source)) continue;
      expect(source, key).toContain(`ROUTE_CONTRACTS['${key}']`);
    }
  });

  it.each(permissioned)(
    'refuse %s with 403 before reading the request when the roles lack the permission',
    async (key, c) => {
      const [method, path] = key.split(' ') as [string, string];
      const event = {
        ...anApiEvent({ principal: aPrincipal({ roles: [] }) }),
        httpMethod: method,
        resource: path,
        path,
      };
      const res = await handlers.get(c.function)!(event);
      expect(res.statusCode).toBe(403);
      expect(JSON.parse(res.body).error).toMatchObject({
        code: 'FORBIDDEN',
        message: `missing permission ${c.permission}`,
      });
    },
  );
});

/** The README's API table: each row's routes (params as `{}`, query dropped) and its permission (or none). */
function readmeRows(): { routes: string[]; permission: string | undefined }[] {
  const readme = readFileSync('README.md', 'utf8');
  const api = readme.slice(readme.indexOf('## API'), readme.indexOf('\n## ', readme.indexOf('## API') + 1));
  const rows: { routes: string[]; permission: string | undefined }[] = [];
  for (const line of api.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((s) => s.trim());
    const method = cells[1];
    if (!method || !/^(GET|POST|PUT|PATCH|DELETE)$/.test(method)) continue;
    const paths = [...(cells[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\?.*$/, ''));
    const full: string[] = [];
    for (const p of paths) {
      // `/reject` after a full path replaces its last segment.
      const base = full[0];
      full.push(p.startsWith('/api/') || p.startsWith('/health') || !base ? p : base.replace(/\/[^/]+$/, p));
    }
    const permission = (cells[3] ?? '').match(/`([^`]+)`/)?.[1];
    for (const p of full) rows.push({ routes: [`${method} ${p.replace(/\{[^}]*\}/g, '{}')}`], permission });
  }
  return rows;
}

describe('the README API table', () => {
  const shape = (key: string) => key.replace(/\{[^}]*\}/g, '{}');
  const byShape = new Map(contracts.map(([key, c]) => [shape(key), c]));
  const rows = readmeRows();

  it('names each route with its contract permission', () => {
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows)
      for (const route of row.routes) {
        expect(byShape.has(route), route).toBe(true);
        expect(row.permission, route).toBe(byShape.get(route)?.permission);
      }
  });

  it('lists every route that needs a permission', () => {
    const listed = new Set(rows.flatMap((r) => r.routes));
    for (const [key] of permissioned) expect(listed.has(shape(key)), key).toBe(true);
  });
});
