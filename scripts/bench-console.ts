/**
 * npm run bench:console — the console's figures on this machine:
 *  (a) the app's size gzipped, per file of `buildConsole()` and in total, against the aim of 100 KB;
 *  (b) the time to the first useful view on the local platform: Chromium opens `/#/inbox` with an approver's
 *      session already there, and the time from the navigation's start until the inbox's list (or its nothing
 *      pending state) is shown, i.e. the view's root carries `[data-view-ready]`; over --loads loads, cold (a new
 *      browser context each time: nothing cached) and warm (a reload: the hashed files cached, index.html
 *      revalidated);
 *  (c) the inbox's update delay after a gate opens: with the inbox open, a workflow with an approval gate is
 *      started through the API, and the time from the execute call's answer until the row
 *      `[data-approval-id="<id>"]` is shown, over --gates runs; beside it, the time from the gate's approval being
 *      readable through the API (polled every 25 ms) to the row, the part the console's refresh adds.
 * A view that never becomes ready, or a row that never appears, stops the benchmark after --timeout ms with what
 * it waited for. Options: --loads <n> (20), --gates <n> (10), --pending <n> approvals waiting before (b) (5),
 * --timeout <ms> (15000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { buildConsole } from '../console/build.js';
import { startPlatform } from '../local/platform.js';
import { launchBrowser, newPage, signInLocally, VIEWPORTS } from '../test/support/browser.js';
import { api, until } from './lib/api.js';
import { chromiumVersion, ensureChromium } from './ensure-chromium.js';

/** Code passed to page.evaluate runs in the browser; this Node program has no DOM types (module-scoped, not global). */
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const document: any;
// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const window: any;

const { values } = parseArgs({
  options: {
    loads: { type: 'string', default: '20' },
    gates: { type: 'string', default: '10' },
    pending: { type: 'string', default: '5' },
    timeout: { type: 'string', default: '15000' },
  },
});
const count = (name: keyof typeof values, min: number) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`bench:console: --${name} must be a whole number of at least ${min}\n`);
    process.exit(2);
  }
  return n;
};
const LOADS = count('loads', 1);
const GATES = count('gates', 0);
const PENDING = count('pending', 0);
const TIMEOUT_MS = count('timeout', 100);
const AIM_BYTES = 100 * 1024;
const TENANT = 'bench';
const READY = '[data-view-ready]';

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : Number.NaN;
const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const f = (n: number) => `${Math.round(n)} ms`.padStart(8);
  return `p50 ${f(percentile(s, 50))}   p95 ${f(percentile(s, 95))}   max ${f(s.at(-1) ?? Number.NaN)}   (n=${s.length})`;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const say = (line = '') => process.stdout.write(`${line}\n`);

class WaitedTooLongError extends Error {
  override readonly name = 'WaitedTooLongError';
}

/** Runs `wait`, turning playwright's timeout into what the benchmark waited for. */
async function within<T>(what: string, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    if ((error as Error).name === 'TimeoutError')
      throw new WaitedTooLongError(`${what}: not there after ${TIMEOUT_MS} ms (--timeout)`);
    throw error;
  }
}

/** Milliseconds from the page's navigation start to the first frame showing `[data-view-ready]`. */
async function readyAfter(page: Page, what: string): Promise<number> {
  const handle = await within(
    `${what}: the view's ${READY}`,
    page.waitForFunction((selector) => (document.querySelector(selector) ? performance.now() : false), READY, {
      polling: 'raf',
      timeout: TIMEOUT_MS,
    }),
  );
  return (await handle.jsonValue()) as number;
}

// ── (a) size ───────────────────────────────────────────────────────────────────────────────────────────────
const { executablePath } = ensureChromium({ install: false });
const buildDir = mkdtempSync(join(tmpdir(), 'modos-bench-console-build-'));
const build = await buildConsole({ outDir: buildDir });
rmSync(buildDir, { recursive: true, force: true });

say(
  `modos bench:console — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${process.version}, ${chromiumVersion(executablePath) ?? executablePath}`,
);
say(`command: npm run bench:console -- --loads ${LOADS} --gates ${GATES} --pending ${PENDING} --timeout ${TIMEOUT_MS}`);
say();
say('(a) app size (buildConsole, minified; gzip level 9)');
for (const f of build.files)
  say(`    ${f.name.padEnd(24)} ${kb(f.bytes).padStart(10)}   gzipped ${kb(f.gzipBytes).padStart(9)}`);
say(
  `    ${'total'.padEnd(24)} ${kb(build.files.reduce((s, f) => s + f.bytes, 0)).padStart(10)}   gzipped ${kb(build.gzipBytes).padStart(9)}` +
    `   (aim < ${kb(AIM_BYTES)}: ${build.gzipBytes < AIM_BYTES ? 'within' : 'OVER'})`,
);

// ── the platform, a signed-in approver ─────────────────────────────────────────────────────────────────────
const dataDir = mkdtempSync(join(tmpdir(), 'modos-bench-console-'));
const platform = await startPlatform({
  dataDir,
  port: 0,
  inMemory: true,
  logLevel: 'ERROR',
  tenantLimits: { ratePerSecond: 100_000, burst: 100_000, quotaPerDay: 1_000_000_000 },
});
let browser: Browser | undefined;
try {
  if (platform.console.error) throw new Error(`the console did not build: ${platform.console.error}`);
  browser = await launchBrowser();
  const admin = api(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'bench-admin' }));
  const customer = await admin.post('/api/v1/entities', { type: 'organization', attributes: { name: 'Bench Ltd' } });
  const wf = await admin.post('/api/v1/workflows', {
    name: 'Upgrade a customer',
    steps: [
      {
        id: 'upgrade',
        tool: 'entity.update',
        input: { entityId: '$.input.customerId', attributes: { tier: 'premium' } },
        approval: { required: true, timeoutSeconds: 3600 },
      },
    ],
  });
  if (customer.status !== 201 || wf.status !== 201)
    throw new Error(`setting up: entity ${customer.status}, workflow ${wf.status} ${JSON.stringify(wf.body)}`);
  const execute = () =>
    admin.post('/api/v1/workflows/execute', { workflowId: wf.body.id, input: { customerId: customer.body.id } });
  const approvalOf = async (executionId: string) => {
    const r = await admin.get('/api/v1/approvals?status=pending&limit=100');
    return (r.body.items as { id: string; executionId: string }[]).find((a) => a.executionId === executionId);
  };

  // Approvals already waiting, so the first view has rows to show.
  for (let i = 0; i < PENDING; i++) {
    const run = await execute();
    await until('a pending approval', () => approvalOf(run.body.executionId), TIMEOUT_MS, 25);
  }

  const first = await newPage(browser, 'desktop');
  await signInLocally(first, platform.url, { tenant: TENANT, roles: ['approver'], user: 'bench-approver' });
  // The session as the console keeps it (its own keys in sessionStorage), for pages opened already signed in.
  const session = await first.evaluate(() => Object.fromEntries(Object.entries(sessionStorage)));
  const inbox = `${platform.url}/#/inbox`;

  // ── (b) time to the first useful view ──────────────────────────────────────────────────────────────────
  const cold: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    await context.addInitScript((entries: Record<string, string>) => {
      for (const [k, v] of Object.entries(entries)) sessionStorage.setItem(k, v);
    }, session);
    const page = await context.newPage();
    await page.goto(inbox, { waitUntil: 'commit' });
    cold.push(await readyAfter(page, `cold load ${i + 1}`));
    await context.close();
  }
  await first.goto(inbox, { waitUntil: 'commit' });
  await readyAfter(first, 'the first load of the signed-in page');
  const warm: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    await first.reload({ waitUntil: 'commit' });
    warm.push(await readyAfter(first, `warm load ${i + 1}`));
  }
  say();
  say(
    `(b) time to the first useful view: ${inbox.replace(platform.url, '')} as an approver, ${PENDING} approvals pending`,
  );
  say(`    cold (new context, no cache)   ${stats(cold)}`);
  say(`    warm (reload, files cached)    ${stats(warm)}`);

  // ── (c) inbox update delay after a gate opens ──────────────────────────────────────────────────────────
  const afterExecute: number[] = [];
  const afterApi: number[] = [];
  const approver = api(platform.url, await platform.token({ tenantId: TENANT, roles: ['approver'] }));
  for (let i = 0; i < GATES; i++) {
    // Gates open at any point of the inbox's refresh cycle, not in step with it.
    await new Promise((r) => setTimeout(r, Math.random() * 2000));
    const known = await first.evaluate(() =>
      Array.from(
        document.querySelectorAll('[data-approval-id]') as ArrayLike<{ dataset: Record<string, string | undefined> }>,
      ).map((e) => e.dataset.approvalId ?? ''),
    );
    const run = await execute();
    const answeredAt = Date.now();
    if (run.status !== 202) throw new Error(`execute answered ${run.status}: ${JSON.stringify(run.body)}`);
    // Both watched at once from the answer on: the page for a row it did not show before, the API for the gate.
    const [row, readable] = await Promise.all([
      within(
        `gate ${i + 1}: a new inbox row [data-approval-id]`,
        first.waitForFunction(
          (before: string[]) => {
            const added = Array.from(
              document.querySelectorAll('[data-approval-id]') as ArrayLike<{
                dataset: Record<string, string | undefined>;
              }>,
            ).find((e) => !before.includes(e.dataset.approvalId ?? ''));
            return added ? { id: added.dataset.approvalId ?? '', at: Date.now() } : false;
          },
          known,
          { polling: 'raf', timeout: TIMEOUT_MS },
        ),
      ).then((h) => h.jsonValue() as Promise<{ id: string; at: number }>),
      until('the gate through the API', () => approvalOf(run.body.executionId), TIMEOUT_MS, 25).then((a) => ({
        id: a.id,
        at: Date.now(),
      })),
    ]);
    const id = readable.id;
    if (row.id !== id) throw new Error(`gate ${i + 1}: the inbox showed ${row.id}, the run's approval is ${id}`);
    const shownAt = row.at;
    afterExecute.push(shownAt - answeredAt);
    afterApi.push(shownAt - readable.at);
    // Decided at once, so the pending list stays one page long.
    const decided = await approver.post(`/api/v1/approvals/${id}/approve`, {});
    if (decided.status !== 200) throw new Error(`approving ${id}: ${decided.status} ${JSON.stringify(decided.body)}`);
  }
  say();
  say('(c) inbox update delay after a gate opens (the inbox open, the run started through the API)');
  if (GATES === 0) say('    skipped (--gates 0)');
  else {
    say(`    execute answered → row shown   ${stats(afterExecute)}`);
    say(`    gate readable    → row shown   ${stats(afterApi)}`);
  }
} catch (error) {
  process.stderr.write(`bench:console: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
// Runs left waiting at their gates keep timers of the local runtime alive after stop(): the figures are printed.
process.exit();
