import { describe, expect, it } from 'vitest';
import {
  historyEntryOf,
  MAX_HISTORY_EVENT_BYTES,
  utf8Length,
} from '../../../functions/domain/signals/use-cases/signal-history.js';
import type { SignalEvent } from '../../../functions/domain/signals/types.js';

const T0 = Date.parse('2026-11-30T09:00:00.000Z');

const anEvent = (attributes: Record<string, unknown>, detail: Record<string, unknown> = {}): SignalEvent => ({
  id: 'ev-1',
  time: T0,
  event: {
    source: 'modos.entities',
    'detail-type': 'entity.updated',
    detail: {
      tenantId: 't',
      eventId: 'ev-1',
      occurredAt: new Date(T0).toISOString(),
      entityId: 'deal-1',
      entityType: 'deal',
      activity: 'entity.updated',
      payload: { entity: { id: 'deal-1', type: 'deal', attributes }, changed: Object.keys(attributes) },
      ...detail,
    },
  },
});

const attributesOf = (ev: SignalEvent) =>
  (ev.event.detail as { payload: { entity: { attributes: Record<string, unknown> } } }).payload.entity.attributes;
const bytesOf = (ev: SignalEvent) => Buffer.byteLength(JSON.stringify(ev.event));

describe('bounding the events the history stores', () => {
  it('stores an event within the bound whole', () => {
    const ev = anEvent({ stage: 'won', notes: 'n'.repeat(8000) });
    expect(historyEntryOf(ev)).toEqual({ event: ev, trimmed: false });
  });

  it('removes the largest payload values first until the event fits, keeping the envelope and small values', () => {
    const ev = anEvent({
      stage: 'won',
      a: 'a'.repeat(6000),
      b: 'b'.repeat(7000),
      c: 'c'.repeat(5000),
      d: 'd'.repeat(100),
    });
    const entry = historyEntryOf(ev)!;
    expect(entry.trimmed).toBe(true);
    expect(bytesOf(entry.event)).toBeLessThanOrEqual(MAX_HISTORY_EVENT_BYTES);
    // 18 KB of values: dropping the largest (b, 7000) is enough.
    expect(Object.keys(attributesOf(entry.event)).sort()).toEqual(['a', 'c', 'd', 'stage']);
    expect(entry.event.event.detail).toMatchObject({ entityId: 'deal-1', activity: 'entity.updated', eventId: 'ev-1' });
    expect(entry.event.id).toBe('ev-1');
    // The event handed in is not changed.
    expect(Object.keys(attributesOf(ev))).toHaveLength(5);
  });

  it('measures UTF-8 bytes, not characters', () => {
    // 9,000 characters of two bytes each: within the bound in characters, over it in bytes.
    const entry = historyEntryOf(anEvent({ stage: 'won', name: 'é'.repeat(9000) }))!;
    expect(entry.trimmed).toBe(true);
    expect(attributesOf(entry.event)).toEqual({ stage: 'won' });
  });

  it('trims the same event the same way every time', () => {
    const ev = anEvent({ stage: 'won', x: 'x'.repeat(9000), y: 'y'.repeat(9000) });
    expect(historyEntryOf(ev)).toEqual(historyEntryOf(structuredClone(ev)));
    // Equal sizes: the first path in order goes first.
    expect(Object.keys(attributesOf(historyEntryOf(ev)!.event))).toEqual(['stage', 'y']);
  });

  it('does not store an event that is too large even without its payload values', () => {
    expect(historyEntryOf(anEvent({ stage: 'won' }, { correlationId: 'c'.repeat(20_000) }))).toBeNull();
  });

  it('counts UTF-8 bytes as an encoder writes them, surrogate pairs and lone surrogates included', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀b', '\ud800', 'x\udc00y', '\ud83d\ud83d', '日本語'])
      expect(utf8Length(s), JSON.stringify(s)).toBe(Buffer.byteLength(s));
  });
});
