import { defineConfig } from 'vitest/config';

// Root config: the test runner for every package. Library builds live in each
// package's own vite.config.ts (they extend ./vite.lib.ts).
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
  },
});
