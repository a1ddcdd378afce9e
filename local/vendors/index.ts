/**
 * Fake Salesforce, HubSpot and Workday APIs on one loopback server, seeded from the adversarial generator, for
 * `npm start`, demos, benches and the contract tests of the vendor clients. See docs/fake-vendors.md.
 *
 * ```ts
 * const vendors = await startFakeVendors({ port: 0, seed: 1, records: 300 });
 * // vendors.url + '/salesforce', vendors.credentials.hubspot.token, vendors.control.expireTokens() …
 * await vendors.stop();
 * ```
 */
import { VendorClock } from './clock.js';
import { type FakeVendorCredentials, VendorControl } from './control.js';
import { FaultBook } from './faults.js';
import { HubSpotFake } from './hubspot/index.js';
import {
  DEFAULT_DATA_EPOCH,
  DEFAULT_PORT,
  DEFAULT_RECORDS,
  DEFAULT_SEED,
  type FakeVendorOptions,
  MAX_RECORDS,
  MIN_RECORDS,
  VendorOptionsError,
  applySettings,
  defaultSettings,
} from './options.js';
import { SalesforceFake } from './salesforce/index.js';
import { buildSeed } from './seed/index.js';
import { FakeVendorServer } from './server.js';
import { VendorStats } from './stats.js';
import { TokenStore } from './tokens.js';
import { WorkdayFake } from './workday/index.js';

export type { FakeVendorCredentials, FakeVendorStats, FakeVendorTruth, VendorControl } from './control.js';
export type { ArmedFault, FaultKind } from './faults.js';
export { FAULT_KINDS } from './faults.js';
export type { FakeVendorOptions, VendorSettings, VendorSettingsPatch, VendorSystem } from './options.js';
export {
  DEFAULT_PORT,
  DEFAULT_RECORDS,
  DEFAULT_SEED,
  MAX_RECORDS,
  MIN_RECORDS,
  VendorOptionsError,
} from './options.js';
export type { ControlRecord, TruthRow } from './vendor.js';
export { ControlError } from './vendor.js';

export interface FakeVendors {
  /** `http://127.0.0.1:<port>`; the vendors are under `/salesforce`, `/hubspot` and `/workday`. */
  url: string;
  credentials: FakeVendorCredentials;
  control: VendorControl;
  stop(): Promise<void>;
}

function checkOptions(seed: number, records: number, port: number): void {
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
    throw new VendorOptionsError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  if (!(Number.isInteger(records) && records >= MIN_RECORDS && records <= MAX_RECORDS)) {
    throw new VendorOptionsError(`records must be an integer in [${MIN_RECORDS}, ${MAX_RECORDS}], got ${records}`);
  }
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new VendorOptionsError(`bad port ${port}`);
}

/**
 * Generates the data for `seed` and `records`, starts the server and resolves once it listens. Throws
 * VendorOptionsError for bad options; the listen error (EADDRINUSE…) as Node gives it.
 */
export async function startFakeVendors(options: FakeVendorOptions = {}): Promise<FakeVendors> {
  const seed = options.seed ?? DEFAULT_SEED;
  const records = options.records ?? DEFAULT_RECORDS;
  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? '127.0.0.1';
  checkOptions(seed, records, port);
  const epoch =
    options.dataEpoch === undefined
      ? DEFAULT_DATA_EPOCH
      : typeof options.dataEpoch === 'number'
        ? options.dataEpoch
        : Date.parse(options.dataEpoch);
  if (!Number.isFinite(epoch))
    throw new VendorOptionsError(`dataEpoch is not an instant: ${String(options.dataEpoch)}`);
  const { port: _p, host: _h, seed: _s, records: _r, dataEpoch: _e, now, ...patch } = options;
  const settings = applySettings(defaultSettings(), patch);
  const initialSettings = structuredClone(settings);

  const clock = new VendorClock(now);
  const tokens = new TokenStore(clock, seed, settings.printedTokenLifetimeMs);
  const stats = new VendorStats();
  const faults = new FaultBook();
  const data = buildSeed({ seed, records, epoch });
  const ctx = { clock, tokens, settings, stats };
  const salesforce = new SalesforceFake(ctx, data);
  const vendors = { salesforce, hubspot: new HubSpotFake(ctx, data), workday: new WorkdayFake(ctx, data) };

  let url = '';
  const credentials = (): FakeVendorCredentials => ({
    url,
    salesforce: tokens.credentials('salesforce'),
    hubspot: tokens.credentials('hubspot'),
    workday: {
      ...tokens.credentials('workday'),
      tenant: settings.workday.tenant,
      reportPath: settings.workday.reportPath,
    },
  });
  const control = new VendorControl({
    vendors,
    clock,
    tokens,
    faults,
    stats,
    settings,
    initialSettings,
    seed: data,
    credentials,
    salesforceUsage: () => salesforce.apiUsage,
  });
  const server = new FakeVendorServer({ vendors, faults, stats, settings, control });
  const bound = await server.listen(port, host);
  url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  return { url, credentials: credentials(), control, stop: () => server.close() };
}
