import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoConnectorRepository } from '../../../../functions/adapters/dynamodb/connector-repository.js';
import { encodeCursor } from '../../../../functions/adapters/dynamodb/cursor.js';
import { DynamoMutationWriter } from '../../../../functions/adapters/dynamodb/mutation-writer.js';
import type { ConnectorRecord } from '../../../../functions/domain/connectors/store.js';
import { ValidationError } from '../../../../functions/domain/errors.js';
import type { MutationRecord } from '../../../../functions/domain/ports.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(doc);

const aRecord = (overrides: Partial<ConnectorRecord> = {}): ConnectorRecord => ({
  id: 'con-1',
  system: 'salesforce',
  name: 'SF',
  baseUrl: 'https://acme.my.salesforce.com',
  credentialsKind: 'client_credentials',
  sealedCredentials: 'enc1.aXY.dGFn.Y3Q',
  settings: { objects: ['Account'] },
  schedule: 'rate(1 hour)',
  enabled: true,
  activeRunId: null,
  lastRun: null,
  version: 1,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:00:00.000Z',
  ...overrides,
});

const aMutation = (action: string): MutationRecord => ({
  audit: {
    action,
    actor: 'alice',
    resourceType: 'connector',
    resourceId: 'con-1',
    at: '2026-11-30T09:00:00.000Z',
    requestId: 'req-1',
    beforeHash: null,
    afterHash: null,
  },
  events: [],
});

const PK = 'T#tenant-a#CONNECTOR#con-1';
const EPK = 'T#tenant-a#ENTITY#p1';

let repo: DynamoConnectorRepository;
beforeEach(() => {
  ddb.reset();
  // the audit lane head is read once per writer (none yet)
  ddb.on(GetCommand, { Key: { PK: 'T#tenant-a#AUDITHEAD', SK: 'LANE#000' } }).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  repo = new DynamoConnectorRepository(
    doc,
    't',
    new DynamoMutationWriter(doc, { tableName: 't', lanes: 1, outboxTtlDays: 7 }),
  );
});

const transactItems = () => ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;

describe('DynamoConnectorRepository', () => {
  it('creates the item with its keys, index and type, conditioned on the id being new', async () => {
    await repo.create('tenant-a', aRecord(), aMutation('connector.create'));
    const [put] = transactItems();
    expect(put!.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(PK)',
      Item: {
        PK,
        SK: 'CONNECTOR',
        GSI1PK: 'T#tenant-a#CONNECTORS',
        GSI1SK: '2026-11-30T09:00:00.000Z#con-1',
        entityType: 'Connector',
        schemaVersion: 1,
        sealedCredentials: 'enc1.aXY.dGFn.Y3Q',
      },
    });
  });

  it("changes only the API's fields, so a sync's lock and last run survive a PATCH", async () => {
    await repo.update('tenant-a', aRecord({ version: 2, activeRunId: 'stale' }), 1, aMutation('connector.update'));
    const update = transactItems()[0]!.Update!;
    expect(update.ConditionExpression).toBe('attribute_exists(PK) AND #v = :expected');
    expect(update.ExpressionAttributeValues![':expected']).toBe(1);
    const names = Object.values(update.ExpressionAttributeNames!);
    expect(names).toContain('sealedCredentials');
    expect(names).not.toContain('activeRunId');
    expect(names).not.toContain('lastRun');
    expect(JSON.stringify(update)).not.toContain('stale');
  });

  it('deletes the connector with its token, breaker and cursors, unless a sync holds it or the version moved', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { PK, SK: 'BREAKER' },
        { PK, SK: 'CONNECTOR' },
        { PK, SK: 'CURSOR#Account' },
        { PK, SK: 'TOKEN' },
      ],
    });
    await repo.delete('tenant-a', 'con-1', 3, aMutation('connector.delete'));
    const items = transactItems();
    expect(items[0]!.Delete).toMatchObject({
      Key: { PK, SK: 'CONNECTOR' },
      ConditionExpression:
        'attribute_exists(PK) AND #v = :expected AND (attribute_not_exists(#active) OR #active = :none)',
      ExpressionAttributeValues: { ':expected': 3, ':none': null },
    });
    expect(items.slice(1, 4).map((i) => i.Delete?.Key)).toEqual([
      { PK, SK: 'BREAKER' },
      { PK, SK: 'CURSOR#Account' },
      { PK, SK: 'TOKEN' },
    ]);
    expect(items[4]!.Put!.Item).toMatchObject({ action: 'connector.delete' });
  });

  it('refuses to read a connector item whose credentials are not sealed', async () => {
    ddb.on(GetCommand, { Key: { PK, SK: 'CONNECTOR' } }).resolves({
      Item: {
        PK,
        SK: 'CONNECTOR',
        entityType: 'Connector',
        schemaVersion: 1,
        ...aRecord({ sealedCredentials: '{"clientSecret":"x"}' }),
      },
    });
    await expect(repo.get('tenant-a', 'con-1')).rejects.toThrow(/sealedCredentials/);
  });

  it('reads a connector a sync has locked', async () => {
    ddb.on(GetCommand, { Key: { PK, SK: 'CONNECTOR' } }).resolves({
      Item: { PK, SK: 'CONNECTOR', entityType: 'Connector', schemaVersion: 1, ...aRecord({ activeRunId: 'run-1' }) },
    });
    expect((await repo.get('tenant-a', 'con-1'))?.activeRunId).toBe('run-1');
  });

  it('reads source records validated, and says when there are more than asked', async () => {
    const item = {
      PK: EPK,
      SK: 'SOURCE#con-1#Contact#003',
      entityType: 'SourceRecord',
      schemaVersion: 1,
      entityId: 'p1',
      connectorId: 'con-1',
      system: 'salesforce',
      object: 'Contact',
      namespace: 'Contact',
      sourceId: '003',
      role: 'person',
      syncedAt: '2026-11-30T09:00:00.000Z',
      modifiedAt: null,
      deletedAt: null,
      attributes: { firstName: 'Ada' },
      relations: [],
      contentHash: 'h',
      runId: 'r',
      runSeq: 1,
      outcome: 'created',
    };
    ddb.on(QueryCommand).resolves({ Items: [item, { ...item, sourceId: '004' }] });
    const out = await repo.sourcesOf('tenant-a', 'p1', 1);
    expect(out).toEqual({
      items: [
        {
          entityId: 'p1',
          connectorId: 'con-1',
          system: 'salesforce',
          object: 'Contact',
          sourceId: '003',
          syncedAt: '2026-11-30T09:00:00.000Z',
          modifiedAt: null,
          deletedAt: null,
          attributes: { firstName: 'Ada' },
        },
      ],
      more: true,
    });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': EPK, ':sk': 'SOURCE#' },
      Limit: 2,
    });
    ddb.on(QueryCommand).resolves({ Items: [{ ...item, entityType: 'Entity' }] });
    await expect(repo.sourcesOf('tenant-a', 'p1', 1)).rejects.toThrow();
  });

  describe('relations', () => {
    const rel = (direction: 'in' | 'out', kind: string, otherId: string) => ({
      PK: EPK,
      SK: `REL#${direction.toUpperCase()}#${kind}#${otherId}`,
      entityType: 'Relation',
      schemaVersion: 1,
      kind,
      direction,
      entityId: 'p1',
      otherId,
      connectorId: 'con-1',
      syncedAt: '2026-11-30T09:00:00.000Z',
    });
    const prefixes = () => ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues![':sk']);

    it('read one range per direction, or all relations under REL#', async () => {
      ddb.on(QueryCommand).resolves({ Items: [rel('out', 'works-at', 'o1')] });
      await repo.relationsOf('tenant-a', 'p1', { limit: 10, direction: 'out', kind: 'works-at' });
      await repo.relationsOf('tenant-a', 'p1', { limit: 10, direction: 'in' });
      await repo.relationsOf('tenant-a', 'p1', { limit: 10 });
      expect(prefixes()).toEqual(['REL#OUT#works-at#', 'REL#IN#', 'REL#']);
    });

    it('read one kind in both directions as its incoming range, then its outgoing one', async () => {
      ddb
        .on(QueryCommand, { ExpressionAttributeValues: { ':pk': EPK, ':sk': 'REL#IN#works-at#' } })
        .resolves({ Items: [rel('in', 'works-at', 'a')] })
        .on(QueryCommand, { ExpressionAttributeValues: { ':pk': EPK, ':sk': 'REL#OUT#works-at#' } })
        .resolves({ Items: [rel('out', 'works-at', 'b')] });
      const page = await repo.relationsOf('tenant-a', 'p1', { limit: 10, kind: 'works-at' });
      expect(page.items.map((r) => `${r.direction}:${r.otherId}`)).toEqual(['in:a', 'out:b']);
      expect(page.nextCursor).toBeNull();
      expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.Limit)).toEqual([10, 9]);
    });

    it('continue a page that ended with its first range at the start of the next', async () => {
      ddb
        .on(QueryCommand, { ExpressionAttributeValues: { ':pk': EPK, ':sk': 'REL#IN#works-at#' } })
        .resolves({ Items: [rel('in', 'works-at', 'a')] })
        .on(QueryCommand, { ExpressionAttributeValues: { ':pk': EPK, ':sk': 'REL#OUT#works-at#' } })
        .resolves({ Items: [rel('out', 'works-at', 'b')] });
      const first = await repo.relationsOf('tenant-a', 'p1', { limit: 1, kind: 'works-at' });
      expect(first.items.map((r) => r.otherId)).toEqual(['a']);
      expect(first.nextCursor).toBe(encodeCursor({ PK: EPK, SK: 'REL#OUT#works-at#' }));
      const second = await repo.relationsOf('tenant-a', 'p1', {
        limit: 1,
        kind: 'works-at',
        cursor: first.nextCursor!,
      });
      expect(second.items.map((r) => r.otherId)).toEqual(['b']);
      expect(ddb.commandCalls(QueryCommand).at(-1)!.args[0].input.ExclusiveStartKey).toEqual({
        PK: EPK,
        SK: 'REL#OUT#works-at#',
      });
    });

    it('go on from the last key read within a range', async () => {
      const last = { PK: EPK, SK: 'REL#OUT#works-at#o1' };
      ddb.on(QueryCommand).resolves({ Items: [rel('out', 'works-at', 'o1')], LastEvaluatedKey: last });
      const page = await repo.relationsOf('tenant-a', 'p1', { limit: 1, direction: 'out' });
      expect(page.nextCursor).toBe(encodeCursor(last));
    });

    it.each([
      ['of another direction', { PK: EPK, SK: 'REL#IN#works-at#o1' }],
      ["of another entity's partition", { PK: 'T#tenant-a#ENTITY#p2', SK: 'REL#OUT#works-at#o1' }],
      ["of another tenant's", { PK: 'T#tenant-b#ENTITY#p1', SK: 'REL#OUT#works-at#o1' }],
    ])('refuse a cursor %s with 400', async (_name, key) => {
      await expect(
        repo.relationsOf('tenant-a', 'p1', { limit: 1, direction: 'out', cursor: encodeCursor(key)! }),
      ).rejects.toBeInstanceOf(ValidationError);
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    });
  });
});
