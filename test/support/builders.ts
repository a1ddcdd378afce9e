import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Entity } from '../../schemas/entity.js';
import type { Principal, RequestContext } from '../../functions/domain/ports.js';

export const aPrincipal = (overrides: Partial<Principal> = {}): Principal => ({
  tenantId: 'tenant-a',
  userId: 'user-1',
  roles: ['admin'],
  ...overrides,
});

export const aContext = (principal: Partial<Principal> = {}, requestId = 'req-1'): RequestContext => ({
  principal: aPrincipal(principal),
  requestId,
});

export const anEntity = (overrides: Partial<Entity> = {}): Entity => ({
  id: 'ent-1',
  type: 'person',
  attributes: { name: 'Ada Lovelace', email: 'ada@example.com' },
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...structuredClone(overrides),
});

/** An API Gateway proxy event as the authorizer-fronted API delivers it (a body comes as application/json unless `headers` say otherwise). */
export function anApiEvent(
  overrides: {
    body?: string | null;
    query?: Record<string, string>;
    path?: Record<string, string>;
    principal?: Principal | null;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEvent {
  const p = overrides.principal === undefined ? aPrincipal() : overrides.principal;
  const headers = overrides.headers ?? (overrides.body ? { 'Content-Type': 'application/json' } : {});
  return {
    resource: '/',
    path: '/',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: overrides.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: overrides.path ?? null,
    stageVariables: null,
    body: overrides.body === undefined ? null : overrides.body,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-test',
      authorizer: p ? { tenantId: p.tenantId, sub: p.userId, roles: p.roles.join(',') } : null,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

/**
 * The settings a handler module reads when it builds its production `handler` on import: stubbed so a unit
 * test can import the module and call its `makeHandler` over fakes. Nothing is reached with these values.
 */
export function stubHandlerSettings(stub: (name: string, value: string) => void): void {
  for (const [name, value] of Object.entries({
    STAGE: 'unit',
    AWS_REGION: 'us-east-1',
    TABLE_NAME: 'unit',
    BUCKET_NAME: 'unit',
    EVENT_BUS_NAME: 'unit',
    JWT_ISSUER: 'https://issuer.example/',
    JWT_AUDIENCE: 'unit',
    WORKFLOW_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:unit',
    PUBLIC_API_URL: 'https://api.example',
  }))
    stub(name, value);
}
