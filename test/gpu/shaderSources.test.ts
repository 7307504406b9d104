/**
 * The `// #include "name"` mechanism of src/gpu/shaderSources.ts: library files are appended after the
 * including file's last line (so the kernel's own line numbers do not move), once each, nested includes
 * resolve, cycles and unknown names are errors that point at the directive, and a compile error inside a
 * library file is reported by the Engine with the library file and its own line.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.ts';
import {
  assembleKernel,
  kernelFileNames,
  kernelSource,
  libraryFileNames,
  ShaderIncludeError,
  sourceLocation,
  workgroupInvocations,
} from '../../src/gpu/shaderSources.ts';
import { KernelCompileError } from '../../src/gpu/errors.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();

/** An engine of its own with extra sources, disposed afterwards (the shared one stays without them). */
async function withShaders(shaders: Record<string, string>, body: (engine: Engine) => Promise<void>): Promise<void> {
  const engine = await Engine.create({ shaders });
  await body(engine).finally(() => engine.dispose());
}

const lines = (...text: string[]) => text.join('\n');

/** The error a function throws (fails the test when it returns). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

// A small library tree: `top` includes "a" and "b", "a" includes "b" again (appended once), "b" includes "c".
const tree = {
  top: lines(
    '// top: a kernel', //                                    1
    '// #include "a"', //                                      2
    '  //   #include   "b"  ', //                              3: blanks around the directive are allowed
    '@group(0) @binding(0) var<storage, read_write> out: array<f32>;', // 4
    '@compute @workgroup_size(1)', //                          5
    'fn main() {', //                                          6
    '  out[0] = fa() + fb() + fc();', //                       7
    '}', //                                                    8
  ),
  'lib/a': lines('// #include "b"', 'fn fa() -> f32 {', '  return fb();', '}'),
  'lib/b': lines('// #include "c"', 'fn fb() -> f32 {', '  return 2.0;', '}'),
  'lib/c': lines('fn fc() -> f32 {', '  return 3.0;', '}'),
};

describe('assembling includes', () => {
  it('appends each library file once, after the kernel, keeping the kernel lines in place', () => {
    const assembled = assembleKernel('top', tree);
    expect(assembled.file).toBe('shaders/top.wgsl');
    expect(assembled.includes).toEqual(['lib/a', 'lib/b', 'lib/c']);
    const code = assembled.code.split('\n');
    expect(code.slice(0, 8).join('\n')).toBe(tree.top);
    for (const f of ['fa', 'fb', 'fc']) {
      expect(assembled.code.split(`fn ${f}(`).length - 1, `${f} defined once`).toBe(1);
    }
    expect(code.slice(8, 12).join('\n')).toBe(tree['lib/a']);
    expect(code.slice(12, 16).join('\n')).toBe(tree['lib/b']);
    expect(code.slice(16, 19).join('\n')).toBe(tree['lib/c']);
  });

  it('maps every line of the assembled module back to its file and line', () => {
    const assembled = assembleKernel('top', tree);
    expect(assembled.locate(7)).toEqual({ file: 'shaders/top.wgsl', line: 7 });
    expect(assembled.locate(9)).toEqual({ file: 'shaders/lib/a.wgsl', line: 1 });
    expect(assembled.locate(11)).toEqual({ file: 'shaders/lib/a.wgsl', line: 3 });
    expect(assembled.locate(14)).toEqual({ file: 'shaders/lib/b.wgsl', line: 2 });
    expect(assembled.locate(19)).toEqual({ file: 'shaders/lib/c.wgsl', line: 3 });
    // 0 is WebGPU's "no line": it stays with the kernel.
    expect(assembled.locate(0)).toEqual({ file: 'shaders/top.wgsl', line: 0 });
    expect(sourceLocation('top', 16, tree)).toEqual({ file: 'shaders/lib/b.wgsl', line: 4 });
    // Every line round-trips to the text it came from.
    const code = assembled.code.split('\n');
    const files: Record<string, string[]> = {
      'shaders/top.wgsl': tree.top.split('\n'),
      'shaders/lib/a.wgsl': tree['lib/a'].split('\n'),
      'shaders/lib/b.wgsl': tree['lib/b'].split('\n'),
      'shaders/lib/c.wgsl': tree['lib/c'].split('\n'),
    };
    for (let line = 1; line <= 19; line++) {
      const at = assembled.locate(line);
      expect(files[at.file][at.line - 1], `assembled line ${line}`).toBe(code[line - 1]);
    }
  });

  it('counts CR LF and a final line break as WGSL does', () => {
    const extra = { k: 'fn k0() {}\r\n// #include "x"\r\nfn k1() {}\r\n', 'lib/x': 'fn x0() {}\nfn x1() {}\n' };
    const assembled = assembleKernel('k', extra);
    expect(assembled.code).toBe('fn k0() {}\n// #include "x"\nfn k1() {}\nfn x0() {}\nfn x1() {}\n');
    expect(assembled.locate(3)).toEqual({ file: 'shaders/k.wgsl', line: 3 });
    expect(assembled.locate(5)).toEqual({ file: 'shaders/lib/x.wgsl', line: 2 });
  });

  it('reports an unknown include with the file and line of the directive', () => {
    const extra = { k: lines('fn f() {}', '', '// #include "nowhere"') };
    const error = thrown(() => assembleKernel('k', extra));
    expect(error).toBeInstanceOf(ShaderIncludeError);
    expect(error).toMatchObject({ file: 'shaders/k.wgsl', line: 3 });
    expect((error as Error).message).toMatch(/^shaders\/k\.wgsl:3: unknown include "nowhere": there is no shaders\/lib\/nowhere\.wgsl/);
    // Inside a library file, the directive's own file and line.
    const nested = thrown(() => assembleKernel('k', { k: '// #include "a"', 'lib/a': 'fn a() {}\n// #include "gone"' }));
    expect(nested).toMatchObject({ file: 'shaders/lib/a.wgsl', line: 2 });
  });

  it('reports a cycle with the chain of files and the directive that closes it', () => {
    const extra = {
      k: '// #include "a"',
      'lib/a': lines('fn a() {}', '// #include "b"'),
      'lib/b': lines('// #include "c"'),
      'lib/c': lines('fn c() {}', '', '// #include "a"'),
    };
    const error = thrown(() => assembleKernel('k', extra));
    expect(error).toBeInstanceOf(ShaderIncludeError);
    expect(error).toMatchObject({ file: 'shaders/lib/c.wgsl', line: 3 });
    expect((error as Error).message).toContain(
      'include cycle: shaders/lib/a.wgsl -> shaders/lib/b.wgsl -> shaders/lib/c.wgsl -> shaders/lib/a.wgsl',
    );
    // A library that includes itself.
    expect(thrown(() => assembleKernel('k', { k: '// #include "a"', 'lib/a': '// #include "a"' }))).toMatchObject({
      file: 'shaders/lib/a.wgsl',
      line: 1,
    });
  });

  it('rejects a malformed directive rather than ignoring it', () => {
    const error = thrown(() => assembleKernel('k', { k: lines('', '// #include conv_walk') }));
    expect(error).toMatchObject({ file: 'shaders/k.wgsl', line: 2 });
    expect((error as Error).message).toMatch(/malformed include directive/);
  });
});

describe('the shaders/ tree', () => {
  it('lists kernel files without the library files', () => {
    const kernels = kernelFileNames();
    expect(kernels).toContain('conv2d');
    expect(kernels.some((name) => name.includes('/'))).toBe(false);
    for (const lib of libraryFileNames()) expect(kernels).not.toContain(lib);
    expect(libraryFileNames()).toEqual(expect.arrayContaining(['conv_walk', 'matmul_epilogue']));
  });

  it('every library file is used, and none declares an entry point, an override or a binding', () => {
    const used = new Set(kernelFileNames().flatMap((name) => assembleKernel(name).includes));
    for (const lib of libraryFileNames()) {
      expect(used.has(`lib/${lib}`), `shaders/lib/${lib}.wgsl is included by some kernel`).toBe(true);
      const code = assembleKernel(`lib/${lib}`).code.replace(/\/\/.*$/gm, '');
      expect(code, `shaders/lib/${lib}.wgsl`).not.toMatch(/@compute|@workgroup_size|@binding|^\s*override\s/m);
    }
  });

  it('every kernel file assembles and compiles, with its own lines first and unchanged', async () => {
    const device = getEngine().device;
    for (const name of kernelFileNames()) {
      const assembled = assembleKernel(name);
      expect(assembled.code.startsWith(kernelSource(name).replace(/\n?$/, '\n')), name).toBe(true);
      const module = device.createShaderModule({ label: assembled.file, code: assembled.code });
      const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
      const where = errors.map((e) => {
        const at = assembled.locate(e.lineNum);
        return `${at.file}:${at.line}: ${e.message}`;
      });
      expect(where, name).toEqual([]);
    }
  });
});

describe('compile errors through the Engine', () => {
  const probe = lines(
    '// A kernel that uses a library function.', //                     1
    '// #include "planted"', //                                          2
    '@group(0) @binding(0) var<storage, read_write> out: array<f32>;', // 3
    '@compute @workgroup_size(64)', //                                   4
    'fn main(@builtin(global_invocation_id) gid: vec3<u32>) {', //       5
    '  out[gid.x] = planted(gid.x);', //                                 6
    '}', //                                                              7
  );
  const planted = lines(
    '// lib/planted — a library file with an error on line 4.', //       1
    '', //                                                               2
    'fn planted(i: u32) -> f32 {', //                                    3
    '  return f32(i) + undefined_in_lib;', //                            4
    '}', //                                                              5
  );

  it('an error in a library file names the library file and its line', async () => {
    await withShaders({ probe, 'lib/planted': planted }, async (engine) => {
      const error = await engine.compile('probe').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KernelCompileError);
      expect(error).toMatchObject({ kernel: 'probe', file: 'shaders/lib/planted.wgsl', line: 4 });
      expect((error as Error).message).toMatch(/^shaders\/lib\/planted\.wgsl:4: kernel 'probe' failed to compile: .*undefined_in_lib/s);
    });
  });

  it('an error in the kernel after an include directive keeps its own line', async () => {
    const broken = probe.replace('planted(gid.x);', 'planted(gid.x) + undefined_in_kernel;');
    const fine = planted.replace(' + undefined_in_lib', '');
    await withShaders({ probe: broken, 'lib/planted': fine }, async (engine) => {
      const error = await engine.compile('probe').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KernelCompileError);
      expect(error).toMatchObject({ file: 'shaders/probe.wgsl', line: 6 });
      expect((error as Error).message).toMatch(/undefined_in_kernel/);
    });
  });

  it('an error planted in a shipped library file points into it from a shipped kernel', async () => {
    // Replace lib/conv_walk with a copy whose advance() uses an undeclared name on line `bad`.
    const original = assembleKernel('lib/conv_walk').code.replace(/\n$/, '').split('\n');
    const bad = original.findIndex((line) => line.includes('let row_end')) + 1;
    expect(bad).toBeGreaterThan(0);
    const broken = [...original];
    broken[bad - 1] = broken[bad - 1].replace('c.col + 1u', 'c.col + not_declared');
    await withShaders({ 'lib/conv_walk': broken.join('\n') }, async (engine) => {
      const error = await engine.compile('conv2d').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KernelCompileError);
      expect(error).toMatchObject({ file: 'shaders/lib/conv_walk.wgsl', line: bad });
    });
  });

  it('an unknown include is a KernelCompileError at the directive, before anything reaches the GPU', async () => {
    const missing = probe.replace('"planted"', '"no_such_file"');
    await withShaders({ probe: missing }, async (engine) => {
      const error = thrown(() => engine.kernel('probe'));
      expect(error).toBeInstanceOf(KernelCompileError);
      expect(error).toMatchObject({ kernel: 'probe', file: 'shaders/probe.wgsl', line: 2 });
      expect((error as Error).message).toMatch(/^shaders\/probe\.wgsl:2: kernel 'probe' failed to compile: unknown include "no_such_file"/);
      await expect(engine.compile('probe')).rejects.toThrow(KernelCompileError);
    });
  });

  it('an include cycle is a KernelCompileError naming the cycle', async () => {
    const shaders = { probe, 'lib/planted': `// #include "loop"\n${planted}`, 'lib/loop': '\n// #include "planted"' };
    await withShaders(shaders, async (engine) => {
      const error = thrown(() => engine.kernel('probe'));
      expect(error).toBeInstanceOf(KernelCompileError);
      expect(error).toMatchObject({ file: 'shaders/lib/loop.wgsl', line: 2 });
      expect((error as Error).message).toMatch(/include cycle: shaders\/lib\/planted\.wgsl -> shaders\/lib\/loop\.wgsl -> shaders\/lib\/planted\.wgsl/);
    });
  });

  it('a kernel with nested includes runs', async () => {
    const run = lines(
      'struct Params { n: u32, _a: u32, _b: u32, _c: u32 }',
      '@group(0) @binding(0) var<uniform> params: Params;',
      '@group(0) @binding(1) var<storage, read_write> out: array<f32>;',
      '// #include "a"',
      '// #include "c"',
      '@compute @workgroup_size(64)',
      'fn main(@builtin(global_invocation_id) gid: vec3<u32>) {',
      '  if (gid.x < params.n) {',
      '    out[gid.x] = fa() + fb() + fc() + f32(gid.x);',
      '  }',
      '}',
    );
    await withShaders({ ...tree, run }, async (engine) => {
      const n = 5;
      const out = engine.acquireBuffer(4 * n);
      engine.dispatch(await engine.compile('run'), { uniforms: new Uint32Array([n, 0, 0, 0]), bindings: [out], workgroups: [1] });
      const values = new Float32Array(await engine.read(out, 4 * n));
      expect([...values]).toEqual([7, 8, 9, 10, 11]);
      engine.releaseBuffer(out);
    });
  });
});

describe('workgroup size of a kernel source', () => {
  const source = lines('override TILE: u32 = 16u;', 'override ROWS = 4;', '@compute @workgroup_size(TILE, ROWS, 2)', 'fn main() {}');

  it('multiplies literals and override constants, taking defaults from the source', () => {
    expect(workgroupInvocations(source)).toBe(16 * 4 * 2);
    expect(workgroupInvocations(source, { TILE: 8 })).toBe(8 * 4 * 2);
    expect(workgroupInvocations(lines('@compute @workgroup_size(64)', 'fn main() {}'))).toBe(64);
  });

  it('counts every shipped kernel within the WebGPU default limit of 256 invocations', () => {
    for (const name of kernelFileNames()) {
      const n = workgroupInvocations(assembleKernel(name).code);
      expect(n, name).toBeGreaterThanOrEqual(1);
      expect(n, name).toBeLessThanOrEqual(256);
    }
  });
});
