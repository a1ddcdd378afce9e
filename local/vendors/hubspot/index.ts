/**
 * The fake HubSpot CRM v3 API (docs/connectors.md, "HubSpot"): the OAuth token endpoint, object lists with `after`
 * cursors, properties, associations and archived records, search with its 10,000-result cap, v4 association batch
 * reads (207 with NO_ASSOCIATIONS_FOUND errors, as HubSpot answers), the rolling rate limit with its headers, and
 * HubSpot's error bodies.
 */
import { randomUUID } from 'node:crypto';
import { HTML_ERROR_PAGE, wrongTypes } from '../faults.js';
import {
  type VendorAnswer,
  type VendorRequest,
  formFields,
  intParam,
  isoInstant,
  jsonAnswer,
  parseJson,
} from '../http.js';
import { RollingWindow } from '../rolling-window.js';
import type { HubSpotObject, SeedData } from '../seed/types.js';
import { bearer } from '../tokens.js';
import {
  type AnswerFault,
  ControlError,
  type ControlRecord,
  type DataFault,
  type FakeVendor,
  type TruthRow,
  type VendorContext,
  mapRecords,
  plainValue,
  without,
} from '../vendor.js';

interface HubSpotRecord {
  object: HubSpotObject;
  id: string;
  idNum: number;
  properties: Record<string, string | null>;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
  entityId: string;
  kind: TruthRow['kind'];
}

const MODIFIED: Record<HubSpotObject, string> = {
  contacts: 'lastmodifieddate',
  companies: 'hs_lastmodifieddate',
  deals: 'hs_lastmodifieddate',
};

/** Writable properties per object (docs/connectors.md); createdate, the modification date and hs_object_id are kept by HubSpot. */
export const HUBSPOT_PROPERTIES: Record<HubSpotObject, readonly string[]> = {
  contacts: [
    'firstname',
    'lastname',
    'email',
    'phone',
    'mobilephone',
    'jobtitle',
    'company',
    'address',
    'city',
    'zip',
    'country',
    'date_of_birth',
  ],
  companies: ['name', 'domain', 'phone', 'address', 'city', 'zip', 'country', 'industry'],
  deals: ['dealname', 'amount', 'deal_currency_code', 'dealstage', 'pipeline', 'closedate'],
};

/** What HubSpot returns when `properties` is not given. */
const DEFAULT_PROPERTIES: Record<HubSpotObject, readonly string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  deals: [
    'amount',
    'closedate',
    'createdate',
    'dealname',
    'dealstage',
    'hs_lastmodifieddate',
    'hs_object_id',
    'pipeline',
  ],
};

const OBJECT_NAMES: Record<string, HubSpotObject> = {
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  companies: 'companies',
  company: 'companies',
  '0-2': 'companies',
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
};
const SINGULAR: Record<HubSpotObject, string> = { contacts: 'contact', companies: 'company', deals: 'deal' };

/** Association types: the v3 labels and the v4 type ids HubSpot defines for each direction. */
const ASSOCIATION_TYPES: Partial<Record<string, { primary?: number; unlabeled: number }>> = {
  'contacts>companies': { primary: 1, unlabeled: 279 },
  'companies>contacts': { primary: 2, unlabeled: 280 },
  'deals>contacts': { unlabeled: 3 },
  'contacts>deals': { unlabeled: 4 },
  'deals>companies': { primary: 5, unlabeled: 341 },
  'companies>deals': { primary: 6, unlabeled: 342 },
};

const DATETIME_PROPERTIES = new Set(['createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'closedate']);
const NUMBER_PROPERTIES = new Set(['amount', 'hs_object_id']);
const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

const hsError = (status: number, body: Record<string, unknown>, headers?: Record<string, string>) =>
  jsonAnswer(status, { status: 'error', ...body, correlationId: randomUUID() }, headers);

const validation = (message: string) => hsError(400, { message, category: 'VALIDATION_ERROR' });

/** A filter value as HubSpot compares it: datetimes as epoch ms (given as ms or ISO), numbers, or lower-case text. */
function comparable(property: string, value: unknown): number | string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (DATETIME_PROPERTIES.has(property)) {
    if (/^-?\d+$/.test(text)) return Number(text);
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? Number.NaN : ms;
  }
  if (NUMBER_PROPERTIES.has(property)) return Number(text);
  return text.toLowerCase();
}

export class HubSpotFake implements FakeVendor {
  readonly system = 'hubspot' as const;
  private records = new Map<string, HubSpotRecord>();
  private sorted: Record<HubSpotObject, HubSpotRecord[]> = { contacts: [], companies: [], deals: [] };
  /** `${from}:${id}>${to}` → target ids. Both directions are kept. */
  private links = new Map<string, Set<string>>();
  /** Primary associations (`${from}:${id}>${to}:${toId}`), both directions. */
  private primary = new Set<string>();
  /** Cursors a `loop` fault hit: they keep answering the same page with the same cursor. */
  private loops = new Set<string>();
  private nextId: Record<HubSpotObject, number> = { contacts: 0, companies: 0, deals: 0 };
  private createdEntities = 0;
  private readonly limiter: RollingWindow;
  private readonly searchLimiter = new RollingWindow(5, 1000);

  constructor(
    private readonly ctx: VendorContext,
    seed: SeedData,
  ) {
    const { max, intervalMs } = ctx.settings.hubspot.rateLimit;
    this.limiter = new RollingWindow(max, intervalMs);
    this.reset(seed);
  }

  reset(seed: SeedData): void {
    this.records = new Map();
    this.sorted = { contacts: [], companies: [], deals: [] };
    this.links = new Map();
    this.primary = new Set();
    this.loops = new Set();
    this.limiter.clear();
    this.searchLimiter.clear();
    this.createdEntities = 0;
    for (const s of seed.hubspot) {
      this.insert({
        object: s.object,
        id: s.id,
        idNum: Number(s.id),
        properties: { ...s.properties },
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
        archivedAt: null,
        entityId: s.entityId,
        kind: s.kind,
      });
    }
    for (const s of seed.hubspot) {
      for (const to of ['companies', 'contacts'] as const) {
        for (const [i, id] of (s.associations[to] ?? []).entries()) this.link(s.object, s.id, to, id, i === 0);
      }
    }
    for (const o of ['contacts', 'companies', 'deals'] as const) {
      this.nextId[o] = this.sorted[o].reduce((m, r) => Math.max(m, r.idNum), o === 'contacts' ? 100 : 1000) + 1;
    }
  }

  private insert(r: HubSpotRecord): void {
    this.records.set(`${r.object}:${r.id}`, r);
    const list = this.sorted[r.object];
    // Ids only grow, so appending keeps the list sorted; seeded records may come in any order.
    if (list.length > 0 && list[list.length - 1]!.idNum > r.idNum) {
      list.push(r);
      list.sort((a, b) => a.idNum - b.idNum);
    } else list.push(r);
  }

  private link(from: HubSpotObject, fromId: string, to: HubSpotObject, toId: string, primary: boolean): void {
    const add = (a: HubSpotObject, aId: string, b: HubSpotObject, bId: string) => {
      const key = `${a}:${aId}>${b}`;
      let set = this.links.get(key);
      if (!set) this.links.set(key, (set = new Set()));
      set.add(bId);
      if (primary && ASSOCIATION_TYPES[`${a}>${b}`]?.primary !== undefined) this.primary.add(`${a}:${aId}>${b}:${bId}`);
    };
    add(from, fromId, to, toId);
    add(to, toId, from, fromId);
  }

  private unlinkAll(from: HubSpotObject, fromId: string, to: HubSpotObject): void {
    const key = `${from}:${fromId}>${to}`;
    for (const toId of this.links.get(key) ?? []) {
      this.links.get(`${to}:${toId}>${from}`)?.delete(fromId);
      this.primary.delete(`${from}:${fromId}>${to}:${toId}`);
      this.primary.delete(`${to}:${toId}>${from}:${fromId}`);
    }
    this.links.delete(key);
  }

  /** Active targets of one record's associations to `to`, in id order. */
  private targets(from: HubSpotObject, fromId: string, to: HubSpotObject): string[] {
    return [...(this.links.get(`${from}:${fromId}>${to}`) ?? [])]
      .filter((id) => this.records.get(`${to}:${id}`)?.archivedAt === null)
      .sort((a, b) => Number(a) - Number(b));
  }

  kindOf(req: VendorRequest): string {
    if (req.path === '/oauth/v1/token') return 'token';
    if (/^\/crm\/v3\/objects\/[^/]+\/search\/?$/.test(req.path)) return 'search';
    if (/^\/crm\/v3\/objects\/[^/]+\/?$/.test(req.path)) return 'list';
    if (/^\/crm\/v3\/objects\/[^/]+\/[^/]+\/?$/.test(req.path)) return 'object';
    if (/^\/crm\/v4\/associations\//.test(req.path)) return 'associations';
    return 'other';
  }

  /** The limit as the settings say now (they can change at run time). */
  private configureLimiter(): { max: number; intervalMs: number } {
    const { max, intervalMs } = this.ctx.settings.hubspot.rateLimit;
    this.limiter.configure(max, intervalMs);
    return { max, intervalMs };
  }

  private rateHeaders(): Record<string, string> {
    const now = this.ctx.clock.now();
    const { max, intervalMs } = this.configureLimiter();
    return {
      'X-HubSpot-RateLimit-Max': String(max),
      'X-HubSpot-RateLimit-Remaining': String(this.limiter.remaining(now)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(intervalMs),
    };
  }

  private tooMany(retryAfterSeconds: number, secondly: boolean): VendorAnswer {
    return hsError(
      429,
      secondly
        ? { message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' }
        : {
            message: 'You have reached your ten_secondly_rolling limit.',
            errorType: 'RATE_LIMIT',
            policyName: 'TEN_SECONDLY_ROLLING',
          },
      { ...this.rateHeaders(), 'Retry-After': String(retryAfterSeconds) },
    );
  }

  handle(req: VendorRequest): VendorAnswer {
    if (req.path === '/oauth/v1/token') {
      if (req.method !== 'POST') return hsError(405, { message: `HTTP method ${req.method} is not supported` });
      return this.token(req);
    }
    if (!req.path.startsWith('/crm/')) return hsError(404, { message: 'resource not found' });
    const check = this.ctx.tokens.check('hubspot', bearer(req.headers.authorization));
    if (check.state !== 'valid') {
      this.ctx.stats.unauthorized.hubspot++;
      const headers = this.rateHeaders();
      if (check.state === 'expired') {
        const minutes = Math.max(0, Math.floor((this.ctx.clock.now() - check.expiredAt) / 60_000));
        return hsError(
          401,
          {
            message: `The OAuth token used to make this call expired ${minutes} minute(s) ago.`,
            category: 'EXPIRED_AUTHENTICATION',
          },
          headers,
        );
      }
      return hsError(
        401,
        {
          message:
            'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
          category: 'INVALID_AUTHENTICATION',
        },
        headers,
      );
    }
    const now = this.ctx.clock.now();
    this.configureLimiter();
    const taken = this.limiter.take(now);
    if (!taken.allowed) {
      this.ctx.stats.rateLimited.hubspot++;
      return this.tooMany(Math.ceil(taken.retryAfterMs / 1000), false);
    }
    const kind = this.kindOf(req);
    const perSecond = this.ctx.settings.hubspot.searchPerSecond;
    if (kind === 'search' && perSecond > 0) {
      this.searchLimiter.configure(perSecond, 1000);
      const s = this.searchLimiter.take(now);
      if (!s.allowed) {
        this.ctx.stats.rateLimited.hubspot++;
        return this.tooMany(Math.ceil(s.retryAfterMs / 1000), true);
      }
    }
    const answer = this.route(req);
    answer.headers = { ...this.rateHeaders(), ...answer.headers };
    return answer;
  }

  private route(req: VendorRequest): VendorAnswer {
    let m = /^\/crm\/v3\/objects\/([^/]+)(?:\/([^/]+))?\/?$/.exec(req.path);
    if (m) {
      const object = OBJECT_NAMES[m[1]!.toLowerCase()];
      if (!object)
        return hsError(400, { message: `Unable to infer object type from: ${m[1]}`, category: 'OBJECT_NOT_FOUND' });
      if (m[2] === 'search') {
        if (req.method !== 'POST') return hsError(405, { message: `HTTP method ${req.method} is not supported` });
        return this.search(req, object);
      }
      if (req.method !== 'GET') return hsError(405, { message: `HTTP method ${req.method} is not supported` });
      return m[2] === undefined ? this.list(req, object) : this.one(req, object, m[2]);
    }
    m = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read\/?$/.exec(req.path);
    if (m) {
      const from = OBJECT_NAMES[m[1]!.toLowerCase()];
      const to = OBJECT_NAMES[m[2]!.toLowerCase()];
      if (!from || !to) {
        return hsError(400, {
          message: `Unable to infer object type from: ${from ? m[2] : m[1]}`,
          category: 'OBJECT_NOT_FOUND',
        });
      }
      if (req.method !== 'POST') return hsError(405, { message: `HTTP method ${req.method} is not supported` });
      return this.associationsRead(req, from, to);
    }
    return hsError(404, { message: 'resource not found' });
  }

  private token(req: VendorRequest): VendorAnswer {
    const form = formFields(req.body);
    if (form.get('grant_type') !== 'refresh_token') {
      return jsonAnswer(400, {
        status: 'BAD_GRANT_TYPE',
        message: 'grant_type must be one of authorization_code, refresh_token',
        correlationId: randomUUID(),
      });
    }
    const c = this.ctx.tokens.credentials('hubspot');
    if (form.get('client_id') !== c.clientId) {
      return jsonAnswer(400, {
        status: 'BAD_CLIENT_ID',
        message: 'missing or unknown client id',
        correlationId: randomUUID(),
      });
    }
    if (form.get('client_secret') !== c.clientSecret) {
      return jsonAnswer(400, {
        status: 'BAD_CLIENT_SECRET',
        message: 'missing or invalid client secret',
        correlationId: randomUUID(),
      });
    }
    if (!this.ctx.tokens.refreshTokenMatches('hubspot', form.get('refresh_token'))) {
      return jsonAnswer(400, {
        status: 'BAD_REFRESH_TOKEN',
        message: 'missing or unknown refresh token',
        correlationId: randomUUID(),
      });
    }
    const seconds = this.ctx.settings.hubspot.tokenExpiresInSeconds;
    // HubSpot keeps the refresh token: the same one comes back.
    return jsonAnswer(200, {
      token_type: 'bearer',
      refresh_token: c.refreshToken,
      access_token: this.ctx.tokens.issue('hubspot', seconds * 1000),
      expires_in: seconds,
    });
  }

  private property(r: HubSpotRecord, name: string): string | null | undefined {
    if (name === 'createdate') return isoInstant(r.createdAt);
    // Both spellings of the modification date answer on every object (contacts use the first, others the second).
    if (name === 'lastmodifieddate' || name === 'hs_lastmodifieddate') return isoInstant(r.updatedAt);
    if (name === 'hs_object_id') return r.id;
    if (HUBSPOT_PROPERTIES[r.object].includes(name)) return r.properties[name] ?? null;
    return undefined;
  }

  private render(r: HubSpotRecord, properties: readonly string[] | null, associations: readonly HubSpotObject[] = []) {
    const props: Record<string, string | null> = {};
    for (const p of properties ?? DEFAULT_PROPERTIES[r.object]) {
      const v = this.property(r, p);
      // Properties that do not exist are left out; existing ones without a value are null.
      if (v !== undefined) props[p] = v;
    }
    const out: Record<string, unknown> = {
      id: r.id,
      properties: props,
      createdAt: isoInstant(r.createdAt),
      updatedAt: isoInstant(r.updatedAt),
      archived: r.archivedAt !== null,
      ...(r.archivedAt !== null ? { archivedAt: isoInstant(r.archivedAt) } : {}),
    };
    const assoc: Record<string, unknown> = {};
    for (const to of associations) {
      const ids = this.targets(r.object, r.id, to);
      if (ids.length === 0) continue;
      const types = ASSOCIATION_TYPES[`${r.object}>${to}`];
      if (!types) continue;
      const label = `${SINGULAR[r.object]}_to_${SINGULAR[to]}`;
      const results: { id: string; type: string }[] = [];
      for (const id of ids) {
        // HubSpot lists a primary association twice: the primary label and the unlabeled type.
        if (types.primary === undefined) results.push({ id, type: label });
        else {
          if (this.primary.has(`${r.object}:${r.id}>${to}:${id}`)) results.push({ id, type: label });
          results.push({ id, type: `${label}_unlabeled` });
        }
      }
      assoc[to] = { results };
    }
    if (Object.keys(assoc).length > 0) out.associations = assoc;
    return out;
  }

  /** `properties=a,b` and `properties=a&properties=b` both work, as at HubSpot. */
  private listParam(query: URLSearchParams, name: string): string[] | null {
    const all = query.getAll(name);
    if (all.length === 0) return null;
    return all
      .flatMap((v) => v.split(','))
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  private list(req: VendorRequest, object: HubSpotObject): VendorAnswer {
    const limit = intParam(req.query, 'limit') ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return validation(`limit must be an integer between 1 and 100, got ${req.query.get('limit')}`);
    }
    const afterText = req.query.get('after');
    if (afterText !== null && !/^\d+$/.test(afterText)) return validation(`Invalid after cursor: ${afterText}`);
    const archived = req.query.get('archived') === 'true';
    const properties = this.listParam(req.query, 'properties');
    const associations = (this.listParam(req.query, 'associations') ?? [])
      .map((a) => OBJECT_NAMES[a.toLowerCase()])
      .filter((a): a is HubSpotObject => a !== undefined);
    const after = afterText === null ? 0 : Number(afterText);
    const list = this.sorted[object];
    // Binary search for the first id ≥ after, then collect the page among the records of the asked state.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.idNum < after) lo = mid + 1;
      else hi = mid;
    }
    const page: HubSpotRecord[] = [];
    let more = false;
    for (let i = lo; i < list.length; i++) {
      const r = list[i]!;
      if ((r.archivedAt !== null) !== archived) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(r);
    }
    const loopKey = `list|${object}|${archived}|${afterText ?? '0'}`;
    let nextAfter: string | null = more ? String(page[page.length - 1]!.idNum + 1) : null;
    if (req.fault === 'loop' || this.loops.has(loopKey)) {
      this.loops.add(loopKey);
      nextAfter = afterText ?? '0';
    }
    const body: Record<string, unknown> = { results: page.map((r) => this.render(r, properties, associations)) };
    if (nextAfter !== null) {
      const q = new URLSearchParams(req.query);
      q.set('after', nextAfter);
      body.paging = { next: { after: nextAfter, link: `${req.baseUrl}${req.path}?${q.toString()}` } };
    }
    return jsonAnswer(200, body);
  }

  private one(req: VendorRequest, object: HubSpotObject, id: string): VendorAnswer {
    const r = this.records.get(`${object}:${id}`);
    const archived = req.query.get('archived') === 'true';
    if (!r || (r.archivedAt !== null) !== archived) {
      return hsError(404, {
        message: 'Object not found.  objectId are usually numeric.',
        context: { id: [id] },
        category: 'OBJECT_NOT_FOUND',
      });
    }
    const associations = (this.listParam(req.query, 'associations') ?? [])
      .map((a) => OBJECT_NAMES[a.toLowerCase()])
      .filter((a): a is HubSpotObject => a !== undefined);
    return jsonAnswer(200, this.render(r, this.listParam(req.query, 'properties'), associations));
  }

  private search(req: VendorRequest, object: HubSpotObject): VendorAnswer {
    const body = req.body === '' ? {} : parseJson(req.body);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return validation('Invalid input JSON on line 1, column 1: Cannot build PublicObjectSearchRequest');
    }
    const b = body as Record<string, unknown>;
    const limit = b.limit === undefined ? 10 : Number(b.limit);
    if (!Number.isInteger(limit) || limit < 0 || limit > 200) return validation('limit must be between 0 and 200');
    const afterText = b.after === undefined || b.after === null ? '0' : String(b.after);
    if (!/^\d+$/.test(afterText)) return validation(`Invalid after: ${afterText}`);
    const after = Number(afterText);
    const cap = this.ctx.settings.hubspot.searchCap;
    if (after >= cap) {
      return validation(`Search results are limited to ${cap} results: after (${after}) must be less than ${cap}`);
    }
    const groups = b.filterGroups ?? [];
    if (!Array.isArray(groups)) return validation('filterGroups must be an array');
    if (groups.length > 5) return validation('A search request may have at most 5 filterGroups');
    let filterCount = 0;
    const parsedGroups: {
      propertyName: string;
      operator: string;
      value?: unknown;
      highValue?: unknown;
      values?: unknown[];
    }[][] = [];
    for (const g of groups) {
      const filters = (g as { filters?: unknown }).filters;
      if (!Array.isArray(filters)) return validation('each filterGroup needs filters');
      if (filters.length > 6) return validation('A filterGroup may have at most 6 filters');
      filterCount += filters.length;
      for (const f of filters as Record<string, unknown>[]) {
        if (typeof f.propertyName !== 'string' || !this.knows(object, f.propertyName)) {
          return validation(`Property "${String(f.propertyName)}" does not exist on ${object}`);
        }
        if (typeof f.operator !== 'string' || !OPERATORS.has(f.operator))
          return validation(`Unknown operator ${String(f.operator)}`);
      }
      parsedGroups.push(filters as never);
    }
    if (filterCount > 18) return validation('A search request may have at most 18 filters');
    const sorts = b.sorts ?? [];
    if (!Array.isArray(sorts) || sorts.length > 1) return validation('Only one sort is supported');
    const sort = sorts[0] as { propertyName?: string; direction?: string } | string | undefined;
    const sortName = typeof sort === 'string' ? sort.replace(/^-/, '') : sort?.propertyName;
    const descending = typeof sort === 'string' ? sort.startsWith('-') : sort?.direction === 'DESCENDING';
    const properties = Array.isArray(b.properties) ? (b.properties as unknown[]).map(String) : null;
    const text = typeof b.query === 'string' ? b.query.toLowerCase() : null;

    const hit = (r: HubSpotRecord) => {
      if (r.archivedAt !== null) return false;
      if (text && !DEFAULT_PROPERTIES[object].some((p) => (this.property(r, p) ?? '').toLowerCase().includes(text)))
        return false;
      if (parsedGroups.length === 0) return true;
      return parsedGroups.some((filters) => filters.every((f) => this.test(r, f)));
    };
    let rows = this.sorted[object].filter(hit);
    if (sortName) {
      // Keys computed once per record: sorting compares them n·log n times.
      const keyed = rows.map((r) => ({ r, k: this.value(r, sortName) }));
      keyed.sort((x, y) => {
        const a = x.k;
        const c = y.k;
        if (a === c) return x.r.idNum - y.r.idNum;
        if (a === null) return 1;
        if (c === null) return -1;
        return (a < c ? -1 : 1) * (descending ? -1 : 1);
      });
      rows = keyed.map((x) => x.r);
    }
    const end = Math.min(after + limit, rows.length, cap);
    const loopKey = `search|${object}|${afterText}`;
    let nextAfter: string | null = after + limit < rows.length ? String(after + limit) : null;
    if (req.fault === 'loop' || this.loops.has(loopKey)) {
      this.loops.add(loopKey);
      nextAfter = afterText;
    }
    return jsonAnswer(200, {
      total: rows.length,
      results: rows.slice(after, end).map((r) => without(this.render(r, properties), ['archivedAt'])),
      ...(nextAfter !== null ? { paging: { next: { after: nextAfter } } } : {}),
    });
  }

  /** A property's value as filters and sorts compare it (see `comparable`), read without formatting dates. */
  private value(r: HubSpotRecord, name: string): number | string | null {
    if (name === 'createdate') return r.createdAt;
    if (name === 'lastmodifieddate' || name === 'hs_lastmodifieddate') return r.updatedAt;
    if (name === 'hs_object_id') return r.idNum;
    return comparable(name, r.properties[name] ?? null);
  }

  private knows(object: HubSpotObject, name: string): boolean {
    return (
      name === 'createdate' ||
      name === 'lastmodifieddate' ||
      name === 'hs_lastmodifieddate' ||
      name === 'hs_object_id' ||
      HUBSPOT_PROPERTIES[object].includes(name)
    );
  }

  private test(
    r: HubSpotRecord,
    f: { propertyName: string; operator: string; value?: unknown; highValue?: unknown; values?: unknown[] },
  ): boolean {
    const name = f.propertyName;
    const v = this.value(r, name);
    if (f.operator === 'HAS_PROPERTY') return v !== null && v !== '';
    if (f.operator === 'NOT_HAS_PROPERTY') return v === null || v === '';
    if (v === null) return f.operator === 'NEQ' || f.operator === 'NOT_IN' || f.operator === 'NOT_CONTAINS_TOKEN';
    const x = comparable(name, f.value);
    switch (f.operator) {
      case 'EQ':
        return v === x;
      case 'NEQ':
        return v !== x;
      case 'LT':
        return x !== null && v < x;
      case 'LTE':
        return x !== null && v <= x;
      case 'GT':
        return x !== null && v > x;
      case 'GTE':
        return x !== null && v >= x;
      case 'BETWEEN': {
        const hi = comparable(name, f.highValue);
        return x !== null && hi !== null && v >= x && v <= hi;
      }
      case 'IN':
        return (f.values ?? []).some((y) => comparable(name, y) === v);
      case 'NOT_IN':
        return !(f.values ?? []).some((y) => comparable(name, y) === v);
      default: {
        const token = String(f.value ?? '')
          .toLowerCase()
          .replace(/\*/g, '');
        const has = String(v).includes(token);
        return f.operator === 'CONTAINS_TOKEN' ? has : !has;
      }
    }
  }

  private associationsRead(req: VendorRequest, from: HubSpotObject, to: HubSpotObject): VendorAnswer {
    const startedAt = isoInstant(this.ctx.clock.now());
    const body = parseJson(req.body) as { inputs?: unknown } | undefined;
    if (!body || !Array.isArray(body.inputs)) return validation('Invalid input JSON: inputs must be an array');
    if (body.inputs.length > 1000) return validation('A batch may read at most 1000 inputs');
    const types = ASSOCIATION_TYPES[`${from}>${to}`];
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const input of body.inputs as { id?: unknown }[]) {
      const id = String(input?.id ?? '');
      const r = this.records.get(`${from}:${id}`);
      const ids = r && r.archivedAt === null && types ? this.targets(from, id, to) : [];
      if (ids.length === 0) {
        errors.push({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          message: `No ${SINGULAR[to]} is associated with ${SINGULAR[from]} ${id}.`,
          context: { fromObjectId: [id], fromObjectType: [SINGULAR[from]], toObjectType: [SINGULAR[to]] },
        });
        continue;
      }
      results.push({
        from: { id },
        to: ids.map((toId) => ({
          toObjectId: Number(toId),
          associationTypes: [
            ...(types!.primary !== undefined && this.primary.has(`${from}:${id}>${to}:${toId}`)
              ? [{ category: 'HUBSPOT_DEFINED', typeId: types!.primary, label: 'Primary' }]
              : []),
            { category: 'HUBSPOT_DEFINED', typeId: types!.unlabeled, label: null },
          ],
        })),
      });
    }
    const completedAt = isoInstant(this.ctx.clock.now());
    if (errors.length === 0) return jsonAnswer(200, { status: 'COMPLETE', results, startedAt, completedAt });
    return jsonAnswer(207, { status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt, completedAt });
  }

  faultAnswer(fault: AnswerFault, req: VendorRequest): VendorAnswer {
    switch (fault) {
      case '429':
        return this.tooMany(this.ctx.settings.faults.retryAfterSeconds, false);
      case '500':
        return hsError(500, { message: 'internal error', category: 'INTERNAL_ERROR' }, this.rateHeaders());
      case 'expired-token':
        if (req.path === '/oauth/v1/token') {
          return jsonAnswer(400, {
            status: 'BAD_REFRESH_TOKEN',
            message: 'missing or unknown refresh token',
            correlationId: randomUUID(),
          });
        }
        return hsError(401, {
          message: 'The OAuth token used to make this call expired 1 minute(s) ago.',
          category: 'EXPIRED_AUTHENTICATION',
        });
      case 'html-200':
        return { status: 200, text: HTML_ERROR_PAGE, contentType: 'text/html; charset=utf-8' };
      default:
        return hsError(200, { message: 'internal error', category: 'INTERNAL_ERROR' }, this.rateHeaders());
    }
  }

  corrupt(fault: DataFault, json: unknown): unknown {
    if (!json || typeof json !== 'object' || Array.isArray(json)) return json;
    const body = json as Record<string, unknown>;
    if (!('results' in body)) {
      if (fault === 'missing-fields') return without(body, ['access_token', 'expires_in']);
      return fault === 'empty' ? {} : wrongTypes(body);
    }
    if (fault === 'empty') return { ...body, results: [] };
    if (fault === 'missing-fields') {
      return mapRecords(body, 'results', (r) => {
        const out = without(r, ['id', 'from']);
        if (out.properties && typeof out.properties === 'object')
          out.properties = without(out.properties as Record<string, unknown>, ['hs_object_id']);
        return out;
      });
    }
    return wrongTypes(body);
  }

  private objectOf(name: string): HubSpotObject {
    const o = OBJECT_NAMES[name];
    if (!o) throw new ControlError(400, `unknown HubSpot object "${name}" (known: contacts, companies, deals)`);
    return o;
  }

  private existing(object: string, id: string): HubSpotRecord {
    const o = this.objectOf(object);
    const r = this.records.get(`${o}:${id}`);
    if (!r) throw new ControlError(404, `no ${o} ${id}`);
    return r;
  }

  /** Property values and an optional `associations: { companies?: [...], contacts?: [...] }` replacement. */
  private apply(r: HubSpotRecord, fields: Record<string, unknown>): void {
    const { associations, ...props } = fields;
    const values: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(props)) {
      if (!HUBSPOT_PROPERTIES[r.object].includes(k))
        throw new ControlError(400, `property ${k} cannot be written on ${r.object}`);
      const p = plainValue(k, v);
      // Every HubSpot property value is a string (or null).
      values[k] = p === null ? null : String(p);
    }
    const links: [HubSpotObject, string[]][] = [];
    if (associations !== undefined) {
      if (!associations || typeof associations !== 'object')
        throw new ControlError(400, 'associations must be an object');
      for (const [k, ids] of Object.entries(associations)) {
        const to = OBJECT_NAMES[k];
        if (!to || !ASSOCIATION_TYPES[`${r.object}>${to}`])
          throw new ControlError(400, `${r.object} cannot be associated with ${k}`);
        if (!Array.isArray(ids)) throw new ControlError(400, `associations.${k} must be a list of ids`);
        for (const id of ids)
          if (!this.records.has(`${to}:${String(id)}`)) throw new ControlError(400, `no ${to} ${String(id)}`);
        links.push([to, ids.map(String)]);
      }
    }
    Object.assign(r.properties, values);
    for (const [to, ids] of links) {
      this.unlinkAll(r.object, r.id, to);
      for (const [i, id] of ids.entries()) this.link(r.object, r.id, to, id, i === 0);
    }
  }

  private view(r: HubSpotRecord): ControlRecord {
    const properties: Record<string, unknown> = {};
    for (const p of [...HUBSPOT_PROPERTIES[r.object], 'createdate', MODIFIED[r.object], 'hs_object_id'])
      properties[p] = this.property(r, p);
    const associations: Record<string, string[]> = {};
    for (const to of ['companies', 'contacts', 'deals'] as const) {
      const ids = this.targets(r.object, r.id, to);
      if (ids.length > 0) associations[to] = ids;
    }
    return {
      system: 'hubspot',
      object: r.object,
      id: r.id,
      entityId: r.entityId,
      fields: { ...properties, associations, archivedAt: r.archivedAt === null ? null : isoInstant(r.archivedAt) },
      deleted: r.archivedAt !== null,
    };
  }

  private touch(r: HubSpotRecord): void {
    r.updatedAt = Math.max(r.updatedAt + 1, this.ctx.clock.now());
  }

  create(object: string, fields: Record<string, unknown>, entityId?: string): ControlRecord {
    const o = this.objectOf(object);
    const now = this.ctx.clock.now();
    const id = this.nextId[o]++;
    const r: HubSpotRecord = {
      object: o,
      id: String(id),
      idNum: id,
      properties: Object.fromEntries(HUBSPOT_PROPERTIES[o].map((p) => [p, null])),
      createdAt: now,
      updatedAt: now,
      archivedAt: null,
      entityId: entityId ?? `x${String(++this.createdEntities).padStart(7, '0')}`,
      kind: o === 'companies' ? 'organization' : o === 'contacts' ? 'person' : 'deal',
    };
    this.insert(r);
    try {
      this.apply(r, fields);
    } catch (e) {
      this.records.delete(`${o}:${r.id}`);
      this.sorted[o].pop();
      this.nextId[o]--;
      throw e;
    }
    return this.view(r);
  }

  update(object: string, id: string, fields: Record<string, unknown>): ControlRecord {
    const r = this.existing(object, id);
    if (r.archivedAt !== null) throw new ControlError(404, `${r.object} ${id} is archived`);
    this.apply(r, fields);
    this.touch(r);
    return this.view(r);
  }

  remove(object: string, id: string): ControlRecord {
    const r = this.existing(object, id);
    if (r.archivedAt === null) {
      r.archivedAt = this.ctx.clock.now();
      this.touch(r);
    }
    return this.view(r);
  }

  get(object: string, id: string): ControlRecord {
    return this.view(this.existing(object, id));
  }

  truth(): TruthRow[] {
    return [...this.records.values()].map((r) => ({
      system: 'hubspot',
      object: r.object,
      id: r.id,
      entityId: r.entityId,
      kind: r.kind,
    }));
  }
}
