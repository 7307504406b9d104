import { it } from 'vitest';
import { Engine } from '../../src/gpu/engine.ts';
it('bind', async () => {
  const src = `
struct P { n: u32 }
@group(0) @binding(0) var<uniform> params: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> b: array<f32>;
@group(0) @binding(1) var<storage, read> c: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> d: array<f32>;
@group(0) @binding(3) var<storage, read_write> e: array<f32>;
@compute @workgroup_size(1) fn one() { b[0] = a[params.n]; }
@compute @workgroup_size(1) fn two() { e[0] = c[params.n].x + d[0]; }
`;
  const engine = await Engine.create({ shaders: { t: src } });
  await engine.compile('t#one');
  await engine.compile('t#two');
  console.log('compiled both');
  engine.dispose();
});
