/**
 * The platform as data: functions, API routes and event rules. The CDK stack (lib/) and the local
 * runtime (local/) both read this file and nothing else to decide what exists, so they cannot drift;
 * test/infra checks the synthesized template against it.
 */
import type { EventPattern } from '../domain/events/event-pattern.js';

export type TableAccess = 'read' | 'write';

export interface FunctionSpec {
  /** Logical name, PascalCase; also the CDK construct id. */
  name: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  entry: string;
  description: string;
  table?: TableAccess;
  /** Needs to put events on the platform bus. */
  bus?: boolean;
  bucket?: TableAccess;
  /** JWT verification settings (the authorizer). */
  jwt?: boolean;
  memoryMb?: number;
  timeoutSeconds?: number;
}

export const FUNCTIONS = {
  Authorizer: { name: 'Authorizer', entry: 'functions/handlers/authorizer.ts', description: 'Verifies the JWT and passes tenant, subject and roles on', jwt: true },
  Health: { name: 'Health', entry: 'functions/handlers/health.ts', description: 'Liveness of the API' },
  GetOpenApi: { name: 'GetOpenApi', entry: 'functions/handlers/get-openapi.ts', description: 'OpenAPI document generated from the zod schemas' },
  CreateEntity: { name: 'CreateEntity', entry: 'functions/handlers/create-entity.ts', description: 'Creates an entity', table: 'write' },
  ListEntities: { name: 'ListEntities', entry: 'functions/handlers/list-entities.ts', description: 'Lists entities', table: 'read' },
  GetEntity: { name: 'GetEntity', entry: 'functions/handlers/get-entity.ts', description: 'Reads one entity', table: 'read' },
  UpdateEntity: { name: 'UpdateEntity', entry: 'functions/handlers/update-entity.ts', description: 'Patches an entity with optimistic locking', table: 'write' },
  ListAudit: { name: 'ListAudit', entry: 'functions/handlers/list-audit.ts', description: 'Reads the audit trail', table: 'read' },
  OutboxPublisher: {
    name: 'OutboxPublisher',
    entry: 'functions/handlers/outbox-publisher.ts',
    description: 'Publishes outbox items from the table stream to the event bus',
    bus: true,
    timeoutSeconds: 60,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

/** The API's token authorizer: API Gateway caches its result per token for this long; the local API does the same. */
export const AUTHORIZER = { function: 'Authorizer' as const, identityHeader: 'Authorization', resultsCacheTtlSeconds: 300 };

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** API Gateway resource path, `{param}` for path parameters. */
  path: string;
  function: FunctionName;
  /** `jwt`: behind the authorizer; `none`: public. */
  auth: 'jwt' | 'none';
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/health', function: 'Health', auth: 'none' },
  { method: 'GET', path: '/api/v1/openapi.json', function: 'GetOpenApi', auth: 'none' },
  { method: 'POST', path: '/api/v1/entities', function: 'CreateEntity', auth: 'jwt' },
  { method: 'GET', path: '/api/v1/entities', function: 'ListEntities', auth: 'jwt' },
  { method: 'GET', path: '/api/v1/entities/{id}', function: 'GetEntity', auth: 'jwt' },
  { method: 'PATCH', path: '/api/v1/entities/{id}', function: 'UpdateEntity', auth: 'jwt' },
  { method: 'GET', path: '/api/v1/audit', function: 'ListAudit', auth: 'jwt' },
];

/** The table stream feeds the outbox publisher, filtered to inserted outbox items. */
export const STREAM_CONSUMERS = [
  { function: 'OutboxPublisher' as FunctionName, filter: { eventName: ['INSERT'], dynamodb: { NewImage: { entityType: { S: ['OutboxEvent'] } } } } },
] as const;

export interface EventRuleSpec {
  name: string;
  description: string;
  pattern: EventPattern;
  /** `log`: the platform's event log (CloudWatch Logs in AWS, a JSON-lines file locally). */
  target: { kind: 'log' } | { kind: 'function'; function: FunctionName };
}

export const EVENT_RULES: readonly EventRuleSpec[] = [
  {
    name: 'PlatformEventLog',
    description: 'Every modos event into the platform event log (audit of what was published, replay aid)',
    pattern: { source: [{ prefix: 'modos.' }] },
    target: { kind: 'log' },
  },
];
