import { it } from 'vitest';
import { Engine } from '../../src/gpu/engine.ts';

const head = `
struct Params { n: u32, steps: u32, a: u32, b: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
`;
// nx vec4 loads lane-varying, nw vec4 loads lane-uniform, accumulators nx*nw*4 vec4 (outer product of vec4 x with scalars of w)
function gen(nx: number, nw: number): string {
  let s = head + `@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x; if (t >= params.n) { return; }\n`;
  for (let a = 0; a < nx; a++) for (let b = 0; b < nw * 4; b++) s += `var a${a}_${b} = vec4<f32>(0.0);\n`;
  s += `for (var k = 0u; k < params.steps; k++) {\n`;
  for (let a = 0; a < nx; a++) s += `let x${a} = src[(k * 64u + t * ${nx}u + ${a}u) & 16383u];\n`;
  for (let b = 0; b < nw; b++) s += `let w${b} = src[(k * ${nw}u + ${b}u) & 1023u];\n`;
  for (let a = 0; a < nx; a++) for (let b = 0; b < nw * 4; b++) s += `a${a}_${b} += x${a} * w${b >> 2}.${'xyzw'[b & 3]};\n`;
  s += `}\n var s = vec4<f32>(0.0);\n`;
  for (let a = 0; a < nx; a++) for (let b = 0; b < nw * 4; b++) s += `s += a${a}_${b};\n`;
  s += `out[t] = dot(s, vec4<f32>(1.0));\n}`;
  return s;
}
const configs: [number, number][] = [[1, 1], [1, 2], [2, 1], [2, 2], [1, 4], [3, 2], [4, 2], [2, 4], [4, 4]];
const kernels: Record<string, string> = {};
for (const [nx, nw] of configs) kernels[`k${nx}_${nw}`] = gen(nx, nw);

it('micro', async () => {
  const engine = await Engine.create({ shaders: kernels });
  const n = 8192, steps = 1000;
  const src = engine.acquireBuffer(16384 * 16);
  const out = engine.acquireBuffer(n * 4);
  const bestOf: Record<string, number> = {};
  for (let rep = 0; rep < 6; rep++)
  for (const [nx, nw] of configs) {
    const kernel = await engine.compile(`k${nx}_${nw}`);
    const times: number[] = [];
    for (let r = 0; r < 2; r++) {
      await engine.sync();
      const t0 = performance.now();
      engine.dispatch(kernel, { uniforms: new Uint32Array([n, steps, 0, 0]), bindings: [src, out], workgroups: [n / 64] });
      await engine.sync();
      times.push(performance.now() - t0);
    }
    const best = Math.min(...times, bestOf[`${nx}${nw}`] ?? Infinity); bestOf[`${nx}${nw}`] = best;
    if (rep < 5) continue;
    const fma = nx * nw * 16;
    console.log(`x${nx} w${nw}: gathers ${4 * (nx + nw)} fma ${fma}  ns/step ${((best * 1e6) / (n * steps)).toFixed(1)}  GFLOP/s ${((2 * fma * n * steps) / best / 1e6).toFixed(2)}`);
  }
  engine.dispose();
});
