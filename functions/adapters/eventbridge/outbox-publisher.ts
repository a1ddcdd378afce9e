import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** An outbox item as written by DynamoMutationWriter. */
export interface OutboxItem {
  PK: string;
  SK: string;
  source: string;
  detailType: string;
  detail: string;
}

/** PutEvents accepts at most 10 entries and 256 KB (all entries together) per call. */
export const MAX_ENTRIES = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

/** An entry's size as EventBridge counts it: Source, DetailType, Detail and Resources in UTF-8 bytes, 14 for Time. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0)
  );
}

/** Splits entries into PutEvents calls within both limits, keeping their order. */
export function batchesOf<T>(items: readonly T[], sizeOf: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length && (current.length === MAX_ENTRIES || bytes + size > MAX_REQUEST_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

/**
 * Publishes outbox items to the bus; returns the items that failed (to be retried by the caller,
 * e.g. as Lambda stream batch item failures). EventBridge delivers at least once; consumers
 * deduplicate on `detail.eventId`.
 */
export async function publishOutbox(
  client: EventBridgeClient,
  busName: string,
  items: OutboxItem[],
): Promise<OutboxItem[]> {
  const failed: OutboxItem[] = [];
  const toEntry = (item: OutboxItem): PutEventsRequestEntry => ({
    EventBusName: busName,
    Source: item.source,
    DetailType: item.detailType,
    Detail: item.detail,
  });
  for (const batch of batchesOf(items, (item) => entrySize(toEntry(item)))) {
    const entries = batch.map(toEntry);
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
