/**
 * The signal rule and signal repositories on DynamoDB Local: rule versions, tombstones and the rule-set head, key
 * states conditioned on their revision, signals written with their audit record and outbox event in one transaction
 * (and in several, state last, when they do not fit one), and the signal lists by tenant, rule, entity and since.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { DynamoMutationWriter } from '../../functions/adapters/dynamodb/mutation-writer.js';
import { DynamoSignalRepository, valueHashOf } from '../../functions/adapters/dynamodb/signal-repository.js';
import { DynamoSignalRuleRepository } from '../../functions/adapters/dynamodb/signal-rule-repository.js';
import { ConflictError, ValidationError } from '../../functions/domain/errors.js';
import type { MutationRecord } from '../../functions/domain/ports.js';
import { emptyKeyState } from '../../functions/domain/signals/engine.js';
import type { StoredKeyState, StoredSignalRule } from '../../functions/domain/signals/use-cases/ports.js';
import type { Signal } from '../../schemas/detected-signals.js';
import { SignalRuleBody } from '../../schemas/signals.js';
import { ensureTable, startDynamoLocal, type LocalDynamo } from '../../local/dynamodb.js';

const TABLE = 'signal-store-test';
let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;
let rules: DynamoSignalRuleRepository;
let signals: DynamoSignalRepository;

beforeAll(async () => {
  dynamo = await startDynamoLocal(mkdtempSync(join(tmpdir(), 'modos-signal-store-')), { inMemory: true });
  await ensureTable(dynamo.client, TABLE);
  doc = DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  const writer = new DynamoMutationWriter(doc, { tableName: TABLE, lanes: 2, outboxTtlDays: 1 });
  rules = new DynamoSignalRuleRepository(doc, TABLE, writer);
  signals = new DynamoSignalRepository(doc, TABLE, writer);
});
afterAll(async () => dynamo?.stop());

const audit = (resourceId: string, at = '2026-11-30T09:00:00.000Z'): MutationRecord['audit'] => ({
  action: 'test',
  actor: 'alice',
  resourceType: 'signal-rule',
  resourceId,
  at,
  requestId: 'req-1',
  beforeHash: null,
  afterHash: null,
});

const aRule = (id: string, version: number, within = 'P7D'): StoredSignalRule => ({
  body: SignalRuleBody.parse({
    id,
    name: `rule ${id}`,
    kind: 'absence',
    first: { detail: { activity: ['won'] } },
    // A number a double keeps only as text would be changed by DynamoDB's number type: the body is kept as JSON.
    missing: { detail: { amount: [{ numeric: ['>', 0.1] }] } },
    within,
  }),
  version,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:00:00.000Z',
  createdBy: 'alice',
  updatedBy: 'alice',
});

describe('the signal rule repository', () => {
  const T = 'rules-t';

  it('keeps versions, moves the rule-set version with each change, and reads the set consistently', async () => {
    expect(await rules.ruleSetVersion(T)).toBe(0);
    await rules.create(T, aRule('S1', 1), 0, { audit: audit('S1'), events: [] });
    await rules.create(T, aRule('S2', 1), 0, { audit: audit('S2'), events: [] });
    await rules.update(T, aRule('S1', 2, 'P10D'), 1, { audit: audit('S1'), events: [] });
    expect(await rules.ruleSetVersion(T)).toBe(3);
    expect((await rules.allRules(T)).map((r) => [r.body.id, r.version])).toEqual([
      ['S1', 2],
      ['S2', 1],
    ]);
    expect((await rules.get(T, 'S1', 1))?.body).toMatchObject({
      within: 'P7D',
      missing: (aRule('S1', 1).body as { missing?: unknown }).missing,
    });
    await expect(rules.update(T, aRule('S1', 3), 1, { audit: audit('S1'), events: [] })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(rules.create(T, aRule('S1', 1), 0, { audit: audit('S1'), events: [] })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('pages the live rules in id order with a cursor of its own partition', async () => {
    const first = await rules.list(T, { limit: 1 });
    expect(first.items.map((r) => r.body.id)).toEqual(['S1']);
    const second = await rules.list(T, { limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((r) => r.body.id)).toEqual(['S2']);
    await expect(rules.list('other-t', { limit: 1, cursor: first.nextCursor! })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('leaves a tombstone on delete, so the id used again goes on counting and keeps every version', async () => {
    await rules.delete(T, 'S2', 1, { audit: audit('S2'), events: [] });
    expect(await rules.get(T, 'S2')).toBeUndefined();
    expect(await rules.lastDeletedVersion(T, 'S2')).toBe(1);
    // A create that read no tombstone while there is one lost a race with the delete: refused.
    await expect(rules.create(T, aRule('S2', 1), 0, { audit: audit('S2'), events: [] })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await rules.create(T, aRule('S2', 2, 'P1D'), 1, { audit: audit('S2'), events: [] });
    expect(await rules.lastDeletedVersion(T, 'S2')).toBe(0);
    expect((await rules.get(T, 'S2', 1))?.body).toMatchObject({ within: 'P7D' });
    expect((await rules.get(T, 'S2'))?.version).toBe(2);
  });
});

const aSignal = (i: number, overrides: Partial<Signal> = {}): Signal => ({
  id: `sig-${String(i).padStart(4, '0')}`,
  ruleId: 'S1',
  ruleVersion: 1,
  ruleName: 'rule S1',
  kind: 'match',
  key: 'deal-1',
  entityId: 'deal-1',
  matchId: `m-${i}`,
  at: '2026-11-30T09:00:00.000Z',
  detectedAt: new Date(Date.parse('2026-11-30T10:00:00.000Z') + i * 1000).toISOString(),
  eventIds: [`ev-${i}`],
  caseKey: 'S1:deal-1',
  caseTitle: null,
  action: null,
  ...overrides,
});

const signalWrite = (signal: Signal) => ({
  signal,
  mutation: {
    audit: { ...audit(signal.id, signal.detectedAt), resourceType: 'signal' },
    events: [{ name: 'signal.detected' as const, payload: { signalId: signal.id, ...signal } }],
  },
});

const aState = (ruleId: string, key: string, overrides: Partial<StoredKeyState> = {}) => ({
  ruleId,
  key,
  ruleVersion: 1,
  fingerprint: 'fp',
  state: { ...emptyKeyState(), events: [{ id: 'ev-1', t: 1_700_000_000_000, m: 1 }], lastTime: 1_700_000_000_000 },
  deadline: 1_700_003_600_000,
  entityId: key,
  caseKey: null,
  expiresAt: Date.now() + 86_400_000,
  ...overrides,
});

describe('the signal repository', () => {
  const T = 'signals-t';

  it('writes a key state conditioned on the revision read, with a TTL after its expiry', async () => {
    expect(await signals.getState(T, 'S1', 'alice@example.com')).toBeUndefined();
    await signals.commit(T, {
      state: { next: aState('S1', 'alice@example.com'), expectedRevision: null },
      signals: [],
    });
    const stored = await signals.getState(T, 'S1', 'alice@example.com');
    expect(stored).toMatchObject({ revision: 1, deadline: 1_700_003_600_000, state: { events: [{ id: 'ev-1' }] } });
    await expect(
      signals.commit(T, { state: { next: aState('S1', 'alice@example.com'), expectedRevision: null }, signals: [] }),
    ).rejects.toBeInstanceOf(ConflictError);
    await signals.commit(T, { state: { next: aState('S1', 'alice@example.com'), expectedRevision: 1 }, signals: [] });
    expect((await signals.getState(T, 'S1', 'alice@example.com'))?.revision).toBe(2);
    // The key is in the item, never in its keys (it may be personal data).
    const item = (
      await doc.send(
        new GetCommand({ TableName: TABLE, Key: keys.signalKeyState(T, 'S1', valueHashOf('alice@example.com')) }),
      )
    ).Item!;
    expect(`${item.PK}${item.SK}`).not.toContain('alice');
    const expiresAt = item.expiresAt as number;
    expect(expiresAt).toBeGreaterThan(Date.now() / 1000 + 86_400);
    expect(expiresAt).toBeLessThan(Date.now() / 1000 + 3 * 86_400);
  });

  it('writes signals with their audit record and outbox event in the state transaction, all or nothing', async () => {
    const before = await signals.getState(T, 'S1', 'alice@example.com');
    await signals.commit(T, {
      state: { next: aState('S1', 'alice@example.com'), expectedRevision: before!.revision },
      signals: [signalWrite(aSignal(1)), signalWrite(aSignal(2))],
    });
    expect(await signals.getSignal(T, 'sig-0001')).toEqual(aSignal(1));
    const outbox = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.outbox(T, 'x').PK },
      }),
    );
    expect(outbox.Items?.map((i) => i.detailType)).toEqual(['signal.detected', 'signal.detected']);
    // A signal that exists already fails the whole transaction: neither the state nor the other signal is written.
    const revision = (await signals.getState(T, 'S1', 'alice@example.com'))!.revision;
    await expect(
      signals.commit(T, {
        state: { next: aState('S1', 'alice@example.com', { deadline: null }), expectedRevision: revision },
        signals: [signalWrite(aSignal(3)), signalWrite(aSignal(1))],
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await signals.existingSignals(T, ['sig-0001', 'sig-0002', 'sig-0003'])).toEqual(
      new Set(['sig-0001', 'sig-0002']),
    );
    expect((await signals.getState(T, 'S1', 'alice@example.com'))?.revision).toBe(revision);
  });

  it('writes more signals than one transaction holds in several, the state with the last', async () => {
    const many = Array.from({ length: 45 }, (_, i) => signalWrite(aSignal(100 + i, { key: 'bulk', entityId: 'bulk' })));
    await signals.commit(T, { state: { next: aState('S9', 'bulk'), expectedRevision: null }, signals: many });
    expect(
      (
        await signals.existingSignals(
          T,
          many.map((s) => s.signal.id),
        )
      ).size,
    ).toBe(45);
    expect((await signals.getState(T, 'S9', 'bulk'))?.revision).toBe(1);
  });

  it('lists signals newest first by tenant, rule, entity or key, and since an instant, with cursors', async () => {
    const L = 'list-t';
    const list = [
      aSignal(1, { ruleId: 'R1', key: 'k-1', entityId: 'e-1' }),
      aSignal(2, { ruleId: 'R2', key: 'acme', entityId: 'e-1' }),
      aSignal(3, { ruleId: 'R1', key: 'k-2', entityId: null }),
      aSignal(4, { ruleId: 'R1', key: 'k-1', entityId: 'e-1' }),
    ];
    for (const s of list) await signals.commit(L, { signals: [signalWrite(s)] });
    const ids = async (q: Parameters<typeof signals.listSignals>[1]) =>
      (await signals.listSignals(L, q)).items.map((s) => s.id);
    expect(await ids({ limit: 10 })).toEqual(['sig-0004', 'sig-0003', 'sig-0002', 'sig-0001']);
    expect(await ids({ limit: 10, rule: 'R1' })).toEqual(['sig-0004', 'sig-0003', 'sig-0001']);
    expect(await ids({ limit: 10, entity: 'e-1' })).toEqual(['sig-0004', 'sig-0002', 'sig-0001']);
    expect(await ids({ limit: 10, entity: 'acme' })).toEqual(['sig-0002']);
    expect(await ids({ limit: 10, entity: 'e-1', rule: 'R2' })).toEqual(['sig-0002']);
    expect(await ids({ limit: 10, since: list[2]!.detectedAt })).toEqual(['sig-0004', 'sig-0003']);
    expect(await ids({ limit: 10, rule: 'R1', since: '2026-11-30T11:00:00+01:00' })).toEqual([
      'sig-0004',
      'sig-0003',
      'sig-0001',
    ]);
    const page = await signals.listSignals(L, { limit: 2 });
    expect(await ids({ limit: 2, cursor: page.nextCursor! })).toEqual(['sig-0002', 'sig-0001']);
    await expect(signals.listSignals(L, { limit: 2, rule: 'R1', cursor: page.nextCursor! })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect((await signals.listSignals('another-t', { limit: 10 })).items).toEqual([]);
  });
});
