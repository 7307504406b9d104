// sgd_momentum — one step of SGD with heavy-ball momentum and fused L2 weight decay, in place:
//   v[i] <- momentum * v[i] + (g[i] + weight_decay * w[i])
//   w[i] <- w[i] - lr * v[i]
//   The decay term λ·w is the gradient of (λ/2)·‖w‖², so weight_decay = λ means the loss being minimized
//   is L + (λ/2)·‖w‖². This is PyTorch's SGD (dampening 0); Caffe keeps lr inside v instead, which differs
//   only when lr changes between steps: here the stored velocity is not rescaled by an lr schedule.
//
// Layout: w, g, v are flat f32 arrays of `size` elements (any tensor shape, row-major); w and v are
//   updated in place, g is read only.
// Work: one invocation per element, WORKGROUP_SIZE per workgroup; the grid may be folded into two
//   dimensions (linear index gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Edges: invocations past `size` return without touching memory.
// Variants: none; memory-bound on every adapter (3 reads, 2 writes per element).
// Includes: lib/grid.wgsl (linear_index).
// #include "grid"

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  size: u32,
  lr: f32,
  momentum: f32,
  weight_decay: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups);
  if (i >= params.size) {
    return;
  }
  let weight = w[i];
  let velocity = params.momentum * v[i] + (g[i] + params.weight_decay * weight);
  v[i] = velocity;
  w[i] = weight - params.lr * velocity;
}
