/**
 * The fake Workday tenant (docs/connectors.md, "Workday"): the OAuth token endpoint (HTTP Basic client
 * credentials), the REST workers collection (`limit` ≤ 100 and `offset`, `{ data, total }`), one worker, the RaaS
 * workers report (`Report_Entry`, JSON or XML), throttling with no rate-limit headers, and Workday's error bodies.
 * A terminated worker leaves the REST collection (it lists current workers) and stays in the report with
 * `Worker_Status: "Terminated"`; their direct reports move to their manager.
 */
import { HTML_ERROR_PAGE, wrongTypes } from '../faults.js';
import { type VendorAnswer, type VendorRequest, formFields, intParam, jsonAnswer } from '../http.js';
import { RollingWindow } from '../rolling-window.js';
import { workdayId } from '../seed/ids.js';
import type { SeedData, SeedWorker, SeedWorkday } from '../seed/types.js';
import { basicAuth, bearer } from '../tokens.js';
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
import { Rng } from '../../synthetic/index.js';

interface Worker extends SeedWorker {
  status: 'Active' | 'Terminated';
  terminatedAt: number | null;
}

const COUNTRY_NAMES: Record<string, string> = { US: 'United States of America', CA: 'Canada' };

/** Control-API fields of a worker: the report's column names. */
const WRITABLE: Record<string, keyof Worker> = {
  Legal_Name_First_Name: 'firstName',
  Legal_Name_Last_Name: 'lastName',
  Email_Address_Work: 'email',
  Phone_Work: 'phone',
  Business_Title: 'title',
  Hire_Date: 'hireDate',
  Birth_Date: 'birthDate',
  Manager_WID: 'managerWid',
  Location: 'locationId',
};

const wdError = (status: number, message: string, extra?: Record<string, unknown>) =>
  jsonAnswer(status, { error: message, errors: [{ error: message, ...extra }] });

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class WorkdayFake implements FakeVendor {
  readonly system = 'workday' as const;
  private workers: Worker[] = [];
  private byWid = new Map<string, Worker>();
  private organizations = new Map<string, SeedWorkday['organizations'][number]>();
  private locations = new Map<string, SeedWorkday['locations'][number]>();
  private company!: SeedWorkday['company'];
  private nextEmployeeId = 0;
  private idRng = new Rng(0);
  private createdEntities = 0;
  private readonly throttle = new RollingWindow(10, 1000);

  constructor(
    private readonly ctx: VendorContext,
    seed: SeedData,
  ) {
    this.reset(seed);
  }

  reset(seed: SeedData): void {
    const w = seed.workday;
    this.workers = w.workers.map((x) => ({ ...x, status: 'Active', terminatedAt: null }));
    this.byWid = new Map(this.workers.map((x) => [x.wid, x]));
    this.organizations = new Map(w.organizations.map((o) => [o.id, { ...o }]));
    this.locations = new Map(w.locations.map((l) => [l.id, l]));
    this.company = w.company;
    this.nextEmployeeId = 21001 + this.workers.length;
    this.idRng = new Rng((seed.seed ^ 0x5bd1e995) >>> 0);
    this.createdEntities = 0;
    this.throttle.clear();
  }

  private get tenant(): string {
    return this.ctx.settings.workday.tenant;
  }

  kindOf(req: VendorRequest): string {
    if (/^\/ccx\/oauth2\/[^/]+\/token\/?$/.test(req.path)) return 'token';
    if (/^\/ccx\/api\/v1\/[^/]+\/workers\/?$/.test(req.path)) return 'workers';
    if (/^\/ccx\/api\/v1\/[^/]+\/workers\/[^/]+\/?$/.test(req.path)) return 'worker';
    if (/^\/ccx\/service\/customreport2\//.test(req.path)) return 'report';
    return 'other';
  }

  private throttled(): VendorAnswer {
    this.ctx.stats.rateLimited.workday++;
    return this.ctx.settings.workday.throttleStatus === 500
      ? wdError(500, 'An internal error occurred. Please try again later.')
      : wdError(429, 'Too many requests: the rate limit for this tenant was exceeded.');
  }

  handle(req: VendorRequest): VendorAnswer {
    const tokenPath = /^\/ccx\/oauth2\/([^/]+)\/token\/?$/.exec(req.path);
    if (tokenPath) {
      if (req.method !== 'POST') return wdError(405, 'Method not allowed');
      return this.token(req, tokenPath[1]!);
    }
    const rest = /^\/ccx\/api\/v1\/([^/]+)\/(workers)(?:\/([^/]+))?\/?$/.exec(req.path);
    const report = /^\/ccx\/service\/customreport2\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(req.path);
    if (!rest && !report) return wdError(404, 'Resource not found');
    const tenant = (rest ?? report)![1];
    if (
      tenant !== this.tenant ||
      this.ctx.tokens.check('workday', bearer(req.headers.authorization)).state !== 'valid'
    ) {
      this.ctx.stats.unauthorized.workday++;
      return jsonAnswer(401, { error: 'invalid_token' });
    }
    const rps = this.ctx.settings.workday.requestsPerSecond;
    if (rps > 0) {
      this.throttle.configure(rps, 1000);
      if (!this.throttle.take(this.ctx.clock.now()).allowed) return this.throttled();
    }
    if (req.method !== 'GET') return wdError(405, 'Method not allowed');
    if (report) {
      if (`${report[2]}/${report[3]}` !== this.ctx.settings.workday.reportPath) {
        return wdError(404, `Report not found: ${report[2]}/${report[3]}`);
      }
      return this.report(req, report[3]!);
    }
    if (rest![3] !== undefined) {
      const w = this.byWid.get(rest![3]!);
      if (!w || w.status !== 'Active') return wdError(404, `Invalid ID value. '${rest![3]}' is not a valid ID.`);
      return jsonAnswer(200, this.renderWorker(w, req.baseUrl));
    }
    return this.list(req);
  }

  private token(req: VendorRequest, tenant: string): VendorAnswer {
    const basic = basicAuth(req.headers.authorization);
    if (tenant !== this.tenant || !basic || !this.ctx.tokens.clientMatches('workday', basic.id, basic.secret)) {
      return jsonAnswer(400, { error: 'invalid_client', error_description: 'Invalid client credentials' });
    }
    const form = formFields(req.body);
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') {
      if (!this.ctx.tokens.refreshTokenMatches('workday', form.get('refresh_token'))) {
        return jsonAnswer(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
      }
    } else if (grant !== 'client_credentials') {
      return jsonAnswer(400, {
        error: 'unsupported_grant_type',
        error_description: `Unsupported grant type: ${grant}`,
      });
    }
    const seconds = this.ctx.settings.workday.tokenExpiresInSeconds;
    return jsonAnswer(200, {
      access_token: this.ctx.tokens.issue('workday', seconds * 1000),
      token_type: 'Bearer',
      expires_in: seconds,
    });
  }

  private active(): Worker[] {
    return this.workers.filter((w) => w.status === 'Active');
  }

  private isManager(w: Worker): boolean {
    return this.workers.some((x) => x.status === 'Active' && x.managerWid === w.wid);
  }

  private renderWorker(w: Worker, baseUrl: string, managers?: ReadonlySet<string>): Record<string, unknown> {
    const org = this.organizations.get(w.organizationId);
    const location = this.locations.get(w.locationId);
    const manager = w.managerWid ? this.byWid.get(w.managerWid) : undefined;
    return {
      id: w.wid,
      descriptor: `${w.firstName} ${w.lastName}`,
      href: `${baseUrl}/ccx/api/v1/${this.tenant}/workers/${w.wid}`,
      workerId: w.employeeId,
      isManager: managers ? managers.has(w.wid) : this.isManager(w),
      ...(w.email ? { primaryWorkEmail: w.email } : {}),
      ...(w.phone ? { primaryWorkPhone: w.phone } : {}),
      businessTitle: w.title,
      hireDate: w.hireDate,
      workerType: { descriptor: w.workerType },
      primarySupervisoryOrganization: org ? { id: org.id, descriptor: org.descriptor } : null,
      location: location
        ? {
            id: location.id,
            descriptor: location.descriptor,
            country: {
              descriptor: COUNTRY_NAMES[location.country] ?? location.country,
              'ISO_3166-1_Alpha-2_Code': location.country,
            },
          }
        : null,
      manager: manager ? { id: manager.wid, descriptor: `${manager.firstName} ${manager.lastName}` } : null,
    };
  }

  private list(req: VendorRequest): VendorAnswer {
    const limit = intParam(req.query, 'limit') ?? 20;
    const offset = intParam(req.query, 'offset') ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return wdError(400, 'invalid request: limit must be between 1 and 100', { field: 'limit' });
    }
    if (!Number.isInteger(offset) || offset < 0) {
      return wdError(400, 'invalid request: offset must be a non-negative integer', { field: 'offset' });
    }
    const active = this.active();
    const managers = new Set(active.map((w) => w.managerWid).filter((m): m is string => m !== null));
    // A `loop` fault makes the tenant ignore the offset: every page is the first one again.
    const from = req.fault === 'loop' ? 0 : offset;
    const data = active.slice(from, from + limit).map((w) => this.renderWorker(w, req.baseUrl, managers));
    return jsonAnswer(200, { data, total: active.length });
  }

  private reportRow(w: Worker): Record<string, string> {
    const org = this.organizations.get(w.organizationId);
    const location = this.locations.get(w.locationId);
    const row: Record<string, string | null | undefined> = {
      Worker_WID: w.wid,
      Employee_ID: w.employeeId,
      Legal_Name_First_Name: w.firstName,
      Legal_Name_Last_Name: w.lastName,
      Email_Address_Work: w.email,
      Phone_Work: w.phone,
      Business_Title: w.title,
      Hire_Date: w.hireDate,
      Worker_Status: w.status,
      Supervisory_Organization: org?.descriptor,
      Manager_WID: w.managerWid,
      Location: location?.descriptor,
      Country_ISO_Code: location?.country,
      Birth_Date: w.birthDate,
    };
    // RaaS leaves out the columns a row has no value for.
    return Object.fromEntries(
      Object.entries(row).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
    );
  }

  private report(req: VendorRequest, name: string): VendorAnswer {
    const rows = this.workers.map((w) => this.reportRow(w));
    if (req.query.get('format') === 'json') return jsonAnswer(200, { Report_Entry: rows });
    const ns = `urn:com.workday.report/${name}`;
    const entries = rows
      .map(
        (r) =>
          `<wd:Report_Entry>${Object.entries(r)
            .map(([k, v]) => `<wd:${k}>${xmlEscape(v)}</wd:${k}>`)
            .join('')}</wd:Report_Entry>`,
      )
      .join('\n');
    return {
      status: 200,
      contentType: 'text/xml;charset=UTF-8',
      text: `<?xml version='1.0' encoding='UTF-8'?>\n<wd:Report_Data xmlns:wd="${ns}">\n${entries}\n</wd:Report_Data>\n`,
    };
  }

  faultAnswer(fault: AnswerFault, req: VendorRequest): VendorAnswer {
    switch (fault) {
      case '429':
        return wdError(429, 'Too many requests: the rate limit for this tenant was exceeded.');
      case '500':
        return wdError(500, 'An internal error occurred. Please try again later.');
      case 'expired-token':
        if (this.kindOf(req) === 'token')
          return jsonAnswer(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
        return jsonAnswer(401, { error: 'invalid_token' });
      case 'html-200':
        return { status: 200, text: HTML_ERROR_PAGE, contentType: 'text/html;charset=UTF-8' };
      default:
        return wdError(200, 'An internal error occurred. Please try again later.');
    }
  }

  corrupt(fault: DataFault, json: unknown): unknown {
    if (!json || typeof json !== 'object' || Array.isArray(json)) return json;
    const body = json as Record<string, unknown>;
    const key = 'data' in body ? 'data' : 'Report_Entry' in body ? 'Report_Entry' : null;
    if (fault === 'empty') return key ? { ...body, [key]: [] } : {};
    if (fault === 'missing-fields') {
      if (!key) return without(body, ['access_token', 'expires_in']);
      return mapRecords(body, key, (r) => without(r, ['id', 'descriptor', 'workerId', 'Worker_WID', 'Employee_ID']));
    }
    return wrongTypes(body);
  }

  private existing(object: string, id: string): Worker {
    if (object !== 'workers') throw new ControlError(400, `unknown Workday object "${object}" (known: workers)`);
    const w = this.byWid.get(id) ?? this.workers.find((x) => x.employeeId === id);
    if (!w) throw new ControlError(404, `no worker ${id}`);
    return w;
  }

  private apply(w: Worker, fields: Record<string, unknown>): void {
    const next = { ...w };
    for (const [k, raw] of Object.entries(fields)) {
      const key = WRITABLE[k];
      if (!key)
        throw new ControlError(400, `field ${k} cannot be written (writable: ${Object.keys(WRITABLE).join(', ')})`);
      const v = plainValue(k, raw);
      if (v !== null && typeof v !== 'string') throw new ControlError(400, `field ${k} must be a string or null`);
      if (key === 'managerWid' && v !== null && (!this.byWid.has(v) || v === w.wid))
        throw new ControlError(400, `no manager ${v}`);
      if (key === 'locationId') {
        const loc = [...this.locations.values()].find((l) => l.descriptor === v || l.id === v);
        if (!loc) throw new ControlError(400, `no location ${String(v)}`);
        next.locationId = loc.id;
        continue;
      }
      if ((key === 'firstName' || key === 'lastName' || key === 'title' || key === 'hireDate') && !v) {
        throw new ControlError(400, `field ${k} is required`);
      }
      (next as Record<string, unknown>)[key] = v;
    }
    if (next.managerWid !== w.managerWid) {
      const org = [...this.organizations.values()].find((o) => o.managerWid === next.managerWid);
      const manager = next.managerWid ? this.byWid.get(next.managerWid)! : null;
      if (org) next.organizationId = org.id;
      else if (manager) {
        const id = workdayId(this.idRng);
        this.organizations.set(id, {
          id,
          descriptor: `${manager.title} (${manager.firstName} ${manager.lastName})`,
          managerWid: manager.wid,
        });
        next.organizationId = id;
      }
    }
    Object.assign(w, next);
  }

  private view(w: Worker): ControlRecord {
    return {
      system: 'workday',
      object: 'workers',
      id: w.wid,
      entityId: w.entityId,
      fields: this.reportRow(w),
      deleted: w.status !== 'Active',
    };
  }

  create(object: string, fields: Record<string, unknown>, entityId?: string): ControlRecord {
    if (object !== 'workers') throw new ControlError(400, `unknown Workday object "${object}" (known: workers)`);
    const root = this.workers.find((w) => w.managerWid === null && w.status === 'Active');
    const now = this.ctx.clock.now();
    const w: Worker = {
      wid: workdayId(this.idRng),
      employeeId: String(this.nextEmployeeId),
      firstName: '',
      lastName: '',
      email: null,
      phone: null,
      title: 'Associate',
      hireDate: new Date(now).toISOString().slice(0, 10),
      birthDate: null,
      workerType: 'Employee',
      managerWid: null,
      locationId: this.locations.keys().next().value!,
      organizationId: root?.organizationId ?? this.organizations.keys().next().value!,
      modifiedAt: now,
      entityId: entityId ?? `x${String(this.createdEntities + 1).padStart(7, '0')}`,
      status: 'Active',
      terminatedAt: null,
    };
    this.apply(w, { Manager_WID: root?.wid ?? null, ...fields });
    if (!w.firstName || !w.lastName)
      throw new ControlError(400, 'Legal_Name_First_Name and Legal_Name_Last_Name are required');
    this.nextEmployeeId++;
    this.createdEntities++;
    this.workers.push(w);
    this.byWid.set(w.wid, w);
    return this.view(w);
  }

  update(object: string, id: string, fields: Record<string, unknown>): ControlRecord {
    const w = this.existing(object, id);
    if (w.status !== 'Active') throw new ControlError(404, `worker ${id} is terminated`);
    this.apply(w, fields);
    w.modifiedAt = this.ctx.clock.now();
    return this.view(w);
  }

  /** Terminates the worker (see the module comment). */
  remove(object: string, id: string): ControlRecord {
    const w = this.existing(object, id);
    if (w.status === 'Active') {
      w.status = 'Terminated';
      w.terminatedAt = w.modifiedAt = this.ctx.clock.now();
      for (const r of this.workers) {
        if (r.managerWid !== w.wid || r.status !== 'Active') continue;
        r.managerWid = w.managerWid;
        r.organizationId = w.organizationId;
        r.modifiedAt = w.modifiedAt;
      }
    }
    return this.view(w);
  }

  get(object: string, id: string): ControlRecord {
    return this.view(this.existing(object, id));
  }

  /** The company whose employees the workers are. */
  employer(): SeedWorkday['company'] {
    return this.company;
  }

  truth(): TruthRow[] {
    return this.workers.map((w) => ({
      system: 'workday',
      object: 'workers',
      id: w.wid,
      entityId: w.entityId,
      kind: 'person',
    }));
  }
}
