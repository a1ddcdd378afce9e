import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MiningJob } from '../../../schemas/mining-api.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import type { MiningJobStore } from '../../domain/mining/service/ports.js';
import { translateDynamoError } from './errors.js';
import { indexPage } from './index-page.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter } from './mutation-writer.js';

/** A job is kept as long as its results (AREA_RETENTION_DAYS of `mining-results/`), then DynamoDB's TTL drops it. */
export const MINING_JOB_TTL_DAYS = 90;

/** Mining jobs in the single table: one item per job, listed newest first through GSI1; reads validated with zod. */
export class DynamoMiningJobStore implements MiningJobStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private item(tenantId: string, job: MiningJob) {
    return {
      ...keys.miningJob(tenantId, job.id),
      ...keys.miningJobIndex(tenantId, job.createdAt, job.id),
      entityType: ITEM_TYPES.miningJob,
      schemaVersion: 1,
      tenantId,
      expiresAt: Math.floor(Date.parse(job.createdAt) / 1000) + MINING_JOB_TTL_DAYS * 86_400,
      ...job,
    };
  }

  async create(tenantId: string, job: MiningJob, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.item(tenantId, job),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
      mutation,
    );
  }

  async get(tenantId: string, id: string): Promise<MiningJob | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.miningJob(tenantId, id), ConsistentRead: true }),
      );
      return out.Item ? MiningJob.parse(out.Item) : undefined;
    } catch (error) {
      translateDynamoError(error, 'get mining job');
    }
  }

  async save(tenantId: string, job: MiningJob): Promise<void> {
    // Only a job that exists is saved: a late write for a job whose item expired must not bring it back.
    await this.writer.put(
      { TableName: this.tableName, Item: this.item(tenantId, job), ConditionExpression: 'attribute_exists(PK)' },
      'save mining job',
    );
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<MiningJob>> {
    const page = await indexPage(
      this.client,
      this.tableName,
      'GSI1',
      keys.miningJobsPartition(tenantId),
      query,
      'list mining jobs',
    );
    return { items: page.items.map((i) => MiningJob.parse(i)), nextCursor: page.nextCursor };
  }
}
