/**
 * The console in a real browser: Debian's Chromium (scripts/ensure-chromium.ts) driven by playwright-core, which
 * brings no browser of its own. Used by the `browser` test project (test/browser/) and `npm run bench:console`.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { LOCAL_SIGN_IN_PATH } from '../../console/src/config.js';
import type { LocalSignInResponse } from '../../local/sign-in.js';
import { ROLES, type Role } from '../../schemas/roles.js';
import { ensureChromium } from '../../scripts/ensure-chromium.js';

/** Code passed to page.evaluate runs in the browser; this Node program has no DOM types (module-scoped, not global). */
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const document: any;
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const window: any;

const ROOT = resolve(import.meta.dirname, '../..');

/** Flags for a quiet, reproducible headless run: no sandbox (CI runs as root), no GPU, no calls home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/**
 * One width inside each layout of seed 001 §6.4 (desktop above 1200 px: three columns with the chat; tablet
 * 768-1199 px: two columns, collapsible navigation; mobile below 767 px: one column, bottom navigation), each
 * the size of a common device of its kind.
 */
export const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  tablet: { width: 834, height: 1112 },
  mobile: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;
export const VIEWPORT_NAMES = Object.keys(VIEWPORTS) as ViewportName[];

/**
 * Launches Chromium headless. Each launch has a fresh user-data-dir of its own (playwright-core creates a
 * temporary profile and deletes it on `close()`), so no state is carried from one run to the next.
 */
export async function launchBrowser(): Promise<Browser> {
  const { executablePath } = ensureChromium({ install: false });
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}

/** A new page in a context of its own (what axe needs) at the viewport's size. */
export async function newPage(browser: Browser, viewport: ViewportName = 'desktop'): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport] });
  return context.newPage();
}

export interface CspViolation {
  directive: string;
  blockedUri: string;
  sourceFile: string;
}

export interface PageProblems {
  /** Every `securitypolicyviolation` the page fired. */
  cspViolations: CspViolation[];
  /** Console messages of type error (Chromium also reports each blocked load here). */
  consoleErrors: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
}

/**
 * Starts recording what went wrong in the page: content security policy violations (a listener installed before
 * any script of the page runs, reporting through a binding, neither of which the policy can block), console errors
 * and uncaught exceptions. Call before the first `goto`.
 */
export async function watchPage(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { cspViolations: [], consoleErrors: [], pageErrors: [] };
  await page.exposeFunction('__modosCspViolation', (v: CspViolation) => problems.cspViolations.push(v));
  await page.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (e: { effectiveDirective: string; blockedURI: string; sourceFile: string }) => {
        (window as unknown as { __modosCspViolation: (v: CspViolation) => void }).__modosCspViolation({
          directive: e.effectiveDirective,
          blockedUri: e.blockedURI,
          sourceFile: e.sourceFile,
        });
      },
    );
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  return problems;
}

export interface LocalSignIn {
  tenant: string;
  roles: readonly Role[];
  user?: string;
}

/**
 * Opens the console at `baseUrl` and signs in with its development sign-in form: fills `Tenant`, ticks exactly
 * the `Roles` checkboxes named in `roles` (unticking the others), fills `User` when given, presses `Sign in`, and
 * waits for the platform's answer to `POST /local/sign-in`. Throws with the answer when the sign-in was refused.
 */
export async function signInLocally(page: Page, baseUrl: string, who: LocalSignIn): Promise<LocalSignInResponse> {
  await page.goto(new URL('/', baseUrl).href);
  await page.getByLabel('Tenant', { exact: true }).fill(who.tenant);
  const roles = page.getByRole('group', { name: 'Roles', exact: true });
  for (const role of ROLES) {
    const box = roles.getByRole('checkbox', { name: role, exact: true });
    if ((await box.count()) === 0) {
      if (who.roles.includes(role)) throw new Error(`the sign-in form has no checkbox for the role ${role}`);
      continue;
    }
    await box.setChecked(who.roles.includes(role));
  }
  if (who.user !== undefined) await page.getByLabel('User', { exact: true }).fill(who.user);
  const answer = page.waitForResponse(
    (r) => new URL(r.url()).pathname === LOCAL_SIGN_IN_PATH && r.request().method() === 'POST',
  );
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const response = await answer;
  const body = (await response.json()) as LocalSignInResponse;
  if (response.status() !== 200)
    throw new Error(`the development sign-in answered ${response.status()}: ${JSON.stringify(body)}`);
  return body;
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];

/**
 * Runs axe-core on the page as it is (WCAG 2.0 A and AA, WCAG 2.1 AA) and throws when any violation is serious
 * or critical, listing each rule, its impact, its help text and the first elements it found.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (!blocking.length) return;
  const lines = blocking.map((v) => {
    const targets = v.nodes
      .slice(0, 5)
      .map((n) => n.target.join(' '))
      .join(', ');
    const more = v.nodes.length > 5 ? ` and ${v.nodes.length - 5} more` : '';
    return `- ${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s): ${targets}${more} (${v.helpUrl})`;
  });
  throw new Error(`${label}: ${blocking.length} serious or critical accessibility violation(s):\n${lines.join('\n')}`);
}

/** Where the screenshots of the docs are. */
export const SCREENSHOT_DIR = join(ROOT, 'docs', 'console');

/**
 * With `MODOS_SCREENSHOTS=1`: sets the page to the viewport's size and writes what it shows to
 * `docs/console/<view>-<viewport>.png`, returning the path; otherwise does nothing and returns undefined.
 */
export async function screenshot(page: Page, view: string, viewport: ViewportName): Promise<string | undefined> {
  if (process.env.MODOS_SCREENSHOTS !== '1') return undefined;
  if (!/^[a-z0-9-]+$/.test(view)) throw new Error(`a view name is lower-case words and dashes, not ${view}`);
  await page.setViewportSize(VIEWPORTS[viewport]);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${view}-${viewport}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}
