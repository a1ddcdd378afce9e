/**
 * The control API of the fakes, for tests and benches: change, create and delete records at a vendor, expire
 * tokens, arm faults, move the clock, change limits, reset, read the counters and the ground truth. The same
 * operations serve `/_control/*` (loopback only, no auth) and the `control` object of `startFakeVendors`.
 */
import type { VendorClock } from './clock.js';
import { type ArmedFault, type FaultBook, type FaultKind, isFaultKind } from './faults.js';
import {
  type VendorSettings,
  type VendorSettingsPatch,
  type VendorSystem,
  VendorOptionsError,
  applySettings,
  isVendorSystem,
} from './options.js';
import type { SeedData } from './seed/types.js';
import type { VendorStats } from './stats.js';
import type { PrintedCredentials, TokenStore } from './tokens.js';
import { ControlError, type ControlRecord, type FakeVendor, type TruthRow } from './vendor.js';

/** The line the CLI prints once listening, and what `startFakeVendors` returns as `credentials`. */
export interface FakeVendorCredentials {
  url: string;
  salesforce: PrintedCredentials;
  hubspot: PrintedCredentials;
  workday: PrintedCredentials & { tenant: string; reportPath: string };
}

export interface FakeVendorStats {
  /** Requests per system and path kind. */
  requests: Record<VendorSystem, Record<string, number>>;
  totals: Record<VendorSystem, number>;
  /** Refusals by the vendors' own limiters (Salesforce daily limit, HubSpot rolling limit, Workday throttle). */
  rateLimited: Record<VendorSystem, number>;
  unauthorized: Record<VendorSystem, number>;
  /** Injected faults served, per system and kind. */
  faults: Record<VendorSystem, Partial<Record<FaultKind, number>>>;
  /** Access tokens issued by the token endpoints. */
  tokensIssued: Record<VendorSystem, number>;
  salesforceApiUsage: { used: number; limit: number };
}

export interface FakeVendorTruth {
  seed: number;
  records: TruthRow[];
  /** The company whose employees the Workday workers are (an organisation entity in both CRMs). */
  workdayEmployer: { entityId: string; name: string; domain: string };
}

export interface ControlDeps {
  vendors: Record<VendorSystem, FakeVendor>;
  clock: VendorClock;
  tokens: TokenStore;
  faults: FaultBook;
  stats: VendorStats;
  settings: VendorSettings;
  initialSettings: VendorSettings;
  seed: SeedData;
  credentials: () => FakeVendorCredentials;
  salesforceUsage: () => number;
}

const systemOf = (s: unknown): VendorSystem => {
  if (!isVendorSystem(s))
    throw new ControlError(400, `system must be salesforce, hubspot or workday, got ${String(s)}`);
  return s;
};

const fieldsOf = (v: unknown): Record<string, unknown> => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ControlError(400, 'fields must be an object');
  return v as Record<string, unknown>;
};

/** The control operations (see docs/fake-vendors.md). Errors are ControlError (400 / 404). */
export class VendorControl {
  constructor(private readonly d: ControlDeps) {}

  credentials(): FakeVendorCredentials {
    return this.d.credentials();
  }

  create(system: VendorSystem, object: string, fields: Record<string, unknown>, entityId?: string): ControlRecord {
    return this.d.vendors[systemOf(system)].create(object, fieldsOf(fields), entityId);
  }

  /** Changes fields of a record and bumps its modification time (SystemModstamp, lastmodifieddate) to now. */
  update(system: VendorSystem, object: string, id: string, fields: Record<string, unknown>): ControlRecord {
    return this.d.vendors[systemOf(system)].update(object, id, fieldsOf(fields));
  }

  /** Salesforce: to the recycle bin; HubSpot: archived; Workday: terminated. */
  remove(system: VendorSystem, object: string, id: string): ControlRecord {
    return this.d.vendors[systemOf(system)].remove(object, id);
  }

  get(system: VendorSystem, object: string, id: string): ControlRecord {
    return this.d.vendors[systemOf(system)].get(object, id);
  }

  /** Expires every access token (of one system, or all). Refresh tokens and client credentials stay valid. */
  expireTokens(system?: VendorSystem): { expired: number } {
    return { expired: this.d.tokens.expireAll(system === undefined ? undefined : systemOf(system)) };
  }

  armFault(input: { system: VendorSystem; pathPrefix?: string; fault: FaultKind; count?: number }): ArmedFault {
    const system = systemOf(input.system);
    if (!isFaultKind(input.fault)) throw new ControlError(400, `unknown fault ${String(input.fault)}`);
    const count = input.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new ControlError(400, 'count must be an integer ≥ 1');
    if (input.pathPrefix !== undefined && typeof input.pathPrefix !== 'string') {
      throw new ControlError(400, 'pathPrefix must be a string');
    }
    return this.d.faults.arm(system, input.pathPrefix ?? '', input.fault, count);
  }

  faults(): ArmedFault[] {
    return this.d.faults.list();
  }

  clearFaults(): void {
    this.d.faults.clear();
  }

  now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  /** Moves the fakes' clock forward (or back) by `ms`: token lifetimes, locators and the deletion window follow. */
  advanceClock(ms: number): string {
    if (!Number.isFinite(ms)) throw new ControlError(400, 'advanceMs must be a number');
    this.d.clock.advance(ms);
    return this.now();
  }

  setClock(instant: string | number): string {
    const ms = typeof instant === 'number' ? instant : Date.parse(instant);
    if (!Number.isFinite(ms)) throw new ControlError(400, 'now must be an ISO instant or epoch ms');
    this.d.clock.set(ms);
    return this.now();
  }

  settings(): VendorSettings {
    return structuredClone(this.d.settings);
  }

  changeSettings(patch: VendorSettingsPatch): VendorSettings {
    try {
      applySettings(this.d.settings, patch);
    } catch (e) {
      if (e instanceof VendorOptionsError) throw new ControlError(400, e.message);
      throw e;
    }
    return this.settings();
  }

  stats(): FakeVendorStats {
    const s = this.d.stats;
    return structuredClone({
      requests: s.requests,
      totals: s.totals(),
      rateLimited: s.rateLimited,
      unauthorized: s.unauthorized,
      faults: this.d.faults.injected,
      tokensIssued: this.d.tokens.issued,
      salesforceApiUsage: { used: this.d.salesforceUsage(), limit: this.d.settings.salesforce.dailyLimit },
    });
  }

  resetStats(): void {
    this.d.stats.reset();
    this.d.faults.resetCounts();
  }

  /** For every vendor record (deleted ones too), the generator's entity it describes. */
  truth(filter: { system?: VendorSystem; object?: string } = {}): FakeVendorTruth {
    const systems = filter.system ? [systemOf(filter.system)] : (['salesforce', 'hubspot', 'workday'] as const);
    const records = systems
      .flatMap((s) => this.d.vendors[s].truth())
      .filter((r) => filter.object === undefined || r.object === filter.object);
    const c = this.d.seed.workday.company;
    return {
      seed: this.d.seed.seed,
      records,
      workdayEmployer: { entityId: c.entityId, name: c.name, domain: c.domain },
    };
  }

  /** Back to the seeded data and the starting settings; faults, counters, clock offset and issued tokens cleared. */
  reset(): void {
    Object.assign(this.d.settings, structuredClone(this.d.initialSettings));
    this.d.clock.reset();
    this.d.tokens.restorePrinted(this.d.settings.printedTokenLifetimeMs);
    this.d.faults.clear();
    this.d.faults.resetCounts();
    this.d.stats.reset();
    for (const v of Object.values(this.d.vendors)) v.reset(this.d.seed);
  }
}

interface ControlAnswer {
  status: number;
  json: unknown;
}

const ok = (json: unknown, status = 200): ControlAnswer => ({ status, json });

/** Routes `/_control/*` requests to the operations; the body is JSON. */
export function handleControl(
  control: VendorControl,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): ControlAnswer {
  const b = (body ?? {}) as Record<string, unknown>;
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  const rec = /^\/_control\/records\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path.replace(/\/+$/, ''));
  if (rec) {
    const [, system, object, id] = rec.map(decodeURIComponent) as [string, string, string, string];
    if (method === 'GET') return ok(control.get(system as VendorSystem, object, id));
    if (method === 'PATCH') return ok(control.update(system as VendorSystem, object, id, fieldsOf(b.fields)));
    if (method === 'DELETE') return ok(control.remove(system as VendorSystem, object, id));
    return { status: 405, json: { error: `${method} not allowed here` } };
  }
  switch (route) {
    case 'GET /_control':
      return ok({ routes: CONTROL_ROUTES });
    case 'GET /_control/credentials':
      return ok(control.credentials());
    case 'GET /_control/truth':
      return ok(
        control.truth({
          ...(query.get('system') ? { system: query.get('system') as VendorSystem } : {}),
          ...(query.get('object') ? { object: query.get('object')! } : {}),
        }),
      );
    case 'GET /_control/stats':
      return ok(control.stats());
    case 'DELETE /_control/stats':
      control.resetStats();
      return ok(control.stats());
    case 'GET /_control/settings':
      return ok(control.settings());
    case 'PATCH /_control/settings':
      return ok(control.changeSettings(b as VendorSettingsPatch));
    case 'POST /_control/records':
      if (typeof b.object !== 'string') throw new ControlError(400, 'object is required');
      if (b.entityId !== undefined && typeof b.entityId !== 'string')
        throw new ControlError(400, 'entityId must be a string');
      return ok(
        control.create(b.system as VendorSystem, b.object, fieldsOf(b.fields ?? {}), b.entityId as string | undefined),
        201,
      );
    case 'POST /_control/tokens/expire':
      return ok(control.expireTokens(b.system === undefined ? undefined : (b.system as VendorSystem)));
    case 'GET /_control/faults':
      return ok({ armed: control.faults() });
    case 'POST /_control/faults':
      return ok(
        control.armFault({
          system: b.system as VendorSystem,
          fault: b.fault as FaultKind,
          ...(b.pathPrefix !== undefined ? { pathPrefix: b.pathPrefix as string } : {}),
          ...(b.count !== undefined ? { count: b.count as number } : {}),
        }),
        201,
      );
    case 'DELETE /_control/faults':
      control.clearFaults();
      return ok({ armed: [] });
    case 'GET /_control/clock':
      return ok({ now: control.now() });
    case 'POST /_control/clock':
      if (b.advanceMs !== undefined) return ok({ now: control.advanceClock(Number(b.advanceMs)) });
      if (b.now !== undefined) return ok({ now: control.setClock(b.now as string | number) });
      throw new ControlError(400, 'give advanceMs or now');
    case 'POST /_control/reset':
      control.reset();
      return ok({ reset: true });
    default:
      return { status: 404, json: { error: `no control route ${route}`, routes: CONTROL_ROUTES } };
  }
}

export const CONTROL_ROUTES = [
  'GET /_control/credentials',
  'GET /_control/truth[?system=&object=]',
  'GET /_control/stats',
  'DELETE /_control/stats',
  'GET /_control/settings',
  'PATCH /_control/settings',
  'POST /_control/records',
  'GET /_control/records/{system}/{object}/{id}',
  'PATCH /_control/records/{system}/{object}/{id}',
  'DELETE /_control/records/{system}/{object}/{id}',
  'POST /_control/tokens/expire',
  'GET /_control/faults',
  'POST /_control/faults',
  'DELETE /_control/faults',
  'GET /_control/clock',
  'POST /_control/clock',
  'POST /_control/reset',
];
