// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import {
  Connector,
  ConnectorIdPath,
  ConnectorList,
  CreateConnectorRequest,
  EntityRelations,
  EntityRelationsQuery,
  EntitySources,
  ListConnectorsQuery,
  ListSyncRunsQuery,
  StartSyncRequest,
  SyncRun,
  SyncRunIdPath,
  SyncRunList,
  SyncStarted,
  UpdateConnectorRequest,
} from './connectors.js';
import { EntityIdPath } from './entity.js';
import { routeContract } from './route-contract.js';

/*
 * Example bodies of the connector routes, shown in the OpenAPI document. Typed by their schemas, and a unit test
 * parses each with its route's contract (test/unit/openapi-document.test.ts), so they cannot drift. The secrets
 * are placeholders: a response never carries credentials, only their kind.
 */
const CONNECTOR_ID = 'c0a8e2f4-6b1d-4e3a-9c7f-2d5b8a1e4f60';
const PERSON_ID = '5e2b9c4a-1f7d-4a3e-8b6c-0d9e2f1a3b4c';
const OTHER_PERSON_ID = '8a1c3e5f-7b9d-4f2a-9c4e-6b8d0f2a4c6e';
const ORGANIZATION_ID = '2f4a6c8e-0b1d-4e3f-8a5c-7e9b1d3f5a7c';

export const CREATE_CONNECTOR_EXAMPLE = {
  system: 'salesforce',
  name: 'Salesforce production',
  baseUrl: 'https://acme.my.salesforce.com',
  credentials: { kind: 'client_credentials', clientId: '3MVG9-example-client-id', clientSecret: '<client secret>' },
  settings: { objects: ['Account', 'Contact'], pageSize: 2000, apiVersion: 'v62.0' },
  schedule: 'rate(1 hour)',
} satisfies z.input<typeof CreateConnectorRequest>;

export const CONNECTOR_EXAMPLE = {
  id: CONNECTOR_ID,
  system: 'salesforce',
  name: CREATE_CONNECTOR_EXAMPLE.name,
  baseUrl: CREATE_CONNECTOR_EXAMPLE.baseUrl,
  credentialsKind: 'client_credentials',
  settings: CREATE_CONNECTOR_EXAMPLE.settings,
  schedule: 'rate(1 hour)',
  enabled: true,
  activeRunId: null,
  lastRun: null,
  version: 1,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:00:00.000Z',
} satisfies z.output<typeof Connector>;

export const UPDATE_CONNECTOR_EXAMPLE = {
  version: 1,
  schedule: 'cron(0 2 * * ? *)',
  enabled: false,
} satisfies z.input<typeof UpdateConnectorRequest>;

export const UPDATED_CONNECTOR_EXAMPLE = {
  ...CONNECTOR_EXAMPLE,
  schedule: 'cron(0 2 * * ? *)',
  enabled: false,
  version: 2,
  updatedAt: '2026-11-30T10:00:00.000Z',
} satisfies z.output<typeof Connector>;

export const ENTITY_SOURCES_EXAMPLE = {
  items: [
    {
      entityId: PERSON_ID,
      connectorId: CONNECTOR_ID,
      system: 'salesforce',
      object: 'Contact',
      sourceId: '003Dn00000AbCdEIAZ',
      syncedAt: '2026-11-30T09:05:00.000Z',
      modifiedAt: '2026-11-29T16:20:00.000Z',
      deletedAt: null,
      attributes: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', source: 'salesforce' },
    },
    {
      entityId: OTHER_PERSON_ID,
      connectorId: 'b7d9f1a3-5c7e-4b9d-8f1a-3c5e7b9d1f3a',
      system: 'hubspot',
      object: 'contacts',
      sourceId: '51',
      syncedAt: '2026-11-30T09:06:00.000Z',
      modifiedAt: '2026-11-30T08:00:00.000Z',
      deletedAt: null,
      attributes: { firstName: 'Ada', lastName: 'Lovelace', phone: '+442079460000', source: 'hubspot' },
    },
  ],
  golden: {
    clusterId: 'cl_person_5e2b9c4a',
    entityIds: [PERSON_ID, OTHER_PERSON_ID],
    attributes: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+442079460000' },
    provenance: {
      firstName: {
        entityId: PERSON_ID,
        system: 'salesforce',
        sourceId: '003Dn00000AbCdEIAZ',
        syncedAt: '2026-11-30T09:05:00.000Z',
        decidedBy: 'sourceTrust',
      },
      lastName: {
        entityId: PERSON_ID,
        system: 'salesforce',
        sourceId: '003Dn00000AbCdEIAZ',
        syncedAt: '2026-11-30T09:05:00.000Z',
        decidedBy: 'sourceTrust',
      },
      email: {
        entityId: PERSON_ID,
        system: 'salesforce',
        sourceId: '003Dn00000AbCdEIAZ',
        syncedAt: '2026-11-30T09:05:00.000Z',
        decidedBy: 'only value',
      },
      phone: {
        entityId: OTHER_PERSON_ID,
        system: 'hubspot',
        sourceId: '51',
        syncedAt: '2026-11-30T09:06:00.000Z',
        decidedBy: 'only value',
      },
    },
  },
  members: { total: 2, read: 2 },
  truncated: false,
} satisfies z.output<typeof EntitySources>;

export const ENTITY_RELATIONS_EXAMPLE = {
  items: [
    {
      kind: 'works-at',
      direction: 'out',
      entityId: ORGANIZATION_ID,
      connectorId: CONNECTOR_ID,
      syncedAt: '2026-11-30T09:05:00.000Z',
    },
  ],
  nextCursor: null,
} satisfies z.output<typeof EntityRelations>;

/** The body of a 204: none (the document describes no content for it). */
const NoContent = z.undefined();

/** API contracts of the connector routes and the entity provenance reads (merged into ROUTE_CONTRACTS in routes.ts). */
export const CONNECTOR_ROUTE_CONTRACTS = {
  'POST /api/v1/connectors': routeContract({
    function: 'CreateConnector',
    auth: 'jwt',
    summary:
      "Configure a connector (admin): settings checked against the system's registry entry, credentials sealed with the tenant's key and never returned",
    permission: 'connectors:manage',
    body: CreateConnectorRequest,
    status: 201,
    response: Connector,
    examples: { request: CREATE_CONNECTOR_EXAMPLE, response: CONNECTOR_EXAMPLE },
  }),
  'GET /api/v1/connectors': routeContract({
    function: 'ListConnectors',
    auth: 'jwt',
    summary: "The tenant's connectors, newest first (no credentials)",
    permission: 'connectors:read',
    query: ListConnectorsQuery,
    status: 200,
    response: ConnectorList,
  }),
  'GET /api/v1/connectors/{id}': routeContract({
    function: 'GetConnector',
    auth: 'jwt',
    summary: 'A connector (no credentials, only their kind)',
    permission: 'connectors:read',
    params: ConnectorIdPath,
    status: 200,
    response: Connector,
    examples: { response: CONNECTOR_EXAMPLE },
  }),
  'PATCH /api/v1/connectors/{id}': routeContract({
    function: 'UpdateConnector',
    auth: 'jwt',
    summary:
      'Change a connector with the version read (409 if it changed); `credentials` replaces the stored ones (admin)',
    permission: 'connectors:manage',
    params: ConnectorIdPath,
    body: UpdateConnectorRequest,
    status: 200,
    response: Connector,
    examples: { request: UPDATE_CONNECTOR_EXAMPLE, response: UPDATED_CONNECTOR_EXAMPLE },
  }),
  'DELETE /api/v1/connectors/{id}': routeContract({
    function: 'DeleteConnector',
    auth: 'jwt',
    summary:
      'Delete a connector, its schedule, token and cursors (409 while a sync runs); synced entities and their source records stay (admin)',
    permission: 'connectors:manage',
    params: ConnectorIdPath,
    status: 204,
    response: NoContent,
  }),
  'POST /api/v1/connectors/{id}/sync': routeContract({
    function: 'StartSync',
    auth: 'jwt',
    summary: 'Start a sync run of the connector (incremental, or `full`); 409 while one of it runs (admin)',
    permission: 'connectors:manage',
    params: ConnectorIdPath,
    body: StartSyncRequest,
    status: 202,
    response: SyncStarted,
  }),
  // Before the runs of a connector: /connectors/runs/<x> is this route, as API Gateway's literal segment decides.
  'GET /api/v1/connectors/runs/{runId}': routeContract({
    function: 'GetSyncRun',
    auth: 'jwt',
    summary: 'A sync run: status, counts per object, progress and gaps',
    permission: 'connectors:read',
    params: SyncRunIdPath,
    status: 200,
    response: SyncRun,
  }),
  'GET /api/v1/connectors/{id}/runs': routeContract({
    function: 'ListSyncRuns',
    auth: 'jwt',
    summary: "The connector's sync runs, newest first",
    permission: 'connectors:read',
    params: ConnectorIdPath,
    query: ListSyncRunsQuery,
    status: 200,
    response: SyncRunList,
  }),
  'GET /api/v1/entities/{id}/sources': routeContract({
    function: 'GetEntitySources',
    auth: 'jwt',
    summary:
      'Provenance: the source records of the entity and of the entities resolved to the same thing, with the golden record and which record gave each of its values',
    permission: 'entities:read',
    params: EntityIdPath,
    status: 200,
    response: EntitySources,
    examples: { response: ENTITY_SOURCES_EXAMPLE },
  }),
  'GET /api/v1/entities/{id}/relations': routeContract({
    function: 'GetEntityRelations',
    auth: 'jwt',
    summary: "The entity's relations (works-at, owns-deal, deal-with, reports-to, employed-as), by kind and direction",
    permission: 'entities:read',
    params: EntityIdPath,
    query: EntityRelationsQuery,
    status: 200,
    response: EntityRelations,
    examples: { response: ENTITY_RELATIONS_EXAMPLE },
  }),
};
