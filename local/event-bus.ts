import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { compileEventPattern } from '../functions/domain/events/event-pattern.js';
import { EVENT_LOG_FIELDS, type EventRuleSpec } from '../functions/platform/manifest.js';
import { entrySize, MAX_REQUEST_BYTES } from '../functions/adapters/eventbridge/outbox-publisher.js';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

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
  /** Attempts per function target before the event is written to the dead-letter file. */
  maxAttempts?: number;
  deadLetterFile: string;
  account?: string;
  region?: string;
}

/**
 * A local EventBridge bus: speaks the EventBridge JSON protocol for PutEvents (so the publisher uses
 * the unmodified SDK client), matches each event against the manifest's rules with EventBridge's
 * pattern semantics, and delivers asynchronously to the rules' targets with retries, as AWS does.
 */
export class LocalEventBus {
  private server: Server | undefined;
  private readonly rules: CompiledRule[];
  private readonly listeners = new Set<(event: BusEvent) => void>();
  private readonly inflight = new Set<Promise<void>>();
  endpoint = '';

  constructor(private readonly options: LocalEventBusOptions) {
    this.rules = options.rules.map((spec) => ({ spec, matches: compileEventPattern(spec.pattern) }));
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    const address = this.server.address();
    if (!address || typeof address !== 'object') throw new Error('event bus did not bind');
    this.endpoint = `http://127.0.0.1:${address.port}`;
    return this.endpoint;
  }

  /** Waits for deliveries in flight, then closes. */
  async stop(): Promise<void> {
    await this.drain();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Observes every event put on the bus (used by tests and the demo; not a rule). */
  onEvent(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
      return reply(400, { __type: 'UnknownOperationException', message: `operation ${target || '(none)'} is not supported by the local bus` });
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
      return reply(400, { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });
    }
    const results = entries.map((e) => this.put(e));
    reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
  }

  private put(entry: Record<string, unknown>): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    const { Source, DetailType, Detail, EventBusName, Resources, Time } = entry as Record<string, string | string[] | undefined>;
    if (EventBusName && EventBusName !== this.options.busName && !String(EventBusName).endsWith(`/${this.options.busName}`)) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${String(EventBusName)} does not exist.` };
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
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': DetailType,
      source: Source,
      account: this.options.account ?? '000000000000',
      time: typeof Time === 'string' ? new Date(Time).toISOString().replace(/\.\d{3}Z$/, 'Z') : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region ?? 'us-east-1',
      resources: Array.isArray(Resources) ? Resources : [],
      detail: detail as Record<string, unknown>,
    };
    for (const listener of this.listeners) listener(event);
    for (const rule of this.rules) {
      if (!rule.matches(event as unknown as Record<string, unknown>)) continue;
      const p = this.deliver(rule.spec, event).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
    return { EventId: event.id };
  }

  private async deliver(rule: EventRuleSpec, event: BusEvent): Promise<void> {
    if (rule.target.kind === 'log') {
      // The same projection as the AWS log target's input transformer: no payload.
      appendFileSync(this.options.logFile, JSON.stringify({ rule: rule.name, ...projectLogFields(event) }) + '\n');
      return;
    }
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        const fn = await this.options.resolveFunction(rule.target.function);
        await fn(event);
        return;
      } catch (error) {
        if (attempt >= maxAttempts) {
          appendFileSync(this.options.deadLetterFile, JSON.stringify({ rule: rule.name, error: (error as Error)?.name, event }) + '\n');
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }
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
