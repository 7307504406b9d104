/**
 * The WGSL sources of `shaders/`, bundled by Vite at build time. The same import works in a Vite page, in
 * Vitest and in the Vite-built CLI, so the kernels exist only as `.wgsl` files and are never copied into
 * TypeScript strings by hand.
 */
const files = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

const byName = new Map<string, string>();
for (const [path, source] of Object.entries(files)) {
  byName.set(path.slice(path.lastIndexOf('/') + 1, -'.wgsl'.length), source);
}

/** Names of every kernel file, without the `.wgsl` extension. */
export function kernelFileNames(): string[] {
  return [...byName.keys()].sort();
}

/** The source of `shaders/<name>.wgsl`. */
export function kernelSource(name: string): string {
  const source = byName.get(name);
  if (source === undefined) {
    throw new Error(`no kernel file shaders/${name}.wgsl (known: ${kernelFileNames().join(', ')})`);
  }
  return source;
}
