/**
 * Event logs for the import and discovery tests: builders, the book's multiset notation, writers of CSV and XES with
 * the awkward parts real exports have (quoting, CRLF, BOM, shuffled rows, lifecycle pairs), and seeded random logs.
 * Independent of the importers: everything here writes text the way an exporting tool would.
 */
import type { EventLog, LogEvent, Trace } from '../../functions/domain/mining/log.js';

/** Mulberry32: a small, well-mixed 32-bit generator for reproducible logs. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with the given generator; returns a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A log of traces of activity names (case ids c1, c2, ...), without times. */
export function logOfTraces(traces: readonly (readonly string[])[]): EventLog {
  return {
    traces: traces.map((t, i) => ({
      caseId: `c${i + 1}`,
      attributes: {},
      events: t.map((activity, j) => ({ id: `c${i + 1}#${j}`, activity, time: null, attributes: {} })),
    })),
  };
}

/** `3x Case1 a b c d` lines (the book's notation for L1..L12) as a log, each variant repeated. */
export function logFromMultiset(text: string): EventLog {
  const traces: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s*x\s+\S+\s*(.*)$/.exec(line);
    if (!m) {
      if (line.trim() !== '') throw new Error(`not a multiset line: ${line}`);
      continue;
    }
    const events = m[2]!.trim().split(/\s+/).filter(Boolean);
    for (let i = 0; i < Number(m[1]); i++) traces.push(events);
  }
  return logOfTraces(traces);
}

export interface CsvWriteOptions {
  separator?: ',' | ';' | '\t';
  /** CRLF line ends (default LF). */
  crlf?: boolean;
  /** A UTF-8 byte-order mark first. */
  bom?: boolean;
  /** Quote every cell (default: only those that need it). */
  quoteAll?: boolean;
  /** Row order: the generator shuffles the rows when given. */
  shuffle?: () => number;
  /** Column names (default case_id, activity, timestamp). */
  columns?: { case?: string; activity?: string; timestamp?: string };
  /** Timestamp text of an event time (default ISO with Z). */
  formatTime?: (t: number) => string;
  /** Extra attribute columns, in this order. */
  attributes?: string[];
  /** Also write each event's id in this column. */
  idColumn?: string;
  /** Also write the lifecycle in `lifecycle:transition`. */
  lifecycle?: boolean;
}

function csvCell(value: string, separator: string, quoteAll: boolean): string {
  const needs = quoteAll || value.includes(separator) || /["\r\n]/.test(value) || /^\s|\s$/.test(value);
  return needs ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A CSV export of the log (one row per event), RFC 4180 quoting. */
export function toCsv(log: EventLog, options: CsvWriteOptions = {}): string {
  const sep = options.separator ?? ',';
  const eol = options.crlf ? '\r\n' : '\n';
  const cols = {
    case: options.columns?.case ?? 'case_id',
    activity: options.columns?.activity ?? 'activity',
    timestamp: options.columns?.timestamp ?? 'timestamp',
  };
  const attrs = options.attributes ?? [];
  const formatTime = options.formatTime ?? ((t: number) => new Date(t).toISOString());
  const header = [cols.case, cols.activity, cols.timestamp, ...attrs];
  if (options.idColumn) header.push(options.idColumn);
  if (options.lifecycle) header.push('lifecycle:transition');
  const rows: string[][] = [];
  for (const trace of log.traces) {
    for (const e of trace.events) {
      const row = [trace.caseId, e.activity, e.time === null ? '' : formatTime(e.time)];
      for (const a of attrs) row.push(e.attributes[a] === undefined ? '' : String(e.attributes[a]));
      if (options.idColumn) row.push(e.id);
      if (options.lifecycle) row.push(e.lifecycle ?? '');
      rows.push(row);
    }
  }
  const ordered = options.shuffle ? shuffled(rows, options.shuffle) : rows;
  const q = options.quoteAll ?? false;
  const text = [header, ...ordered].map((r) => r.map((c) => csvCell(c, sep, q)).join(sep)).join(eol) + eol;
  return (options.bom ? '\uFEFF' : '') + text;
}

const xmlEscape = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** An XES export of the log: concept, time, lifecycle, org and identity keys, other attributes typed by value. */
export function toXes(log: EventLog, options: { identity?: boolean } = {}): string {
  const attr = (key: string, value: string | number | boolean): string => {
    const type = typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : typeof value;
    return `<${type === 'boolean' ? 'boolean' : type === 'string' ? 'string' : type} key="${xmlEscape(key)}" value="${xmlEscape(String(value))}"/>`;
  };
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<log xes.version="1.0">',
    '  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>',
    '  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>',
    '  <classifier name="Activity" keys="concept:name"/>',
  ];
  for (const trace of log.traces) {
    lines.push('  <trace>', `    ${attr('concept:name', trace.caseId)}`);
    for (const [k, v] of Object.entries(trace.attributes)) lines.push(`    ${attr(k, v)}`);
    for (const e of trace.events) {
      lines.push('    <event>', `      ${attr('concept:name', e.activity)}`);
      if (e.time !== null) lines.push(`      <date key="time:timestamp" value="${new Date(e.time).toISOString()}"/>`);
      if (e.lifecycle !== undefined) lines.push(`      ${attr('lifecycle:transition', e.lifecycle)}`);
      if (e.resource !== undefined) lines.push(`      ${attr('org:resource', e.resource)}`);
      if (options.identity) lines.push(`      <id key="identity:id" value="${xmlEscape(e.id)}"/>`);
      for (const [k, v] of Object.entries(e.attributes)) lines.push(`      ${attr(k, v)}`);
      lines.push('    </event>');
    }
    lines.push('  </trace>');
  }
  lines.push('</log>', '');
  return lines.join('\n');
}

/** Awkward text for CSV cells: separators, quotes, line breaks, non-ASCII. */
const AWKWARD = [
  'plain',
  'a,b',
  'semi;colon',
  'tab\there',
  'say "hi"',
  'line\nbreak',
  'crlf\r\nbreak',
  'ünïcødé €',
  '  padded ',
];

export interface RandomLogOptions {
  cases?: number;
  maxLength?: number;
  alphabet?: number;
  /** Give every event a distinct time (default true): the order a CSV import restores is then unique. */
  times?: boolean;
  /** Awkward attribute values (`note`) on some events. */
  awkward?: boolean;
}

/** A seeded random log: distinct increasing times per case, activity names with spaces, optional awkward notes. */
export function randomLog(seed: number, options: RandomLogOptions = {}): EventLog {
  const random = seeded(seed);
  const cases = options.cases ?? 30;
  const maxLength = options.maxLength ?? 8;
  const alphabet = options.alphabet ?? 6;
  const names = Array.from({ length: alphabet }, (_, i) => `step ${String.fromCharCode(97 + i)}`);
  let clock = Date.UTC(2024, 0, 31, 23, 0, 0);
  const traces: Trace[] = [];
  for (let c = 0; c < cases; c++) {
    const caseId = `case-${seed}-${c}`;
    const length = 1 + Math.floor(random() * maxLength);
    const events: LogEvent[] = [];
    for (let j = 0; j < length; j++) {
      clock += 1000 + Math.floor(random() * 86_400_000);
      const e: LogEvent = {
        id: `${caseId}#${j}`,
        activity: names[Math.floor(random() * alphabet)]!,
        time: options.times === false ? null : clock,
        attributes: {},
      };
      if (options.awkward && random() < 0.5) e.attributes.note = AWKWARD[Math.floor(random() * AWKWARD.length)]!;
      events.push(e);
    }
    traces.push({ caseId, events, attributes: {} });
  }
  return { traces };
}

/** Activity sequences of a log, per case id: what an import must reproduce whatever the file's row order. */
export function sequencesOf(log: EventLog): Record<string, string[]> {
  return Object.fromEntries(log.traces.map((t) => [t.caseId, t.events.map((e) => e.activity)]));
}

/** The bytes as a stream of chunks cut at seeded random points (so also inside multi-byte characters). */
export async function* randomChunks(
  bytes: Uint8Array,
  random: () => number,
  maxChunk = 17,
): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(random() * maxChunk);
    yield bytes.subarray(i, i + n);
    i += n;
  }
}
