/**
 * The local bus's journal: an append-only JSON-lines file of accepted events and what became of each
 * delivery. The bus answers PutEvents only once the `accepted` record is fsynced, so after a crash at
 * any moment an event is either unacknowledged or still in the journal, pending until a `delivered`
 * or `dead-lettered` record says otherwise. Appends are group-committed (one fsync for every record
 * queued meanwhile); the file is compacted to the pending deliveries on open and when it grows.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { readJsonLines, replaceFileDurably } from './durable-files.js';
import type { BusEvent, Delivery, DeliveryError, DeliveryTarget } from './event-bus-state.js';

export type JournalRecord =
  | {
      type: 'accepted';
      at: number;
      event: BusEvent;
      deliveries: Array<{ id: string; rule: string; target: DeliveryTarget; redriveOf?: string }>;
    }
  | {
      type: 'failed';
      id: string;
      at: number;
      attempt: number;
      firstAttemptAt: number;
      lastAttemptAt: number;
      error: DeliveryError;
      nextAt: number;
    }
  | { type: 'delivered'; id: string; at: number; attempt: number }
  | { type: 'dead-lettered'; id: string; at: number };

/**
 * The deliveries still pending after these records, in acceptance order. Idempotent per record (a
 * record seen twice changes nothing), which lets a compaction run between any two appends.
 */
export function pendingDeliveries(records: Iterable<JournalRecord>): Map<string, Delivery> {
  const pending = new Map<string, Delivery>();
  const settled = new Set<string>();
  for (const r of records) {
    if (r.type === 'accepted') {
      for (const d of r.deliveries) {
        if (pending.has(d.id) || settled.has(d.id)) continue;
        pending.set(d.id, { ...d, event: r.event, acceptedAt: r.at, attempts: 0, nextAt: r.at });
      }
    } else if (r.type === 'failed') {
      const d = pending.get(r.id);
      if (d)
        Object.assign(d, {
          attempts: r.attempt,
          firstAttemptAt: r.firstAttemptAt,
          lastAttemptAt: r.lastAttemptAt,
          lastError: r.error,
          nextAt: r.nextAt,
        });
    } else {
      pending.delete(r.id);
      settled.add(r.id);
    }
  }
  return pending;
}

/** The records that rebuild exactly these deliveries: what a compacted journal holds. */
export function journalSnapshot(deliveries: Iterable<Delivery>): JournalRecord[] {
  return [...deliveries].flatMap((d): JournalRecord[] => [
    {
      type: 'accepted',
      at: d.acceptedAt,
      event: d.event,
      deliveries: [{ id: d.id, rule: d.rule, target: d.target, ...(d.redriveOf ? { redriveOf: d.redriveOf } : {}) }],
    },
    ...(d.attempts > 0
      ? [
          {
            type: 'failed',
            id: d.id,
            at: d.lastAttemptAt!,
            attempt: d.attempts,
            firstAttemptAt: d.firstAttemptAt!,
            lastAttemptAt: d.lastAttemptAt!,
            error: d.lastError!,
            nextAt: d.nextAt,
          } satisfies JournalRecord,
        ]
      : []),
  ]);
}

const toLines = (records: readonly JournalRecord[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

export interface EventJournalOptions {
  /** Compact once the file has grown by this much since the last compaction (default 4 MiB). */
  compactAfterBytes?: number;
  /** The current pending deliveries, for a compaction while running. */
  snapshot: () => Iterable<Delivery>;
  onError?: (error: unknown) => void;
}

export class EventJournal {
  private handle: FileHandle | undefined;
  private queue: Array<{ data: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;
  private size = 0;
  private compactAt = 0;

  constructor(
    readonly file: string,
    private readonly options: EventJournalOptions,
  ) {}

  /** The journal's records (a torn last line, cut short by a crash before it was acknowledged, is dropped). */
  read(): JournalRecord[] {
    return readJsonLines<JournalRecord>(this.file);
  }

  /** Rewrites the file as exactly these deliveries (compaction) and opens it for appending. */
  async open(deliveries: Iterable<Delivery>): Promise<void> {
    this.compact(deliveries);
    this.handle = await open(this.file, 'a', 0o600);
  }

  /** Resolves once the records are written and fsynced, with every record appended before them. */
  append(records: readonly JournalRecord[]): Promise<void> {
    if (!this.handle) return Promise.reject(new Error('the event journal is not open'));
    const done = new Promise<void>((resolve, reject) => this.queue.push({ data: toLines(records), resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  /** Waits for queued appends, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    // Runs until the queue is empty; `flushing` is cleared in the same synchronous step that finds it
    // empty, so an append either joins this loop or starts the next one.
    await Promise.resolve();
    for (let batch = this.queue.splice(0); batch.length; batch = this.queue.splice(0)) {
      const data = batch.map((b) => b.data).join('');
      try {
        if (this.size >= this.compactAt) await this.reopenCompacted();
        await this.handle!.appendFile(data);
        await this.handle!.sync();
        this.size += Buffer.byteLength(data);
        for (const b of batch) b.resolve();
      } catch (error) {
        // A failed write (a full disk) may leave part of a line: cut it off so later lines stay readable.
        await this.handle?.truncate(this.size).catch(() => undefined);
        for (const b of batch) b.reject(error);
      }
    }
    this.flushing = undefined;
  }

  private async reopenCompacted(): Promise<void> {
    try {
      await this.handle?.close();
      this.compact(this.options.snapshot());
    } catch (error) {
      this.options.onError?.(error);
      this.compactAt = this.size * 2;
    } finally {
      this.handle = await open(this.file, 'a', 0o600);
    }
  }

  private compact(deliveries: Iterable<Delivery>): void {
    const data = toLines(journalSnapshot(deliveries));
    replaceFileDurably(this.file, data);
    this.size = Buffer.byteLength(data);
    // Grow by the threshold, or by as much again as the pending deliveries themselves if they are larger.
    this.compactAt = this.size + Math.max(this.options.compactAfterBytes ?? 4 * 1024 * 1024, this.size);
  }
}
