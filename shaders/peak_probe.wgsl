// peak_probe — the adapter's arithmetic peak, not an op: invocation i runs CHAINS independent vec4 chains
//   x ← x·a + b (component-wise) for params.iterations steps from x₀ = start[i] + (c·4 + lane)/16 (chain c,
//   component lane), then writes out[i] = Σ over chains and components of the last x. With 0 < a < 1 the
//   chains converge to b / (1 − a) and never overflow, however many steps.
//
// Layout: start and out are flat f32 arrays of params.count elements.
// Work: one invocation per element, WORKGROUP_SIZE invocations per workgroup (the grid may be folded, see
//   lib/grid); each step is CHAINS × 4 multiply-adds (8 × CHAINS FLOPs) on registers only, so the kernel's
//   time is arithmetic: FLOPs = count · iterations · CHAINS · 8. The chains are independent so that a core
//   can overlap their latencies (4 vec4 chains are 16 SIMD registers on SwiftShader, whose lanes are
//   invocations: a vec4 is 4 registers).
// Edges: invocations past params.count return without writing.
// Variants: none; a GPU needs many workgroups in flight, which the launch (src/gpu/peakProbe.ts) provides.
// Includes: lib/grid.wgsl (linear_index).
// #include "grid"

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  count: u32,
  iterations: u32,
  a: f32,
  b: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> start: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const STEP = vec4(0.0, 1.0, 2.0, 3.0) / 16.0;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups);
  if (i >= params.count) {
    return;
  }
  let s = start[i];
  let a = vec4(params.a);
  let b = vec4(params.b);
  var x0 = s + STEP;
  var x1 = s + 0.25 + STEP;
  var x2 = s + 0.5 + STEP;
  var x3 = s + 0.75 + STEP;
  for (var t = 0u; t < params.iterations; t++) {
    x0 = x0 * a + b;
    x1 = x1 * a + b;
    x2 = x2 * a + b;
    x3 = x3 * a + b;
  }
  out[i] = dot(x0 + x1 + x2 + x3, vec4(1.0));
}
