/**
 * Serves the bench page (bench/index.html): `npx vite bench` for a person, bench/run.mjs for the headless
 * run. Cross-origin isolation (COOP/COEP) lets tfjs's wasm backend use threads (SharedArrayBuffer).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  // Its own dependency cache, so other Vite servers of the repository never re-optimize this one's.
  cacheDir: `${repo}node_modules/.vite/bench`,
  server: {
    host: '127.0.0.1',
    headers: CROSS_ORIGIN_ISOLATION,
    // The page imports src/ and shaders/ from outside this root.
    fs: { allow: [repo] },
  },
  preview: { headers: CROSS_ORIGIN_ISOLATION },
  // Pre-bundled at startup: discovered only when a contestant loads, they would make Vite reload the page.
  optimizeDeps: {
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'gpu.js'],
  },
  build: { outDir: `${repo}dist/bench`, emptyOutDir: true, target: 'es2022' },
});
