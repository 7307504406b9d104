// batched_vector — in-place vector updates on B independent problems of n unknowns each (L-BFGS on many
//   images at once). With operands a(b, j) and c(b, j) (below) and only rows whose mask is non-zero:
//   axpy     y[b, j] <- y[b, j] + a(b, j)·x[b, j]      (a: the step α_b, one per problem or shared)
//   scale    z[b, j] <- a(b, j)·z[b, j]
//   project  y[b, j] <- min(max(y[b, j], a(b, j)), c(b, j))   (the box [lo, hi]; where lo > hi, hi wins)
//   Rows whose mask is 0 (stopped problems) are neither read nor written.
// Operands: a(b, j) = first.scale · first_values[b·first.row_stride + j·first.col_stride], likewise c with
//   second. Strides select the broadcast: (0, 0) one value for all (a number: scale = the number, values =
//   a single 1), (1, 0) one per problem ([B]), (0, 1) one per unknown ([n]), (n, 1) elementwise ([B, n]).
//   `scale` also lets a tensor of steps be applied negated (q ← q − α·y in the two-loop recursion).
// Layout: x, y, z, first_values, second_values are row-major f32; mask[b·mask_stride] with stride 0 and a
//   single 1 when unmasked. The entry points declare different variables at binding 3, which WGSL allows
//   because no entry point uses two of them.
// Work: one invocation per element (b = i / n, j = i mod n), WORKGROUP_SIZE per workgroup, no barriers; the
//   grid may be folded into two dimensions (linear index gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Edges: invocations past B·n return.
// Variants: none; memory-bound on every adapter.

override WORKGROUP_SIZE: u32 = 64;

struct Operand {
  scale: f32,
  row_stride: u32,
  col_stride: u32,
  _pad: u32,
}

struct Params {
  rows: u32,
  cols: u32,
  mask_stride: u32,
  _pad: u32,
  first: Operand,
  second: Operand,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read> first_values: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> second_values: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

// Element index of this invocation, or 0xffffffff when it is past the end or its problem has stopped.
fn element(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.rows * params.cols || mask[(i / params.cols) * params.mask_stride] == 0.0) {
    return 0xffffffffu;
  }
  return i;
}

fn first_at(i: u32) -> f32 {
  let o = params.first;
  return o.scale * first_values[(i / params.cols) * o.row_stride + (i % params.cols) * o.col_stride];
}

fn second_at(i: u32) -> f32 {
  let o = params.second;
  return o.scale * second_values[(i / params.cols) * o.row_stride + (i % params.cols) * o.col_stride];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn axpy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element(gid, groups);
  if (i != 0xffffffffu) {
    y[i] = y[i] + first_at(i) * x[i];
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element(gid, groups);
  if (i != 0xffffffffu) {
    z[i] = first_at(i) * z[i];
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn project(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element(gid, groups);
  if (i != 0xffffffffu) {
    y[i] = min(max(y[i], first_at(i)), second_at(i));
  }
}
