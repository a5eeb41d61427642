import { defineConfig } from 'vitest/config';

// Two projects: unit tests (pure logic, milliseconds, no root needed) and integration tests against
// the lab (real sshd and dockerd in network namespaces). Only the integration project starts the lab.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // The suites share one lab: run files one at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 600_000,
          globalSetup: ['test/lab/global-setup.ts'],
        },
      },
    ],
  },
});
