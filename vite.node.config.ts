import { defineConfig } from 'vite';

// The CLI and the library entries (`blindspot`, `blindspot/node`) are built for Node by Vite so that `import.meta.glob` bundles the WGSL
// files of shaders/ into the output; dependencies stay external and are loaded from node_modules.
export default defineConfig({
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { cli: 'src/cli/main.ts', index: 'src/index.ts', node: 'src/node.ts' },
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});
