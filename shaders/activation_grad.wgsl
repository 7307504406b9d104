// activation_grad — dz[i] = dy[i] · act'(y[i]) for y = act(z), written with the saved output y so the
//   pre-activation z need not be kept: ACTIVATION 1 relu (act' = 1 where y > 0, else 0), 2 sigmoid
//   (y(1 − y)), 3 tanh (1 − y²). The backward pass of matmul's fused activation.
//
// Layout: dy, y and dz are flat f32 arrays of params.size elements.
// Work: one invocation per element, WORKGROUP_SIZE per workgroup; the grid may be folded into two
//   dimensions (linear index gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Edges: invocations past `size` return.
// Variants: none; memory-bound everywhere.

override WORKGROUP_SIZE: u32 = 64;
override ACTIVATION: u32 = 1u;

struct Params {
  size: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> dz: array<f32>;

fn derivative(v: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return select(0.0, 1.0, v > 0.0); }
    case 2u: { return v * (1.0 - v); }
    case 3u: { return 1.0 - v * v; }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  dz[i] = dy[i] * derivative(y[i]);
}
