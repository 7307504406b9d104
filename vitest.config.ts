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
          // One worker process for every file: Dawn can abort while a process exits right after a device
          // was destroyed, so the suite pays that teardown once instead of once per file.
          isolate: false,
          maxWorkers: 1,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
