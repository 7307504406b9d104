/**
 * Serves the browser test page (scripts/browser-tests.mjs starts it; `npx vite --config
 * test/browser/vite.config.ts` serves it for a person). The test files import `vitest`; here that name
 * resolves to a small in-page runner, so the Node suite's files run unchanged.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: here,
  // Its own cache, so the demo's dev server and this one never re-optimize each other's dependencies.
  cacheDir: `${repo}node_modules/.vite/browser-tests`,
  resolve: {
    alias: [{ find: /^vitest$/, replacement: `${here}vitestShim.ts` }],
  },
  server: {
    // The page imports tests, sources and shaders from the whole repository, outside this root.
    fs: { allow: [repo] },
  },
  // Pre-bundled at startup: discovered only when a test file loads, it would make Vite reload the page mid-run.
  optimizeDeps: { include: ['@vitest/expect'] },
});
