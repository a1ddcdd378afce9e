/**
 * The signal history: the detector records every engine event it sees (one per entity change, one per entity of a
 * merge or split, as entity-events.ts makes them), so a rule can be replayed on the recent past before it is saved
 * (rule-preview.ts). Events are kept by event time, per tenant and UTC day, for HISTORY_DAYS days.
 *
 * Bounded items. An event is stored whole when its JSON is at most MAX_HISTORY_EVENT_BYTES; a larger one is stored
 * trimmed: the largest leaves of `detail.payload` (attribute values, `changed`, arrays whole) are removed, largest
 * first, until it fits, and the item says it was trimmed. The envelope (`source`, `detail-type`, `tenantId`,
 * `eventId`, `occurredAt`, `entityId`, `entityType`, `activity`) is never removed, so keys and patterns on it mean
 * the same on a trimmed event; a pattern on a removed value does not match it (an `exists: false` or
 * `anything-but` pattern does). An event that does not fit even without its payload's leaves is not stored.
 */
import type { SignalEvent } from '../types.js';
import type { HistoryEntry, SignalHistory } from './ports.js';

/** Days of history kept (the table's TTL removes items after): the preview reads at most PREVIEW_MAX_DAYS of them. */
export const HISTORY_DAYS = 31;
/** Largest JSON of one stored event, UTF-8 bytes; larger ones are trimmed. */
export const MAX_HISTORY_EVENT_BYTES = 16 * 1024;
/** Longest event id recorded (ids are part of the item's key, which the table bounds). */
export const MAX_HISTORY_EVENT_ID_LENGTH = 256;
/** How far ahead of the clock an event's time may be and still be recorded. */
const MAX_AHEAD_MS = 86_400_000;
const DAY_MS = 86_400_000;

/** The UTF-8 length of a string (lone surrogates count as the 3 bytes of U+FFFD, as encoders write them). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** The UTC day of an instant, `YYYY-MM-DD`. */
export const utcDayOf = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** The first millisecond of the UTC day of an instant. */
export const utcDayStart = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Leaf {
  parent: Record<string, unknown>;
  name: string;
  path: string;
  /** What removing it saves, about: `"name":value,`. */
  bytes: number;
}

function leavesOf(node: Record<string, unknown>, path: string, out: Leaf[]): Leaf[] {
  for (const [name, value] of Object.entries(node)) {
    const at = path ? `${path}.${name}` : name;
    if (isRecord(value) && Object.keys(value).length > 0) leavesOf(value, at, out);
    else
      out.push({
        parent: node,
        name,
        path: at,
        bytes: utf8Length(JSON.stringify(name)) + utf8Length(JSON.stringify(value) ?? '') + 2,
      });
  }
  return out;
}

/**
 * The entry the history stores for an event: the event itself when its JSON is at most `maxBytes`, else a copy
 * whose largest `detail.payload` leaves are removed until it fits (`trimmed`), or null when even that does not fit.
 */
export function historyEntryOf(ev: SignalEvent, maxBytes = MAX_HISTORY_EVENT_BYTES): HistoryEntry | null {
  let size = utf8Length(JSON.stringify(ev.event));
  if (size <= maxBytes) return { event: ev, trimmed: false };
  const event = JSON.parse(JSON.stringify(ev.event)) as Record<string, unknown>;
  const payload = isRecord(event.detail) ? event.detail.payload : undefined;
  if (!isRecord(payload)) return null;
  // Largest first; equal sizes by path, so the same event is always trimmed the same way.
  const leaves = leavesOf(payload, '', []).sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
  let estimate = size;
  for (const leaf of leaves) {
    delete leaf.parent[leaf.name];
    estimate -= leaf.bytes;
    if (estimate <= maxBytes) {
      size = utf8Length(JSON.stringify(event));
      if (size <= maxBytes) return { event: { id: ev.id, time: ev.time, event }, trimmed: true };
      estimate = size;
    }
  }
  return null;
}

/** What recording one bus event's engine events did (logged by the detector). */
export interface HistoryOutcome {
  /** Entries handed to the history (stored, or already there). */
  recorded: number;
  /** Of those, stored trimmed. */
  trimmed: number;
  /** Not stored: too large even trimmed, a time outside what the history keeps, an id too long for a key. */
  skipped: number;
}

/**
 * Records the engine events of one bus event in the history: each bounded (historyEntryOf), those whose time lies
 * within the days the history keeps (and no more than a day ahead of `now`) only.
 */
export async function recordHistory(
  tenantId: string,
  events: readonly SignalEvent[],
  now: number,
  history: Pick<SignalHistory, 'record'>,
): Promise<HistoryOutcome> {
  const oldest = now - HISTORY_DAYS * DAY_MS;
  const entries: HistoryEntry[] = [];
  let skipped = 0;
  for (const ev of events) {
    const kept = ev.time >= oldest && ev.time <= now + MAX_AHEAD_MS && ev.id.length <= MAX_HISTORY_EVENT_ID_LENGTH;
    const entry = kept ? historyEntryOf(ev) : null;
    if (entry) entries.push(entry);
    else skipped++;
  }
  if (entries.length > 0) await history.record(tenantId, entries);
  return { recorded: entries.length, trimmed: entries.filter((e) => e.trimmed).length, skipped };
}
