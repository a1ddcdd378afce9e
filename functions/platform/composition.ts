import { randomUUID } from 'node:crypto';
import { DynamoAuditReader } from '../adapters/dynamodb/audit-reader.js';
import { DynamoEntityRepository } from '../adapters/dynamodb/entity-repository.js';
import { DynamoMutationWriter } from '../adapters/dynamodb/mutation-writer.js';
import { DynamoResolutionStore } from '../adapters/dynamodb/resolution-repository.js';
import type { ResolutionDeps } from '../domain/resolution/store.js';
import type { EntityDeps } from '../domain/entities/entity-use-cases.js';
import type { AuditReader, Clock, IdGenerator } from '../domain/ports.js';
import { documentClient } from './aws-clients.js';
import { config } from './config.js';

/**
 * Composition root: builds the adapters behind each port once per process (one Lambda container,
 * or the whole local runtime), so every handler in a process shares clients and the audit lane cache.
 */
export const systemClock: Clock = { now: () => new Date() };
export const uuidIds: IdGenerator = { newId: () => randomUUID() };

let writer: DynamoMutationWriter | undefined;

export function mutationWriter(): DynamoMutationWriter {
  const c = config();
  writer ??= new DynamoMutationWriter(documentClient(), {
    tableName: c.TABLE_NAME,
    lanes: c.AUDIT_CHAIN_LANES,
    outboxTtlDays: c.OUTBOX_TTL_DAYS,
  });
  return writer;
}

export function entityDeps(): EntityDeps {
  return {
    entities: new DynamoEntityRepository(documentClient(), config().TABLE_NAME, mutationWriter()),
    clock: systemClock,
    ids: uuidIds,
  };
}

export function resolutionDeps(): ResolutionDeps {
  return {
    store: new DynamoResolutionStore(documentClient(), config().TABLE_NAME, mutationWriter()),
    clock: systemClock,
    ids: uuidIds,
  };
}

/** The same for functions bound to the table read-only (they never heal a stale cluster pointer). */
export function readOnlyResolutionDeps(): ResolutionDeps {
  return {
    store: new DynamoResolutionStore(documentClient(), config().TABLE_NAME, mutationWriter(), { readOnly: true }),
    clock: systemClock,
    ids: uuidIds,
  };
}

export function auditDeps(): { audit: AuditReader } {
  return { audit: new DynamoAuditReader(documentClient(), config().TABLE_NAME) };
}

export function resetComposition(): void {
  writer = undefined;
}
