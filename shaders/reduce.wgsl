// reduce — out[o, j] = REDUCE over k < axis_len of x[o, k, j], for an input viewed as
//   [outer, axis_len, inner] (row-major). REDUCE: 0 sum, 1 max, 2 min, 3 argmax (first index of the
//   maximum, written as an f32), 4 mean (sum / axis_len).
//
// Layout: x is outer×axis_len×inner, out is outer×inner; a full reduction is outer = inner = 1.
// Work: one workgroup per output element; its WORKGROUP_SIZE invocations stride over the axis, then combine
//   their partial results in workgroup memory by a tree of halvings (barriers). Each invocation accumulates
//   in f32 over ~axis_len / WORKGROUP_SIZE terms, so sums over n terms carry about log2(n)·2^-24 relative
//   error rather than n·2^-24.
// Edges: invocations past axis_len contribute the identity (0, or ∓ the largest finite f32); output workgroups past
//   outer·inner return. The grid may be folded into two dimensions (linear workgroup index
//   wid.x + wid.y * num_workgroups.x).
// Variants: WORKGROUP_SIZE (a power of two) only.

override WORKGROUP_SIZE: u32 = 64;
override REDUCE: u32 = 0u;

struct Params {
  outer: u32,
  axis_len: u32,
  inner: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial_value: array<f32, WORKGROUP_SIZE>;
var<workgroup> partial_index: array<u32, WORKGROUP_SIZE>;

fn identity() -> f32 {
  switch REDUCE {
    case 1u, 3u: { return bitcast<f32>(0xff7fffffu); }
    case 2u: { return bitcast<f32>(0x7f7fffffu); }
    default: { return 0.0; }
  }
}

// Combine (v, i) into (acc, acc_i); ties keep the smaller index so argmax is the first maximum.
fn better(v: f32, i: u32, acc: f32, acc_i: u32) -> bool {
  switch REDUCE {
    case 1u, 3u: { return v > acc || (v == acc && i < acc_i); }
    case 2u: { return v < acc; }
    default: { return false; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = wid.x + wid.y * groups.x;
  // Uniform control flow is needed around the barriers, so out-of-range workgroups still run them.
  let valid = o < params.outer * params.inner;
  let outer = o / max(params.inner, 1u);
  let inner = o % max(params.inner, 1u);
  let base = outer * params.axis_len * params.inner + inner;
  var acc = identity();
  var acc_i = 0xffffffffu;
  if (valid) {
    for (var k = lid; k < params.axis_len; k += WORKGROUP_SIZE) {
      let v = x[base + k * params.inner];
      if (REDUCE == 0u || REDUCE == 4u) {
        acc += v;
      } else if (better(v, k, acc, acc_i) || acc_i == 0xffffffffu) {
        acc = v;
        acc_i = k;
      }
    }
  }
  partial_value[lid] = acc;
  partial_index[lid] = acc_i;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      let v = partial_value[lid + stride];
      let vi = partial_index[lid + stride];
      if (REDUCE == 0u || REDUCE == 4u) {
        partial_value[lid] = partial_value[lid] + v;
      } else if (vi != 0xffffffffu && (partial_index[lid] == 0xffffffffu || better(v, vi, partial_value[lid], partial_index[lid]))) {
        partial_value[lid] = v;
        partial_index[lid] = vi;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u && valid) {
    switch REDUCE {
      case 3u: { out[o] = f32(partial_index[0]); }
      case 4u: { out[o] = partial_value[0] / f32(params.axis_len); }
      default: { out[o] = partial_value[0]; }
    }
  }
}
