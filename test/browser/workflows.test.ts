/**
 * The Workflows and Process map views in Chromium on one local platform. An admin creates the "lead follow-up"
 * workflow from the template library in one click, runs it on a lead, sees the run wait at its approval gate,
 * approves the gate in the Inbox and sees the run succeed with its step history (the lead's status changed); a run
 * on a lead that does not exist fails at its first step, and Re-drive runs it again from there. The process map of
 * those runs is drawn as SVG with a node per activity, narrowed to one variant, and as a Petri net; an uploaded log is
 * listed and mapped once mined. An approver lands on the Inbox, has no Workflows view, and
 * approves a gate there. axe on every view; screenshots of each at every viewport with MODOS_SCREENSHOTS=1.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES, valuesOf } from '../../console/src/templates/index.js';
import type { LocalPlatform } from '../../local/platform.js';
import type { Approval, Execution } from '../../schemas/workflow.js';
import {
  expectAccessible,
  launchBrowser,
  newPage,
  type PageProblems,
  screenshot,
  signInLocally,
  VIEWPORT_NAMES,
  watchPage,
} from '../support/browser.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

const TENANT = 'console-workflows';
const TEMPLATE = 'Lead follow-up with approval';

let platform: LocalPlatform;
let browser: Browser;
let admin: ReturnType<typeof apiClient>;
let lead: string;
/** The workflow the admin creates from the template in the console. */
let workflowId: string;
/** The same template created through the API, for the approver's gate. */
let approverWorkflowId: string;
/** An uploaded log (mined by the MiningWorker meanwhile). */
let logId: string;
/** Two runs of the API's workflow finishing meanwhile, one approved and one rejected: variants for the map. */
let moreRuns: Promise<void>;

/** A small event log: ten orders, each registered, checked or not, then shipped a day later. */
const ORDERS_CSV = [
  'case_id,activity,timestamp',
  ...Array.from({ length: 10 }, (_, i) => {
    const day = `2026-01-${String(i + 1).padStart(2, '0')}`;
    const steps = i % 3 === 0 ? ['register', 'ship'] : ['register', 'check', 'ship'];
    return steps.map((a, k) => `o${i},${a},${day}T0${k * 4}:00:00Z`).join('\n');
  }),
].join('\n');

/** Every viewport's screenshot of what the page shows, then back to desktop. */
async function screenshots(page: Page, view: string) {
  for (const viewport of VIEWPORT_NAMES) await screenshot(page, view, viewport);
  await page.setViewportSize({ width: 1440, height: 900 });
}

const ready = (page: Page) => page.locator('[data-view-ready="true"]').waitFor();

function expectNoPageProblems(problems: PageProblems) {
  expect(problems.cspViolations).toEqual([]);
  expect(problems.pageErrors).toEqual([]);
}

const runStatus = (page: Page, status: string) =>
  page.locator(`[data-run-status="${status}"]`).waitFor({ timeout: 20_000 });

async function pendingApprovalOf(executionId: string): Promise<Approval> {
  return eventually(async () => {
    const { body } = await admin.get<{ items: Approval[] }>('/api/v1/approvals?status=pending&limit=100');
    return body.items.find((a) => a.executionId === executionId);
  }, 15_000);
}

beforeAll(async () => {
  platform = await startTestPlatform();
  expect(platform.console.error).toBeUndefined();
  browser = await launchBrowser();
  admin = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'ada' }));
  const res = await admin.post('/api/v1/entities', {
    type: 'person',
    attributes: { firstName: 'Lena', lastName: 'Lead', status: 'new' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  lead = res.body.id;
  const template = TEMPLATES.find((t) => t.id === 'lead-follow-up')!;
  const wf = await admin.post('/api/v1/workflows', template.build(valuesOf(template)).workflow);
  expect(wf.status, JSON.stringify(wf.body)).toBe(201);
  approverWorkflowId = wf.body.id;
  const upload = await admin.post('/api/v1/mining/logs', {
    name: 'orders.csv',
    content: Buffer.from(ORDERS_CSV).toString('base64'),
  });
  expect(upload.status, JSON.stringify(upload.body)).toBe(202);
  logId = upload.body.id;
  moreRuns = finishedRuns();
  // Awaited by the test that maps them; a failure meanwhile is reported there, not as an unhandled rejection.
  moreRuns.catch(() => {});
}, 60_000);

/**
 * Two runs through the API, one approved and one rejected, each on a lead of its own: entity.update reads the
 * version just before it writes, and two runs patching one entity at the same moment would make one of them fail.
 */
async function finishedRuns(): Promise<void> {
  await Promise.all(
    ['approve', 'reject'].map(async (decision) => {
      const other = await admin.post('/api/v1/entities', { type: 'person', attributes: { lastName: decision } });
      const { body } = await admin.post('/api/v1/workflows/execute', {
        workflowId: approverWorkflowId,
        input: { leadId: other.body.id, note: decision },
      });
      const gate = await pendingApprovalOf(body.executionId);
      const decided = await admin.post(`/api/v1/approvals/${gate.id}/${decision}`, {});
      if (decided.status !== 200) throw new Error(`${decision}: ${JSON.stringify(decided.body)}`);
      await eventually(async () => {
        const { body: r } = await admin.get<Execution>(`/api/v1/workflows/executions/${body.executionId}`);
        return ['SUCCEEDED', 'REJECTED'].includes(r.status);
      }, 30_000);
    }),
  );
}

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('workflows in the console', () => {
  it('admin: creates a workflow from a template, runs it, approves its gate in the Inbox, re-drives a failed run, and maps the process', async () => {
    const page = await newPage(browser, 'desktop');
    const problems = await watchPage(page);
    await signInLocally(page, platform.url, { tenant: TENANT, roles: ['admin'], user: 'ada' });
    // The landing redirect first, so the next address is not overtaken by it.
    await page.waitForURL(/#\/[a-z]/);

    // The template library: one click creates the definition and shows it.
    await page.goto(`${platform.url}/#/workflows?tab=templates`);
    await ready(page);
    await expectAccessible(page, 'templates');
    await screenshots(page, 'templates');
    await page.getByRole('button', { name: `Use template ${TEMPLATE}`, exact: true }).click();
    const created = page.locator('[data-created-workflow]');
    await created.waitFor();
    workflowId = (await created.getAttribute('data-created-workflow'))!;
    expect(workflowId).toMatch(/^wf_/);
    await page.locator('[data-template="lead-follow-up"] [data-step-id="qualify"]').waitFor();

    // The definition: its steps readably, and the Run form.
    await created.click();
    await page.getByRole('heading', { level: 2, name: 'Lead follow-up' }).waitFor();
    await ready(page);
    await page.getByText('from the run input', { exact: false }).first().waitFor();
    await page.getByText('Waits for a decision by', { exact: false }).waitFor();
    await expectAccessible(page, 'workflow');
    await screenshots(page, 'workflow');

    const run = async (input: Record<string, unknown>) => {
      await page.goto(`${platform.url}/#/workflows/${workflowId}`);
      await ready(page);
      await page.getByLabel('Run input (JSON)').fill(JSON.stringify(input));
      await page.getByRole('button', { name: 'Run Lead follow-up', exact: true }).click();
      await page.waitForURL(/#\/workflows\/runs\/run_/);
      return decodeURIComponent(new URL(page.url()).hash.split('/').pop()!);
    };

    // A run stops at its gate; the run page follows it.
    const runId = await run({ leadId: lead, note: 'Asked for a demo' });
    await runStatus(page, 'WAITING_FOR_APPROVAL');
    await page.locator('tr[data-step="request"][data-step-status="SUCCEEDED"]').waitFor();
    await page.locator('tr[data-step="qualify"][data-step-status="WAITING_FOR_APPROVAL"]').waitFor();
    await expectAccessible(page, 'run');
    await screenshots(page, 'run');

    // Approved in the Inbox.
    const approval = await pendingApprovalOf(runId);
    await page.getByRole('link', { name: 'decide it in the Inbox' }).click();
    await page.locator(`[data-approval-id="${approval.id}"]`).waitFor();
    await page.getByRole('button', { name: `Approve ${approval.id}`, exact: true }).click();
    await page.locator(`[data-approval-id="${approval.id}"]`).waitFor({ state: 'detached' });

    // Back on the run: it finishes with its step history, and the lead changed.
    await page.goto(`${platform.url}/#/workflows/runs/${runId}`);
    await runStatus(page, 'SUCCEEDED');
    await page.locator('tr[data-step="qualify"][data-step-status="SUCCEEDED"]').waitFor();
    const { body: changed } = await admin.get(`/api/v1/entities/${lead}`);
    expect(changed.attributes).toMatchObject({
      status: 'qualified',
      followUp: 'approved',
      followUpNote: 'Asked for a demo',
    });

    // A run on a lead that does not exist fails at its first step; Re-drive runs it again from that step.
    const failedId = await run({ leadId: 'no-such-lead', note: 'typo' });
    await runStatus(page, 'FAILED');
    await page.locator('tr[data-step="request"][data-step-status="FAILED"]').waitFor();
    await page.getByRole('button', { name: 'Re-drive', exact: true }).click();
    await page.getByText('Re-driven: the run resumes', { exact: false }).waitFor();
    await page.getByText('1×, by ada', { exact: false }).waitFor();
    await runStatus(page, 'FAILED');
    const { body: redriven } = await admin.get<Execution>(`/api/v1/workflows/executions/${failedId}`);
    expect(redriven).toMatchObject({ status: 'FAILED', redrives: 1, redrivenBy: [{ userId: 'ada' }] });
    expect(redriven.steps[0]!.attempts).toBeGreaterThanOrEqual(2);

    // The lists: definitions and runs.
    await page.goto(`${platform.url}/#/workflows`);
    await ready(page);
    await page.locator(`tr[data-workflow-id="${workflowId}"]`).waitFor();
    await expectAccessible(page, 'workflows');
    await screenshots(page, 'workflows');

    // Versions: a change stores version 2, and version 1 stays readable beside it.
    const template = TEMPLATES.find((t) => t.id === 'lead-follow-up')!;
    const changedDef = template.build(valuesOf(template, { status: 'nurture' })).workflow;
    const put = await admin.raw(
      'PUT',
      `/api/v1/workflows/${approverWorkflowId}`,
      JSON.stringify({ ...changedDef, version: 1 }),
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await page.goto(`${platform.url}/#/workflows/${approverWorkflowId}`);
    await page.getByText('v2, latest').waitFor();
    await page.locator('[data-step-id="qualify"]').getByText('nurture', { exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Versions' }).getByRole('link', { name: 'v1', exact: true }).click();
    await page.waitForURL(/version=1/);
    await page.getByText('v1', { exact: true }).first().waitFor();
    await page.locator('[data-step-id="qualify"]').getByText('qualified', { exact: true }).waitFor();
    await page.getByRole('link', { name: '← All workflows' }).click();
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await page.locator(`tr[data-run-id="${failedId}"]`).waitFor();
    await expectAccessible(page, 'runs');

    await moreRuns;

    // The process map of the finished runs (of both workflows, the same template): a node per activity, transitions in the table, filtered by variant.
    await page.goto(`${platform.url}/#/process?source=workflows`);
    await ready(page);
    await page.locator('svg.pm g.pm-n').first().waitFor();
    const nodes = () => page.locator('svg.pm g.pm-n').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-node')));
    expect(await nodes()).toEqual(
      expect.arrayContaining(['start', 'end', 'request', 'qualify approval', 'qualify', 'request (compensated)']),
    );
    await page.getByRole('table', { name: 'Transitions (the picture as text)' }).waitFor();
    await expectAccessible(page, 'process-map');
    await screenshots(page, 'process-map');
    // The most frequent variant alone: the approved path, without the rejection's compensation.
    await page.locator('.pm-variant-list input[type="checkbox"]').first().check();
    await page.getByText('Variants (1 chosen)').waitFor();
    expect(await nodes()).not.toContain('request (compensated)');
    await page.getByLabel('Petri net (inductive miner)').check();
    await page.locator('svg.pm circle.pm-place').first().waitFor();
    await page.getByRole('table', { name: 'Arcs of the Petri net' }).waitFor();

    // An uploaded log: listed with its job, and mapped once mined.
    await page.getByRole('link', { name: 'Uploaded logs', exact: true }).click();
    await page.getByRole('link', { name: 'orders.csv', exact: true }).waitFor();
    await expectAccessible(page, 'uploaded logs');
    await page.getByRole('link', { name: 'orders.csv', exact: true }).click();
    await page.waitForURL(new RegExp(`#/process/logs/${logId}`));
    await page.locator('svg.pm g.pm-n[data-node="check"]').waitFor({ timeout: 20_000 });
    expect(await nodes()).toEqual(expect.arrayContaining(['register', 'check', 'ship']));
    await expectAccessible(page, 'uploaded log mapped');

    expectNoPageProblems(problems);
    await page.context().close();
  }, 120_000);

  it('approver: lands on the Inbox, has no Workflows view, and approves a gate there', async () => {
    const started = await admin.post('/api/v1/workflows/execute', {
      workflowId: approverWorkflowId,
      input: { leadId: lead, note: 'Second look' },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const approval = await pendingApprovalOf(started.body.executionId);

    const page = await newPage(browser, 'desktop');
    const problems = await watchPage(page);
    await signInLocally(page, platform.url, { tenant: TENANT, roles: ['approver'], user: 'arthur' });
    await page.waitForURL(/#\/inbox/);
    await ready(page);
    expect(await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Workflows' }).count()).toBe(
      0,
    );
    const card = page.locator(`[data-approval-id="${approval.id}"]`);
    await card.waitFor();
    await expectAccessible(page, 'inbox');
    await screenshots(page, 'inbox');
    await card.getByLabel('Note').fill('Looks right');
    await page.getByRole('button', { name: `Approve ${approval.id}`, exact: true }).click();
    await card.waitFor({ state: 'detached' });
    await eventually(async () => {
      const { body } = await admin.get<Execution>(`/api/v1/workflows/executions/${started.body.executionId}`);
      return body.status === 'SUCCEEDED';
    }, 15_000);

    // The Workflows address leads an approver back to what they may see.
    await page.goto(`${platform.url}/#/workflows`);
    await page.waitForURL(/#\/inbox/);
    expectNoPageProblems(problems);
    await page.context().close();
  });
});
