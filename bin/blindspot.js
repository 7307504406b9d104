#!/usr/bin/env node
// The CLI is built by `npm run build` (Vite bundles the WGSL kernels into dist/cli.js).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('blindspot: dist/cli.js is missing; run `npm run build` (or `npm run setup`) first.');
  process.exit(1);
}

/** Newest modification time (ms) of the files under `dir`, or 0 where it does not exist. */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return newest;
}

// A checkout edited since its last build would otherwise run the old code without a word (a training
// run of half an hour with yesterday's defaults, say). Only a checkout has src/: an installed package
// ships the build and the kernels, whose times say nothing about which is newer.
const sources = ['../src', '../shaders'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));
if (existsSync(sources[0]) && Math.max(...sources.map(newestMtime)) > statSync(cli).mtimeMs) {
  console.error('blindspot: src/ or shaders/ changed after dist/cli.js was built; run `npm run build` to use the changes.');
}
await import(cli);
