import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files run in parallel forks (`vitest run --maxWorkers=1` runs them one at a time). Vitest's default on
 * this project's 2-core machines is one fork: the suite then waits for each platform file's restarts,
 * schedules and polls in turn. Three forks keep both cores busy while the platform files (integration,
 * browser) wait on their emulators and timers, without starving the timing checks as more forks did.
 */
const FORKS = 3;

/**
 * The files that wait longest on time itself (platform restarts, Scheduler's minute precision, multi-minute
 * syncs) start first, so none of them is still running alone at the end. A hint of order only: a name
 * missing here or a file renamed changes when a file starts, never what runs.
 */
const LONG_WAITS = [
  'test/integration/connector-sync.test.ts',
  'test/integration/signal-deadline-durability.test.ts',
  'test/integration/connector-sync-durability.test.ts',
  'test/integration/intelligence-e2e.test.ts',
  'test/integration/resolution-store.test.ts',
  'test/integration/durability.test.ts',
  'test/integration/signals-api.test.ts',
];

/**
 * The order files start in: the long waits, then the other platform files (browser, integration) two for
 * each infra file (a CPU-bound synthesis beside I/O-bound platforms keeps both cores at work), then the
 * short unit files, which fill the forks as the others end. Within a group, longer first: by the last
 * run's duration where Vitest's cache has it (a developer's machine), else by size (a fresh clone, CI).
 */
class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const key = (f: TestSpecification) => `${f.project.name}:${relative(root, f.moduleId)}`;
    const duration = (f: TestSpecification) => this.ctx.cache.getFileTestResults(key(f))?.duration;
    const size = (f: TestSpecification) => this.ctx.cache.getFileStats(key(f))?.size ?? 0;
    const longest = (a: TestSpecification, b: TestSpecification) => {
      const [da, db] = [duration(a), duration(b)];
      return da !== undefined && db !== undefined ? db - da : size(b) - size(a);
    };
    const hint = (f: TestSpecification) => LONG_WAITS.indexOf(relative(root, f.moduleId));
    const of = (...projects: string[]) => files.filter((f) => projects.includes(f.project.name));
    const platform = of('integration', 'browser').sort(longest);
    const first = platform.filter((f) => hint(f) >= 0).sort((a, b) => hint(a) - hint(b));
    const rest = platform.filter((f) => hint(f) < 0);
    const infra = of('infra').sort(longest);
    const interleaved: TestSpecification[] = [];
    while (rest.length || infra.length) interleaved.push(...rest.splice(0, 2), ...infra.splice(0, 1));
    const known = new Set(['integration', 'browser', 'infra', 'unit']);
    const other = files.filter((f) => !known.has(f.project.name));
    return [...first, ...interleaved, ...of('unit').sort(longest), ...other];
  }
}

/**
 * Four projects: `unit` (domain, handlers and adapters over fakes; no emulator), `integration` (the local
 * platform on real protocols: DynamoDB Local, the S3 server, the bus, the Step Functions runtime, the
 * bundles in their sandboxes), `infra` (the synthesized CDK template) and `browser` (the console on the local
 * platform in Debian's Chromium, test/support/browser.ts). `vitest run --project unit` runs one.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: FORKS,
    minWorkers: 1,
    sequence: { sequencer: LongestFirstSequencer },
    // What every Lambda has (STAGE from the stack, AWS_REGION from the service); bound settings are not set here.
    env: { LOG_LEVEL: 'ERROR', STAGE: 'test', AWS_REGION: 'us-east-1' },
    // The gate of seed 000 (85 % of lines, 75 % of branches) on the code that runs in the test process:
    // handlers and adapters through their makeHandler tests and the fakes, the local runtime through the
    // integration tests. Code inside the Lambda sandboxes (the bundles in worker threads) is not measured.
    coverage: {
      provider: 'v8',
      include: ['functions/**', 'schemas/**', 'local/**'],
      reporter: ['text-summary'],
      thresholds: { lines: 85, branches: 75 },
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Java for DynamoDB Local and the bundles, checked and built once before any integration file.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'] } },
      // The integration setup, then Chromium (installed with apt-get when missing, scripts/ensure-chromium.ts).
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts', 'test/support/browser-setup.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
