/**
 * The local bus's deliveries: every accepted (event, rule target) pair is journalled before it is
 * acknowledged, attempted until it succeeds, retried with exponential backoff and jitter under the
 * manifest's retry policy, and dead-lettered when the policy gives up. A restart re-delivers every
 * pending delivery. Delivery is at least once, as EventBridge's: an attempt that succeeded just before
 * a crash is made again, so every target is idempotent. Guarantees and files: docs/local-event-bus.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { appendDeadLetter, readDeadLetters, readRedriveRequests, removeDeadLetters } from './event-dead-letters.js';
import {
  busStateFiles,
  targetName,
  type Backoff,
  type BusEvent,
  type DeadLetter,
  type Delivery,
  type DeliveryError,
  type DeliveryTarget,
  type GiveUpReason,
  type RetryPolicy,
} from './event-bus-state.js';
import { EventJournal, pendingDeliveries, type JournalRecord } from './event-journal.js';

/**
 * Delay before retry `n` (n = failed attempts so far, from 1): a random value in [d/2, d] with
 * d = min(maxMs, baseMs · 2^(n-1)). Half of it is fixed so retries never bunch at zero, half is jitter
 * so deliveries that failed together do not retry together.
 */
export function retryDelayMs(n: number, backoff: Backoff, random: () => number = Math.random): number {
  const d = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(n - 1, 52));
  return Math.round(d / 2 + random() * (d / 2));
}

export type BusLogEntry = { level: 'INFO' | 'WARN' | 'ERROR'; message: string } & Record<string, unknown>;

export interface EventDeliveriesOptions {
  /** The bus state folder (journal, dead letters, redrive requests). */
  stateDir: string;
  /** Makes one attempt: resolves when the target took the event, throws when it did not. */
  attempt: (delivery: Delivery) => Promise<void>;
  retryPolicy: RetryPolicy;
  backoff: Backoff;
  random?: () => number;
  /** Accept and journal, but attempt nothing until resume() (the platform resumes once its functions can run). */
  paused?: boolean;
  /** How often the running bus looks for redrive requests (default 500 ms). */
  redrivePollMs?: number;
  compactAfterBytes?: number;
  log: (entry: BusLogEntry) => void;
  /** Observation only (benchmarks, tests): called once per delivery the target took. */
  onDelivered?: (delivery: Readonly<Delivery>, timing: DeliveryTiming) => void;
}

/**
 * When a delivery happened, on this process's monotonic clock (performance.now(), sub-millisecond): accepted
 * when PutEvents handed the event to the bus (before the journal's fsync), attempt start and end of the attempt
 * that succeeded. `acceptedMs` is undefined for a delivery recovered from the journal after a restart.
 */
export interface DeliveryTiming {
  acceptedMs: number | undefined;
  startedMs: number;
  deliveredMs: number;
  attempts: number;
}

export class EventDeliveries {
  private readonly pending = new Map<string, Delivery>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly accepting = new Set<Promise<unknown>>();
  /** Monotonic acceptance time per pending delivery id when deliveries are observed (not journalled). */
  private readonly acceptedMs = new Map<string, number>();
  private readonly files: ReturnType<typeof busStateFiles>;
  private readonly journal: EventJournal;
  private redriveTimer: NodeJS.Timeout | undefined;
  private redriving: Promise<void> | undefined;
  private paused: boolean;
  private stopped = false;

  constructor(private readonly options: EventDeliveriesOptions) {
    this.files = busStateFiles(options.stateDir);
    this.paused = options.paused ?? false;
    this.journal = new EventJournal(this.files.journal, {
      compactAfterBytes: options.compactAfterBytes,
      snapshot: () => this.pending.values(),
      onError: (error) =>
        this.options.log({
          level: 'ERROR',
          message: 'event journal compaction failed',
          ...errorFields(describe(error)),
        }),
    });
  }

  /** Recovers the journal (every pending delivery), finishes interrupted work, and starts delivering unless paused. */
  async start(): Promise<void> {
    mkdirSync(this.options.stateDir, { recursive: true, mode: 0o700 });
    const recovered = pendingDeliveries(this.journal.read());
    const deadLetters = readDeadLetters(this.options.stateDir);
    const dead = new Set(deadLetters.map((l) => l.id));
    const redriven = new Set<string>();
    for (const d of recovered.values()) {
      // Dead-lettered, but the crash came before its `dead-lettered` record.
      if (dead.has(d.id)) recovered.delete(d.id);
      else if (d.redriveOf) redriven.add(d.redriveOf);
    }
    // A redrive journalled, but the crash came before its dead letters were removed.
    const leftover = new Set(deadLetters.filter((l) => redriven.has(l.id)).map((l) => l.id));
    if (leftover.size) removeDeadLetters(this.options.stateDir, leftover);
    for (const [id, d] of recovered) this.pending.set(id, d);
    await this.journal.open(this.pending.values());
    writeFileSync(this.files.pid, `${process.pid}\n`);
    await this.redrive();
    const poll = () => {
      this.redriveTimer = setTimeout(
        () =>
          void this.redrive()
            .catch((error: unknown) =>
              this.options.log({
                level: 'ERROR',
                message: 'redrive failed; the request stays queued',
                ...errorFields(describe(error)),
              }),
            )
            .finally(() => !this.stopped && poll()),
        this.options.redrivePollMs ?? 500,
      );
      this.redriveTimer.unref();
    };
    poll();
    if (recovered.size)
      this.options.log({
        level: 'INFO',
        message: 'event deliveries recovered from the journal',
        pending: recovered.size,
      });
    if (!this.paused) for (const d of this.pending.values()) this.schedule(d);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const d of this.pending.values()) this.schedule(d);
  }

  /**
   * Journals the events' deliveries (fsynced) and schedules them: when this resolves the events may be
   * acknowledged. Rejects, and delivers none of them, if the journal cannot be written.
   */
  async accept(
    items: ReadonlyArray<{ event: BusEvent; targets: ReadonlyArray<{ rule: string; target: DeliveryTarget }> }>,
    at = Date.now(),
  ): Promise<void> {
    const acceptedMs = performance.now();
    const deliveries: Delivery[] = [];
    const records: JournalRecord[] = [];
    for (const { event, targets } of items) {
      if (!targets.length) continue;
      const ds = targets.map(({ rule, target }) => ({
        id: randomUUID(),
        rule,
        target,
        event,
        acceptedAt: at,
        attempts: 0,
        nextAt: at,
      }));
      records.push({
        type: 'accepted',
        at,
        event,
        deliveries: ds.map(({ id, rule, target }) => ({ id, rule, target })),
      });
      deliveries.push(...ds);
    }
    if (!records.length) return;
    const written = this.journal.append(records);
    this.accepting.add(written);
    try {
      await written;
    } finally {
      this.accepting.delete(written);
    }
    for (const d of deliveries) {
      if (this.options.onDelivered) this.acceptedMs.set(d.id, acceptedMs);
      this.pending.set(d.id, d);
      this.schedule(d);
    }
  }

  /** Deliveries not yet delivered or dead-lettered (copies). */
  list(): Delivery[] {
    return [...this.pending.values()].map((d) => structuredClone(d));
  }

  /**
   * Resolves once no delivery is being attempted and none is due: what is due now is attempted at once,
   * and so are retries that fall due within `withinMs` (default 0). Retries scheduled later, after
   * failures, are not waited for. While paused, only attempts in flight are waited for.
   */
  async drain({ withinMs = 0 }: { withinMs?: number } = {}): Promise<void> {
    const horizon = Date.now() + withinMs;
    for (;;) {
      if (this.accepting.size) await Promise.allSettled([...this.accepting]);
      const now = Date.now();
      if (!this.paused && !this.stopped)
        for (const d of this.pending.values()) if (d.nextAt <= now) this.dispatch(d.id);
      if (this.inflight.size) {
        await Promise.allSettled([...this.inflight.values()]);
        continue;
      }
      if (this.accepting.size) continue;
      const soon = this.paused || this.stopped ? [] : [...this.pending.values()].filter((d) => d.nextAt <= horizon);
      if (!soon.length) return;
      await new Promise((r) => setTimeout(r, Math.max(1, Math.min(...soon.map((d) => d.nextAt)) - now)));
    }
  }

  /** Stops attempting (pending deliveries stay journalled for the next start), waits for attempts in flight, closes the journal. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.redriveTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.redriving;
    await Promise.allSettled([...this.accepting, ...this.inflight.values()]);
    await this.journal.close();
    rmSync(this.files.pid, { force: true });
  }

  private schedule(d: Delivery): void {
    if (this.paused || this.stopped) return;
    clearTimeout(this.timers.get(d.id));
    const timer = setTimeout(() => this.dispatch(d.id), Math.max(0, d.nextAt - Date.now()));
    timer.unref();
    this.timers.set(d.id, timer);
  }

  private dispatch(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    const d = this.pending.get(id);
    if (!d || this.inflight.has(id) || this.stopped) return;
    const run = this.run(d)
      .catch((error: unknown) =>
        this.options.log({
          level: 'ERROR',
          message: 'event journal write failed',
          deliveryId: id,
          ...errorFields(describe(error)),
        }),
      )
      .finally(() => this.inflight.delete(id));
    this.inflight.set(id, run);
  }

  private async run(d: Delivery): Promise<void> {
    const startedAt = Date.now();
    const startedMs = performance.now();
    try {
      await this.options.attempt(d);
    } catch (error) {
      return this.failed(d, startedAt, describe(error));
    }
    const deliveredMs = performance.now();
    this.pending.delete(d.id);
    if (this.options.onDelivered) {
      const acceptedMs = this.acceptedMs.get(d.id);
      this.acceptedMs.delete(d.id);
      this.options.onDelivered(d, { acceptedMs, startedMs, deliveredMs, attempts: d.attempts + 1 });
    }
    await this.journal.append([{ type: 'delivered', id: d.id, at: Date.now(), attempt: d.attempts + 1 }]);
  }

  private async failed(d: Delivery, startedAt: number, error: DeliveryError): Promise<void> {
    const at = Date.now();
    const { maximumRetryAttempts, maximumEventAgeSeconds } = this.options.retryPolicy;
    d.attempts += 1;
    d.firstAttemptAt ??= startedAt;
    d.lastAttemptAt = startedAt;
    d.lastError = error;
    const nextAt = at + retryDelayMs(d.attempts, this.options.backoff, this.options.random);
    const reason: GiveUpReason | undefined =
      d.attempts > maximumRetryAttempts
        ? 'retry-attempts-exhausted'
        : nextAt > d.acceptedAt + maximumEventAgeSeconds * 1000
          ? 'maximum-event-age-exceeded'
          : undefined;
    const where = {
      rule: d.rule,
      target: targetName(d.target),
      eventId: d.event.id,
      detailType: d.event['detail-type'],
      attempt: d.attempts,
      ...errorFields(error),
    };
    if (reason) return this.deadLetter(d, reason, at, where);
    d.nextAt = nextAt;
    this.options.log({ level: 'WARN', message: 'event target failed; retrying', ...where, retryInMs: nextAt - at });
    try {
      await this.journal.append([
        {
          type: 'failed',
          id: d.id,
          at,
          attempt: d.attempts,
          firstAttemptAt: d.firstAttemptAt,
          lastAttemptAt: d.lastAttemptAt,
          error,
          nextAt,
        },
      ]);
    } finally {
      // Retried even if the record could not be written: it only carries the attempt count across a restart.
      this.schedule(d);
    }
  }

  private async deadLetter(
    d: Delivery,
    reason: GiveUpReason,
    at: number,
    where: Record<string, unknown>,
  ): Promise<void> {
    const iso = (ms: number) => new Date(ms).toISOString();
    const letter: DeadLetter = {
      id: d.id,
      rule: d.rule,
      target: d.target,
      event: d.event,
      error: d.lastError!,
      reason,
      attempts: d.attempts,
      firstAttemptAt: iso(d.firstAttemptAt!),
      lastAttemptAt: iso(d.lastAttemptAt!),
      deadLetteredAt: iso(at),
      ...(d.redriveOf ? { redriveOf: d.redriveOf } : {}),
    };
    // The dead letter first: a crash before the journal record leaves it pending, and start() drops it then.
    try {
      appendDeadLetter(this.options.stateDir, letter);
    } catch (error) {
      this.options.log({
        level: 'ERROR',
        message: 'dead-letter file write failed; retrying the delivery',
        ...where,
        ...errorFields(describe(error)),
      });
      d.nextAt = at + this.options.backoff.maxMs;
      return this.schedule(d);
    }
    this.pending.delete(d.id);
    this.acceptedMs.delete(d.id);
    await this.journal.append([{ type: 'dead-lettered', id: d.id, at }]);
    this.options.log({
      level: 'ERROR',
      message: 'event target gave up; dead-lettered',
      ...where,
      reason,
      deadLetterId: d.id,
      deadLetterFile: this.files.deadLetters,
    });
  }

  /** Takes the redrive requests: each named dead letter becomes a new delivery (fresh retry policy), journalled before its dead letter is removed. */
  private redrive(): Promise<void> {
    this.redriving ??= this.takeRedriveRequests().finally(() => (this.redriving = undefined));
    return this.redriving;
  }

  private async takeRedriveRequests(): Promise<void> {
    if (this.stopped) return;
    const requests = readRedriveRequests(this.options.stateDir, (file) =>
      this.options.log({ level: 'ERROR', message: 'redrive request is not { "ids": [...] }; renamed .invalid', file }),
    );
    if (!requests.length) return;
    const wanted = new Set(requests.flatMap((r) => r.ids));
    const letters = readDeadLetters(this.options.stateDir).filter((l) => wanted.has(l.id));
    const at = Date.now();
    const deliveries: Delivery[] = letters.map((l) => ({
      id: randomUUID(),
      rule: l.rule,
      target: l.target,
      event: l.event,
      acceptedAt: at,
      attempts: 0,
      nextAt: at,
      redriveOf: l.id,
    }));
    if (deliveries.length) {
      await this.journal.append(
        deliveries.map((d) => ({
          type: 'accepted',
          at,
          event: d.event,
          deliveries: [{ id: d.id, rule: d.rule, target: d.target, redriveOf: d.redriveOf }],
        })),
      );
      removeDeadLetters(this.options.stateDir, new Set(letters.map((l) => l.id)));
      for (const d of deliveries) {
        this.pending.set(d.id, d);
        this.schedule(d);
      }
    }
    for (const r of requests) rmSync(r.file, { force: true });
    this.options.log({
      level: 'INFO',
      message: 'dead letters re-driven',
      requested: wanted.size,
      redriven: deliveries.length,
    });
  }
}

const errorFields = (e: DeliveryError) => ({ errorName: e.name, error: e.message });

function describe(error: unknown): DeliveryError {
  if (error instanceof Error) return { name: error.name, message: error.message.slice(0, 2000) };
  return { name: 'Error', message: String(error).slice(0, 2000) };
}
