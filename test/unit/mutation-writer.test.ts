import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoMutationWriter } from '../../functions/adapters/dynamodb/mutation-writer.js';
import { genesisHash } from '../../functions/domain/audit/audit-chain.js';
import { ConflictError, TransientError } from '../../functions/domain/errors.js';
import type { MutationRecord } from '../../functions/domain/ports.js';
import { anEntity } from '../support/builders.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(doc);

const aMutation = (): MutationRecord => ({
  audit: {
    action: 'entity.create',
    actor: 'user-1',
    resourceType: 'entity',
    resourceId: 'ent-1',
    at: '2026-01-01T00:00:00.000Z',
    requestId: 'req-1',
    beforeHash: null,
    afterHash: 'f'.repeat(64),
  },
  events: [{ name: 'entity.created', payload: { entity: anEntity(), actor: 'user-1' } }],
});

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const entityPut = {
  Put: {
    TableName: 't',
    Item: { PK: 'T#tenant-a#ENTITY#ent-1', SK: 'ENTITY' },
    ConditionExpression: 'attribute_not_exists(PK)',
  },
};

describe('DynamoMutationWriter', () => {
  let writer: DynamoMutationWriter;
  beforeEach(() => {
    ddb.reset();
    writer = new DynamoMutationWriter(doc, { tableName: 't', lanes: 1, outboxTtlDays: 7 });
  });

  it('writes item, audit record, outbox event and lane head in one transaction', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});

    await writer.commit('tenant-a', [entityPut], aMutation());

    const tx = ddb.commandCalls(TransactWriteCommand);
    expect(tx).toHaveLength(1);
    const items = tx[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(4);
    expect(items[0]).toEqual(entityPut);
    const audit = items[1]!.Put!.Item!;
    expect(audit).toMatchObject({
      PK: 'T#tenant-a#AUDIT',
      entityType: 'AuditRecord',
      action: 'entity.create',
      lane: 0,
      seq: 1,
      prevHash: genesisHash('tenant-a', 0),
    });
    const outbox = items[2]!.Put!.Item!;
    expect(outbox).toMatchObject({ PK: 'T#tenant-a#OUTBOX', source: 'modos.entities', detailType: 'entity.created' });
    expect(JSON.parse(outbox.detail as string)).toMatchObject({
      tenantId: 'tenant-a',
      schemaVersion: 1,
      correlationId: 'req-1',
    });
    expect(items[3]!.Put).toMatchObject({
      Item: { PK: 'T#tenant-a#AUDITHEAD', seq: 1, hash: audit.hash },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  });

  it('chains the next mutation on the cached head without reading it again', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});

    await writer.commit('tenant-a', [entityPut], aMutation());
    await writer.commit('tenant-a', [entityPut], aMutation());

    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    const [first, second] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    expect(second![1]!.Put!.Item).toMatchObject({ seq: 2, prevHash: first![1]!.Put!.Item!.hash });
    expect(second![3]!.Update).toMatchObject({
      ConditionExpression: '#seq = :prev',
      ExpressionAttributeValues: { ':seq': 2, ':prev': 1 },
    });
  });

  it("turns a failed item condition into a ConflictError and doesn't retry", async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None', 'None', 'None']));

    await expect(writer.commit('tenant-a', [entityPut], aMutation())).rejects.toBeInstanceOf(ConflictError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('re-reads a lane head moved by another process and retries on top of it', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({})
      .resolves({ Item: { seq: 7, hash: 'h7' } });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(['None', 'None', 'None', 'ConditionalCheckFailed']))
      .resolves({});

    await writer.commit('tenant-a', [entityPut], aMutation());

    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.TransactItems![1]!.Put!.Item).toMatchObject({ seq: 8, prevHash: 'h7' });
  });

  it('gives up with a TransientError after repeated transaction conflicts', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict', 'None', 'None', 'None']));
    const w = new DynamoMutationWriter(doc, { tableName: 't', lanes: 1, outboxTtlDays: 7, maxAttempts: 3 });

    await expect(w.commit('tenant-a', [entityPut], aMutation())).rejects.toBeInstanceOf(TransientError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });
});
