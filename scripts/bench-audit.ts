/**
 * bench-audit: the audit routes' bounded reads on DynamoDB Local, in this process (no Lambda sandbox, no HTTP).
 *   npx tsx scripts/bench-audit.ts [--lanes 16] [--per-lane 1000]
 * Writes a chained trail of `lanes × per-lane` records (default 16 × 1,000: one full verification call), then times
 * GET /audit/verification's use case over it (lane heads, lane reads, hashing), a filtered audit page that matches
 * nothing (AUDIT_FILTER_READ_LIMIT records read) and an unfiltered page. Prints a table, then one JSON line.
 * DynamoDB Local is slower per request than DynamoDB and the Lambda's CPU differs: read the figures as an order of
 * magnitude against the API's 29 s, not as a deployed latency.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditReader } from '../functions/adapters/dynamodb/audit-reader.js';
import { ITEM_TYPES, keys } from '../functions/adapters/dynamodb/keys.js';
import { genesisHash, linkAudit } from '../functions/domain/audit/audit-chain.js';
import { listAudit, verifyAuditChain } from '../functions/domain/audit/audit-use-cases.js';
import type { AuditEntry, RequestContext } from '../functions/domain/ports.js';
import { ensureTable, startDynamoLocal } from '../local/dynamodb.js';
import { AUDIT_FILTER_READ_LIMIT } from '../schemas/audit.js';

const TABLE = 'bench-audit';
const T = 'bench-tenant';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - start), value };
}

async function main() {
  const lanes = flag('lanes', 16);
  const perLane = flag('per-lane', 1000);
  const dynamo = await startDynamoLocal(mkdtempSync(join(tmpdir(), 'modos-bench-audit-')), { inMemory: true });
  try {
    await ensureTable(dynamo.client, TABLE);
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    const items: Record<string, unknown>[] = [];
    for (let lane = 0; lane < lanes; lane++) {
      let prev = genesisHash(T, lane);
      for (let seq = 1; seq <= perLane; seq++) {
        const n = lane * perLane + seq;
        const entry: AuditEntry = {
          action: 'entity.update',
          actor: `user-${n % 7}`,
          resourceType: 'entity',
          resourceId: `ent-${n}`,
          at: new Date(Date.UTC(2026, 0, 1) + n * 10).toISOString(),
          requestId: `req-${n}`,
          beforeHash: 'b'.repeat(64),
          afterHash: 'a'.repeat(64),
        };
        const link = linkAudit(entry, lane, seq, prev);
        prev = link.hash;
        items.push({
          ...keys.audit(T, entry.at, `aud-${n}`),
          ...keys.auditLaneIndex(T, lane, seq),
          entityType: ITEM_TYPES.audit,
          schemaVersion: 1,
          tenantId: T,
          id: `aud-${n}`,
          ...entry,
          ...link,
        });
      }
      await doc.send(
        new PutCommand({
          TableName: TABLE,
          Item: {
            ...keys.auditHead(T, lane),
            entityType: ITEM_TYPES.auditHead,
            schemaVersion: 1,
            seq: perLane,
            hash: prev,
          },
        }),
      );
    }
    for (let i = 0; i < items.length; i += 25)
      await doc.send(
        new BatchWriteCommand({
          RequestItems: { [TABLE]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );

    const audit = new DynamoAuditReader(doc, TABLE);
    const ctx: RequestContext = { principal: { tenantId: T, userId: 'bench', roles: ['admin'] }, requestId: 'bench' };
    const deps = {
      audit,
      clock: { now: () => new Date() },
      lanes,
      cursorKey: async () => Buffer.from('bench-audit-key'),
    };
    const verification = await timed(() => verifyAuditChain({}, ctx, deps));
    const sparse = await timed(() => listAudit({ limit: 25, actor: 'nobody' }, ctx, deps));
    const page = await timed(() => listAudit({ limit: 100 }, ctx, deps));
    const figures = {
      records: items.length,
      lanes,
      verification: {
        ms: verification.ms,
        recordsChecked: verification.value.records,
        verified: verification.value.verified,
        complete: verification.value.complete,
      },
      sparseFilteredPage: { ms: sparse.ms, recordsRead: AUDIT_FILTER_READ_LIMIT, items: sparse.value.items.length },
      unfilteredPage100: { ms: page.ms },
    };
    console.log(`records in the trail            ${figures.records} (${lanes} lanes)`);
    console.log(
      `verification (one call)         ${verification.ms} ms, ${figures.verification.recordsChecked} records, verified ${figures.verification.verified}, complete ${figures.verification.complete}`,
    );
    console.log(`filtered page, no match         ${sparse.ms} ms (${AUDIT_FILTER_READ_LIMIT} records read)`);
    console.log(`unfiltered page of 100          ${page.ms} ms`);
    console.log(JSON.stringify(figures));
    if (!verification.value.verified || !verification.value.complete) process.exitCode = 1;
  } finally {
    await dynamo.stop();
  }
}

await main();
