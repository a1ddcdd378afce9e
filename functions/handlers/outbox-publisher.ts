/**
 * Outbox publisher.
 * Trigger: the table's DynamoDB stream (NEW_IMAGE), filtered to inserted OutboxEvent items, with
 * ReportBatchItemFailures. In the local runtime the same handler is fed from DynamoDB Local's stream.
 * Output: the events on the bus; failed records are returned as batchItemFailures so the stream
 * retries from the first failure and nothing is lost if a publish or the process fails.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishOutbox, type OutboxItem } from '../adapters/eventbridge/outbox-publisher.js';
import { eventBridgeClient } from '../platform/aws-clients.js';
import { config } from '../platform/config.js';
import { logger } from '../platform/logger.js';
import { taskHandler } from '../platform/task.js';

export const makeHandler =
  (client: () => EventBridgeClient, busName: () => string) =>
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const bySequence = new Map<string, OutboxItem>();
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      // The event source filter already keeps outbox inserts only; checked again so a widened filter is harmless.
      if (record.eventName !== 'INSERT' || image?.entityType?.S !== 'OutboxEvent' || !record.dynamodb?.SequenceNumber)
        continue;
      const item = unmarshall(image as Record<string, AttributeValue>);
      bySequence.set(record.dynamodb.SequenceNumber, item as OutboxItem);
    }
    const failed = new Set(await publishOutbox(client(), busName(), [...bySequence.values()]));
    const batchItemFailures = [...bySequence]
      .filter(([, item]) => failed.has(item))
      .map(([seq]) => ({ itemIdentifier: seq }));
    logger.info('outbox published', {
      records: event.Records.length,
      published: bySequence.size - failed.size,
      failed: failed.size,
    });
    return { batchItemFailures };
  };

// Wrapped like every non-HTTP handler: Lambda context in its log lines, failures logged by name.
export const handler = taskHandler(
  'outbox-publisher',
  makeHandler(eventBridgeClient, () => config().EVENT_BUS_NAME),
);
