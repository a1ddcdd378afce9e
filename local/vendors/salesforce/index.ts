/**
 * The fake Salesforce REST API (docs/connectors.md, "Salesforce"): OAuth token endpoint, SOQL query and queryAll
 * with batches and query locators, getDeleted with its 15-day window, record retrieval, the org's daily API limit
 * and Salesforce's error bodies.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { HTML_ERROR_PAGE, wrongTypes } from '../faults.js';
import { type VendorAnswer, type VendorRequest, formFields, jsonAnswer, salesforceInstant } from '../http.js';
import { SalesforceIds, salesforceChecksum } from '../seed/ids.js';
import type { SalesforceObject, SalesforceValue, SeedData } from '../seed/types.js';
import { SALESFORCE_ORG_ID, SALESFORCE_USER_ID, basicAuth, bearer } from '../tokens.js';
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
import {
  type FieldReader,
  SALESFORCE_FIELDS,
  SALESFORCE_OBJECTS,
  SoqlError,
  matches,
  parseSoql,
  sorter,
} from './soql.js';

interface SalesforceRecord {
  object: SalesforceObject;
  id: string;
  fields: Record<string, SalesforceValue>;
  createdAt: number;
  modifiedAt: number;
  /** In the recycle bin since then (queryAll and getDeleted see it), or null. */
  deletedAt: number | null;
  entityId: string;
  kind: TruthRow['kind'];
}

interface Locator {
  id: string;
  object: SalesforceObject;
  fields: string[];
  ids: string[];
  all: boolean;
  batchSize: number;
  lastUsed: number;
  /** A `loop` fault hit this cursor: every batch names itself as the next one. */
  loop: boolean;
}

const DAY = 86_400_000;
/** Deleted records stay in the recycle bin (and in getDeleted) this long. */
const RECYCLE_BIN_MS = 15 * DAY;
const API_VERSION = /^v(\d{2,3})\.0$/;
const KEY_PREFIX: Record<SalesforceObject, string> = { Account: '001', Contact: '003', Opportunity: '006' };
/** Records created through the control API take ids above every seeded one, so ids keep creation order. */
const CREATED_ID_START = 50_000_000;

const sfError = (status: number, errorCode: string, message: string, headers?: Record<string, string>) =>
  jsonAnswer(status, [{ message, errorCode }], headers);

const floorMinute = (ms: number) => Math.floor(ms / 60_000) * 60_000;

/** ISO 8601 instants as getDeleted accepts them (`Z`, `±hh:mm` or `±hhmm`, fractional seconds). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;

function parseInstant(text: string | null): number | null {
  if (text === null || !INSTANT.test(text)) return null;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? null : ms;
}

export class SalesforceFake implements FakeVendor {
  readonly system = 'salesforce' as const;
  private records = new Map<string, SalesforceRecord>();
  private readonly locators = new Map<string, Locator>();
  private locatorIds = new SalesforceIds('01g', 0);
  private ids!: Record<SalesforceObject, SalesforceIds>;
  private createdEntities = 0;
  /** Requests counted against the daily limit since the start (or the last reset). */
  apiUsage = 0;

  constructor(
    private readonly ctx: VendorContext,
    seed: SeedData,
  ) {
    this.reset(seed);
  }

  reset(seed: SeedData): void {
    this.records = new Map(
      seed.salesforce.map((r) => [r.id, { ...r, fields: { ...r.fields }, deletedAt: null } as SalesforceRecord]),
    );
    this.locators.clear();
    this.locatorIds = new SalesforceIds('01g', Math.floor(seed.seed % 100_000) * 1000);
    this.ids = {
      Account: new SalesforceIds(KEY_PREFIX.Account, CREATED_ID_START),
      Contact: new SalesforceIds(KEY_PREFIX.Contact, CREATED_ID_START),
      Opportunity: new SalesforceIds(KEY_PREFIX.Opportunity, CREATED_ID_START),
    };
    this.apiUsage = 0;
    this.createdEntities = 0;
  }

  kindOf(req: VendorRequest): string {
    const p = req.path;
    if (p === '/services/oauth2/token') return 'token';
    const m = /^\/services\/data\/v[\d.]+\/(.*)$/.exec(p);
    if (!m) return 'other';
    const rest = m[1]!;
    if (rest === 'query' || rest === 'query/') return 'query';
    if (rest === 'queryAll' || rest === 'queryAll/') return 'queryAll';
    if (/^query(All)?\/[^/]+$/.test(rest)) return 'queryMore';
    if (/^sobjects\/\w+\/deleted\/?$/.test(rest)) return 'deleted';
    if (rest.startsWith('sobjects/')) return 'sobject';
    if (rest === 'limits' || rest === 'limits/') return 'limits';
    return 'other';
  }

  private limitHeader(): Record<string, string> {
    return { 'Sforce-Limit-Info': `api-usage=${this.apiUsage}/${this.ctx.settings.salesforce.dailyLimit}` };
  }

  private unauthorized(): VendorAnswer {
    this.ctx.stats.unauthorized.salesforce++;
    return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid', {
      ...this.limitHeader(),
      'WWW-Authenticate': 'Token',
    });
  }

  handle(req: VendorRequest): VendorAnswer {
    if (req.path === '/services/oauth2/token') {
      if (req.method !== 'POST')
        return sfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are POST`);
      return this.token(req);
    }
    if (req.path === '/services/data' || req.path === '/services/data/') {
      return jsonAnswer(200, [{ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' }]);
    }
    const m = /^\/services\/data\/(v[\d.]+)\/(.*)$/.exec(req.path);
    if (!m) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const version = m[1]!;
    const rest = m[2]!;
    if (!API_VERSION.test(version) || Number(API_VERSION.exec(version)![1]) > 62) {
      return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    const header = req.headers.authorization;
    const token = bearer(header) ?? /^OAuth\s+(\S+)$/i.exec(header ?? '')?.[1] ?? null;
    if (this.ctx.tokens.check('salesforce', token).state !== 'valid') return this.unauthorized();
    if (this.apiUsage >= this.ctx.settings.salesforce.dailyLimit) {
      this.ctx.stats.rateLimited.salesforce++;
      return sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', this.limitHeader());
    }
    this.apiUsage++;
    if (req.method !== 'GET') {
      return sfError(
        405,
        'METHOD_NOT_ALLOWED',
        `HTTP Method '${req.method}' not allowed. Allowed are GET,HEAD`,
        this.limitHeader(),
      );
    }
    const answer = this.route(req, version, rest);
    answer.headers = { ...this.limitHeader(), ...answer.headers };
    return answer;
  }

  private route(req: VendorRequest, version: string, rest: string): VendorAnswer {
    this.purge();
    if (rest === 'query' || rest === 'query/' || rest === 'queryAll' || rest === 'queryAll/') {
      return this.query(req, version, rest.startsWith('queryAll'));
    }
    let m = /^query(All)?\/([^/]+)$/.exec(rest);
    if (m) return this.queryMore(req, version, m[1] !== undefined, m[2]!);
    m = /^sobjects\/(\w+)\/deleted\/?$/.exec(rest);
    if (m) return this.deleted(req, m[1]!);
    m = /^sobjects\/(\w+)\/(\w+)\/?$/.exec(rest);
    if (m) return this.retrieve(version, m[1]!, m[2]!);
    if (rest === 'limits' || rest === 'limits/') {
      const max = this.ctx.settings.salesforce.dailyLimit;
      return jsonAnswer(200, { DailyApiRequests: { Max: max, Remaining: Math.max(0, max - this.apiUsage) } });
    }
    return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  private token(req: VendorRequest): VendorAnswer {
    const form = formFields(req.body);
    const basic = basicAuth(req.headers.authorization);
    const clientId = form.get('client_id') ?? basic?.id ?? null;
    const clientSecret = form.get('client_secret') ?? basic?.secret ?? null;
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials' && grant !== 'refresh_token') {
      return jsonAnswer(400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    }
    if (!this.ctx.tokens.clientMatches('salesforce', clientId, clientSecret)) {
      return jsonAnswer(400, { error: 'invalid_client', error_description: 'invalid client credentials' });
    }
    if (grant === 'refresh_token' && !this.ctx.tokens.refreshTokenMatches('salesforce', form.get('refresh_token'))) {
      return jsonAnswer(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
    }
    const accessToken = this.ctx.tokens.issue('salesforce', this.ctx.settings.salesforce.sessionLifetimeMs, true);
    const id = `${req.baseUrl}/id/${SALESFORCE_ORG_ID}/${SALESFORCE_USER_ID}`;
    const issuedAt = String(this.ctx.clock.now());
    return jsonAnswer(200, {
      access_token: accessToken,
      instance_url: req.baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature: createHmac('sha256', clientSecret!)
        .update(id + issuedAt)
        .digest('base64'),
      scope: grant === 'refresh_token' ? 'refresh_token api' : 'api',
    });
  }

  private reader(r: SalesforceRecord): FieldReader {
    return (field) => {
      switch (field) {
        case 'Id':
          return r.id;
        case 'CreatedDate':
          return r.createdAt;
        case 'SystemModstamp':
          return r.modifiedAt;
        case 'IsDeleted':
          return r.deletedAt !== null;
        default:
          return r.fields[field] ?? null;
      }
    };
  }

  private render(r: SalesforceRecord, fields: readonly string[], version: string): Record<string, unknown> {
    const out: Record<string, unknown> = {
      attributes: { type: r.object, url: `/services/data/${version}/sobjects/${r.object}/${r.id}` },
    };
    const read = this.reader(r);
    for (const f of fields) {
      const v = read(f);
      out[f] = f === 'CreatedDate' || f === 'SystemModstamp' ? salesforceInstant(v as number) : v;
    }
    return out;
  }

  private batchSize(req: VendorRequest, fallback: number): number {
    const m = /batchSize\s*=\s*(\d+)/i.exec(req.headers['sforce-query-options'] ?? '');
    if (!m) return fallback;
    return Math.min(2000, Math.max(this.ctx.settings.salesforce.minBatchSize, Number(m[1])));
  }

  private query(req: VendorRequest, version: string, all: boolean): VendorAnswer {
    const soql = req.query.get('q');
    if (soql === null || soql.trim() === '')
      return sfError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    let parsed: ReturnType<typeof parseSoql>;
    try {
      parsed = parseSoql(soql);
    } catch (e) {
      if (e instanceof SoqlError) return sfError(400, e.code, e.message);
      throw e;
    }
    const rows: { r: SalesforceRecord; read: FieldReader }[] = [];
    for (const r of this.records.values()) {
      if (r.object !== parsed.object || (!all && r.deletedAt !== null)) continue;
      const read = this.reader(r);
      if (!parsed.where || matches(parsed.where, read)) rows.push({ r, read });
    }
    const order = sorter(parsed.orderBy);
    rows.sort((a, b) => order(a.read, b.read));
    const start = parsed.offset ?? 0;
    const end = parsed.limit === null ? rows.length : Math.min(rows.length, start + parsed.limit);
    const ids = rows.slice(start, end).map((x) => x.r.id);
    const batchSize = this.batchSize(req, 2000);
    const loop = req.fault === 'loop';
    let locator: Locator | null = null;
    if (ids.length > batchSize || loop) {
      this.expireLocators();
      const id15 = this.locatorIds.take().slice(0, 15);
      locator = {
        id: id15 + salesforceChecksum(id15),
        object: parsed.object,
        fields: parsed.fields,
        ids,
        all,
        batchSize,
        lastUsed: this.ctx.clock.now(),
        loop,
      };
      this.locators.set(locator.id, locator);
    }
    return this.batch(version, locator, ids, parsed.fields, 0, batchSize, all);
  }

  private batch(
    version: string,
    locator: Locator | null,
    ids: readonly string[],
    fields: readonly string[],
    offset: number,
    batchSize: number,
    all: boolean,
  ): VendorAnswer {
    const records = ids
      .slice(offset, offset + batchSize)
      .map((id) => this.records.get(id))
      .filter((r): r is SalesforceRecord => r !== undefined)
      .map((r) => this.render(r, fields, version));
    const path = `/services/data/${version}/${all ? 'queryAll' : 'query'}/`;
    let nextRecordsUrl: string | undefined;
    if (locator?.loop) nextRecordsUrl = `${path}${locator.id}-${offset}`;
    else if (locator && offset + batchSize < ids.length) nextRecordsUrl = `${path}${locator.id}-${offset + batchSize}`;
    return jsonAnswer(200, {
      totalSize: ids.length,
      done: nextRecordsUrl === undefined,
      ...(nextRecordsUrl ? { nextRecordsUrl } : {}),
      records,
    });
  }

  private expireLocators(): void {
    const now = this.ctx.clock.now();
    const ttl = this.ctx.settings.salesforce.locatorTtlMs;
    for (const [id, l] of this.locators) if (now - l.lastUsed > ttl) this.locators.delete(id);
  }

  private queryMore(req: VendorRequest, version: string, all: boolean, cursor: string): VendorAnswer {
    const m = /^([0-9A-Za-z]{15,18})(?:-(\d+))?$/.exec(cursor);
    this.expireLocators();
    const locator = m ? this.locators.get(m[1]!) : undefined;
    if (!m || !locator) return sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    locator.lastUsed = this.ctx.clock.now();
    if (req.fault === 'loop') locator.loop = true;
    const offset = m[2] === undefined ? 0 : Number(m[2]);
    const batchSize = this.batchSize(req, locator.batchSize);
    return this.batch(version, locator, locator.ids, locator.fields, offset, batchSize, all || locator.all);
  }

  /** Records deleted more than 15 days ago leave the recycle bin: queryAll and getDeleted no longer see them. */
  private purge(): void {
    const cutoff = this.ctx.clock.now() - RECYCLE_BIN_MS;
    for (const [id, r] of this.records) if (r.deletedAt !== null && r.deletedAt < cutoff) this.records.delete(id);
  }

  private deleted(req: VendorRequest, objectName: string): VendorAnswer {
    const object = SALESFORCE_OBJECTS.find((o) => o === objectName);
    if (!object) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const startText = req.query.get('start');
    const endText = req.query.get('end');
    if (startText === null || endText === null) {
      return sfError(400, 'MISSING_ARGUMENT', `${startText === null ? 'start' : 'end'} parameter is required`);
    }
    const startAt = parseInstant(startText);
    const endAt = parseInstant(endText);
    if (startAt === null || endAt === null) {
      return sfError(400, 'INVALID_REPLICATION_DATE', `invalid date/time: ${startAt === null ? startText : endText}`);
    }
    // Salesforce ignores the seconds of start, and start must precede end by more than a minute.
    const start = floorMinute(startAt);
    if (endAt - start <= 60_000) {
      return sfError(
        400,
        'INVALID_REPLICATION_DATE',
        'startDate must chronologically precede endDate by more than one minute',
      );
    }
    const now = this.ctx.clock.now();
    const earliest = floorMinute(now - RECYCLE_BIN_MS);
    const latestCovered = floorMinute(Math.min(endAt, now));
    const deletedRecords = [...this.records.values()]
      .filter(
        (r) =>
          r.object === object &&
          r.deletedAt !== null &&
          r.deletedAt >= Math.max(start, earliest) &&
          r.deletedAt < latestCovered,
      )
      .sort((a, b) => a.deletedAt! - b.deletedAt! || (a.id < b.id ? -1 : 1))
      .map((r) => ({ id: r.id, deletedDate: salesforceInstant(r.deletedAt!) }));
    return jsonAnswer(200, {
      deletedRecords,
      earliestDateAvailable: salesforceInstant(earliest),
      latestDateCovered: salesforceInstant(latestCovered),
    });
  }

  private retrieve(version: string, objectName: string, id: string): VendorAnswer {
    const object = SALESFORCE_OBJECTS.find((o) => o === objectName);
    if (!object) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const r = this.findById(id);
    if (!r || r.object !== object) {
      return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    if (r.deletedAt !== null) return sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    return jsonAnswer(200, this.render(r, Object.keys(SALESFORCE_FIELDS[object]), version));
  }

  /** 15- and 18-character ids both name a record, as in Salesforce. */
  private findById(id: string): SalesforceRecord | undefined {
    if (id.length === 15) return this.records.get(id + salesforceChecksum(id));
    return this.records.get(id);
  }

  faultAnswer(fault: AnswerFault, req: VendorRequest): VendorAnswer {
    const unexpected =
      'An unexpected error occurred. Please include this ErrorId if you contact support: ' +
      `${randomBytes(4).readUInt32BE()}-${randomBytes(3).readUIntBE(0, 3)} (-${randomBytes(2).readUInt16BE()})`;
    switch (fault) {
      case '429':
        return sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', this.limitHeader());
      case '500':
        return sfError(500, 'UNKNOWN_EXCEPTION', unexpected, this.limitHeader());
      case 'expired-token':
        if (req.path === '/services/oauth2/token') {
          return jsonAnswer(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
        }
        return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid', { 'WWW-Authenticate': 'Token' });
      case 'html-200':
        return { status: 200, text: HTML_ERROR_PAGE, contentType: 'text/html;charset=UTF-8' };
      default:
        return sfError(200, 'UNKNOWN_EXCEPTION', unexpected, this.limitHeader());
    }
  }

  corrupt(fault: DataFault, json: unknown): unknown {
    if (!json || typeof json !== 'object' || Array.isArray(json)) return json;
    const body = json as Record<string, unknown>;
    const key = 'records' in body ? 'records' : 'deletedRecords' in body ? 'deletedRecords' : null;
    if (fault === 'empty') return key ? { ...body, [key]: [] } : {};
    if (fault === 'missing-fields') {
      if (!key) return without(body, ['access_token', 'instance_url']);
      return mapRecords(body, key, (r) => without(r, ['Id', 'id', 'attributes', 'LastName', 'Name']));
    }
    return wrongTypes(body);
  }

  private objectOf(name: string): SalesforceObject {
    const object = SALESFORCE_OBJECTS.find((o) => o === name);
    if (!object)
      throw new ControlError(400, `unknown Salesforce object "${name}" (known: ${SALESFORCE_OBJECTS.join(', ')})`);
    return object;
  }

  private writable(object: SalesforceObject, fields: Record<string, unknown>): Record<string, SalesforceValue> {
    const out: Record<string, SalesforceValue> = {};
    for (const [f, v] of Object.entries(fields)) {
      if (!(f in SALESFORCE_FIELDS[object]) || f in { Id: 1, CreatedDate: 1, SystemModstamp: 1, IsDeleted: 1 }) {
        throw new ControlError(400, `field ${f} cannot be written on ${object}`);
      }
      out[f] = plainValue(f, v);
    }
    return out;
  }

  private view(r: SalesforceRecord): ControlRecord {
    const fields = this.render(r, Object.keys(SALESFORCE_FIELDS[r.object]), 'v62.0');
    delete fields.attributes;
    return {
      system: 'salesforce',
      object: r.object,
      id: r.id,
      entityId: r.entityId,
      fields,
      deleted: r.deletedAt !== null,
    };
  }

  private existing(object: string, id: string): SalesforceRecord {
    const o = this.objectOf(object);
    const r = this.findById(id);
    if (!r || r.object !== o) throw new ControlError(404, `no ${o} ${id}`);
    return r;
  }

  create(object: string, fields: Record<string, unknown>, entityId?: string): ControlRecord {
    const o = this.objectOf(object);
    const values = this.writable(o, fields);
    const now = Math.floor(this.ctx.clock.now() / 1000) * 1000;
    const empty = Object.fromEntries(
      Object.keys(SALESFORCE_FIELDS[o])
        .filter((f) => !['Id', 'CreatedDate', 'SystemModstamp', 'IsDeleted'].includes(f))
        .map((f) => [f, null]),
    );
    const r: SalesforceRecord = {
      object: o,
      id: this.ids[o].take(),
      fields: { ...empty, ...values },
      createdAt: now,
      modifiedAt: now,
      deletedAt: null,
      entityId: entityId ?? `x${String(++this.createdEntities).padStart(7, '0')}`,
      kind: o === 'Account' ? 'organization' : o === 'Contact' ? 'person' : 'deal',
    };
    this.records.set(r.id, r);
    return this.view(r);
  }

  update(object: string, id: string, fields: Record<string, unknown>): ControlRecord {
    const r = this.existing(object, id);
    if (r.deletedAt !== null) throw new ControlError(404, `${r.object} ${id} is deleted`);
    Object.assign(r.fields, this.writable(r.object, fields));
    // Salesforce stamps modifications to the second; a change in the same second as the last keeps ordering.
    r.modifiedAt = Math.max(r.modifiedAt, Math.floor(this.ctx.clock.now() / 1000) * 1000);
    return this.view(r);
  }

  remove(object: string, id: string): ControlRecord {
    const r = this.existing(object, id);
    if (r.deletedAt === null) {
      r.deletedAt = Math.floor(this.ctx.clock.now() / 1000) * 1000;
      r.modifiedAt = Math.max(r.modifiedAt, r.deletedAt);
    }
    return this.view(r);
  }

  get(object: string, id: string): ControlRecord {
    return this.view(this.existing(object, id));
  }

  truth(): TruthRow[] {
    return [...this.records.values()].map((r) => ({
      system: 'salesforce',
      object: r.object,
      id: r.id,
      entityId: r.entityId,
      kind: r.kind,
    }));
  }
}
