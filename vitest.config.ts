import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    // What every Lambda has (STAGE from the stack, AWS_REGION from the service); bound settings are not set here.
    env: { LOG_LEVEL: 'ERROR', STAGE: 'test', AWS_REGION: 'us-east-1' },
  },
});
