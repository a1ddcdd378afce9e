import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** An outbox item as written by DynamoMutationWriter. */
export interface OutboxItem {
  PK: string;
  SK: string;
  source: string;
  detailType: string;
  detail: string;
}

/** PutEvents accepts at most 10 entries and 256 KB per call. */
const MAX_ENTRIES = 10;

/**
 * Publishes outbox items to the bus; returns the items that failed (to be retried by the caller,
 * e.g. as Lambda stream batch item failures). EventBridge delivers at least once; consumers
 * deduplicate on `detail.eventId`.
 */
export async function publishOutbox(client: EventBridgeClient, busName: string, items: OutboxItem[]): Promise<OutboxItem[]> {
  const failed: OutboxItem[] = [];
  for (let i = 0; i < items.length; i += MAX_ENTRIES) {
    const batch = items.slice(i, i + MAX_ENTRIES);
    const entries: PutEventsRequestEntry[] = batch.map((item) => ({
      EventBusName: busName,
      Source: item.source,
      DetailType: item.detailType,
      Detail: item.detail,
    }));
    try {
      const out = await client.send(new PutEventsCommand({ Entries: entries }));
      (out.Entries ?? []).forEach((result, idx) => {
        if (result.ErrorCode && batch[idx]) failed.push(batch[idx]);
      });
    } catch {
      failed.push(...batch);
    }
  }
  return failed;
}
