/**
 * Salesforce REST API (docs/connectors.md) through jsforce: one query batch per `readPage` (the SOQL query, then the
 * `nextRecordsUrl` batches), page size by `Sforce-Query-Options: batchSize=N`, quota from `Sforce-Limit-Info`
 * (`conn.limitInfo.apiUsage`), incremental passes by `SystemModstamp >= since`, deletions by the getDeleted endpoint.
 *
 * Position: `{ "u": nextRecordsUrl, "t": trail }` (the vendor's locator path, and fingerprints of the batches already
 * followed in the pass, which catch a link that loops). An expired locator is CursorExpiredError: the pass restarts.
 */
import { Connection } from '@jsforce/jsforce-node';
import * as z from 'zod';
import { ConnectorError } from '../../../domain/connectors/errors.js';
import type {
  DeletedPage,
  DeletedRequest,
  PageRequest,
  SourceClient,
  SourcePage,
} from '../../../domain/connectors/ports.js';
import { CONNECTOR_REGISTRY } from '../../../domain/connectors/registry.js';
import { checkRecordIds, malformed, parseEnvelope } from '../shared/page-envelope.js';
import { decodePosition, encodePosition, extendTrail, TRAIL_LENGTH } from '../shared/positions.js';
import { type ClientRuntime, clampPageSize, parseInstant, requireObject } from '../shared/runtime.js';
import type { CallContext } from '../shared/vendor-guard.js';
import { salesforceErrorBody } from './classify.js';
import { soqlFor } from './objects.js';
import { GuardedJsforceTransport } from './transport.js';

const VENDOR = 'Salesforce';
const MIN_BATCH = CONNECTOR_REGISTRY.salesforce.minPageSize;
/** getDeleted looks back this far at most; older windows are asked from just inside it. */
const DELETED_LOOKBACK_MS = 15 * 24 * 3600_000;

const NextRecordsUrl = z.string().regex(/^\/services\/data\/v\d{2,3}\.0\/query(All)?\/[A-Za-z0-9_-]+$/, {
  message: 'not a query locator path',
});

const QueryPage = z.object({
  totalSize: z.number().int().nonnegative(),
  done: z.boolean(),
  nextRecordsUrl: NextRecordsUrl.optional(),
  records: z.array(z.unknown()),
});

const DeletedAnswer = z.object({
  deletedRecords: z.array(z.object({ id: z.string().min(1), deletedDate: z.string() })),
  earliestDateAvailable: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a datetime'),
  latestDateCovered: z.string(),
});

const Position = z.strictObject({ u: NextRecordsUrl, t: z.array(z.string()).max(TRAIL_LENGTH) });

export class SalesforceClient implements SourceClient {
  readonly system = 'salesforce' as const;
  private readonly version: string;
  private readonly base: string;

  constructor(private readonly runtime: ClientRuntime) {
    this.version = (runtime.connector.settings.apiVersion ?? 'v62.0').replace(/^v/, '');
    this.base = runtime.connector.baseUrl.replace(/\/+$/, '');
  }

  async readPage(request: PageRequest): Promise<SourcePage> {
    const spec = requireObject('salesforce', request.object);
    const batchSize = clampPageSize(request.pageSize, MIN_BATCH, CONNECTOR_REGISTRY.salesforce.maxPageSize);
    const position = request.position === null ? null : decodePosition(request.position, Position, VENDOR);
    const since = request.since === null ? null : parseInstant(request.since, 'since');
    const what = `${spec.name} query page`;
    const url = position ? position.u : `/query?q=${encodeURIComponent(soqlFor(spec.name, spec.modifiedField, since))}`;

    return this.runtime.guard.run(async (context) => {
      const { conn, transport } = await this.connection(context, what);
      await conn.request({ method: 'GET', url, headers: { 'Sforce-Query-Options': `batchSize=${batchSize}` } });
      const response = transport.last!;
      const page = parseEnvelope(response, { vendor: VENDOR, what, schema: QueryPage, errorBody: salesforceErrorBody });
      checkRecordIds(page.records, 'Id', VENDOR, what);
      let next: string | null = null;
      if (!page.done) {
        if (!page.nextRecordsUrl) throw malformed(`${VENDOR} ${what}: done is false but nextRecordsUrl is missing`);
        const trail = extendTrail(position?.t ?? [], position?.u ?? null, page.nextRecordsUrl, VENDOR, what);
        next = encodePosition({ u: page.nextRecordsUrl, t: trail });
      }
      const usage = conn.limitInfo?.apiUsage;
      return {
        records: page.records,
        body: response.body,
        next,
        total: page.totalSize,
        ...(usage ? { quota: { used: usage.used, limit: usage.limit, remaining: usage.limit - usage.used } } : {}),
        stats: context.stats,
      };
    });
  }

  async readDeleted(request: DeletedRequest): Promise<DeletedPage> {
    const spec = requireObject('salesforce', request.object);
    const since = parseInstant(request.since, 'since');
    const until = parseInstant(request.until, 'until');
    const what = `${spec.name} deleted records`;
    return this.runtime.guard.run(async (context) => {
      const ask = async (start: Date) => {
        const { conn, transport } = await this.connection(context, what);
        const query = `start=${encodeURIComponent(isoSeconds(start))}&end=${encodeURIComponent(isoSeconds(until))}`;
        await conn.request({ method: 'GET', url: `/sobjects/${spec.name}/deleted/?${query}` });
        return transport.last!;
      };
      let response;
      try {
        response = await ask(since);
      } catch (error) {
        // Asked for more than the vendor keeps: ask from just inside its window; the earliest date it then reports
        // is later than `since`, which tells the engine that deletions were lost.
        if (!(error instanceof ConnectorError && error.vendorCode === 'INVALID_REPLICATION_DATE')) throw error;
        response = await ask(new Date(until.getTime() - DELETED_LOOKBACK_MS + 60_000));
      }
      const answer = parseEnvelope(response, {
        vendor: VENDOR,
        what,
        schema: DeletedAnswer,
        errorBody: salesforceErrorBody,
      });
      return {
        ids: answer.deletedRecords.map((r) => r.id),
        body: response.body,
        next: null,
        earliestAvailable: new Date(answer.earliestDateAvailable).toISOString(),
        stats: context.stats,
      };
    });
  }

  /** A jsforce connection whose requests go through this call's guard. */
  private async connection(context: CallContext, what: string) {
    const token = await this.runtime.tokens.get();
    const instanceUrl = (token.instanceUrl ?? this.base).replace(/\/+$/, '');
    const conn = new Connection({ instanceUrl, accessToken: token.accessToken, version: this.version });
    const transport = new GuardedJsforceTransport(this.runtime, context, what, instanceUrl);
    conn._transport = transport;
    return { conn, transport };
  }
}

/** `2026-11-30T10:15:00Z`: getDeleted works to the minute, seconds are accepted. */
function isoSeconds(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}
