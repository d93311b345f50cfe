import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Root config: the test runner for every package. Library builds live in each
// package's own vite.config.ts (they extend ./vite.lib.ts).
export default defineConfig({
  // Tests run against the TypeScript sources of sibling packages, never a stale dist/.
  resolve: {
    alias: [
      { find: /^@savedmodel-js\/core\/node$/, replacement: src('core/src/node.ts') },
      { find: /^@savedmodel-js\/core\/internal$/, replacement: src('core/src/internal.ts') },
      { find: /^@savedmodel-js\/core\/reflection$/, replacement: src('core/src/reflection.ts') },
      { find: /^@savedmodel-js\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@savedmodel-js\/trace$/, replacement: src('trace/src/index.ts') },
      { find: /^@savedmodel-js\/zip\/node$/, replacement: src('zip/src/node.ts') },
      { find: /^@savedmodel-js\/zip$/, replacement: src('zip/src/index.ts') },
      { find: /^@savedmodel-js\/export$/, replacement: src('export/src/index.ts') },
      { find: /^@savedmodel-js\/keras$/, replacement: src('keras/src/index.ts') },
      { find: /^@savedmodel-js\/runtime$/, replacement: src('runtime/src/index.ts') },
      { find: /^@savedmodel-js\/convert\/node$/, replacement: src('convert/src/node.ts') },
      { find: /^@savedmodel-js\/convert$/, replacement: src('convert/src/index.ts') },
      { find: /^savedmodel-js$/, replacement: src('savedmodel-js/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['./scripts/vitest-setup.ts'],
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
  },
});
