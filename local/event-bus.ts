import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { compileEventPattern } from '../functions/domain/events/event-pattern.js';
import { EVENT_LOG_FIELDS, EVENT_TARGET_RETRY, type EventRuleSpec } from '../functions/platform/manifest.js';
import { entrySize, MAX_REQUEST_BYTES } from '../functions/adapters/eventbridge/outbox-publisher.js';
import type { Backoff, BusEvent, Delivery, RetryPolicy } from './event-bus-state.js';
import { EventDeliveries, type BusLogEntry, type DeliveryTiming } from './event-deliveries.js';

export type { BusEvent } from './event-bus-state.js';
export type { DeliveryTiming } from './event-deliveries.js';

/** What a delivery observer sees: the rule, the event, and when it was accepted and delivered. */
export type DeliveryObserver = (delivery: { rule: string; event: BusEvent }, timing: DeliveryTiming) => void;

export type FunctionTarget = (event: BusEvent) => Promise<unknown>;

interface CompiledRule {
  spec: EventRuleSpec;
  matches: (event: Record<string, unknown>) => boolean;
}

export interface LocalEventBusOptions {
  busName: string;
  rules: readonly EventRuleSpec[];
  /** JSON-lines file of the `log` target (the platform event log). */
  logFile: string;
  resolveFunction: (name: string) => Promise<FunctionTarget>;
  /** The bus's durable state: journal, dead-letter file, redrive requests (docs/local-event-bus.md). */
  stateDir: string;
  /** Default: the manifest's EVENT_TARGET_RETRY.retryPolicy, as every target has in AWS. */
  retryPolicy?: RetryPolicy;
  /** Default: the manifest's EVENT_TARGET_RETRY.localBackoff. */
  backoff?: Backoff;
  /** Jitter source (tests). */
  random?: () => number;
  /** Accept and journal events but deliver nothing until resumeDeliveries(). */
  startPaused?: boolean;
  redrivePollMs?: number;
  compactJournalAfterBytes?: number;
  /** Where failed attempts (WARN), dead letters (ERROR) and recoveries (INFO) are reported; default one JSON line on stderr, honouring LOG_LEVEL. */
  log?: (entry: BusLogEntry) => void;
  account?: string;
  region?: string;
}

/**
 * A local EventBridge bus: speaks the EventBridge JSON protocol for PutEvents (so the publisher uses
 * the unmodified SDK client), matches each event against the manifest's rules with EventBridge's
 * pattern semantics, journals every accepted event's deliveries before acknowledging it, and delivers
 * them asynchronously, at least once, with the manifest's retry policy and a dead-letter file
 * (event-deliveries.ts).
 */
export class LocalEventBus {
  private server: Server | undefined;
  private readonly rules: CompiledRule[];
  private readonly listeners = new Set<(event: BusEvent) => void>();
  private readonly deliveryObservers = new Set<DeliveryObserver>();
  private readonly deliveries: EventDeliveries;
  endpoint = '';

  constructor(private readonly options: LocalEventBusOptions) {
    this.rules = options.rules.map((spec) => ({ spec, matches: compileEventPattern(spec.pattern) }));
    this.deliveries = new EventDeliveries({
      stateDir: options.stateDir,
      attempt: (d) => this.attempt(d),
      retryPolicy: options.retryPolicy ?? EVENT_TARGET_RETRY.retryPolicy,
      backoff: options.backoff ?? EVENT_TARGET_RETRY.localBackoff,
      random: options.random,
      paused: options.startPaused,
      redrivePollMs: options.redrivePollMs,
      compactAfterBytes: options.compactJournalAfterBytes,
      log: options.log ?? logToStderr,
      onDelivered: (d, timing) => {
        for (const observe of this.deliveryObservers) observe({ rule: d.rule, event: d.event }, timing);
      },
    });
  }

  /** Recovers the journal (pending deliveries resume unless paused), then listens. */
  async start(port = 0): Promise<string> {
    await this.deliveries.start();
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    const address = this.server.address();
    if (!address || typeof address !== 'object') throw new Error('event bus did not bind');
    this.endpoint = `http://127.0.0.1:${address.port}`;
    return this.endpoint;
  }

  /** Stops listening, waits for the attempts in flight and closes the journal; what is pending is delivered after the next start. */
  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    await this.deliveries.stop();
  }

  /** Starts the deliveries of a bus started paused. */
  resumeDeliveries(): void {
    this.deliveries.resume();
  }

  /**
   * Waits until nothing is being delivered and nothing is due (what is due is attempted at once). Retries
   * scheduled after failures are waited for only if due within `withinMs`; see EventDeliveries.drain.
   */
  drain(options?: { withinMs?: number }): Promise<void> {
    return this.deliveries.drain(options);
  }

  /** Deliveries not yet delivered or dead-lettered. */
  pendingDeliveries(): Delivery[] {
    return this.deliveries.list();
  }

  /** Observes every event put on the bus (used by tests and the demo; not a rule). */
  onEvent(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Observes every delivery a target took, with its timing from acceptance to the end of the attempt
   * (bench:resolve-latency; not a rule, no effect on delivery). Returns the unsubscribe function.
   */
  onDelivery(observer: DeliveryObserver): () => void {
    this.deliveryObservers.add(observer);
    return () => this.deliveryObservers.delete(observer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    if (target !== 'AWSEvents.PutEvents') {
      return reply(400, {
        __type: 'UnknownOperationException',
        message: `operation ${target || '(none)'} is not supported by the local bus`,
      });
    }
    let input: { Entries?: Array<Record<string, unknown>> };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(400, { __type: 'ValidationException', message: 'malformed JSON' });
    }
    const entries = input.Entries ?? [];
    if (entries.length < 1 || entries.length > 10) {
      return reply(400, { __type: 'ValidationException', message: 'Entries must hold 1 to 10 items' });
    }
    if (entries.reduce((n, e) => n + entrySize(e as Parameters<typeof entrySize>[0]), 0) > MAX_REQUEST_BYTES) {
      return reply(400, {
        __type: 'ValidationException',
        message: 'Total size of the entries in the request is over the limit.',
      });
    }
    const parsed = entries.map((e) => this.toEvent(e));
    const events = parsed.filter((p): p is BusEvent => 'id' in p);
    try {
      // Acknowledged only once journalled (fsynced): a crash from here on loses none of these events.
      await this.deliveries.accept(events.map((event) => ({ event, targets: this.targetsOf(event) })));
    } catch {
      const failed = parsed.map((p) =>
        'id' in p ? { ErrorCode: 'InternalFailure', ErrorMessage: 'The event could not be journalled.' } : p,
      );
      return reply(200, { FailedEntryCount: failed.length, Entries: failed });
    }
    for (const event of events) for (const listener of this.listeners) listener(event);
    const results = parsed.map((p) => ('id' in p ? { EventId: p.id } : p));
    reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
  }

  private targetsOf(event: BusEvent) {
    return this.rules
      .filter((r) => r.matches(event as unknown as Record<string, unknown>))
      .map((r) => ({ rule: r.spec.name, target: r.spec.target }));
  }

  private toEvent(entry: Record<string, unknown>): BusEvent | { ErrorCode: string; ErrorMessage: string } {
    const { Source, DetailType, Detail, EventBusName, Resources, Time } = entry as Record<
      string,
      string | string[] | undefined
    >;
    if (
      EventBusName &&
      EventBusName !== this.options.busName &&
      !String(EventBusName).endsWith(`/${this.options.busName}`)
    ) {
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${String(EventBusName)} does not exist.`,
      };
    }
    if (typeof Source !== 'string' || typeof DetailType !== 'string' || typeof Detail !== 'string') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (!detail || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
    }
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': DetailType,
      source: Source,
      account: this.options.account ?? '000000000000',
      time:
        typeof Time === 'string'
          ? new Date(Time).toISOString().replace(/\.\d{3}Z$/, 'Z')
          : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region ?? 'us-east-1',
      resources: Array.isArray(Resources) ? Resources : [],
      detail: detail as Record<string, unknown>,
    };
  }

  /** One attempt of one delivery; throws when the target did not take the event. */
  private async attempt(d: Delivery): Promise<void> {
    if (d.target.kind === 'log') {
      // The same projection as the AWS log target's input transformer: no payload.
      appendFileSync(this.options.logFile, JSON.stringify({ rule: d.rule, ...projectLogFields(d.event) }) + '\n');
      return;
    }
    const fn = await this.options.resolveFunction(d.target.function);
    await fn(d.event);
  }
}

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

function logToStderr(entry: BusLogEntry): void {
  const threshold = LEVELS.indexOf(process.env.LOG_LEVEL ?? 'INFO');
  if (LEVELS.indexOf(entry.level) < threshold) return;
  process.stderr.write(
    `${JSON.stringify({ ...entry, service: 'local-event-bus', timestamp: new Date().toISOString() })}\n`,
  );
}

/** Evaluates EVENT_LOG_FIELDS' JSON paths (`$.a.b`, dashes allowed) against an event. */
export function projectLogFields(event: BusEvent): Record<string, unknown> {
  const at = (path: string): unknown =>
    path
      .slice(2)
      .split('.')
      .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), event);
  return Object.fromEntries(Object.entries(EVENT_LOG_FIELDS).map(([name, path]) => [name, at(path)]));
}
