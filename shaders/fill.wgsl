// fill — out[i] = value for every i < size.
//
// Layout: out is a flat f32 array of `size` elements.
// Work: one invocation per element, WORKGROUP_SIZE invocations per workgroup; the grid may be folded into
//   two dimensions (Engine.grid) when size / WORKGROUP_SIZE exceeds the per-dimension workgroup limit, so the
//   linear index is gid.x + gid.y * (num_workgroups.x * WORKGROUP_SIZE).
// Edges: invocations past `size` return without writing.
// Variants: none; memory-bound on every adapter.

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  size: u32,
  value: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  out[i] = params.value;
}
