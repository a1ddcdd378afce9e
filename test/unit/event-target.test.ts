import { describe, expect, it } from 'vitest';
import { compileEventPattern } from '../../functions/domain/events/event-pattern.js';
import { EVENT_RULES } from '../../functions/platform/manifest.js';
import { EventSchemaError, eventTarget } from '../../functions/platform/task.js';
import { EVENT_CATALOGUE } from '../../schemas/events.js';

const decided = (detail: unknown) => ({
  version: '0',
  id: 'e-1',
  source: 'modos.approvals',
  'detail-type': 'approval.decided',
  time: '2026-12-01T10:00:00Z',
  detail,
});
const goodDetail = {
  tenantId: 'acme',
  eventId: 'ev-1',
  occurredAt: '2026-12-01T10:00:00.000Z',
  schemaVersion: 1,
  payload: { approvalId: 'ap-1', executionId: 'run-1', stepId: 's', decision: 'approved', decidedBy: 'arthur' },
};

describe('event rule targets', () => {
  it('hand the target a detail parsed with the catalogue schema of the event', async () => {
    const parsed = EVENT_CATALOGUE['approval.decided'].detail.safeParse(goodDetail);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const seen: unknown[] = [];
    const target = eventTarget('test-target', 'approval.decided', async (detail) => {
      seen.push(detail.payload.approvalId);
      return detail.tenantId;
    });
    expect(await target(decided(goodDetail))).toBe('acme');
    expect(seen).toEqual(['ap-1']);
  });

  it('refuse another event, and a detail that does not match the schema, naming the field', async () => {
    const target = eventTarget('test-target', 'approval.decided', async () => 'ran');
    await expect(target({ ...decided(goodDetail), 'detail-type': 'approval.requested' })).rejects.toThrow(
      EventSchemaError,
    );
    await expect(target({ ...decided(goodDetail), source: 'evil.source' })).rejects.toThrow(
      /takes approval.decided from modos.approvals/,
    );
    await expect(target(decided({ ...goodDetail, tenantId: 42 }))).rejects.toThrow(/detail\.tenantId/);
    await expect(target(decided({ ...goodDetail, payload: {} }))).rejects.toThrow(/detail\.payload\.approvalId/);
  });

  it.each(EVENT_RULES.filter((r) => r.target.kind === 'function').map((r) => [r.name, r] as const))(
    'rule %s names its catalogue event and matches it',
    (_name, rule) => {
      expect(rule.event).toBeDefined();
      const event = rule.event!;
      const matches = compileEventPattern(rule.pattern);
      expect(rule.pattern).toMatchObject({ source: [EVENT_CATALOGUE[event].source], 'detail-type': [event] });
      // Another event of the same source never reaches this target.
      const other = Object.keys(EVENT_CATALOGUE).find(
        (n) =>
          n !== event && EVENT_CATALOGUE[n as keyof typeof EVENT_CATALOGUE].source === EVENT_CATALOGUE[event].source,
      );
      if (other)
        expect(matches({ source: EVENT_CATALOGUE[event].source, 'detail-type': other, detail: {} })).toBe(false);
    },
  );
});
