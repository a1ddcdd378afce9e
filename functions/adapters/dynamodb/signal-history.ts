import { type DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import type { HistoryEntry, HistoryQuery, HistoryRead, SignalHistory } from '../../domain/signals/use-cases/ports.js';
import { HISTORY_DAYS, utcDayOf, utcDayStart, utf8Length } from '../../domain/signals/use-cases/signal-history.js';
import type { SignalEvent } from '../../domain/signals/types.js';
import { translateDynamoError } from './errors.js';
import { ITEM_TYPES, keys } from './keys.js';

const DAY_MS = 86_400_000;
/** Puts of one bus event's entries at once (a merge names several entities). */
const PUT_CONCURRENCY = 8;
/**
 * Past this sort key value, a day's partition holds no event of an instant up to `to`: the key is `<ISO>#<id>`, and
 * `$` sorts right after `#` while a later instant differs from `to` in a digit before it.
 */
const AFTER_INSTANT = '$';

const HistoryItem = z.object({
  eventId: z.string(),
  time: z.number(),
  event: z.string(),
  trimmed: z.boolean(),
});

/**
 * The signal history in the single table (keys.ts: SIGHIST): one item per engine event, in the partition of its
 * event time's UTC day, sorted by time then id, its event as JSON, removed by TTL HISTORY_DAYS days after its time.
 */
export class DynamoSignalHistory implements SignalHistory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One conditional put per event: an id stored already (a redelivery, the outbox publishing twice) stays as it is. */
  async record(tenantId: string, entries: readonly HistoryEntry[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < entries.length) await this.put(tenantId, entries[next++] as HistoryEntry);
    };
    await Promise.all(Array.from({ length: Math.min(PUT_CONCURRENCY, entries.length) }, worker));
  }

  private async put(tenantId: string, entry: HistoryEntry): Promise<void> {
    const { id, time, event } = entry.event;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.signalHistoryEvent(tenantId, utcDayOf(time), new Date(time).toISOString(), id),
            entityType: ITEM_TYPES.signalHistoryEvent,
            schemaVersion: 1,
            tenantId,
            eventId: id,
            time,
            event: JSON.stringify(event),
            trimmed: entry.trimmed,
            expiresAt: Math.ceil((time + HISTORY_DAYS * DAY_MS) / 1000),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if ((error as Error)?.name === 'ConditionalCheckFailedException') return;
      translateDynamoError(error, 'record signal history event');
    }
  }

  /**
   * Newest first, day partition after day partition, each a Query bounded by [from, to] on its sort key, until the
   * bounds are reached; reading one item past them tells whether anything was left out (`truncated`) and at which
   * instant the read stopped (its events are dropped: the read may have split them).
   */
  async read(tenantId: string, query: HistoryQuery): Promise<HistoryRead> {
    const lo = new Date(query.from).toISOString();
    const hi = `${new Date(query.to).toISOString()}${AFTER_INSTANT}`;
    const kept: Array<{ event: SignalEvent; trimmed: boolean }> = [];
    let bytes = 0;
    let stoppedAt: number | null = null;
    days: for (let day = utcDayStart(query.to); day >= utcDayStart(query.from); day -= DAY_MS) {
      let startKey: Record<string, unknown> | undefined;
      do {
        let out: QueryCommandOutput;
        try {
          out = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
              ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK', '#time': 'time', '#event': 'event' },
              ExpressionAttributeValues: {
                ':pk': keys.signalHistoryPartition(tenantId, utcDayOf(day)),
                ':lo': lo,
                ':hi': hi,
              },
              ProjectionExpression: 'eventId, #time, #event, trimmed',
              ScanIndexForward: false,
              // One more than the events still wanted: the one that does not fit says where the read stopped.
              Limit: query.maxEvents + 1 - kept.length,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          );
        } catch (error) {
          translateDynamoError(error, 'read signal history');
        }
        for (const raw of out.Items ?? []) {
          const item = HistoryItem.parse(raw);
          const size = utf8Length(item.event);
          if (kept.length >= query.maxEvents || bytes + size > query.maxBytes) {
            stoppedAt = item.time;
            break days;
          }
          bytes += size;
          kept.push({
            event: { id: item.eventId, time: item.time, event: JSON.parse(item.event) as Record<string, unknown> },
            trimmed: item.trimmed,
          });
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    }
    if (stoppedAt !== null) {
      const cut = stoppedAt;
      while (kept.length > 0 && (kept.at(-1)?.event.time ?? Number.NEGATIVE_INFINITY) <= cut) kept.pop();
    }
    kept.reverse();
    return {
      events: kept.map((k) => k.event),
      trimmed: kept.filter((k) => k.trimmed).length,
      truncated: stoppedAt !== null,
      from: stoppedAt === null ? query.from : stoppedAt + 1,
    };
  }
}
