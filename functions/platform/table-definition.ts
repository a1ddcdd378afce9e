/**
 * The one DynamoDB table, as data: the CDK stack and the local runtime both build it from here.
 * Key attributes are generic (PK/SK, GSI1PK/GSI1SK, GSI2PK/GSI2SK); functions/adapters/dynamodb/keys.ts says what goes in them.
 */
export const TABLE_DEFINITION = {
  partitionKey: 'PK',
  sortKey: 'SK',
  timeToLiveAttribute: 'expiresAt',
  /** New images are enough for the outbox publisher. */
  streamViewType: 'NEW_IMAGE',
  globalSecondaryIndexes: [
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  ],
} as const;

export type IndexName = (typeof TABLE_DEFINITION.globalSecondaryIndexes)[number]['indexName'];
