import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSecurityHeaders } from '../../console/headers.js';
import type { LocalPlatform } from '../../local/platform.js';
import { ROLES } from '../../schemas/roles.js';
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
import { apiClient, startTestPlatform } from '../support/local-platform.js';

/** Code passed to page.evaluate runs in the browser; this Node program has no DOM types (module-scoped, not global). */
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const document: any;
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const location: any;
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const MutationObserver: any;

let platform: LocalPlatform;
let browser: Browser;

beforeAll(async () => {
  [platform, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

async function open(viewport: (typeof VIEWPORT_NAMES)[number] = 'desktop') {
  const page = await newPage(browser, viewport);
  const problems = await watchPage(page);
  const document = (await page.goto(platform.console.url)) as Response;
  return { page, problems, document };
}

const signInForm = (page: Page) => ({
  tenant: page.getByLabel('Tenant', { exact: true }),
  roles: page.getByRole('group', { name: 'Roles', exact: true }),
  user: page.getByLabel('User', { exact: true }),
  submit: page.getByRole('button', { name: 'Sign in', exact: true }),
});

/** Lets the page finish what it started (scripts, styles, the config) before its problems are read. */
const settle = (page: Page) => page.waitForLoadState('networkidle');

const noProblems = (problems: PageProblems) => {
  expect(problems.cspViolations).toEqual([]);
  expect(problems.pageErrors).toEqual([]);
  expect(problems.consoleErrors.filter((m) => /Content Security Policy/i.test(m))).toEqual([]);
};

describe('the console in Chromium', () => {
  it('is served at / with the security headers of CloudFront, and loads without a policy violation', async () => {
    const { page, problems, document } = await open();
    expect(document.status()).toBe(200);
    const headers = await document.allHeaders();
    for (const [name, value] of Object.entries(consoleSecurityHeaders())) expect(headers[name], name).toBe(value);
    await expect.poll(() => page.title()).toMatch(/modos/);
    await signInForm(page).submit.waitFor();
    await settle(page);
    noProblems(problems);
    await page.context().close();
  });

  it('shows the development sign-in form: tenant, a checkbox per role, user, and the button', async () => {
    const { page, problems } = await open();
    const form = signInForm(page);
    await form.submit.waitFor();
    await expect.poll(() => form.tenant.isEditable()).toBe(true);
    for (const role of ROLES)
      expect(await form.roles.getByRole('checkbox', { name: role, exact: true }).count()).toBe(1);
    expect(await form.user.isEditable()).toBe(true);
    await expect.poll(() => page.getByText('only on the local platform').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'sign-in');
    noProblems(problems);
    await page.context().close();
  });

  it('signs in through the form with a token the API accepts for that tenant, roles and user', async () => {
    const { page, problems } = await open();
    const answer = await signInLocally(page, platform.url, { tenant: 'browser-a', roles: ['analyst'], user: 'ana' });
    expect(answer.localOnly).toBe(true);
    const me = await apiClient(platform.url, answer.token).get('/api/v1/entities');
    expect(me.status).toBe(200);
    await expect.poll(() => signInForm(page).submit.count()).toBe(0);
    await settle(page);
    noProblems(problems);
    await page.context().close();
  });

  it('keeps a view the user follows while the app first renders (the landing view does not override it)', async () => {
    const { page, problems } = await open();
    // The moment the signed-in shell is in the DOM, before its effects run, the hash moves to Signals, as a link
    // followed at that instant would (in every document of this page: signing in loads `/` again).
    await page.addInitScript(() => {
      const watch = new MutationObserver(() => {
        if (!document.querySelector('header.top')) return;
        watch.disconnect();
        location.hash = '#/signals';
      });
      watch.observe(document, { childList: true, subtree: true });
    });
    await signInLocally(page, platform.url, { tenant: 'browser-b', roles: ['analyst'], user: 'ana' });
    await page
      .getByRole('heading', { level: 1, name: 'Signals' })
      .waitFor({ timeout: 20_000 })
      .catch(async (e) => {
        throw new Error(`${e}; the page is at ${page.url()}, showing ${await page.locator('h1').allTextContents()}`);
      });
    await page.locator('[data-view-ready="true"]').first().waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).hash).toBe('#/signals');
    await settle(page);
    expect(new URL(page.url()).hash).toBe('#/signals');
    noProblems(problems);
    await page.context().close();
  });

  describe.each(VIEWPORT_NAMES)('at the %s width', (viewport) => {
    it('shows the whole sign-in form, accessible', async () => {
      const { page, problems } = await open(viewport);
      const form = signInForm(page);
      await form.submit.waitFor();
      for (const control of [form.tenant, form.roles, form.user, form.submit])
        expect(await control.isVisible()).toBe(true);
      // Nothing wider than the screen: no sideways scrolling on a phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await expectAccessible(page, `sign-in (${viewport})`);
      await screenshot(page, 'sign-in', viewport);
      noProblems(problems);
      await page.context().close();
    });
  });
});
