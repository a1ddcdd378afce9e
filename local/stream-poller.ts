import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { compileEventPattern } from '../functions/domain/events/event-pattern.js';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

interface Checkpoint {
  streamArn: string;
  /** Last sequence number fully handled, per shard. */
  shards: Record<string, string>;
}

/**
 * Feeds a table's DynamoDB stream (DynamoDB Local implements the Streams API) to a Lambda-style
 * stream handler, as the Lambda event source mapping does in AWS: records in shard order, batches,
 * ReportBatchItemFailures honoured (a batch is retried from its first failed record), and the
 * position checkpointed to a file so a restart resumes where the last run stopped.
 */
export class LocalStreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private checkpoint: Checkpoint | undefined;
  private readonly iterators = new Map<string, string | undefined>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Failures so far of the record each shard is stuck on. */
  private readonly failures = new Map<string, { sequence: string; count: number }>();
  /** Lambda event filtering: the event source mapping's filter, with the same pattern syntax as EventBridge. */
  private readonly accepts: (record: Record<string, unknown>) => boolean;

  constructor(
    private readonly dynamo: DynamoDBClient,
    endpoint: string,
    private readonly tableName: string,
    private readonly handler: StreamHandler,
    private readonly checkpointFile: string,
    private readonly options: {
      intervalMs?: number;
      batchSize?: number;
      onError?: (e: unknown) => void;
      filter?: Record<string, unknown>;
      /** Retries of a failing record before it is written to `onFailureFile` and skipped (as the event source mapping's on-failure destination). */
      retryAttempts?: number;
      onFailureFile?: string;
    } = {},
  ) {
    this.accepts = options.filter ? compileEventPattern(options.filter) : () => true;
    this.streams = new DynamoDBStreamsClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  async start(): Promise<void> {
    const table = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`table ${this.tableName} has no stream`);
    const saved = existsSync(this.checkpointFile)
      ? (JSON.parse(readFileSync(this.checkpointFile, 'utf8')) as Checkpoint)
      : undefined;
    this.checkpoint = saved?.streamArn === streamArn ? saved : { streamArn, shards: {} };
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.pollOnce().then(
        () => undefined,
        (e: unknown) => this.options.onError?.(e),
      );
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs ?? 50);
    };
    await loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.streams.destroy();
  }

  /** Reads every shard once, parents before children; returns the number of records handled. */
  async pollOnce(): Promise<number> {
    const cp = this.checkpoint;
    if (!cp) throw new Error('poller not started');
    const shards: Shard[] = [];
    let exclusiveStart: string | undefined;
    do {
      const d = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: cp.streamArn, ExclusiveStartShardId: exclusiveStart }),
      );
      shards.push(...(d.StreamDescription?.Shards ?? []));
      exclusiveStart = d.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStart);
    let handled = 0;
    for (const shard of orderParentsFirst(shards)) handled += await this.drainShard(cp, shard);
    return handled;
  }

  private async iteratorFor(cp: Checkpoint, shardId: string): Promise<string | undefined> {
    const after = cp.shards[shardId];
    try {
      const out = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: cp.streamArn,
          ShardId: shardId,
          ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
          SequenceNumber: after,
        }),
      );
      return out.ShardIterator;
    } catch (error) {
      if (error instanceof TrimmedDataAccessException) {
        const out = await this.streams.send(
          new GetShardIteratorCommand({ StreamArn: cp.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
        );
        return out.ShardIterator;
      }
      throw error;
    }
  }

  private async drainShard(cp: Checkpoint, shard: Shard): Promise<number> {
    const shardId = shard.ShardId!;
    let handled = 0;
    let iterator = this.iterators.has(shardId) ? this.iterators.get(shardId) : await this.iteratorFor(cp, shardId);
    while (iterator) {
      let out;
      try {
        out = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 100 }),
        );
      } catch (error) {
        if (error instanceof ExpiredIteratorException) {
          iterator = await this.iteratorFor(cp, shardId);
          continue;
        }
        throw error;
      }
      const records = out.Records ?? [];
      if (records.length === 0) {
        iterator = out.NextShardIterator;
        break;
      }
      const wanted = records.filter((r) => this.accepts(r as unknown as Record<string, unknown>));
      const result = wanted.length ? await this.handler(toLambdaEvent(wanted, cp.streamArn)) : undefined;
      const firstFailure = result?.batchItemFailures?.[0]?.itemIdentifier;
      if (firstFailure) {
        const idx = records.findIndex((r) => r.dynamodb?.SequenceNumber === firstFailure);
        const seen = this.failures.get(shardId);
        const count = seen?.sequence === firstFailure ? seen.count + 1 : 1;
        this.failures.set(shardId, { sequence: firstFailure, count });
        if (count > (this.options.retryAttempts ?? Infinity)) {
          // Retries exhausted: the record goes to the on-failure file and the shard moves past it.
          if (this.options.onFailureFile)
            appendFileSync(
              this.options.onFailureFile,
              JSON.stringify({ shardId, sequenceNumber: firstFailure, attempts: count, record: records[idx] }) + '\n',
            );
          this.failures.delete(shardId);
          this.save(cp, shardId, firstFailure);
        } else {
          // Checkpoint up to the record before the first failure and retry from there next poll.
          const lastGood = idx > 0 ? records[idx - 1]?.dynamodb?.SequenceNumber : undefined;
          if (lastGood) this.save(cp, shardId, lastGood);
        }
        this.iterators.delete(shardId);
        return handled + Math.max(idx, 0);
      }
      const last = records[records.length - 1]?.dynamodb?.SequenceNumber;
      if (last) this.save(cp, shardId, last);
      handled += records.length;
      iterator = out.NextShardIterator;
    }
    this.iterators.set(shardId, iterator);
    return handled;
  }

  private save(cp: Checkpoint, shardId: string, sequenceNumber: string): void {
    cp.shards[shardId] = sequenceNumber;
    const tmp = `${this.checkpointFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(cp));
    renameSync(tmp, this.checkpointFile);
  }
}

function orderParentsFirst(shards: Shard[]): Shard[] {
  const ids = new Set(shards.map((s) => s.ShardId));
  const done = new Set<string>();
  const out: Shard[] = [];
  const visit = (s: Shard) => {
    if (done.has(s.ShardId!)) return;
    done.add(s.ShardId!);
    const parent =
      s.ParentShardId && ids.has(s.ParentShardId) ? shards.find((p) => p.ShardId === s.ParentShardId) : undefined;
    if (parent) visit(parent);
    out.push(s);
  };
  shards.forEach(visit);
  return out;
}

/** The SDK's stream records in the shape Lambda delivers them. */
function toLambdaEvent(records: StreamRecord[], streamArn: string): DynamoDBStreamEvent {
  return {
    Records: records.map((r) => ({
      eventID: r.eventID,
      eventName: r.eventName as 'INSERT' | 'MODIFY' | 'REMOVE',
      eventVersion: r.eventVersion,
      eventSource: 'aws:dynamodb',
      awsRegion: r.awsRegion,
      eventSourceARN: streamArn,
      dynamodb: {
        ...r.dynamodb,
        ApproximateCreationDateTime: r.dynamodb?.ApproximateCreationDateTime
          ? r.dynamodb.ApproximateCreationDateTime.getTime() / 1000
          : undefined,
      } as NonNullable<DynamoDBStreamEvent['Records'][number]['dynamodb']>,
    })),
  };
}
