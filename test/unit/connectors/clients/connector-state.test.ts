import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoBreakerStore, DynamoTokenStore } from '../../../../functions/adapters/dynamodb/connector-state.js';
import { closedBreaker } from '../../../../functions/adapters/connectors/shared/circuit-breaker.js';
import { TransientError } from '../../../../functions/domain/errors.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(doc);
const KEY = { PK: 'T#tenant-a#CONNECTOR#con-1' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });

beforeEach(() => ddb.reset());

describe('the table-backed breaker store', () => {
  const store = new DynamoBreakerStore(doc, 'tbl', 'tenant-a', 'con-1', () => new Date('2026-03-01T00:00:00.000Z'));

  it('reads the breaker item consistently and validates it', async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        ...KEY,
        SK: 'BREAKER',
        entityType: 'ConnectorBreaker',
        schemaVersion: 1,
        connectorId: 'con-1',
        ...closedBreaker(),
        consecutiveFailures: 2,
        version: 3,
        updatedAt: '2026-03-01T00:00:00.000Z',
      },
    });
    expect(await store.read()).toMatchObject({ mode: 'closed', consecutiveFailures: 2, version: 3 });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      Key: { ...KEY, SK: 'BREAKER' },
      ConsistentRead: true,
    });
  });

  it('fails loudly on a corrupt item', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...KEY, SK: 'BREAKER', entityType: 'ConnectorBreaker', mode: 'ajar' } });
    await expect(store.read()).rejects.toThrow();
  });

  it('writes conditionally on the version read, and on absence for the first write', async () => {
    ddb.on(PutCommand).resolves({});
    await store.write({ ...closedBreaker(), version: 1 }, null);
    await store.write({ ...closedBreaker(), version: 2 }, 1);
    const [first, second] = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(first!.ConditionExpression).toBe('attribute_not_exists(PK)');
    expect(first!.Item).toMatchObject({ entityType: 'ConnectorBreaker', schemaVersion: 1, connectorId: 'con-1' });
    expect(second!.ConditionExpression).toBe('#version = :expected');
    expect(second!.ExpressionAttributeValues).toEqual({ ':expected': 1 });
  });

  it('answers false when another process wrote first, and translates throttling', async () => {
    ddb
      .on(PutCommand)
      .rejectsOnce(conditionFailed())
      .rejectsOnce(Object.assign(new Error('slow'), { name: 'ThrottlingException' }));
    expect(await store.write({ ...closedBreaker(), version: 2 }, 1)).toBe(false);
    await expect(store.write({ ...closedBreaker(), version: 2 }, 1)).rejects.toBeInstanceOf(TransientError);
  });
});

describe('the table-backed token store', () => {
  const store = new DynamoTokenStore(doc, 'tbl', 'tenant-a', 'con-1', () => new Date('2026-03-01T00:00:00.000Z'));

  it('takes the lease only if it is free or expired', async () => {
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await store.acquireLease('me', 1000, 46_000, 3)).toBe(true);
    expect(await store.acquireLease('me', 1000, 46_000, 3)).toBe(false);
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ ...KEY, SK: 'TOKEN' });
    expect(input.ConditionExpression).toBe(
      '#version = :expected AND (attribute_not_exists(leaseHolder) OR leaseUntil < :now)',
    );
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':holder': 'me',
      ':until': 46_000,
      ':now': 1000,
      ':expected': 3,
    });
  });

  it('creates the item with the first lease', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.acquireLease('me', 1000, 46_000, null);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ConditionExpression).toBe('attribute_not_exists(PK)');
  });

  it('stores a token only while holding the lease, and releases it', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.storeToken('me', {
      sealedAccessToken: 'enc1.a',
      expiresAt: 5,
      instanceUrl: null,
      sealedRefreshToken: null,
      credentialsHash: 'h',
      obtainedAt: 1,
    });
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('leaseHolder = :holder');
    expect(input.UpdateExpression).toContain('REMOVE leaseHolder, leaseUntil');
  });

  it('reads the item without its key attributes, the lease absent as null', async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        ...KEY,
        SK: 'TOKEN',
        entityType: 'ConnectorToken',
        schemaVersion: 1,
        connectorId: 'con-1',
        refreshFailures: 0,
        version: 1,
        updatedAt: 'x',
      },
    });
    expect(await store.read()).toEqual({
      sealedAccessToken: null,
      expiresAt: null,
      instanceUrl: null,
      sealedRefreshToken: null,
      credentialsHash: null,
      obtainedAt: null,
      leaseHolder: null,
      leaseUntil: null,
      refreshFailures: 0,
      refreshBlockedUntil: null,
      lastRefreshError: null,
      version: 1,
    });
  });

  it('refuses a stored access token that is not sealed', async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        ...KEY,
        SK: 'TOKEN',
        entityType: 'ConnectorToken',
        schemaVersion: 1,
        connectorId: 'con-1',
        sealedAccessToken: 'plain-token',
        refreshFailures: 0,
        version: 1,
        updatedAt: 'x',
      },
    });
    await expect(store.read()).rejects.toThrow();
  });
});
