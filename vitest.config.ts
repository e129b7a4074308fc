import { defineConfig } from 'vitest/config';
import packageJson from './package.json' with { type: 'json' };

// The same build-time constants as vite.config.ts and vite.cli.config.ts, so code under test sees them.
// A fresh object per project: a shared one came out empty in the second project (vite consumes it while resolving).
const define = (): Record<string, string> => ({ __VERSION__: JSON.stringify(packageJson.version) });

export default defineConfig({
  test: {
    projects: [
      {
        define: define(),
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
          // The randomized property tests (jsonStream cut at every byte, stored under random appends) take 4–5 s on
          // the 2-core machine: vitest's default 5 s failed them by the machine's load, not by a fault. A hang still fails.
          testTimeout: 30_000,
        },
      },
      {
        define: define(),
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Browsers are heavy on a 2-core machine: one test file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
