// adam — one step of Adam (Kingma & Ba 2015, Algorithm 1) with bias correction, in place. With
//   g' = g + λ·w when DECOUPLED = 0 (L2: the decay is part of the gradient, as in SGD) and g' = g otherwise:
//   m[i] <- beta1 * m[i] + (1 - beta1) * g'
//   v[i] <- beta2 * v[i] + (1 - beta2) * g'²
//   w[i] <- w[i] - lr * ( (m[i]·c1) / (sqrt(v[i]·c2) + eps)  [+ λ·w[i] when DECOUPLED = 1] )
//   where c1 = 1 / (1 - beta1^t) and c2 = 1 / (1 - beta2^t) for the 1-based step t (computed on the CPU in
//   float64, as are 1 - beta1 and 1 - beta2: in f32, 1 - 0.999 is off by 5e-5 relative).
//   DECOUPLED = 0 minimizes L + (λ/2)·‖w‖², like sgd_momentum.wgsl, but Adam's per-coordinate scaling
//   also rescales the decay; DECOUPLED = 1 is AdamW (Loshchilov & Hutter 2019): the decay shrinks every
//   weight by lr·λ per step regardless of its gradient history (PyTorch's AdamW uses the same form).
//
// Layout: w, g, m, v are flat f32 arrays of `size` elements; w, m, v are updated in place, g is read only.
// Work: one invocation per element, WORKGROUP_SIZE per workgroup; the grid may be folded into two
//   dimensions (linear index gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Edges: invocations past `size` return without touching memory.
// Variants: DECOUPLED 0/1; memory-bound on every adapter (4 reads, 3 writes per element).
// Includes: lib/grid.wgsl (linear_index).
// #include "grid"

override WORKGROUP_SIZE: u32 = 64;
override DECOUPLED: u32 = 0u;

struct Params {
  size: u32,
  lr: f32,
  eps: f32,
  weight_decay: f32,
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  c1: f32,
  c2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups);
  if (i >= params.size) {
    return;
  }
  let weight = w[i];
  var grad = g[i];
  if (DECOUPLED == 0u) {
    grad += params.weight_decay * weight;
  }
  let first = params.beta1 * m[i] + params.one_minus_beta1 * grad;
  let second = params.beta2 * v[i] + params.one_minus_beta2 * grad * grad;
  m[i] = first;
  v[i] = second;
  var step = (first * params.c1) / (sqrt(second * params.c2) + params.eps);
  if (DECOUPLED == 1u) {
    step += params.weight_decay * weight;
  }
  w[i] = weight - params.lr * step;
}
