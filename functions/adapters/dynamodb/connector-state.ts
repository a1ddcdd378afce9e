/**
 * The state a connector's vendor clients share across processes, in the connector's partition:
 * - `keys.connectorBreaker` (ConnectorBreaker): the circuit breaker, written with optimistic locking (`version`);
 * - `keys.connectorToken` (ConnectorToken): the access token (sealed), its expiry, a rotated refresh token (sealed),
 *   the refresh lease (`leaseHolder` / `leaseUntil`, absent when free) and the refresh backoff.
 * Every write is conditional; reads are consistent and validated with zod, so an old or corrupt item fails loudly.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { BreakerState, BreakerStore, ObtainedToken, TokenState, TokenStore } from '../connectors/shared/ports.js';
import { translateDynamoError } from './errors.js';
import { ITEM_TYPES, keys } from './keys.js';

const Sealed = z.string().startsWith('enc1.');
const EpochMs = z.number().int().nonnegative();

export const ConnectorBreakerItem = z.object({
  entityType: z.literal(ITEM_TYPES.connectorBreaker),
  schemaVersion: z.literal(1),
  connectorId: z.string(),
  mode: z.enum(['closed', 'open', 'half_open']),
  consecutiveFailures: z.number().int().nonnegative(),
  openedAt: EpochMs.nullable(),
  openUntil: EpochMs.nullable(),
  trialHolder: z.string().nullable(),
  trialUntil: EpochMs.nullable(),
  lastFailure: z.string().nullable(),
  version: z.number().int().min(1),
  updatedAt: z.string(),
});

export const ConnectorTokenItem = z.object({
  entityType: z.literal(ITEM_TYPES.connectorToken),
  schemaVersion: z.literal(1),
  connectorId: z.string(),
  sealedAccessToken: Sealed.nullable().default(null),
  expiresAt: EpochMs.nullable().default(null),
  instanceUrl: z.string().nullable().default(null),
  sealedRefreshToken: Sealed.nullable().default(null),
  credentialsHash: z.string().nullable().default(null),
  obtainedAt: EpochMs.nullable().default(null),
  leaseHolder: z.string().optional(),
  leaseUntil: EpochMs.optional(),
  refreshFailures: z.number().int().nonnegative(),
  refreshBlockedUntil: EpochMs.nullable().default(null),
  lastRefreshError: z
    .object({ code: z.string(), message: z.string(), retryable: z.boolean() })
    .nullable()
    .default(null),
  version: z.number().int().min(1),
  updatedAt: z.string(),
});

const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** The circuit breaker of one connector. */
export class DynamoBreakerStore implements BreakerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly tenantId: string,
    private readonly connectorId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async read(): Promise<BreakerState | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (
        await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: keys.connectorBreaker(this.tenantId, this.connectorId),
            ConsistentRead: true,
          }),
        )
      ).Item;
    } catch (error) {
      translateDynamoError(error, 'read connector breaker');
    }
    if (!item) return undefined;
    const { entityType, schemaVersion, connectorId, updatedAt, ...state } = ConnectorBreakerItem.parse(item);
    return state;
  }

  async write(next: BreakerState, expectedVersion: number | null): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.connectorBreaker(this.tenantId, this.connectorId),
            entityType: ITEM_TYPES.connectorBreaker,
            schemaVersion: 1,
            connectorId: this.connectorId,
            ...next,
            updatedAt: this.now().toISOString(),
          },
          ...(expectedVersion === null
            ? { ConditionExpression: 'attribute_not_exists(PK)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      translateDynamoError(error, 'write connector breaker');
    }
  }
}

/** The access token, refresh lease and refresh backoff of one connector. */
export class DynamoTokenStore implements TokenStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly tenantId: string,
    private readonly connectorId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get key() {
    return keys.connectorToken(this.tenantId, this.connectorId);
  }

  async read(): Promise<TokenState | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (
        await this.client.send(new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }))
      ).Item;
    } catch (error) {
      translateDynamoError(error, 'read connector token');
    }
    if (!item) return undefined;
    const { entityType, schemaVersion, connectorId, updatedAt, leaseHolder, leaseUntil, ...state } =
      ConnectorTokenItem.parse(item);
    return { ...state, leaseHolder: leaseHolder ?? null, leaseUntil: leaseUntil ?? null };
  }

  async acquireLease(holder: string, nowMs: number, untilMs: number, expectedVersion: number | null): Promise<boolean> {
    return this.update('take the token refresh lease', {
      UpdateExpression:
        'SET entityType = :type, schemaVersion = :one, connectorId = :connector, leaseHolder = :holder, ' +
        'leaseUntil = :until, refreshFailures = if_not_exists(refreshFailures, :zero), ' +
        '#version = if_not_exists(#version, :zero) + :one, updatedAt = :at',
      ConditionExpression:
        expectedVersion === null
          ? 'attribute_not_exists(PK)'
          : '#version = :expected AND (attribute_not_exists(leaseHolder) OR leaseUntil < :now)',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: {
        ...(expectedVersion === null ? {} : { ':expected': expectedVersion, ':now': nowMs }),
        ':type': ITEM_TYPES.connectorToken,
        ':one': 1,
        ':zero': 0,
        ':connector': this.connectorId,
        ':holder': holder,
        ':until': untilMs,
        ':at': this.now().toISOString(),
      },
    });
  }

  async storeToken(holder: string, token: ObtainedToken): Promise<boolean> {
    return this.update('store the connector token', {
      UpdateExpression:
        'SET sealedAccessToken = :access, expiresAt = :expires, instanceUrl = :instance, ' +
        'sealedRefreshToken = :refresh, credentialsHash = :hash, obtainedAt = :obtained, refreshFailures = :zero, ' +
        'refreshBlockedUntil = :null, lastRefreshError = :null, #version = #version + :one, updatedAt = :at ' +
        'REMOVE leaseHolder, leaseUntil',
      ConditionExpression: 'leaseHolder = :holder',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: {
        ':access': token.sealedAccessToken,
        ':expires': token.expiresAt,
        ':instance': token.instanceUrl,
        ':refresh': token.sealedRefreshToken,
        ':hash': token.credentialsHash,
        ':obtained': token.obtainedAt,
        ':zero': 0,
        ':one': 1,
        ':null': null,
        ':holder': holder,
        ':at': this.now().toISOString(),
      },
    });
  }

  async recordFailure(
    holder: string,
    failure: { failures: number; blockedUntil: number; error: { code: string; message: string; retryable: boolean } },
  ): Promise<void> {
    await this.update('record a failed token refresh', {
      UpdateExpression:
        'SET refreshFailures = :failures, refreshBlockedUntil = :blocked, lastRefreshError = :error, ' +
        '#version = #version + :one, updatedAt = :at REMOVE leaseHolder, leaseUntil',
      ConditionExpression: 'leaseHolder = :holder',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: {
        ':failures': failure.failures,
        ':blocked': failure.blockedUntil,
        ':error': failure.error,
        ':one': 1,
        ':holder': holder,
        ':at': this.now().toISOString(),
      },
    });
  }

  /** A conditional update; false when the condition failed. */
  private async update(
    what: string,
    input: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
    try {
      await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: this.key, ...input }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      translateDynamoError(error, what);
    }
  }
}
