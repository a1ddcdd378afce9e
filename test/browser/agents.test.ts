/**
 * Agents in the console, in Chromium, on the local platform with the offline model: an admin creates a persona and
 * an agent through the forms, chats with the agent in the chat panel, sees its proposed output, approves it in the
 * inbox and sees it carried out; an approver lands on the inbox and approves an output there; an analyst is
 * offered neither the chat nor the agents. axe on every view; the docs' screenshots with MODOS_SCREENSHOTS=1.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import {
  expectAccessible,
  launchBrowser,
  newPage,
  screenshot,
  signInLocally,
  VIEWPORT_NAMES,
  type ViewportName,
  watchPage,
} from '../support/browser.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

/** Code passed to page.evaluate runs in the browser; this Node program has no DOM types (module-scoped, not global). */
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const document: any;

const TENANT = 'agents-console';
let platform: LocalPlatform;
let browser: Browser;
let admin: ReturnType<typeof apiClient>;
let accountId: string;

async function tokenFor(roles: string[], user: string): Promise<string> {
  const res = await fetch(new URL('/local/sign-in', platform.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: TENANT, roles, user }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

beforeAll(async () => {
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
  admin = apiClient(platform.url, await tokenFor(['admin'], 'ada'));
  const account = await admin.post('/api/v1/entities', {
    type: 'organization',
    attributes: { name: 'Acme Corp', tier: 'silver' },
  });
  expect(account.status).toBe(201);
  accountId = account.body.id;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

async function signedIn(
  roles: ('admin' | 'operator' | 'analyst' | 'approver')[],
  user: string,
  viewport: ViewportName = 'desktop',
) {
  const page = await newPage(browser, viewport);
  const problems = await watchPage(page);
  await signInLocally(page, platform.url, { tenant: TENANT, roles, user });
  return { page, problems };
}

const ready = (page: Page) => page.locator('[data-view-ready="true"]').first().waitFor({ timeout: 20_000 });

async function shots(page: Page, view: string) {
  for (const viewport of VIEWPORT_NAMES) await screenshot(page, view, viewport);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('agents in the console', () => {
  it('admin: persona and agent through the forms, a chat whose output is approved in the inbox and carried out', async () => {
    const { page, problems } = await signedIn(['admin'], 'ada');
    await ready(page);
    expect(new URL(page.url()).hash).toBe('#/home');
    await expectAccessible(page, 'dashboard');
    await shots(page, 'dashboard');

    // A persona through its form.
    await page.goto(`${platform.url}/#/agents/personas/new`);
    const persona = page.getByRole('form', { name: 'New persona' });
    await persona.getByLabel('Name', { exact: true }).fill('Renewals voice');
    await persona.getByLabel('Role', { exact: true }).fill('Account manager');
    await persona.getByLabel('Communication style', { exact: true }).fill('Short and clear');
    await persona.getByLabel('Tone', { exact: true }).fill('Friendly');
    await persona.getByLabel('Target audience', { exact: true }).fill('Customers renewing');
    await expectAccessible(page, 'persona form');
    await persona.getByRole('button', { name: 'Create persona' }).click();
    await page.getByRole('heading', { name: 'Renewals voice' }).waitFor();

    // An agent through its form, with the skill that proposes account updates.
    await page.goto(`${platform.url}/#/agents/agents/new`);
    const form = page.getByRole('form', { name: 'New agent' });
    await form.getByLabel('Name', { exact: true }).fill('Renewals agent');
    await form.getByLabel('System prompt', { exact: true }).fill('You help account managers with renewals.');
    await form.getByRole('checkbox', { name: 'Update an account' }).check();
    await form.getByRole('checkbox', { name: 'Read an entity' }).check();
    await expectAccessible(page, 'agent form');
    await form.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('cell', { name: 'Renewals agent', exact: true }).waitFor();
    await expectAccessible(page, 'agents list');
    await shots(page, 'agents');
    // The other sections, each checked with axe once it has loaded.
    for (const [tab, title] of [
      ['personas', 'Personas'],
      ['skills', 'Skills'],
      ['outputs', 'Outputs'],
      ['usage', 'Usage'],
    ] as const) {
      await page.goto(`${platform.url}/#/agents/${tab}`);
      await page
        .getByRole('navigation', { name: 'Agents sections' })
        .locator('a[aria-current="page"]', { hasText: title })
        .waitFor();
      await ready(page);
      await expectAccessible(page, `agents: ${tab}`);
    }
    await page.goto(`${platform.url}/#/agents/agents`);
    await page.getByRole('cell', { name: 'Renewals agent', exact: true }).waitFor();

    // The chat panel beside the work.
    await page.getByRole('button', { name: 'Chat', exact: true }).click();
    const chat = page.getByRole('complementary', { name: 'Chat with an agent' });
    await chat.getByLabel('Message').fill(`Please update_account ${accountId} with {"tier": "gold"} after the call.`);
    // Sent from the keyboard (Ctrl+Enter in the message box); the answer comes as Server-Sent Events.
    const streamed = page.waitForResponse(
      (r) => r.request().method() === 'POST' && /\/api\/v1\/sessions\/[^/]+\/messages$/.test(new URL(r.url()).pathname),
    );
    await chat.getByLabel('Message').press('Control+Enter');
    const sse = await streamed;
    expect(sse.headers()['content-type']).toMatch(/^text\/event-stream/);
    expect(await sse.text()).toMatch(/^event: text\ndata: .*\n\nevent: message\n/s);
    const answer = chat.locator('.msg.assistant').last();
    await answer.getByText('[offline model]').waitFor({ timeout: 30_000 });
    const output = chat.locator('[data-output-id]').first();
    await output.getByText('pending').waitFor({ timeout: 20_000 });
    const outputId = await output.getAttribute('data-output-id');
    expect(outputId).toBeTruthy();
    await expectAccessible(page, 'chat panel');
    await shots(page, 'chat');

    // To the inbox: the output's content is shown, approved with a note.
    await output.getByRole('link', { name: 'decide in the inbox' }).click();
    const card = page.locator('[data-approval-id]').filter({ hasText: 'Agent output' }).first();
    await card.waitFor({ timeout: 20_000 });
    await card.getByText('"tier": "gold"').waitFor();
    const approvalId = await card.getAttribute('data-approval-id');
    await expectAccessible(page, 'inbox');
    await shots(page, 'inbox');
    await card.getByLabel('Note').fill('Renewal signed.');
    await card.getByRole('button', { name: `Approve ${approvalId}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${approvalId} approved` })
      .waitFor();
    expect(await page.locator(`[data-approval-id="${approvalId}"]`).count()).toBe(0);

    // Carried out: the account changed, the output is executed and the chat shows it.
    await eventually(async () => {
      const o = (await admin.get(`/api/v1/outputs/${outputId}`)).body;
      return o.status === 'executed' ? o : undefined;
    }, 30_000);
    expect((await admin.get(`/api/v1/entities/${accountId}`)).body.attributes.tier).toBe('gold');
    const decided = await admin.get(`/api/v1/outputs/${outputId}`);
    expect(decided.body.approval).toMatchObject({ status: 'approved', decidedBy: 'ada', comment: 'Renewal signed.' });
    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('approver: lands on the inbox, reads the output and approves it; an analyst has no chat and no agents', async () => {
    // An output proposed through the API by the admin's session.
    const agents = (await admin.get('/api/v1/agents')).body.items as { id: string; name: string }[];
    const agent = agents.find((a) => a.name === 'Renewals agent');
    expect(agent).toBeDefined();
    const session = await admin.post(`/api/v1/agents/${agent!.id}/sessions`, {});
    const answer = await admin.post(`/api/v1/sessions/${session.body.id}/messages`, {
      content: `Please update_account ${accountId} with {"tier": "platinum"} next quarter.`,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const outputId: string = answer.body.output_ids[0];
    const approvalId = await eventually(
      async () => (await admin.get(`/api/v1/outputs/${outputId}`)).body.approval_id,
      20_000,
    );

    const { page, problems } = await signedIn(['approver'], 'grace', 'mobile');
    await page.locator(`[data-approval-id="${approvalId}"]`).waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).hash).toBe('#/inbox');
    expect(await page.getByRole('navigation', { name: 'Views' }).getByRole('link').allTextContents()).toEqual([
      'Inbox',
    ]);
    expect(await page.getByRole('button', { name: 'Chat', exact: true }).count()).toBe(0);
    const card = page.locator(`[data-approval-id="${approvalId}"]`);
    await card.getByText('"tier": "platinum"').waitFor();
    await expectAccessible(page, 'inbox (approver, mobile)');

    // An operator reads the same inbox and is given no decision.
    const operator = await signedIn(['operator'], 'otto');
    await operator.page.goto(`${platform.url}/#/inbox`);
    const seen = operator.page.locator(`[data-approval-id="${approvalId}"]`);
    await seen.getByText('"tier": "platinum"').waitFor({ timeout: 20_000 });
    expect(await seen.getByRole('button').count()).toBe(0);
    expect(await seen.getByLabel('Note').count()).toBe(0);
    await operator.page.context().close();

    // The approver decides from the keyboard: skip to the content, the note, then Tab to Approve and Enter.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await card.getByLabel('Note').focus();
    await page.keyboard.type('Fine for next quarter.');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Approve ${approvalId}`);
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: `${approvalId} approved` })
      .waitFor();
    await eventually(async () => {
      const o = (await admin.get(`/api/v1/outputs/${outputId}`)).body;
      return o.status === 'executed' ? o : undefined;
    }, 30_000);
    expect(problems.pageErrors).toEqual([]);
    await page.context().close();

    const analyst = await signedIn(['analyst'], 'alan');
    await ready(analyst.page);
    const views = await analyst.page.getByRole('navigation', { name: 'Views' }).getByRole('link').allTextContents();
    expect(views).toEqual(['Entities', 'Signals']);
    expect(await analyst.page.getByRole('button', { name: 'Chat', exact: true }).count()).toBe(0);
    await analyst.page.context().close();
  }, 120_000);
});
