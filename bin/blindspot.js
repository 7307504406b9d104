#!/usr/bin/env node
// The CLI is built by `npm run build` (Vite bundles the WGSL kernels into dist/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('blindspot: dist/cli.js is missing; run `npm run build` (or `npm run setup`) first.');
  process.exit(1);
}
await import(cli);
