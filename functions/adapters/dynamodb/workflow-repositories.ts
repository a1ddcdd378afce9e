import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  Approval,
  EXECUTION_FILTER_READ_LIMIT,
  Execution,
  Workflow,
  WorkflowStep,
  type ApprovalStatus,
} from '../../../schemas/workflow.js';
import { ConflictError } from '../../domain/errors.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import type {
  ApprovalRepository,
  RunOverview,
  RunQuery,
  RunRepository,
  RunState,
  StoredApproval,
  StoredWorkflow,
  WorkflowRepository,
} from '../../domain/workflows/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './errors.js';
import { filteredPage } from './filtered-page.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter } from './mutation-writer.js';

/** Items are validated on read so an old or corrupt item fails loudly instead of flowing on. */
const Sealed = z.string().startsWith('enc1.');
const StoredStepItem = WorkflowStep.extend({ sealed: z.record(z.string(), Sealed).optional() });
const StoredWorkflowItem = Workflow.extend({ steps: z.array(StoredStepItem), sealedWebhookSecret: Sealed.optional() });
const RunItem = Execution.extend({
  tenantId: z.string(),
  startedByRoles: z.array(z.string()).optional(),
  definition: z.array(StoredStepItem),
  generation: z.number().int(),
  revision: z.number().int(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  effectRounds: z.record(z.string(), z.number().int()).optional(),
});
const RunOverviewItem = Execution.omit({ input: true });
const RUN_OVERVIEW_ATTRIBUTES = Object.keys(RunOverviewItem.shape);
const ApprovalItem = Approval.extend({
  tenantId: z.string(),
  generation: z.number().int(),
  taskToken: z.string(),
  callbackNonce: z.string(),
  version: z.number().int(),
});

const strip = <T extends Record<string, unknown>>(item: T) => {
  const { PK, SK, GSI1PK, GSI1SK, entityType, schemaVersion, ...rest } = item;
  return rest;
};

async function get(client: DynamoDBDocumentClient, tableName: string, key: Record<string, string>, what: string) {
  try {
    return (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  } catch (error) {
    translateDynamoError(error, what);
  }
}

async function queryPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  query: { limit: number; cursor?: string },
  what: string,
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  const startKey = decodeCursor(query.cursor, { index: 'GSI1', partition });
  try {
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return { items: out.Items ?? [], nextCursor: encodeCursor(out.LastEvaluatedKey) };
  } catch (error) {
    translateDynamoError(error, what);
  }
}

/** Workflow definitions: META holds the latest version (and is listed through GSI1); V#n items are immutable. */
export class DynamoWorkflowRepository implements WorkflowRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private items(tenantId: string, wf: StoredWorkflow) {
    const body = { entityType: ITEM_TYPES.workflow, schemaVersion: 1, ...wf };
    return {
      meta: { ...keys.workflow(tenantId, wf.id), ...keys.workflowIndex(tenantId, wf.createdAt, wf.id), ...body },
      version: {
        ...keys.workflowVersion(tenantId, wf.id, wf.version),
        ...body,
        entityType: ITEM_TYPES.workflowVersion,
      },
    };
  }

  async create(tenantId: string, wf: StoredWorkflow, mutation: MutationRecord): Promise<void> {
    const { meta, version } = this.items(tenantId, wf);
    await this.writer.commit(
      tenantId,
      [
        { Put: { TableName: this.tableName, Item: meta, ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: this.tableName, Item: version, ConditionExpression: 'attribute_not_exists(PK)' } },
      ],
      mutation,
    );
  }

  async addVersion(
    tenantId: string,
    wf: StoredWorkflow,
    expectedVersion: number,
    mutation: MutationRecord,
  ): Promise<void> {
    const { meta, version } = this.items(tenantId, wf);
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: meta,
            ConditionExpression: 'attribute_exists(PK) AND #v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        { Put: { TableName: this.tableName, Item: version, ConditionExpression: 'attribute_not_exists(PK)' } },
      ],
      mutation,
    );
  }

  async get(tenantId: string, id: string, version?: number): Promise<StoredWorkflow | undefined> {
    const key = version ? keys.workflowVersion(tenantId, id, version) : keys.workflow(tenantId, id);
    const item = await get(this.client, this.tableName, key, 'get workflow');
    return item ? StoredWorkflowItem.parse(strip(item)) : undefined;
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<StoredWorkflow>> {
    const page = await queryPage(
      this.client,
      this.tableName,
      keys.workflowsPartition(tenantId),
      query,
      'list workflows',
    );
    return { items: page.items.map((i) => StoredWorkflowItem.parse(strip(i))), nextCursor: page.nextCursor };
  }
}

/** Runs: one item per run, saved with optimistic locking on `revision`. */
export class DynamoRunRepository implements RunRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private item(tenantId: string, run: RunState) {
    return {
      ...keys.run(tenantId, run.executionId),
      ...keys.runIndex(tenantId, run.startedAt, run.executionId),
      entityType: ITEM_TYPES.run,
      schemaVersion: 1,
      ...run,
    };
  }

  async create(tenantId: string, run: RunState, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.item(tenantId, run),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
      mutation,
    );
  }

  async get(tenantId: string, id: string): Promise<RunState | undefined> {
    const item = await get(this.client, this.tableName, keys.run(tenantId, id), 'get run');
    return item ? (RunItem.parse(strip(item)) as RunState) : undefined;
  }

  /** The runs partition of GSI1, newest started first; a workflow and a status filter it (filteredPage). */
  async list(tenantId: string, query: RunQuery): Promise<Page<RunOverview>> {
    const page = await filteredPage(this.client, this.tableName, {
      index: 'GSI1',
      partition: keys.runsPartition(tenantId),
      filters: { workflowId: query.workflowId, status: query.status },
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      maxRead: EXECUTION_FILTER_READ_LIMIT,
      // The definition, inputs and bookkeeping stay unread.
      attributes: RUN_OVERVIEW_ATTRIBUTES,
      what: 'list runs',
    });
    return { items: page.items.map((i) => RunOverviewItem.parse(i)), nextCursor: page.nextCursor };
  }

  async save(tenantId: string, run: RunState, mutation?: MutationRecord): Promise<void> {
    const put = {
      Put: {
        TableName: this.tableName,
        Item: this.item(tenantId, run),
        ConditionExpression: '#r = :expected',
        ExpressionAttributeNames: { '#r': 'revision' },
        ExpressionAttributeValues: { ':expected': run.revision - 1 },
      },
    };
    if (mutation) return this.writer.commit(tenantId, [put], mutation);
    await this.writer.put(put.Put, 'save run');
  }
}

/** Approvals: listed by status through GSI1; decisions are conditional on the status they leave. */
export class DynamoApprovalRepository implements ApprovalRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private item(tenantId: string, a: StoredApproval) {
    return {
      ...keys.approval(tenantId, a.id),
      ...keys.approvalIndex(tenantId, a.status, a.requestedAt, a.id),
      entityType: ITEM_TYPES.approval,
      schemaVersion: 1,
      ...a,
    };
  }

  async createOrGet(
    tenantId: string,
    approval: StoredApproval,
    mutation: MutationRecord,
  ): Promise<{ created: boolean; approval: StoredApproval }> {
    try {
      await this.writer.commit(
        tenantId,
        [
          {
            Put: {
              TableName: this.tableName,
              Item: this.item(tenantId, approval),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
        mutation,
      );
      return { created: true, approval };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const existing = await this.get(tenantId, approval.id);
      if (!existing) throw error;
      return { created: false, approval: existing };
    }
  }

  async get(tenantId: string, id: string): Promise<StoredApproval | undefined> {
    const item = await get(this.client, this.tableName, keys.approval(tenantId, id), 'get approval');
    return item ? (ApprovalItem.parse(strip(item)) as StoredApproval) : undefined;
  }

  async save(
    tenantId: string,
    approval: StoredApproval,
    fromStatus: ApprovalStatus,
    mutation?: MutationRecord,
  ): Promise<void> {
    const put = {
      TableName: this.tableName,
      Item: this.item(tenantId, approval),
      ConditionExpression: '#v = :expected AND #s = :from',
      ExpressionAttributeNames: { '#v': 'version', '#s': 'status' },
      ExpressionAttributeValues: { ':expected': approval.version - 1, ':from': fromStatus },
    };
    if (mutation) return this.writer.commit(tenantId, [{ Put: put }], mutation);
    await this.writer.put(put, 'save approval');
  }

  async list(
    tenantId: string,
    query: { status: ApprovalStatus; limit: number; cursor?: string },
  ): Promise<Page<StoredApproval>> {
    const page = await queryPage(
      this.client,
      this.tableName,
      keys.approvalsPartition(tenantId, query.status),
      query,
      'list approvals',
    );
    return {
      items: page.items.map((i) => ApprovalItem.parse(strip(i)) as StoredApproval),
      nextCursor: page.nextCursor,
    };
  }
}
