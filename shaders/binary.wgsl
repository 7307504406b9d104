// binary — out[i] = a[ia(i)] OP b[ib(i)] with NumPy-style broadcasting, for OP in
//   0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 pow (a^b, for a > 0 or integer b),
//   7 greater (1 where a > b else 0), 8 equal (1 where a == b else 0), 9 first (out = a broadcast to the
//   output shape; b is ignored — this is broadcastTo).
//
// Layout: all tensors row-major f32. The output shape has up to 8 dims, padded on the left with 1s and
//   passed as two vec4s (out_shape_lo = dims 0..3, out_shape_hi = dims 4..7). a_strides/b_strides are the
//   element strides of a and b in the same padded frame, 0 on a broadcast axis, so
//   ia(i) = sum_d coord_d(i) * a_stride_d.
// Work: one invocation per output element, WORKGROUP_SIZE per workgroup; the grid may be folded into two
//   dimensions (linear index gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Edges: invocations past `size` return. When CONTIGUOUS is 1 (both operands have the output's shape) the
//   index arithmetic is skipped.
// Variants: CONTIGUOUS 0/1 only; memory-bound everywhere.

override WORKGROUP_SIZE: u32 = 64;
override OP: u32 = 0u;
override CONTIGUOUS: u32 = 0u;

struct Params {
  size: u32,
  rank: u32,
  _pad0: u32,
  _pad1: u32,
  out_shape_lo: vec4<u32>,
  out_shape_hi: vec4<u32>,
  a_strides_lo: vec4<u32>,
  a_strides_hi: vec4<u32>,
  b_strides_lo: vec4<u32>,
  b_strides_hi: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return max(x, y); }
    case 5u: { return min(x, y); }
    case 6u: { return pow(x, y); }
    case 7u: { return select(0.0, 1.0, x > y); }
    case 8u: { return select(0.0, 1.0, x == y); }
    default: { return x; }
  }
}

fn dim(lo: vec4<u32>, hi: vec4<u32>, d: u32) -> u32 {
  if (d < 4u) {
    return lo[d];
  }
  return hi[d - 4u];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  if (CONTIGUOUS == 1u) {
    out[i] = apply(a[i], b[i]);
    return;
  }
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  // Walk dims innermost first, peeling one coordinate per step.
  for (var k = 0u; k < params.rank; k++) {
    let d = 7u - k;
    let extent = dim(params.out_shape_lo, params.out_shape_hi, d);
    let coord = rest % extent;
    rest = rest / extent;
    ia += coord * dim(params.a_strides_lo, params.a_strides_hi, d);
    ib += coord * dim(params.b_strides_lo, params.b_strides_hi, d);
  }
  out[i] = apply(a[ia], b[ib]);
}
