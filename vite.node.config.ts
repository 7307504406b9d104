import { dirname, relative } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/** The L-BFGS-B worker's entry, built beside the library (see src/optim/spawnWorker.ts). */
const WORKER_FILE = 'lbfgsb-worker.js';

/**
 * Points every './lbfgsbWorker.ts' of the built code (the worker's source, named relative to
 * src/optim/spawnWorker.ts) at the built worker, relative to the chunk that names it.
 */
function lbfgsbWorkerFile(): Plugin {
  return {
    name: 'blindspot-lbfgsb-worker-file',
    renderChunk(code, chunk) {
      const pattern = /(["'])\.\/lbfgsbWorker\.ts\1/g;
      if (!pattern.test(code)) return null;
      let path = relative(dirname(chunk.fileName), WORKER_FILE);
      if (!path.startsWith('.')) path = `./${path}`;
      return { code: code.replace(pattern, JSON.stringify(path)), map: null };
    },
  };
}

// The CLI and the library entries (`blindspot`, `blindspot/node`) are built for Node by Vite so that `import.meta.glob` bundles the WGSL
// files of shaders/ into the output; dependencies stay external and are loaded from node_modules. The L-BFGS-B worker is an entry of its
// own, which worker threads (Node) and Web Workers (a page bundling the library) start.
export default defineConfig({
  plugins: [lbfgsbWorkerFile()],
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { cli: 'src/cli/main.ts', index: 'src/index.ts', node: 'src/node.ts', 'lbfgsb-worker': 'src/optim/lbfgsbWorker.ts' },
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});
