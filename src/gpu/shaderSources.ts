/**
 * The WGSL sources of `shaders/`, bundled by Vite at build time. The same import works in a Vite page, in
 * Vitest and in the Vite-built CLI, so the kernels exist only as `.wgsl` files and are never copied into
 * TypeScript strings by hand.
 *
 * WGSL has no includes, so this module adds one, explicitly: a line `// #include "name"` in a kernel (or
 * library) file pulls in `shaders/lib/<name>.wgsl`. The included text is APPENDED after the including
 * file's last line, never spliced in at the directive, so every line of the kernel file keeps its number in
 * the assembled module (module-scope declarations in WGSL are order-independent). Each library file is
 * appended once per module however often it is requested, library files may include others, and a cycle or
 * an unknown name is a {@link ShaderIncludeError} naming the file and line of the directive.
 * {@link sourceLocation} maps a line of the assembled module back to the file and line it came from.
 */
const kernelFiles = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;
const libraryFiles = import.meta.glob('../../shaders/lib/*.wgsl', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

function byBaseName(files: Record<string, string>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [path, source] of Object.entries(files)) {
    map.set(path.slice(path.lastIndexOf('/') + 1, -'.wgsl'.length), source);
  }
  return map;
}

const kernels = byBaseName(kernelFiles);
const libraries = byBaseName(libraryFiles);

/** Prefix that names a library file among extra sources: `{ 'lib/epilogue': '...' }`. */
const LIB_PREFIX = 'lib/';

/**
 * Extra or replacement sources by file name without `.wgsl` (the Engine option `shaders`): `name` is a
 * kernel file `shaders/name.wgsl`, `lib/name` a library file `shaders/lib/name.wgsl`.
 */
export type ExtraShaders = Readonly<Record<string, string>>;

/** Names of every kernel file, without the `.wgsl` extension (library files under `shaders/lib/` excluded). */
export function kernelFileNames(): string[] {
  return [...kernels.keys()].sort();
}

/** Names of every library file in `shaders/lib/`, without the `.wgsl` extension. */
export function libraryFileNames(): string[] {
  return [...libraries.keys()].sort();
}

/** The text of `shaders/<name>.wgsl` as written (includes not resolved; see {@link assembleKernel}). */
export function kernelSource(name: string): string {
  const source = kernels.get(name);
  if (source === undefined) {
    throw new Error(`no kernel file shaders/${name}.wgsl (known: ${kernelFileNames().join(', ')})`);
  }
  return source;
}

/** A line of a source file: `file` is the repository path (`shaders/lib/conv_walk.wgsl`), `line` 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** An include directive that cannot be resolved (unknown name, cycle, malformed); points at the directive. */
export class ShaderIncludeError extends Error {
  override name = 'ShaderIncludeError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

/** A kernel file with its includes appended: the code handed to the compiler, and where its lines came from. */
export interface AssembledKernel {
  /** `shaders/<name>.wgsl`. */
  readonly file: string;
  readonly code: string;
  /** The library files appended, in order, as `lib/<name>`. */
  readonly includes: readonly string[];
  /**
   * Where line `assembledLine` (1-based, as WGSL compilers report it) of `code` was written. A line
   * outside the module (0 is how WebGPU says "no line") maps to the kernel file, unchanged.
   */
  locate(assembledLine: number): SourceLocation;
}

/** `// #include "name"`, alone on its line (leading and trailing blanks allowed). */
const DIRECTIVE = /^\s*\/\/\s*#include\b(.*)$/;
const DIRECTIVE_ARGUMENT = /^\s*"([A-Za-z0-9_][A-Za-z0-9_-]*)"\s*$/;

/** WGSL line breaks (WGSL spec, "blankspace and line breaks"); CR LF counts as one. */
const LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/;

function splitLines(text: string): string[] {
  const lines = text.split(LINE_BREAK);
  // A final line break ends the last line rather than starting an empty one.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The file text, from the extra sources first. `key` is a kernel name or `lib/<name>`. */
function lookup(key: string, extra: ExtraShaders): string | undefined {
  if (Object.hasOwn(extra, key)) return extra[key];
  return key.startsWith(LIB_PREFIX) ? libraries.get(key.slice(LIB_PREFIX.length)) : kernels.get(key);
}

function pathOf(key: string): string {
  return `shaders/${key}.wgsl`;
}

interface Segment {
  /** First assembled line (1-based) of this file's text. */
  start: number;
  count: number;
  file: string;
}

/**
 * `shaders/<name>.wgsl` (or `extra[name]`) with every library file it includes, directly or through other
 * library files, appended once each after its last line. Throws a {@link ShaderIncludeError} for an
 * include that names no library file, that closes a cycle, or that is malformed.
 */
export function assembleKernel(name: string, extra: ExtraShaders = {}): AssembledKernel {
  const source = lookup(name, extra);
  if (source === undefined) {
    throw new Error(`no kernel file shaders/${name}.wgsl (known: ${kernelFileNames().join(', ')})`);
  }
  const out: string[] = [];
  const segments: Segment[] = [];
  const included: string[] = [];
  const done = new Set<string>();

  // Depth-first, pre-order: a file's text goes out before the files it includes. `stack` holds the files
  // whose includes are being resolved, so meeting one of them again is a cycle.
  const visit = (key: string, text: string, stack: string[]): void => {
    const lines = splitLines(text);
    segments.push({ start: out.length + 1, count: lines.length, file: pathOf(key) });
    out.push(...lines);
    done.add(key);
    lines.forEach((line, index) => {
      const directive = DIRECTIVE.exec(line);
      if (!directive) return;
      const at = { file: pathOf(key), line: index + 1 };
      const argument = DIRECTIVE_ARGUMENT.exec(directive[1]);
      if (!argument) {
        throw new ShaderIncludeError(at.file, at.line, `malformed include directive '${line.trim()}' (expected // #include "name")`);
      }
      const target = LIB_PREFIX + argument[1];
      const chain = [...stack, key];
      if (chain.includes(target)) {
        const cycle = [...chain.slice(chain.indexOf(target)), target].map(pathOf).join(' -> ');
        throw new ShaderIncludeError(at.file, at.line, `include cycle: ${cycle}`);
      }
      if (done.has(target)) return;
      const body = lookup(target, extra);
      if (body === undefined) {
        throw new ShaderIncludeError(
          at.file,
          at.line,
          `unknown include "${argument[1]}": there is no ${pathOf(target)} (library files: ${libraryFileNames().join(', ') || 'none'})`,
        );
      }
      included.push(target);
      visit(target, body, chain);
    });
  };
  visit(name, source, []);

  const file = pathOf(name);
  return {
    file,
    code: `${out.join('\n')}\n`,
    includes: included,
    locate(assembledLine: number): SourceLocation {
      for (const segment of segments) {
        const offset = assembledLine - segment.start;
        if (offset >= 0 && offset < segment.count) return { file: segment.file, line: offset + 1 };
      }
      return { file, line: assembledLine };
    },
  };
}

/**
 * The file and line that line `assembledLine` (1-based) of the assembled kernel `kernelFile` came from:
 * `{ file: 'shaders/lib/conv_walk.wgsl', line: 12 }` for a line of an included library file, the kernel's
 * own path and the same line number for a line of the kernel file.
 */
export function sourceLocation(kernelFile: string, assembledLine: number, extra: ExtraShaders = {}): SourceLocation {
  return assembleKernel(kernelFile, extra).locate(assembledLine);
}

/**
 * Invocations per workgroup, read from the `@workgroup_size(...)` attribute with override constants
 * substituted, so a dispatch can be checked against the adapter's limit before WebGPU rejects it.
 */
export function workgroupInvocations(source: string, constants: Readonly<Record<string, number>> = {}): number {
  const match = /@workgroup_size\(([^)]*)\)/.exec(source);
  if (!match) return 1;
  const defaults = new Map<string, number>();
  for (const m of source.matchAll(/override\s+(\w+)\s*(?::\s*\w+)?\s*=\s*([0-9.]+)\s*[a-z]*\s*;/g)) {
    defaults.set(m[1], Number(m[2]));
  }
  return match[1]
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => constants[part] ?? defaults.get(part) ?? Number.parseInt(part, 10))
    .reduce((a, b) => a * (Number.isFinite(b) ? b : 1), 1);
}
