/**
 * The Entities and Connectors views in Chromium on one local platform. Entities: two near-duplicate people created
 * through the API are linked by identity resolution; an admin finds one in the list, opens it, reads the golden
 * record with each value's source, the match with its explanation (the weights shown add up to the score the API
 * gave), confirms the pair and sees it confirmed; an analyst sees the same entity and its match with no Confirm,
 * Reject or Edit button. Connectors: an admin adds a HubSpot connector against the fake vendors with the form (a
 * refused schedule shown at its field first) and syncs it; an armed 429 makes the run wait out a rate limit: the run
 * shows a progress bar while it runs, a second "Sync now" meanwhile is the API's 409, and the run ends succeeded
 * with its counts and rate-limit waits; then the schedule is changed and the list shows it. axe on every view;
 * screenshots of each at every viewport with MODOS_SCREENSHOTS=1.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import { type FakeVendors, startFakeVendors } from '../../local/vendors/index.js';
import type { MatchList } from '../../schemas/resolution.js';
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
import { truthOf, withoutVendorLimits } from '../support/connector-sync.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

const TENANT = 'console-entities';
/** Rate-limit answers armed on the connector's object, each asking for RETRY_AFTER_S seconds. */
const ARMED_429 = 1;
const RETRY_AFTER_S = 2;

let platform: LocalPlatform;
let vendors: FakeVendors;
let browser: Browser;
let admin: ReturnType<typeof apiClient>;
let jon: string;
let john: string;

async function aPerson(attributes: Record<string, unknown>): Promise<string> {
  const res = await admin.post('/api/v1/entities', { type: 'person', attributes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Every viewport's screenshot of what the page shows, then back to desktop. */
async function screenshots(page: Page, view: string) {
  for (const viewport of VIEWPORT_NAMES) await screenshot(page, view, viewport);
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Signs in and waits for the landing view's address, so a later `goto` of a view is not overtaken by it. */
async function signIn(page: Page, roles: ('admin' | 'analyst')[], user: string) {
  await signInLocally(page, platform.url, { tenant: TENANT, roles, user });
  await page.waitForURL((u) => u.hash.length > 2);
}

const ready = (page: Page) => page.locator('[data-view-ready="true"]').waitFor();

function expectNoPageProblems(problems: PageProblems) {
  expect(problems.cspViolations).toEqual([]);
  expect(problems.pageErrors).toEqual([]);
}

/** A signed weight as the view writes it (`+3.21`, `−0.50`). */
const parseBits = (s: string) => Number(s.trim().replace('−', '-').replace('+', ''));

beforeAll(async () => {
  vendors = await startFakeVendors({ port: 0, seed: 7, records: 50 });
  withoutVendorLimits(vendors);
  vendors.control.changeSettings({ faults: { retryAfterSeconds: RETRY_AFTER_S } });
  platform = await startTestPlatform({ webhookDevPorts: new URL(vendors.url).port });
  expect(platform.console.error).toBeUndefined();
  browser = await launchBrowser();
  admin = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'ada' }));
  // The pair of test/integration/resolution.test.ts: a nickname and the same e-mail address in two cases.
  jon = await aPerson({ firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@example.com', source: 'crm' });
  john = await aPerson({
    firstName: 'John',
    lastName: 'Smith',
    email: 'Jon.Smith@example.com',
    phone: '+1 415 555 0100',
    source: 'marketing',
  });
  await eventually(async () => {
    const { body } = await admin.get<MatchList>(`/api/v1/entities/${jon}/matches`);
    return body.items.some((i) => i.entityId === john);
  }, 15_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  await vendors?.stop();
});

describe('entities in the console', () => {
  it('admin: finds the entity, reads its golden record and match explanation, and confirms the match', async () => {
    const page = await newPage(browser, 'desktop');
    const problems = await watchPage(page);
    await signIn(page, ['admin'], 'ada');

    await page.goto(`${platform.url}/#/entities?type=person`);
    await ready(page);
    await page.locator(`tr[data-entity-id="${jon}"]`).waitFor();
    await page.locator(`tr[data-entity-id="${john}"]`).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('+1 415');
    await page.getByText('1 of 2 loaded match', { exact: false }).waitFor();
    expect(await page.locator(`tr[data-entity-id="${jon}"]`).count()).toBe(0);
    await page.getByText('has no text search', { exact: false }).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.getByRole('searchbox', { name: 'Search' }).blur();
    await expectAccessible(page, 'entities');
    await screenshots(page, 'entities');

    await page.getByRole('link', { name: 'Jon Smith', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Jon Smith' }).waitFor();
    await ready(page);

    // The golden record of the pair: John's phone is there, set through the API on John.
    const phone = page.locator('.golden tr[data-attribute="phone"]');
    await phone.waitFor();
    await phone.getByText('+1 415 555 0100').waitFor();
    await phone.locator('[data-source]').getByText('set through the API').waitFor();
    await phone.getByRole('link', { name: 'John Smith' }).waitFor();

    // The match and why: the rows the view shows add up to the score the API gave.
    const { body: matches } = await admin.get<MatchList>(`/api/v1/entities/${jon}/matches`);
    const item = matches.items.find((i) => i.entityId === john)!;
    const card = page.locator(`li.match[data-match-id="${john}"]`);
    await card.getByRole('link', { name: 'John Smith' }).waitFor();
    expect(await card.getAttribute('data-decision')).toBe('none');
    await card.locator('tr[data-field="email"]').getByText('exact').waitFor();
    const parts = (await card.locator('tbody td.num').allTextContents()).map(parseBits);
    const score = parseBits((await card.locator('[data-score]').textContent()) ?? '');
    expect(score).toBeCloseTo(item.weight, 2);
    expect(Math.abs(parts.reduce((s, p) => s + p, 0) - score)).toBeLessThanOrEqual(0.005 * parts.length + 1e-9);
    await expectAccessible(page, 'entity');
    await screenshots(page, 'entity');

    await card.getByRole('button', { name: 'Confirm: John Smith is the same as this entity' }).click();
    await page.locator('.decision-result').getByText('Confirmed: John Smith and this entity are one').waitFor();
    await page.locator(`li.match[data-match-id="${john}"][data-decision="confirm"]`).waitFor();
    await card.locator('.badge-confirmed').waitFor();
    expect(await card.getByRole('button', { name: /^Confirm/ }).count()).toBe(0);
    const { body: after } = await admin.get<MatchList>(`/api/v1/entities/${jon}/matches`);
    expect(after.decisions).toEqual([
      expect.objectContaining({ otherId: john, decision: 'confirm', decidedBy: 'ada' }),
    ]);
    expectNoPageProblems(problems);
    await page.context().close();
  });

  it('analyst: the entity and its match are there, with no button to decide or edit', async () => {
    const page = await newPage(browser, 'desktop');
    const problems = await watchPage(page);
    await signIn(page, ['analyst'], 'ann');
    await page.goto(`${platform.url}/#/entities/${jon}`);
    await page.getByRole('heading', { level: 1, name: 'Jon Smith' }).waitFor();
    await ready(page);
    const card = page.locator(`li.match[data-match-id="${john}"]`);
    await card.locator('tr[data-field="email"]').waitFor();
    await card.locator('.badge-confirmed').waitFor();
    for (const name of [/^Confirm/, /^Reject/, /^Edit$/])
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    await expectAccessible(page, 'entity (analyst)');
    expectNoPageProblems(problems);
    await page.context().close();
  });
});

describe('connectors in the console', () => {
  it('admin: adds a connector, syncs it, sees the run progress, the 409 of a second sync and the counts', async () => {
    const page = await newPage(browser, 'desktop');
    const problems = await watchPage(page);
    await signIn(page, ['admin'], 'ada');

    // A new connector through the form: the API's 400 is shown at the field it names, and nothing is stored.
    await page.goto(`${platform.url}/#/connectors`);
    await ready(page);
    await page.getByText('No connectors yet.').waitFor();
    await page.getByRole('button', { name: 'New connector' }).click();
    const form = page.locator('form.connector-form');
    await form.getByRole('combobox', { name: /^System/ }).selectOption('hubspot');
    await form.getByLabel('Name', { exact: true }).fill('HubSpot (fake vendor)');
    await form.getByLabel('API root (base URL)', { exact: true }).fill(`${vendors.url}/hubspot`);
    await form.getByRole('combobox', { name: /^Kind/ }).selectOption('refresh_token');
    const own = vendors.credentials.hubspot;
    await form.getByLabel('Client id', { exact: true }).fill(own.clientId);
    await form.getByLabel('Client secret', { exact: true }).fill(own.clientSecret);
    await form.getByLabel('Refresh token', { exact: true }).fill(own.refreshToken);
    for (const object of ['companies', 'deals'])
      await form.getByRole('checkbox', { name: new RegExp(`^${object}`) }).uncheck();
    await form.getByLabel('Schedule', { exact: true }).fill('rate(1 minute)');
    await form.getByRole('button', { name: 'Create' }).click();
    await form
      .locator('.field', { has: page.getByLabel('Schedule', { exact: true }) })
      .locator('.field-error')
      .waitFor();
    await form.getByRole('alert').getByText('request id').waitFor();
    expect((await admin.get('/api/v1/connectors')).body.items).toEqual([]);
    await expectAccessible(page, 'new connector with a refused schedule');
    await form.getByLabel('Schedule', { exact: true }).fill('');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { level: 1, name: 'HubSpot (fake vendor)' }).waitFor();
    await ready(page);
    const connectorId = decodeURIComponent(page.url().split('#/connectors/')[1]!);
    const { body: stored } = await admin.get(`/api/v1/connectors/${connectorId}`);
    expect(stored).toMatchObject({
      system: 'hubspot',
      credentialsKind: 'refresh_token',
      settings: { objects: ['contacts'] },
      schedule: null,
      enabled: true,
    });
    await page.getByText('No sync runs yet.').waitFor();

    vendors.control.armFault({
      system: 'hubspot',
      pathPrefix: '/crm/v3/objects/contacts',
      fault: '429',
      count: ARMED_429,
    });
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .locator('.sync-now [role=status]')
      .getByText(/^Sync .* started/)
      .waitFor();
    const run = page.locator('li.run').first();
    await run.locator('.run-progress progress').waitFor();
    // A second sync while this one waits out the rate limit: the API's 409, shown with its request id.
    await page.getByRole('button', { name: 'Sync now' }).click();
    const refused = page.locator('.sync-now').getByRole('alert');
    await refused.getByText('CONFLICT (409)').waitFor();
    await refused.getByText('request id').waitFor();
    await page.locator('.sync-now .notice').getByText('Only one sync of a connector runs at a time').waitFor();
    await expectAccessible(page, 'connector with a running sync');

    await page.locator('li.run[data-status="succeeded"]').waitFor({ timeout: 30_000 });
    expect(await run.locator('.run-progress').count()).toBe(0);
    const contacts = truthOf(vendors, 'hubspot', 'contacts').length;
    const counts = (await run.locator('.run-counts').textContent()) ?? '';
    expect(counts).toContain(`${contacts} read`);
    expect(counts).toContain(`${ARMED_429} rate-limit wait${ARMED_429 === 1 ? '' : 's'}`);
    await run.locator('tr[data-object="contacts"]').getByText('done').waitFor();
    // The refusal was about the run that has ended: it is gone with it.
    await page.locator('.sync-now .notice').waitFor({ state: 'detached' });

    // The schedule, changed with the version read.
    await page.getByRole('button', { name: 'Change the schedule' }).click();
    await page.locator('form.schedule-form').getByLabel('Schedule', { exact: true }).fill('rate(1 hour)');
    await page.locator('form.schedule-form').getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-schedule]').getByText('every hour').waitFor();
    expect((await admin.get(`/api/v1/connectors/${connectorId}`)).body).toMatchObject({
      schedule: 'rate(1 hour)',
      version: 2,
    });
    await expectAccessible(page, 'connector');
    await screenshots(page, 'connector');

    await page.getByRole('link', { name: 'All connectors' }).click();
    const row = page.locator(`tr[data-connector-id="${connectorId}"]`);
    await row.getByRole('cell', { name: 'hubspot', exact: true }).waitFor();
    await row.getByText('every hour').waitFor();
    await row.locator('.badge-succeeded').waitFor();
    await expectAccessible(page, 'connectors');
    await screenshots(page, 'connectors');
    expectNoPageProblems(problems);
    await page.context().close();
  });
});
