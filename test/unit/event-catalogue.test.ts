import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { compileEventPattern } from '../../functions/domain/events/event-pattern.js';
import { buildEventCatalogue, EventCatalogue } from '../../schemas/event-catalogue.js';
import { EVENT_CATALOGUE, type EventName } from '../../schemas/events.js';

const catalogue = buildEventCatalogue();
const names = Object.keys(EVENT_CATALOGUE) as EventName[];

/** An event as EventBridge delivers it, of `name` with a detail whose payload is `payload`. */
const aBusEvent = (name: string, source: string, payload: unknown) => ({
  version: '0',
  id: 'b7f1d3a0-0000-4000-8000-000000000001',
  'detail-type': name,
  source,
  account: '000000000000',
  time: '2025-01-15T09:30:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { tenantId: 'acme', eventId: 'e-1', occurredAt: '2025-01-15T09:30:00.000Z', schemaVersion: 1, payload },
});

describe('the event catalogue', () => {
  it('has one entry per event of the bus, in the shape the API documents', () => {
    expect(EventCatalogue.safeParse(catalogue).success).toBe(true);
    expect(catalogue.events.map((e) => e.detailType)).toEqual(names);
    for (const e of catalogue.events) expect(e.source).toBe(EVENT_CATALOGUE[e.detailType as EventName].source);
  });

  it('gives each event a pattern that matches its events and no other event of the catalogue', () => {
    for (const entry of catalogue.events) {
      const matches = compileEventPattern(entry.pattern);
      for (const other of catalogue.events) {
        expect(
          matches(aBusEvent(other.detailType, other.source, {})),
          `${entry.detailType} vs ${other.detailType}`,
        ).toBe(other === entry);
      }
    }
  });

  it('gives each event a draft 2020-12 schema that ajv compiles in strict mode, self-contained from its detail down', () => {
    const ajv = new Ajv2020({ strict: true });
    for (const entry of catalogue.events) {
      expect(entry.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(() => ajv.compile(entry.schema), entry.detailType).not.toThrow();
      expect(
        JSON.stringify((entry.schema.properties as Record<string, unknown>).detail),
        entry.detailType,
      ).not.toContain('$ref');
    }
  });

  it('accepts what the event schema accepts and refuses what it refuses', () => {
    const ajv = new Ajv2020({ strict: true });
    const entry = catalogue.events.find((e) => e.detailType === 'approval.decided')!;
    const validate = ajv.compile(entry.schema);
    const payload = {
      approvalId: 'apr_x',
      executionId: 'run_x',
      stepId: 's',
      decision: 'approved',
      decidedBy: 'u',
      later: 'a field added within the version',
    };
    const cases: Array<[string, unknown]> = [
      ['a decided approval', payload],
      ['an unknown decision', { ...payload, decision: 'maybe' }],
      ['no decider', { ...payload, decidedBy: undefined }],
      ['a numeric step id', { ...payload, stepId: 7 }],
    ];
    for (const [label, p] of cases) {
      const event = JSON.parse(JSON.stringify(aBusEvent('approval.decided', 'modos.approvals', p)));
      const byZod = EVENT_CATALOGUE['approval.decided'].detail.safeParse(event.detail).success;
      expect(validate(event), label).toBe(byZod);
    }
    expect(validate(aBusEvent('approval.decided', 'modos.approvals', payload))).toBe(true);
    expect(validate(aBusEvent('approval.decided', 'modos.approvals', { ...payload, decision: 'maybe' }))).toBe(false);
    expect(validate(aBusEvent('approval.decided', 'modos.workflows', payload))).toBe(false);
    expect(validate(aBusEvent('approval.requested', 'modos.approvals', payload))).toBe(false);
  });
});
