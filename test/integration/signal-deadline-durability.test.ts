/**
 * Absence deadlines across a restart of the platform (run as `npm start` runs it, in its own process): the
 * deadline's one-shot schedule is kept by the local scheduler in the data folder, so a platform killed with -9 after
 * an entity change fires it when it comes back: a deadline that fell due while it was down once at start (the missed
 * fire), and one still ahead at its time.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf } from '../../scripts/lib/spawn-platform.js';
import { SCHEDULE_GROUPS } from '../../functions/platform/manifest.js';
import { apiClient, eventually, platformProcesses } from '../support/local-platform.js';

const processes = platformProcesses();
afterAll(() => processes.killAll());

const TENANT = 'durable-signals';

async function adminOf(dataDir: string, url: string) {
  const { ensureLocalKeys, signLocalToken } = await import('../../local/keys.js');
  const token = await signLocalToken((await ensureLocalKeys(dataDir)).privateJwk, {
    tenantId: TENANT,
    roles: ['admin'],
    userId: 'dora',
  });
  return apiClient(url, token);
}

/** The one-shot schedules of the signal deadline group the local scheduler keeps in the data folder. */
function deadlineSchedules(dataDir: string): Array<{ expression: string; target: { Input?: string } }> {
  const file = join(dataDir, 'scheduler', 'schedules.json');
  if (!existsSync(file)) return [];
  const group = SCHEDULE_GROUPS.signalDeadlines.groupName('local');
  const state = JSON.parse(readFileSync(file, 'utf8')) as {
    schedules: Array<{ groupName: string; expression: string; target: { Input?: string } }>;
  };
  return state.schedules.filter((s) => s.groupName === group);
}

/** The time an `at(yyyy-mm-ddThh:mm:ss)` schedule fires (UTC). */
const fireTimeOf = (expression: string) => Date.parse(`${/^at\((.+)\)$/.exec(expression)![1]}Z`);

const absence = (id: string, within: string) => ({
  id,
  name: `created and not closed within ${within}`,
  kind: 'absence',
  first: { detail: { activity: ['entity.created'], entityType: ['ticket'] } },
  missing: { detail: { payload: { entity: { attributes: { closed: [true] } } } } },
  within,
});

describe('absence deadlines and a platform restart', () => {
  it('fires a deadline missed while the platform was down once at start, and one still ahead at its time', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-signal-restart-'));
    const first = await processes.start(dataDir);
    const admin = await adminOf(dataDir, first.url);
    // Scheduler fires within the minute after a one-shot's time: 70 s apart, the two fire in different minutes.
    for (const rule of [absence('soon', 'PT3S'), absence('later', 'PT70S')])
      expect((await admin.post('/api/v1/signal-rules', rule)).status).toBe(201);
    const { body: ticket } = await admin.post('/api/v1/entities', { type: 'ticket', attributes: { subject: 'x' } });
    const schedules = await eventually(() => {
      const all = deadlineSchedules(dataDir);
      return all.length === 2 ? all : undefined;
    }, 20_000);
    const [soonAt, laterAt] = schedules.map((s) => fireTimeOf(s.expression)).sort((a, b) => a - b) as [number, number];
    expect(laterAt - soonAt).toBeGreaterThanOrEqual(60_000);

    first.child.kill('SIGKILL');
    await exitOf(first.child);
    // Down while the first deadline's schedule falls due.
    await new Promise((r) => setTimeout(r, Math.max(0, soonAt - Date.now() + 1000)));

    const second = await processes.start(dataDir);
    const admin2 = await adminOf(dataDir, second.url);
    expect(Date.now()).toBeLessThan(laterAt);
    const signalOf = (rule: string) => async () =>
      (await admin2.get(`/api/v1/signals?rule=${rule}&entity=${ticket.id}`)).body.items[0] as
        | { kind: string; at: string; detectedAt: string }
        | undefined;
    const missed = await eventually(signalOf('soon'), 30_000);
    expect(missed.kind).toBe('absence');
    const ahead = await eventually(signalOf('later'), laterAt - Date.now() + 30_000);
    expect(Date.parse(ahead.detectedAt)).toBeGreaterThanOrEqual(laterAt);
    // Each once, though the platform went down and came back.
    expect((await admin2.get(`/api/v1/signals?entity=${ticket.id}`)).body.items).toHaveLength(2);
  }, 240_000);
});
