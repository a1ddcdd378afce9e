/**
 * The Signals, Cases and Audit views in Chromium on one local platform: an operator writes a signal rule in the
 * console (the API's 400 shown at the field), previews it on the past days, sees it fire on an entity changed by
 * API, follows the signal to the case it opened and works on it (assign, note, status, a 409 and its reload); an
 * analyst reads signals with no button to change them and no cases; an admin reads the audit trail and sees the
 * hash chain verified. axe on every view; screenshots of each at every viewport with MODOS_SCREENSHOTS=1.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import type { LocalPlatform } from '../../local/platform.js';
import type { Role } from '../../schemas/roles.js';
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

/** Code passed to page.evaluate runs in the browser; this Node program has no DOM types (module-scoped, not global). */
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const document: any;
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const window: any;

const TENANT = 'console-signals';
const RULE_ID = 'gold-tier';
const CASE_TITLE = 'Welcome a gold customer';
const GOLD_PATTERN = {
  'detail-type': ['entity.updated'],
  detail: { payload: { entity: { attributes: { tier: ['gold'] } } } },
};

let platform: LocalPlatform;
let browser: Browser;
let admin: ReturnType<typeof apiClient>;
/** Changed to gold before the rule exists (the preview sees it), and changed to gold after it (the rule fires). */
let before: string;
let after: string;

async function aCustomer(tier: string, account: string): Promise<string> {
  const res = await admin.post('/api/v1/entities', {
    type: 'organization',
    attributes: { name: account, tier, account },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function setTier(id: string, tier: string) {
  const { body: current } = await admin.get(`/api/v1/entities/${id}`);
  const res = await admin.patch(`/api/v1/entities/${id}`, {
    version: current.version,
    attributes: { ...current.attributes, tier },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Every viewport's screenshot of what the page shows, then back to desktop. */
async function screenshots(page: Page, view: string) {
  for (const viewport of VIEWPORT_NAMES) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, view, viewport);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Signs in and waits for the landing view's address, so a later `goto` is not overtaken by the landing redirect. */
async function signIn(page: Page, roles: Role[], user: string) {
  await signInLocally(page, platform.url, { tenant: TENANT, roles, user });
  await page.waitForURL(/#\/[a-z]/);
}

const ready = (page: Page) => page.locator('[data-view-ready="true"]').waitFor();

function expectNoPageProblems(problems: PageProblems) {
  expect(problems.cspViolations).toEqual([]);
  expect(problems.pageErrors).toEqual([]);
}

beforeAll(async () => {
  platform = await startTestPlatform();
  expect(platform.console.error).toBeUndefined();
  browser = await launchBrowser();
  admin = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'ada' }));
  before = await aCustomer('silver', 'acme');
  after = await aCustomer('silver', 'globex');
  await setTier(before, 'gold');
  // The functions behind the views' reads start their sandboxes now, side by side, rather than one by one under the
  // browser's waits (each first call of a function loads its bundle).
  await Promise.all(
    ['/signal-rules', '/signals', '/cases', '/audit', '/audit/verification'].map((path) => admin.get(`/api/v1${path}`)),
  );
}, 60_000);

/** The page of the test that is running: on a failure, what it showed goes to the log. */
let current: Page | undefined;
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && current && !current.isClosed())
    console.error(
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's locator: the text as the page shows it.
      `${ctx.task.name}: the page at ${current.url()} showed:\n${await current.locator('main').innerText()}`,
    );
  current = undefined;
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('signals and cases in the console', () => {
  it('operator: writes a rule, previews it, follows its signal to the case and works on it', async () => {
    const page = await newPage(browser, 'desktop');
    const problems = await watchPage(page);
    current = page;
    await signIn(page, ['operator'], 'olga');

    await page.goto(`${platform.url}/#/signals`);
    await ready(page);
    await page.getByText('No signal rules yet.').waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByRole('heading', { name: 'New signal rule' }).waitFor();

    await page.locator('input[name=id]').fill(RULE_ID);
    await page.locator('input[name=name]').fill('Customer became gold');
    const pattern = page.locator('textarea[name=match]');
    // JSON that does not parse is caught before it is sent; a pattern the platform's matcher refuses is the API's
    // 400, shown beside the pattern with the path it names.
    await pattern.fill('{ "detail-type": ');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByText('is not JSON').waitFor();
    await pattern.fill(JSON.stringify({ detail: { payload: { entity: { attributes: { tier: 'gold' } } } } }));
    await page.getByRole('button', { name: 'Create rule' }).click();
    const patternField = page.locator('div.field', { has: pattern });
    await patternField.locator('.field-error', { hasText: 'match.detail.payload.entity.attributes.tier' }).waitFor();
    await page.getByRole('alert').getByText('request id').waitFor();
    await expectAccessible(page, 'signal rule editor with a refused pattern');

    await pattern.fill(JSON.stringify(GOLD_PATTERN, null, 2));
    await page.locator('input[name=caseKey]').fill('payload.entity.attributes.account');
    await page.locator('input[name=caseTitle]').fill(CASE_TITLE);
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('heading', { name: 'Rule: Customer became gold' }).waitFor();
    await page.getByText('Rule created.').waitFor();
    const stored = await admin.get(`/api/v1/signal-rules/${RULE_ID}`);
    expect(stored.body).toMatchObject({
      kind: 'match',
      match: GOLD_PATTERN,
      case: { key: 'payload.entity.attributes.account', title: CASE_TITLE },
      version: 1,
      createdBy: 'olga',
    });

    // The preview replays the recorded changes: the customer made gold before the rule existed.
    await page.getByRole('button', { name: 'Preview the last 30 days' }).click();
    await page.getByText('Would have fired 1 time', { exact: false }).waitFor();
    await page.getByRole('img', { name: /Matches per day from .* 1 in all/ }).waitFor();
    await expectAccessible(page, 'signal rule with its preview');
    await screenshots(page, 'signal-rule');
    await page.getByText('Matches per day, as a table').click();
    expect(await page.locator('.day-bars tbody tr').count()).toBe(30);

    // A change saved with the version read: version 2.
    await page.locator('input[name=description]').fill('Gold customers get a welcome call.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 2.').waitFor();

    // Through the API, the other customer becomes gold: the rule fires and its signal opens a case.
    await setTier(after, 'gold');
    const signal = await eventually(async () => {
      const { body } = await admin.get(`/api/v1/signals?rule=${RULE_ID}`);
      return body.items.find((s: { entityId: string }) => s.entityId === after);
    }, 15_000);
    expect(signal.caseKey).toBe('globex');

    await page.getByRole('link', { name: 'All rules' }).click();
    await page.getByRole('link', { name: 'Detected' }).click();
    const row = page.locator(`tr[data-signal-id="${signal.id}"]`);
    await row.waitFor();
    expect(await row.getByRole('link', { name: after }).getAttribute('href')).toBe(`#/entities/${after}`);
    await expectAccessible(page, 'detected signals');
    await screenshots(page, 'signals');

    await row.getByRole('link', { name: CASE_TITLE }).click();
    await page.getByRole('heading', { name: `Case: ${CASE_TITLE}` }).waitFor({ timeout: 15_000 });
    expect(page.url()).toMatch(/#\/cases\/case_/);
    const caseId = decodeURIComponent(page.url().split('#/cases/')[1]!);
    const opened = await admin.get(`/api/v1/cases/${caseId}`);
    expect(opened.body.signals.map((s: { signalId: string }) => s.signalId)).toContain(signal.id);

    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.locator('[data-case-assignee]').getByText('olga').waitFor();
    await page.getByLabel('New note').fill('Called them: the welcome pack goes out today.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.note-text', { hasText: 'the welcome pack goes out today' }).waitFor();
    await page.getByRole('button', { name: 'Set in progress' }).click();
    await page.locator('[data-case-status="in_progress"]').waitFor();
    const worked = await admin.get(`/api/v1/cases/${caseId}`);
    expect(worked.body).toMatchObject({ status: 'in_progress', assignee: 'olga', version: 4 });
    expect(worked.body.notes).toMatchObject([
      { author: 'olga', text: 'Called them: the welcome pack goes out today.' },
    ]);
    await expectAccessible(page, 'case');
    await screenshots(page, 'case');

    // Someone else changes the case meanwhile: the console's change is refused (409) and offers a reload.
    const other = await admin.patch(`/api/v1/cases/${caseId}`, { version: 4, note: 'Pack sent.' });
    expect(other.status).toBe(200);
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('was changed by someone else').waitFor();
    await page.getByRole('button', { name: 'Reload the case' }).click();
    await page.locator('.note-text', { hasText: 'Pack sent.' }).waitFor();
    expect((await admin.get(`/api/v1/cases/${caseId}`)).body.status).toBe('in_progress');

    await page.goto(`${platform.url}/#/cases?status=in_progress`);
    await page.locator(`tr[data-case-id="${caseId}"]`).waitFor();
    await expectAccessible(page, 'cases');
    await screenshots(page, 'cases');

    // A signal no case holds: the page looks a few times, then says the signal does not exist.
    await page.goto(`${platform.url}/#/cases/signal/sig_nothing_here`);
    await page.getByRole('heading', { level: 1, name: 'Case of a signal' }).waitFor();
    await page.locator('[data-view-ready="true"]').first().waitFor({ timeout: 20_000 });
    await page.getByText('NOT_FOUND').waitFor();
    await expectAccessible(page, 'case of a signal (none)');

    // Deleting a rule asks first.
    await admin.post('/api/v1/signal-rules', {
      id: 'short-lived',
      name: 'Short-lived',
      kind: 'match',
      match: GOLD_PATTERN,
    });
    await page.goto(`${platform.url}/#/signals/rules/short-lived`);
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByText('Detection stops with the next event').waitFor();
    await page.getByRole('button', { name: 'Delete the rule' }).click();
    await page.locator(`tr[data-rule-id="${RULE_ID}"]`).waitFor();
    expect((await admin.get('/api/v1/signal-rules/short-lived')).status).toBe(404);
    expectNoPageProblems(problems);
    await page.context().close();
  }, 120_000);

  it('analyst: reads rules and signals, with no button to change them and no cases', async () => {
    const page = await newPage(browser, 'desktop');
    const problems = await watchPage(page);
    current = page;
    await signIn(page, ['analyst'], 'ann');
    await page.goto(`${platform.url}/#/signals`);
    await page.locator(`tr[data-rule-id="${RULE_ID}"]`).waitFor();
    expect(await page.getByRole('button', { name: 'New rule' }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Cases' }).count()).toBe(0);
    await expectAccessible(page, 'signal rules (analyst)');

    await page.getByRole('link', { name: 'Customer became gold' }).click();
    await page.getByRole('heading', { name: 'Rule: Customer became gold' }).waitFor();
    expect(await page.locator('form.rule-editor').count()).toBe(0);
    for (const name of ['Save', 'Delete…', 'Create rule'])
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    // Reading includes the preview (signals:read).
    await page.getByRole('button', { name: 'Preview the last 30 days' }).click();
    await page.getByText('Would have fired 2 times', { exact: false }).waitFor();
    await expectAccessible(page, 'signal rule (analyst)');

    await page.goto(`${platform.url}/#/signals/detected?rule=${RULE_ID}`);
    const row = page.locator('tr[data-signal-id]').first();
    await row.waitFor();
    expect(await row.getByRole('link', { name: CASE_TITLE }).count()).toBe(0);
    await row.getByText(CASE_TITLE).waitFor();

    await page.goto(`${platform.url}/#/cases`);
    await page.waitForURL((u) => !u.hash.startsWith('#/cases'));
    expectNoPageProblems(problems);
    await page.context().close();
  });

  it('admin: the audit trail, filtered, and the hash chain verified, then broken where a record was altered', async () => {
    const page = await newPage(browser, 'desktop');
    const problems = await watchPage(page);
    current = page;
    await signIn(page, ['admin'], 'ada');
    await page.goto(`${platform.url}/#/audit`);
    await ready(page);
    const banner = page.locator('[data-verification]');
    await banner.waitFor();
    expect(await banner.getAttribute('data-verification')).toBe('verified');
    await banner.getByText('Verified').waitFor();
    await page.locator('tr[data-audit-id]').first().waitFor();
    await expectAccessible(page, 'audit');
    await screenshots(page, 'audit');

    await page.getByLabel('Actor').fill('olga');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/actor=olga/);
    // The filtered page replaces the whole trail: every row shown is olga's, her rule among them.
    await eventually(async () => {
      const actors = await page.locator('tr[data-audit-id] td:nth-child(2) a').allTextContents();
      return actors.length > 0 && actors.every((a) => a === 'olga');
    });
    await page.locator('tr[data-audit-id]', { hasText: 'signal-rule.create' }).first().waitFor();

    // A record altered in the table: "Verify again" names where the chain breaks.
    const { body: trail } = await admin.get('/api/v1/audit?limit=1');
    const victim = trail.items[0];
    await new DynamoDBClient({
      endpoint: platform.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }).send(
      new UpdateItemCommand({
        TableName: platform.tableName,
        Key: { PK: { S: keys.auditPartition(TENANT) }, SK: { S: `${victim.at}#${victim.id}` } },
        UpdateExpression: 'SET actor = :m',
        ExpressionAttributeValues: { ':m': { S: 'mallory' } },
      }),
    );
    await page.getByRole('button', { name: 'Verify again' }).click();
    await banner.getByText(`Broken at lane ${victim.lane} seq ${victim.seq} (hash mismatch)`).waitFor();
    expect(await banner.getAttribute('data-verification')).toBe('broken');
    await expectAccessible(page, 'audit with a broken chain');
    expectNoPageProblems(problems);
    await page.context().close();
  });
});
