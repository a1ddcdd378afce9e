import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { matchesEventPattern } from '../../functions/domain/events/event-pattern.js';
import { EVENT_RULES } from '../../functions/platform/manifest.js';
import type { JournalRecord } from '../../local/event-journal.js';
import { exitOf } from '../../scripts/lib/spawn-platform.js';
import { apiClient, eventually, platformProcesses } from '../support/local-platform.js';

const processes = platformProcesses();
afterEach(() => processes.killAll());

async function tokenFor(dataDir: string): Promise<string> {
  const { ensureLocalKeys, signLocalToken } = await import('../../local/keys.js');
  const keys = await ensureLocalKeys(dataDir);
  return signLocalToken(keys.privateJwk, { tenantId: 'bus-durable', roles: ['admin'] });
}

const lines = <T>(file: string): T[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as T)
    : [];
type Accepted = Extract<JournalRecord, { type: 'accepted' }>;

describe('local bus durability on the platform', () => {
  it('delivers to every rule target, after a kill -9 and a restart, an entity.created the bus had accepted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-bus-dur-'));
    const journal = join(dataDir, 'bus', 'journal.jsonl');
    const eventLog = join(dataDir, 'events.jsonl');
    // Paused: the bus accepts and journals but delivers nothing, so the kill comes before any delivery.
    const first = await processes.start(dataDir, { MODOS_BUS_PAUSED: 'true' });
    const created = await apiClient(first.url, await tokenFor(dataDir)).post('/api/v1/entities', {
      type: 'person',
      attributes: { firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@example.com' },
    });
    expect(created.status).toBe(201);
    const jon = created.body.id as string;
    const accepted = await eventually(
      () =>
        lines<JournalRecord>(journal).find(
          (r): r is Accepted => r.type === 'accepted' && (r.event.detail as any).payload?.entity?.id === jon,
        ),
      15_000,
    );
    expect(accepted.event['detail-type']).toBe('entity.created');
    // One delivery per rule of the manifest whose pattern matches the event (the log, resolution, signal detection).
    const matching = EVENT_RULES.filter((r) =>
      matchesEventPattern(r.pattern, accepted.event as unknown as Record<string, unknown>),
    ).map((r) => r.name);
    expect(matching).toEqual(expect.arrayContaining(['PlatformEventLog', 'ResolveCreatedEntity']));
    expect(accepted.deliveries.map((d) => d.rule).sort()).toEqual(matching.sort());
    const eventId = (accepted.event.detail as { eventId: string }).eventId;
    first.child.kill('SIGKILL');
    await exitOf(first.child);
    expect(lines<{ eventId: string }>(eventLog).filter((l) => l.eventId === eventId)).toEqual([]);

    const second = await processes.start(dataDir);
    const api = apiClient(second.url, await tokenFor(dataDir));
    // The log target got it ...
    await eventually(
      () =>
        lines<{ eventId: string; rule: string }>(eventLog).some(
          (l) => l.eventId === eventId && l.rule === 'PlatformEventLog',
        ),
      20_000,
    );
    // ... and the journal records every delivery as made ...
    const ids = new Set(accepted.deliveries.map((d) => d.id));
    await eventually(
      () => lines<JournalRecord>(journal).filter((r) => r.type === 'delivered' && ids.has(r.id)).length === ids.size,
      20_000,
    );
    // ... and ResolveEntity ran: a near-duplicate created now is matched to Jon, whom only that delivery indexed.
    const john = await api.post('/api/v1/entities', {
      type: 'person',
      attributes: { firstName: 'John', lastName: 'Smith', email: 'Jon.Smith@example.com' },
    });
    expect(john.status).toBe(201);
    const matches = await eventually(async () => {
      const res = await api.get(`/api/v1/entities/${john.body.id}/matches`);
      return res.body?.items?.length ? res.body : undefined;
    }, 20_000);
    expect(matches.items.map((i: { entityId: string }) => i.entityId)).toEqual([jon]);

    second.child.kill('SIGTERM');
    await exitOf(second.child);
    rmSync(dataDir, { recursive: true, force: true });
  }, 180_000);
});
