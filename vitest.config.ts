import { defineConfig } from 'vitest/config';

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
