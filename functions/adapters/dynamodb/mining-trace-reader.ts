import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { EntityType } from '../../../schemas/entity.js';
import { RunStatus, StepRecord } from '../../../schemas/workflow.js';
import type { EntityChange, EntityHistory, PlatformTraceReader, RunTrace } from '../../domain/mining/service/traces.js';
import { translateDynamoError } from './errors.js';
import { keys } from './keys.js';

/** What mining reads of a run item (validated, so a corrupt item fails loudly); step outputs are not read. */
const RunTraceItem = z.object({
  executionId: z.string(),
  workflowId: z.string(),
  workflowVersion: z.number().int(),
  status: RunStatus,
  startedAt: z.string(),
  completedAt: z.string().optional(),
  steps: z.array(StepRecord.omit({ output: true, error: true })),
});
const ApprovalTraceItem = z.object({
  id: z.string(),
  status: z.string(),
  requestedAt: z.string(),
  decidedAt: z.string().optional(),
  decidedBy: z.string().optional(),
});
const AuditTraceItem = z.object({
  resourceId: z.string(),
  action: z.string(),
  actor: z.string(),
  at: z.string(),
  requestId: z.string(),
  via: z.string().optional(),
});
const UpdatedDetail = z.object({
  occurredAt: z.string(),
  correlationId: z.string().optional(),
  payload: z.object({ entity: z.object({ id: z.string(), type: z.string() }), changed: z.array(z.string()) }),
});

export interface TraceReadLimits {
  /** Audit records read at most for one request (newest first): bounds the cost of a tenant with a long trail. */
  maxAuditRecords: number;
  /** Outbox items read at most to learn which attributes updates changed. */
  maxOutboxItems: number;
}

const DEFAULT_LIMITS: TraceReadLimits = { maxAuditRecords: 50_000, maxOutboxItems: 20_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The platform's own traces in the single table, for process mining.
 * - Workflow runs: the runs partition of GSI1, newest first (from `since`), filtered by workflow; each gated step's
 *   approval is read by id.
 * - Entity histories: the audit trail, newest first (from `since`), its records of entities grouped by entity; the
 *   newest `limit` entities (of the type, read by id) are the cases. The audit record does not name the attributes
 *   an update changed; its `entity.updated` event does, and the outbox keeps events for OUTBOX_TTL_DAYS: where the
 *   event is still there (matched on entity, request id and time), the update names its attributes.
 */
export class DynamoMiningTraceReader implements PlatformTraceReader {
  private readonly limits: TraceReadLimits;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    limits: Partial<TraceReadLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  async workflowRuns(
    tenantId: string,
    query: { workflowId?: string; since?: string; limit: number },
  ): Promise<{ runs: RunTrace[]; truncated: boolean }> {
    const found: z.infer<typeof RunTraceItem>[] = [];
    let start: Record<string, unknown> | undefined;
    let truncated = false;
    do {
      const out = await this.query(
        {
          IndexName: 'GSI1',
          KeyConditionExpression: query.since ? 'GSI1PK = :pk AND GSI1SK >= :since' : 'GSI1PK = :pk',
          ...(query.workflowId ? { FilterExpression: 'workflowId = :wf' } : {}),
          ProjectionExpression: 'executionId, workflowId, workflowVersion, #status, startedAt, completedAt, steps',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pk': keys.runsPartition(tenantId),
            ...(query.since ? { ':since': query.since } : {}),
            ...(query.workflowId ? { ':wf': query.workflowId } : {}),
          },
          ScanIndexForward: false,
          Limit: Math.min(1000, query.limit + 1),
          ExclusiveStartKey: start,
        },
        'list runs',
      );
      for (const item of out.Items ?? []) {
        if (found.length === query.limit) {
          truncated = true;
          break;
        }
        found.push(RunTraceItem.parse(item));
      }
      start = out.LastEvaluatedKey;
    } while (start && !truncated);
    const approvalIds = found.flatMap((r) => r.steps.flatMap((s) => (s.approvalId ? [s.approvalId] : [])));
    const approvals = new Map<string, z.infer<typeof ApprovalTraceItem>>();
    for (const item of await this.batchGet(
      approvalIds.map((id) => keys.approval(tenantId, id)),
      'id, #status, requestedAt, decidedAt, decidedBy',
      'get approvals',
    )) {
      const approval = ApprovalTraceItem.parse(item);
      approvals.set(approval.id, approval);
    }
    const runs = found.map((r) => ({
      ...r,
      steps: r.steps.map((s) => {
        const a = s.approvalId ? approvals.get(s.approvalId) : undefined;
        return {
          ...s,
          ...(a
            ? {
                approval: {
                  status: a.status,
                  requestedAt: a.requestedAt,
                  ...(a.decidedAt ? { decidedAt: a.decidedAt } : {}),
                  ...(a.decidedBy ? { decidedBy: a.decidedBy } : {}),
                },
              }
            : {}),
        };
      }),
    }));
    return { runs, truncated };
  }

  async entityHistories(
    tenantId: string,
    query: { entityType?: EntityType; since?: string; limit: number },
  ): Promise<{ histories: EntityHistory[]; truncated: boolean }> {
    // Newest first: the first record of an entity met is its latest change, so entities come in the order of cases.
    const byEntity = new Map<string, (z.infer<typeof AuditTraceItem> & { changed?: string[] })[]>();
    let start: Record<string, unknown> | undefined;
    let read = 0;
    do {
      const out = await this.query(
        {
          KeyConditionExpression: query.since ? 'PK = :pk AND SK >= :since' : 'PK = :pk',
          FilterExpression: 'resourceType = :entity',
          ProjectionExpression: 'resourceId, #action, actor, #at, requestId, via',
          ExpressionAttributeNames: { '#action': 'action', '#at': 'at' },
          ExpressionAttributeValues: {
            ':pk': keys.auditPartition(tenantId),
            ':entity': 'entity',
            ...(query.since ? { ':since': query.since } : {}),
          },
          ScanIndexForward: false,
          Limit: 1000,
          ExclusiveStartKey: start,
        },
        'read audit trail',
      );
      read += out.ScannedCount ?? 0;
      for (const item of out.Items ?? []) {
        const record = AuditTraceItem.parse(item);
        const list = byEntity.get(record.resourceId) ?? [];
        list.push(record);
        byEntity.set(record.resourceId, list);
      }
      start = out.LastEvaluatedKey;
    } while (start && read < this.limits.maxAuditRecords);
    const historyCut = start !== undefined;
    const ids = [...byEntity.keys()];
    const chosen: { id: string; type?: string }[] = [];
    let more = false;
    // Types are read only as far as needed: without a type filter, none (the first `limit` entities are the cases).
    for (let i = 0; i < ids.length && !more; i += 100) {
      const slice = ids.slice(i, i + 100);
      const types = new Map<string, string>();
      for (const item of await this.batchGet(
        slice.map((id) => keys.entity(tenantId, id)),
        'id, #type',
        'get entity types',
        { '#type': 'type' },
      ))
        types.set(String(item.id), String(item.type));
      for (const id of slice) {
        const type = types.get(id);
        if (query.entityType && type !== query.entityType) continue;
        if (chosen.length === query.limit) {
          more = true;
          break;
        }
        chosen.push({ id, ...(type ? { type } : {}) });
      }
    }
    const changed = await this.changedAttributes(tenantId, new Set(chosen.map((c) => c.id)));
    const histories = chosen.map(({ id, type }) => ({
      entityId: id,
      ...(type ? { entityType: type } : {}),
      changes: byEntity
        .get(id)!
        .reverse()
        .map(
          (r): EntityChange => ({
            at: r.at,
            action: r.action,
            actor: r.actor,
            ...(r.via ? { via: r.via } : {}),
            ...(changed.has(`${id}|${r.requestId}|${r.at}`)
              ? { changed: changed.get(`${id}|${r.requestId}|${r.at}`)! }
              : {}),
          }),
        ),
    }));
    return { histories, truncated: more || historyCut };
  }

  /** `entityId|requestId|occurredAt` → the attributes its update changed, from the `entity.updated` events kept. */
  private async changedAttributes(tenantId: string, entityIds: ReadonlySet<string>): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (entityIds.size === 0) return out;
    let start: Record<string, unknown> | undefined;
    let read = 0;
    while (read < this.limits.maxOutboxItems) {
      const page = await this.query(
        {
          KeyConditionExpression: 'PK = :pk',
          FilterExpression: 'detailType = :updated',
          ProjectionExpression: 'detail',
          ExpressionAttributeValues: { ':pk': keys.outboxPartition(tenantId), ':updated': 'entity.updated' },
          Limit: 1000,
          ExclusiveStartKey: start,
        },
        'read outbox',
      );
      read += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        const parsed = UpdatedDetail.safeParse(JSON.parse(String(item.detail)));
        if (!parsed.success || !entityIds.has(parsed.data.payload.entity.id)) continue;
        const d = parsed.data;
        out.set(`${d.payload.entity.id}|${d.correlationId}|${d.occurredAt}`, d.payload.changed);
      }
      start = page.LastEvaluatedKey;
      if (!start) break;
    }
    return out;
  }

  private async query(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>, what: string) {
    try {
      return await this.client.send(new QueryCommand({ TableName: this.tableName, ...input }));
    } catch (error) {
      translateDynamoError(error, what);
    }
  }

  private async batchGet(
    keyList: Record<string, string>[],
    projection: string,
    what: string,
    names: Record<string, string> = { '#status': 'status' },
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < keyList.length; i += 100) {
      let requested: Record<string, unknown>[] = keyList.slice(i, i + 100);
      for (let attempt = 0; requested.length > 0; attempt++) {
        try {
          const res = await this.client.send(
            new BatchGetCommand({
              RequestItems: {
                [this.tableName]: {
                  Keys: requested,
                  ProjectionExpression: projection,
                  ExpressionAttributeNames: names,
                },
              },
            }),
          );
          items.push(...(res.Responses?.[this.tableName] ?? []));
          requested = (res.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        } catch (error) {
          translateDynamoError(error, what);
        }
        if (requested.length > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      }
    }
    return items;
  }
}
