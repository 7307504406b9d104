/**
 * The layers of docs/architecture.md, checked on the import statements of src/: a module imports only
 * from its own layer, the layers below it and the leaves, and no two folders import each other through a
 * chain (no cycles between layers; the ops of one layer may use each other, as an op's backward rule is
 * written with other ops). Type-only imports count: they tie the layers together just the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Rank of each folder of src/, bottom first; leaves may be imported from anywhere and import only leaves. */
const LAYERS: Record<string, number> = {
  gpu: 0,
  tensor: 1,
  autograd: 2,
  nn: 3,
  attack: 4,
  analysis: 4,
  report: 5,
  hardening: 5,
  reproduce: 6,
  cli: 7,
};
const LEAVES = new Set(['optim', 'data', 'util']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of a file, resolved to absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s));
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0];

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('src/ layering (docs/architecture.md)', () => {
  it('knows every folder of src/', () => {
    const folders = new Set(files.map(folderOf).filter((f) => !f.endsWith('.ts')));
    const unknown = [...folders].filter((f) => !(f in LAYERS) && !LEAVES.has(f));
    expect(unknown).toEqual([]);
  });

  it('imports point down or to a leaf, never up', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      if (from.endsWith('.ts')) continue; // src/index.ts and other entry points sit on top
      for (const target of imports) {
        const to = folderOf(target);
        const ok = LEAVES.has(from) ? LEAVES.has(to) && (to === from || to === 'util') : LEAVES.has(to) || LAYERS[to] <= LAYERS[from];
        if (!ok) violations.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no cycles between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      if (from.endsWith('.ts')) continue;
      for (const target of imports) {
        const to = folderOf(target);
        if (to !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
      }
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (folder: string): void => {
      state.set(folder, 'open');
      stack.push(folder);
      for (const next of edges.get(folder) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(folder, 'done');
    };
    for (const folder of edges.keys()) if (!state.has(folder)) visit(folder);
    expect(cycles).toEqual([]);
  });

  it('the main entry runs in a page: nothing it reaches is Node-only', () => {
    const reached = new Set<string>();
    const visit = (file: string): void => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const target of graph.get(file) ?? []) visit(target);
    };
    visit(join(SRC, 'index.ts'));
    const nodeOnly = [...reached].filter((f) => f.endsWith('.node.ts') || /from\s+'node:/.test(readFileSync(f, 'utf8')));
    expect(nodeOnly.map((f) => relative(SRC, f))).toEqual([]);
    expect(reached.size).toBeGreaterThan(50);
  });
});
