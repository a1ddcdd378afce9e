import { randomBytes } from 'node:crypto';
import { AesSecretBox } from '../../../functions/adapters/crypto/aes-secret-box.js';
import type { StoredWorkflow } from '../../../functions/domain/workflows/ports.js';
import type { TriggerDeps } from '../../../functions/domain/triggers/trigger-use-cases.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import { InMemoryTriggerStore, RecordingTriggerSchedules } from '../../fakes/in-memory-triggers.js';
import {
  InMemoryApprovals,
  InMemoryRuns,
  InMemoryWorkflows,
  RecordingStarter,
} from '../../fakes/in-memory-workflows.js';

export const aWorkflow = (id = 'wf-1'): StoredWorkflow => ({
  id,
  name: 'w',
  version: 1,
  steps: [{ id: 'a', tool: 'test.echo', input: {} }],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'admin',
});

/** The trigger API's and the starts' ports over fakes, one workflow (wf-1) defined in tenant-a. */
export async function triggerWorld(now = '2026-02-03T04:05:06.000Z') {
  const workflows = new InMemoryWorkflows();
  await workflows.create('tenant-a', aWorkflow(), {} as never);
  const triggers = new InMemoryTriggerStore();
  const schedules = new RecordingTriggerSchedules();
  const runs = new InMemoryRuns();
  const starter = new RecordingStarter();
  const secrets = new AesSecretBox(async () => randomBytes(48));
  const clock = fixedClock(now);
  const deps: TriggerDeps = { triggers, workflows, schedules, secrets, clock, ids: sequentialIds('trigger-key') };
  const startDeps = {
    workflows,
    runs,
    approvals: new InMemoryApprovals(),
    starter,
    clock,
    ids: sequentialIds('run'),
  };
  return { workflows, triggers, schedules, runs, starter, secrets, clock, deps, startDeps };
}
