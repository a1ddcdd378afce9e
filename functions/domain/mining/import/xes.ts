/**
 * XES (IEEE 1849) event logs, read by streaming with saxes: no DOM is built, so a log of hundreds of megabytes
 * costs only the EventLog it yields.
 *
 * - Standard extensions: concept (`concept:name`: trace = case id, event = activity), time (`time:timestamp`),
 *   lifecycle (`lifecycle:transition`), org (`org:resource`), identity (`identity:id`: the event's id). Other keys,
 *   extension or not, are kept as attributes by their key.
 * - Typed attributes: string, id (text), date (the ISO text as written), int and float (numbers), boolean. A nested
 *   attribute (XES meta-attributes, list and container children) is skipped: its parent keeps its own top-level
 *   value. `list`/`container` themselves have no value and are skipped.
 * - `<extension>`, `<global>`, `<classifier>` and log-level attributes are read past: the importer has a fixed
 *   classifier (the activity is `concept:name`) and does not fill defaults from `<global>`, so an event without
 *   `concept:name` is an error rather than an event named by a placeholder such as `__INVALID__`.
 * - Lifecycle: with `lifecycle: 'complete'` (the default) an event whose `lifecycle:transition` is present and not
 *   `complete` (any case) is dropped; events without one are kept. `'all'` keeps every event.
 * - Ids: `identity:id` when present, else `<case id>#<position>`, the 0-based position among all the trace's events
 *   in file order, counted before lifecycle filtering, so the same event has the same id whatever is filtered.
 * - Order: a trace keeps file order, stable-sorted by time when every kept event has a timestamp.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { EventLog, LogEvent, Trace } from '../log.js';
import { LogFormatError } from './errors.js';
import { parseIsoTimestamp } from './time.js';
import { orderByTime, type LifecycleMode, keepsLifecycle } from './trace-order.js';

export interface XesReadOptions {
  lifecycle?: LifecycleMode;
}

type Value = string | number | boolean;

/**
 * An event being read is built as its final LogEvent (one allocation per event, which matters on large logs); what
 * only the reading needs (whether it had an activity, an identity:id) is kept beside it.
 */
interface PendingEvent {
  event: LogEvent;
  line: number;
  hasActivity: boolean;
  hasIdentity: boolean;
}

interface PendingTrace {
  line: number;
  caseId?: string;
  /** Every event of the trace in file order: the index is the event's position. */
  events: LogEvent[];
  /** Positions whose id came from identity:id. */
  identified: Set<number> | undefined;
  attributes: Record<string, Value>;
}

const TYPED = new Set(['string', 'date', 'int', 'float', 'boolean', 'id']);
const VALUELESS = new Set(['list', 'container', 'values']);

/** Reads an XES log from its text chunks (see the module comment). Throws LogFormatError on malformed input. */
export async function readXes(chunks: AsyncIterable<string>, options: XesReadOptions = {}): Promise<EventLog> {
  const lifecycleMode = options.lifecycle ?? 'complete';
  const traces: Trace[] = [];
  const parser = new SaxesParser({ position: true, xmlns: false });
  let sawRoot = false;
  let skipDepth = 0;
  let trace: PendingTrace | null = null;
  let event: PendingEvent | null = null;

  const where = (field?: string) => ({
    line: parser.line,
    column: parser.column,
    ...(field === undefined ? {} : { field }),
  });

  parser.on('error', (err) => {
    throw new LogFormatError(`not well-formed XML: ${err.message.replace(/^[^:]*:\d+:\d+: /, '')}`, where(), {
      cause: err,
    });
  });

  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (skipDepth > 0) {
      skipDepth++;
      return;
    }
    const name = tag.name;
    if (!sawRoot) {
      sawRoot = true;
      if (name !== 'log') throw new LogFormatError(`not an XES log: the root element is <${name}>, not <log>`, where());
      return;
    }
    if (name === 'trace') {
      if (trace) throw new LogFormatError('a <trace> inside a <trace>', where());
      trace = { line: parser.line, events: [], identified: undefined, attributes: {} };
      return;
    }
    if (name === 'event') {
      if (!trace) {
        // XES keeps events in traces; an event at log level belongs to no case.
        skipDepth = 1;
        return;
      }
      if (event) throw new LogFormatError('an <event> inside an <event>', where());
      event = {
        event: { id: '', activity: '', time: null, attributes: {} },
        line: parser.line,
        hasActivity: false,
        hasIdentity: false,
      };
      return;
    }
    // Every attribute element (and anything unknown) is skipped below its own level: nested values are ignored.
    skipDepth = 1;
    if (!TYPED.has(name) || (!trace && !event)) return;
    const key = tag.attributes.key;
    if (key === undefined) {
      if (VALUELESS.has(name)) return;
      throw new LogFormatError(`<${name}> has no key`, where());
    }
    const raw = tag.attributes.value;
    if (raw === undefined) throw new LogFormatError(`<${name} key="${key}"> has no value`, where(key));
    const value = typedValue(name, raw, key, where);
    if (event) setEventAttribute(event, key, name, value, where);
    else if (trace) {
      if (key === 'concept:name') trace.caseId = String(value);
      else trace.attributes[key] = value;
    }
  });

  parser.on('closetag', (tag: SaxesTagPlain) => {
    if (skipDepth > 0) {
      skipDepth--;
      return;
    }
    if (tag.name === 'event' && event && trace) {
      if (!event.hasActivity) {
        throw new LogFormatError('event has no concept:name (activity)', { line: event.line, field: 'concept:name' });
      }
      if (event.hasIdentity) (trace.identified ??= new Set()).add(trace.events.length);
      trace.events.push(event.event);
      event = null;
    } else if (tag.name === 'trace' && trace) {
      traces.push(finishTrace(trace, lifecycleMode));
      trace = null;
    }
  });

  for await (const chunk of withoutMisplacedDeclaration(chunks)) parser.write(chunk);
  parser.close();
  if (!sawRoot) throw new LogFormatError('not an XES log: no <log> element');
  return { traces };
}

/**
 * XML allows its declaration only at the very start, but exports sometimes put blank lines before it. The text is
 * already decoded (source.ts reads the declared encoding), so such a declaration is blanked out with spaces, which
 * keeps every line and column the parser reports where it was.
 */
async function* withoutMisplacedDeclaration(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let head = '';
  let passing = false;
  for await (const chunk of chunks) {
    if (passing) {
      yield chunk;
      continue;
    }
    // A declaration ends at the first `>`: until one is seen, the start may still be one.
    head += chunk;
    if (!head.includes('>') && head.length < 4096) continue;
    yield blankMisplacedDeclaration(head);
    passing = true;
  }
  if (!passing && head) yield blankMisplacedDeclaration(head);
}

const MISPLACED_DECLARATION = /^(\s+)(<\?xml[\s\S]*?\?>)/;
const blankMisplacedDeclaration = (text: string): string =>
  text.replace(MISPLACED_DECLARATION, (_, space: string, decl: string) => space + decl.replace(/[^\n]/g, ' '));

function typedValue(
  type: string,
  raw: string,
  key: string,
  where: (field?: string) => { line: number; column: number },
): Value {
  switch (type) {
    case 'int':
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n))
        throw new LogFormatError(`"${raw}" is not a number (${type})`, where(key));
      return n;
    }
    case 'boolean': {
      const b = raw.trim().toLowerCase();
      if (b === 'true' || b === '1') return true;
      if (b === 'false' || b === '0') return false;
      throw new LogFormatError(`"${raw}" is not a boolean`, where(key));
    }
    default:
      return raw;
  }
}

function setEventAttribute(
  pending: PendingEvent,
  key: string,
  type: string,
  value: Value,
  where: (field?: string) => { line: number; column: number },
): void {
  const event = pending.event;
  switch (key) {
    case 'concept:name':
      event.activity = String(value);
      pending.hasActivity = true;
      return;
    case 'time:timestamp': {
      const t = typeof value === 'number' ? value : parseIsoTimestamp(String(value).trim());
      if (Number.isNaN(t)) throw new LogFormatError(`"${value}" is not an ISO 8601 date-time (${type})`, where(key));
      event.time = t;
      return;
    }
    case 'lifecycle:transition':
      event.lifecycle = String(value).toLowerCase();
      return;
    case 'org:resource':
      event.resource = String(value);
      return;
    case 'identity:id':
      event.id = String(value);
      pending.hasIdentity = true;
      return;
    default:
      event.attributes[key] = value;
  }
}

function finishTrace(trace: PendingTrace, lifecycleMode: LifecycleMode): Trace {
  const caseId = trace.caseId;
  if (caseId === undefined) {
    throw new LogFormatError('trace has no concept:name (case id)', { line: trace.line, field: 'concept:name' });
  }
  const all = trace.events;
  const identified = trace.identified;
  let kept = 0;
  for (let i = 0; i < all.length; i++) {
    const e = all[i]!;
    if (identified === undefined || !identified.has(i)) e.id = `${caseId}#${i}`;
    if (keepsLifecycle(e.lifecycle, lifecycleMode)) all[kept++] = e;
  }
  all.length = kept;
  return { caseId, events: orderByTime(all), attributes: trace.attributes };
}
