import type { HistoryItem, Journal } from './journal.js';

export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/**
 * The execution history, kept in the journal table. Events are written in order, one at a time.
 * Each event has a fingerprint; one already recorded is not recorded again, which is what keeps a
 * replay (after a restart or a redrive) from duplicating the events of the states it re-enters.
 * Interpreter state events are fingerprinted by (type, state, n-th time in this replay); task events
 * by (type, journal key, attempt segment); execution events by (type, redrive count).
 */
export class HistoryWriter {
  private readonly fingerprints = new Set<string>();
  private readonly counts = new Map<string, number>();
  private seq: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly journal: Journal,
    private readonly executionArn: string,
    existing: HistoryItem[],
    private readonly onError: (e: unknown) => void,
  ) {
    for (const item of existing) this.fingerprints.add(item.fp);
    this.seq = existing.reduce((m, i) => Math.max(m, i.seq), 0);
  }

  /** Starts a new replay: counted fingerprints start again from 1. */
  newReplay(): void {
    this.counts.clear();
  }

  record(type: string, details: Record<string, unknown>, options: { fp?: string; countBy?: string; timestamp?: number } = {}): void {
    let fp = options.fp;
    if (!fp) {
      const base = `${type}|${options.countBy ?? ''}`;
      const n = (this.counts.get(base) ?? 0) + 1;
      this.counts.set(base, n);
      fp = `${base}|${n}`;
    }
    if (this.fingerprints.has(fp)) return;
    this.fingerprints.add(fp);
    const seq = ++this.seq;
    const event: HistoryEvent = { timestamp: (options.timestamp ?? Date.now()) / 1000, type, id: seq, previousEventId: seq - 1, ...details };
    const item: HistoryItem = { seq, fp, event: JSON.stringify(event) };
    this.chain = this.chain.then(() => this.journal.putHistory(this.executionArn, item)).catch(this.onError);
  }

  /** Resolves once every recorded event is in the table. */
  flush(): Promise<void> {
    return this.chain;
  }
}
