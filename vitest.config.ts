import { defineConfig } from 'vitest/config';

// Node tests share one Dawn/SwiftShader device per file; running files one after another keeps the
// two cores of this machine for SwiftShader's own threads instead of fighting over them.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
