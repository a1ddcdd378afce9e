/**
 * HubSpot CRM v3 (docs/connectors.md) through `@hubspot/api-client`:
 *
 * - full pass: the object listing (`basicApi.getPage`) with properties and associations, `paging.next.after`;
 *   position `{ "m": "list", "a": after, "t": trail }`;
 * - incremental pass: search on the object's modification property (`GTE since`, ascending), whose results carry no
 *   associations: they are read with the v4 associations batch read and put on each record in the listing's shape.
 *   A search reaches 10,000 results at most, so when `after` would reach 10,000 the search starts again with its
 *   lower bound moved to the last modification instant seen, skipping the ids already returned at that instant.
 *   Position `{ "m": "search", "lb": epoch ms, "a": after | null, "tot": first total, "tms": instant, "tids": ids }`,
 *   where `tms`/`tids` are the latest instant returned so far and the ids returned at it (the skip list of the
 *   next restart, and of this segment when it is one);
 * - deletions: the archived listing (`archived=true`), archived in the requested window.
 */
import type { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter.js';
import type { PublicObjectSearchRequest } from '@hubspot/api-client/lib/codegen/crm/objects/models/PublicObjectSearchRequest.js';
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
import type { RawResponse } from '../shared/ports.js';
import { decodePosition, encodePosition, extendTrail, TRAIL_LENGTH } from '../shared/positions.js';
import { type ClientRuntime, clampPageSize, parseInstant, requireObject } from '../shared/runtime.js';
import type { CallContext } from '../shared/vendor-guard.js';
import { hubspotErrorBody, hubspotQuota } from './classify.js';
import { hubspotAttempt } from './library.js';
import { HUBSPOT_OBJECTS, type HubspotObject, listingTypes } from './objects.js';

const VENDOR = 'HubSpot';
/** A search answers at most this many results per query (`after` ≥ 10000 is refused). */
export const HUBSPOT_SEARCH_RESULT_CAP = 10_000;

const Paging = z.object({ next: z.object({ after: z.string().min(1) }).optional() }).optional();
const ListPage = z.object({ results: z.array(z.unknown()), paging: Paging });
const SearchPage = z.object({
  total: z.number().int().nonnegative(),
  results: z.array(z.unknown()),
  paging: z
    .object({ next: z.object({ after: z.string().regex(/^\d+$/, 'not a result offset') }).optional() })
    .optional(),
});
const AssociationsPage = z.object({
  results: z.array(
    z.object({
      from: z.object({ id: z.string().min(1) }),
      to: z.array(
        z.object({
          toObjectId: z.union([z.string().min(1), z.number().int()]),
          associationTypes: z.array(z.object({ label: z.string().nullable().optional() })).default([]),
        }),
      ),
    }),
  ),
});

const Trail = z.array(z.string()).max(TRAIL_LENGTH);
const ListPosition = z.strictObject({ m: z.literal('list'), a: z.string().min(1), t: Trail });
const ArchivedPosition = z.strictObject({ m: z.literal('archived'), a: z.string().min(1), t: Trail });
const SearchPosition = z.strictObject({
  m: z.literal('search'),
  lb: z.number().int().nonnegative(),
  a: z.string().regex(/^\d+$/).nullable(),
  tot: z.number().int().nonnegative().nullable(),
  tms: z.number().int().nonnegative(),
  tids: z.array(z.string()),
});
type SearchPosition = z.infer<typeof SearchPosition>;

type HubspotRecord = Record<string, unknown> & { id: string };

export class HubspotClient implements SourceClient {
  readonly system = 'hubspot' as const;

  constructor(private readonly runtime: ClientRuntime) {}

  async readPage(request: PageRequest): Promise<SourcePage> {
    const spec = requireObject('hubspot', request.object);
    const object = HUBSPOT_OBJECTS[spec.name]!;
    const limit = clampPageSize(request.pageSize, 1, CONNECTOR_REGISTRY.hubspot.maxPageSize);
    if (request.since !== null && spec.modifiedField) {
      const position = request.position === null ? null : decodePosition(request.position, SearchPosition, VENDOR);
      const lowerBound = parseInstant(request.since, 'since').getTime();
      return this.runtime.guard.run((context) =>
        this.searchPage(context, spec.name, spec.modifiedField!, object, limit, lowerBound, position),
      );
    }
    const position = request.position === null ? null : decodePosition(request.position, ListPosition, VENDOR);
    return this.runtime.guard.run(async (context) => {
      const what = `${spec.name} listing page`;
      const { response, page, records } = await this.listPage(
        context,
        what,
        spec.name,
        object,
        limit,
        position?.a,
        false,
      );
      // The listing says nothing of how many there are: on the first page of a full pass, one search (no filter,
      // limit 1) gives the total the completeness check compares the records read with.
      const total = position === null ? await this.countObjects(context, spec.name) : null;
      return {
        records,
        body: response.body,
        next: this.nextListPosition('list', page, position, what),
        total,
        ...quotaOf(response),
        stats: context.stats,
      };
    });
  }

  /** How many objects of the type HubSpot holds (not archived), from a search's `total`. */
  private async countObjects(context: CallContext, objectType: string): Promise<number> {
    const what = `${objectType} count`;
    const body: PublicObjectSearchRequest = { filterGroups: [], properties: ['hs_object_id'], limit: 1 };
    const { response } = await context.send(
      what,
      hubspotAttempt(this.runtime, (client) => client.crm.objects.searchApi.doSearchWithHttpInfo(objectType, body)),
    );
    const page = parseEnvelope(response, { vendor: VENDOR, what, schema: SearchPage, errorBody: hubspotErrorBody });
    return page.total;
  }

  async readDeleted(request: DeletedRequest): Promise<DeletedPage> {
    const spec = requireObject('hubspot', request.object);
    const object = HUBSPOT_OBJECTS[spec.name]!;
    const since = parseInstant(request.since, 'since').getTime();
    const until = parseInstant(request.until, 'until').getTime();
    const position = request.position === null ? null : decodePosition(request.position, ArchivedPosition, VENDOR);
    return this.runtime.guard.run(async (context) => {
      const what = `${spec.name} archived listing page`;
      const limit = CONNECTOR_REGISTRY.hubspot.maxPageSize;
      const { response, page, records } = await this.listPage(
        context,
        what,
        spec.name,
        object,
        limit,
        position?.a,
        true,
      );
      const ids = records
        .filter((record) => {
          // No archive instant: reported (a deletion applied twice is harmless, one missed is not).
          const at = typeof record.archivedAt === 'string' ? Date.parse(record.archivedAt) : Number.NaN;
          return Number.isNaN(at) || (at >= since && at < until);
        })
        .map((record) => record.id);
      return {
        ids,
        body: response.body,
        next: this.nextListPosition('archived', page, position, what),
        stats: context.stats,
      };
    });
  }

  private async listPage(
    context: CallContext,
    what: string,
    objectType: string,
    object: HubspotObject,
    limit: number,
    after: string | undefined,
    archived: boolean,
  ) {
    const { response } = await context.send(
      what,
      hubspotAttempt(this.runtime, (client) =>
        client.crm.objects.basicApi.getPageWithHttpInfo(
          objectType,
          limit,
          after,
          // One comma-separated value each, as the API documents (`properties=a,b`).
          [object.properties.join(',')],
          undefined,
          object.associations.length > 0 && !archived ? [object.associations.join(',')] : undefined,
          archived,
        ),
      ),
    );
    const page = parseEnvelope(response, { vendor: VENDOR, what, schema: ListPage, errorBody: hubspotErrorBody });
    checkRecordIds(page.results, 'id', VENDOR, what);
    return { response, page, records: page.results as HubspotRecord[] };
  }

  private nextListPosition<M extends 'list' | 'archived'>(
    mode: M,
    page: z.infer<typeof ListPage>,
    position: { a: string; t: string[] } | null,
    what: string,
  ): string | null {
    const after = page.paging?.next?.after;
    if (!after) return null;
    const trail = extendTrail(position?.t ?? [], position?.a ?? null, after, VENDOR, what);
    return encodePosition({ m: mode, a: after, t: trail });
  }

  private async searchPage(
    context: CallContext,
    objectType: string,
    modifiedField: string,
    object: HubspotObject,
    limit: number,
    since: number,
    position: SearchPosition | null,
  ): Promise<SourcePage> {
    const what = `${objectType} search page`;
    const state: SearchPosition = position ?? { m: 'search', lb: since, a: null, tot: null, tms: since, tids: [] };
    // The ids already returned at the lower bound's instant (a restarted search returns them again).
    const skip = state.tms === state.lb ? new Set(state.tids) : new Set<string>();
    const body: PublicObjectSearchRequest = {
      filterGroups: [
        { filters: [{ propertyName: modifiedField, operator: FilterOperatorEnum.Gte, value: String(state.lb) }] },
      ],
      // The generated model types sorts as strings; the API takes (and the serializer passes through) objects.
      sorts: [{ propertyName: modifiedField, direction: 'ASCENDING' }] as unknown as string[],
      properties: [...object.properties],
      limit,
      ...(state.a !== null ? { after: state.a } : {}),
    };
    const { response } = await context.send(
      what,
      hubspotAttempt(this.runtime, (client) => client.crm.objects.searchApi.doSearchWithHttpInfo(objectType, body)),
    );
    const page = parseEnvelope(response, { vendor: VENDOR, what, schema: SearchPage, errorBody: hubspotErrorBody });
    checkRecordIds(page.results, 'id', VENDOR, what);

    let tms = state.tms;
    let tids = [...state.tids];
    const records: HubspotRecord[] = [];
    (page.results as HubspotRecord[]).forEach((record, i) => {
      const properties = record.properties as Record<string, unknown> | undefined;
      const raw = properties?.[modifiedField];
      const at = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
      if (Number.isNaN(at)) throw malformed(`${VENDOR} ${what}: results[${i}] has no ${modifiedField} instant`);
      if (at === state.lb && skip.has(record.id)) return;
      records.push(record);
      if (at > tms) {
        tms = at;
        tids = [record.id];
      } else if (at === tms) tids.push(record.id);
    });

    let associationBodies: Record<string, string> = {};
    if (records.length > 0 && object.associations.length > 0) {
      associationBodies = await this.addAssociations(context, objectType, object, records);
    }

    const total = state.tot ?? page.total;
    let next: string | null = null;
    const after = page.paging?.next?.after;
    if (after !== undefined) {
      if (state.a !== null && Number(after) <= Number(state.a)) {
        throw malformed(`${VENDOR} ${what}: the next-page offset does not advance (loop)`);
      }
      if (Number(after) >= this.runtime.hubspotSearchCap) {
        if (tms === state.lb) {
          throw new ConnectorError(
            `more than ${this.runtime.hubspotSearchCap} HubSpot ${objectType} were modified at the same instant; run a full sync`,
            { vendorCode: 'SEARCH_RESULT_CAP', retryable: false },
          );
        }
        this.runtime.log('info', 'search restarted at its result cap', {
          connectorId: this.runtime.connector.id,
          object: objectType,
          skipped: tids.length,
        });
        next = encodePosition({ m: 'search', lb: tms, a: null, tot: total, tms, tids });
      } else {
        next = encodePosition({ m: 'search', lb: state.lb, a: after, tot: total, tms, tids });
      }
    }
    const names = Object.keys(associationBodies);
    return {
      records,
      // As received: the search answer alone, or with the association answers it was completed from.
      body:
        names.length === 0
          ? response.body
          : `{"search":${response.body},"associations":{${names.map((n) => `${JSON.stringify(n)}:${associationBodies[n]}`).join(',')}}}`,
      next,
      total,
      ...quotaOf(response),
      stats: context.stats,
    };
  }

  /** Reads the records' associations (v4 batch read per associated object) and sets them in the listing's shape. */
  private async addAssociations(
    context: CallContext,
    objectType: string,
    object: HubspotObject,
    records: HubspotRecord[],
  ): Promise<Record<string, string>> {
    const bodies: Record<string, string> = {};
    const inputs = [...new Set(records.map((r) => r.id))].map((id) => ({ id }));
    for (const to of object.associations) {
      const what = `${objectType} → ${to} associations`;
      const { response } = await context.send(
        what,
        hubspotAttempt(this.runtime, (client: Client) =>
          client.crm.associations.v4.batchApi.getPageWithHttpInfo(objectType, to, { inputs }),
        ),
      );
      const answer = parseEnvelope(response, {
        vendor: VENDOR,
        what,
        schema: AssociationsPage,
        errorBody: hubspotErrorBody,
      });
      const byId = new Map<string, Array<{ id: string; type: string }>>();
      for (const result of answer.results) {
        const list = byId.get(result.from.id) ?? [];
        for (const target of result.to) {
          const labels = target.associationTypes.map((t) => t.label ?? null);
          for (const type of listingTypes(objectType, to, labels)) list.push({ id: String(target.toObjectId), type });
        }
        byId.set(result.from.id, list);
      }
      for (const record of records) {
        const results = byId.get(record.id) ?? [];
        // Like a listing: no association key for an object the record has none of.
        if (results.length === 0) continue;
        const existing = (record.associations as Record<string, unknown> | undefined) ?? {};
        record.associations = { ...existing, [to]: { results } };
      }
      bodies[to] = response.body;
    }
    return bodies;
  }
}

function quotaOf(response: RawResponse): { quota?: { limit?: number; remaining?: number } } {
  const quota = hubspotQuota(response.headers);
  return quota ? { quota } : {};
}
