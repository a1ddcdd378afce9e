/**
 * Workday (docs/connectors.md) over fetch-style requests and zod: no client library exists on npm.
 *
 * - `workers`: the REST collection `{ data, total }`, `limit` ≤ 100 and `offset`. Pages are read until one is short,
 *   whatever `total` says (some endpoints give it only on the first page). Position `{ "o": offset, "tot": first
 *   total, "f": first id of the previous page }`; a page starting with the previous page's first record means the
 *   offset was ignored, which would page forever: MalformedPageError.
 * - `workerReport`: a RaaS custom report `{ Report_Entry: [...] }`, the whole report in one answer.
 * Both are full passes every time (no modification field): deletions are found by the engine's full-pass diff.
 */
import * as z from 'zod';
import { ConnectorError } from '../../../domain/connectors/errors.js';
import type { PageRequest, SourceClient, SourcePage } from '../../../domain/connectors/ports.js';
import { CONNECTOR_REGISTRY } from '../../../domain/connectors/registry.js';
import { guardedExchange } from '../shared/http-exchange.js';
import { checkRecordIds, malformed, parseEnvelope } from '../shared/page-envelope.js';
import { decodePosition, encodePosition } from '../shared/positions.js';
import { type ClientRuntime, clampPageSize, requireObject } from '../shared/runtime.js';
import type { Attempt } from '../shared/vendor-guard.js';
import { workdayErrorBody } from './classify.js';

const VENDOR = 'Workday';

const WorkersPage = z.object({ data: z.array(z.unknown()), total: z.number().int().nonnegative().optional() });
const ReportPage = z.object({ Report_Entry: z.array(z.unknown()) });
const Position = z.strictObject({
  o: z.number().int().positive(),
  tot: z.number().int().nonnegative().nullable(),
  f: z.string().nullable(),
});

export class WorkdayClient implements SourceClient {
  readonly system = 'workday' as const;
  private readonly base: string;

  constructor(private readonly runtime: ClientRuntime) {
    this.base = runtime.connector.baseUrl.replace(/\/+$/, '');
  }

  async readPage(request: PageRequest): Promise<SourcePage> {
    const spec = requireObject('workday', request.object);
    const tenant = this.setting('tenant');
    if (spec.name === 'workerReport') return this.readReport(tenant);

    const limit = clampPageSize(request.pageSize, 1, CONNECTOR_REGISTRY.workday.maxPageSize);
    const position = request.position === null ? null : decodePosition(request.position, Position, VENDOR);
    const offset = position?.o ?? 0;
    const what = 'workers page';
    const url = `${this.base}/ccx/api/v1/${encodeURIComponent(tenant)}/workers?limit=${limit}&offset=${offset}`;
    return this.runtime.guard.run(async (context) => {
      const { response } = await context.send(what, this.get(url));
      const page = parseEnvelope(response, { vendor: VENDOR, what, schema: WorkersPage, errorBody: workdayErrorBody });
      const ids = checkRecordIds(page.data, 'id', VENDOR, what);
      if (position?.f && ids[0] === position.f) {
        throw malformed(`${VENDOR} ${what}: offset ${offset} answered the previous page again (offset ignored)`);
      }
      const total = position?.tot ?? page.total ?? null;
      const next =
        page.data.length < limit
          ? null
          : encodePosition({ o: offset + page.data.length, tot: total, f: ids[0] ?? null });
      return { records: page.data, body: response.body, next, total, stats: context.stats };
    });
  }

  private async readReport(tenant: string): Promise<SourcePage> {
    const reportPath = this.setting('reportPath');
    const [owner, report] = reportPath.split('/') as [string, string];
    const url =
      `${this.base}/ccx/service/customreport2/${encodeURIComponent(tenant)}/` +
      `${encodeURIComponent(owner)}/${encodeURIComponent(report)}?format=json`;
    const what = 'worker report';
    return this.runtime.guard.run(async (context) => {
      const { response } = await context.send(what, this.get(url));
      const page = parseEnvelope(response, { vendor: VENDOR, what, schema: ReportPage, errorBody: workdayErrorBody });
      checkRecordIds(page.Report_Entry, 'Worker_WID', VENDOR, what);
      return {
        records: page.Report_Entry,
        body: response.body,
        next: null,
        // A report says nothing of how many workers it should hold: no count to check the rows against.
        total: null,
        stats: context.stats,
      };
    });
  }

  private get(url: string): Attempt {
    return (token, signal) =>
      guardedExchange(
        { method: 'GET', url, headers: { authorization: `Bearer ${token.accessToken}`, accept: 'application/json' } },
        {
          policy: this.runtime.policy,
          agents: this.runtime.agents,
          system: VENDOR,
          signal,
          maxResponseBytes: this.runtime.maxResponseBytes,
        },
      );
  }

  private setting(name: 'tenant' | 'reportPath'): string {
    const value = this.runtime.connector.settings[name];
    if (!value) {
      throw new ConnectorError(`Workday connectors need settings.${name}`, { vendorCode: 'CONFIG', retryable: false });
    }
    return value;
  }
}
