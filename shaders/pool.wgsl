// pool — 2-D max and average pooling over windows of size_h × size_w moved by stride_h, stride_w, without
//   padding and in floor mode (a last partial window is dropped), and their backward passes:
//   max_forward  out[q, y, x] = max_{i,j} in[q, y·sh + i, x·sw + j]; argmax[q, y, x] = the flat index
//                (row·W + column) in plane q of the first maximum in row-major window order.
//   avg_forward  out[q, y, x] = mean_{i,j} in[q, y·sh + i, x·sw + j].
//   max_backward dx[q, r, s] = Σ over windows (y, x) containing (r, s) with argmax[q, y, x] = r·W + s
//                of dy[q, y, x].
//   avg_backward dx[q, r, s] = Σ over windows (y, x) containing (r, s) of dy[q, y, x] / (size_h·size_w).
//
// Layout: planes q = (n, c) of an NCHW tensor; in/dx [planes, H, W], out/dy/argmax [planes, OH, OW],
//   row-major; argmax is u32.
// Work: one invocation per written element, WORKGROUP_SIZE per workgroup; the grid may be folded (linear
//   index gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE). The backward passes gather from the
//   ceil(size/stride)² windows that can contain their element, so each dx element is written exactly
//   once, without atomics, also for overlapping windows (size > stride).
// Edges: input rows and columns past the last whole window get gradient 0; invocations past the work
//   return.
// Variants: `max_backward_tiles` when the windows tile the input exactly (stride = size, no rows or
//   columns left over, as in the convnets here): one invocation per window reads its dy and argmax once
//   and writes the window's size_h·size_w gradients, instead of one invocation per input element working
//   out which windows cover it. Memory-bound everywhere.
// Includes: lib/grid.wgsl (linear_index).
// #include "grid"

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  planes: u32,
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  size_h: u32,
  size_w: u32,
  stride_h: u32,
  stride_w: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// The forward passes read the input and write the output; the backward ones read dy and write dx.
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read_write> argmax: array<u32>;
@group(0) @binding(3) var<storage, read> saved_argmax: array<u32>;

// Window (plane, first input row, first input column) of output element t, or plane = planes when t is
// past the output.
fn window(t: u32) -> vec3<u32> {
  let out_plane = params.out_h * params.out_w;
  let q = t / out_plane;
  let p = t % out_plane;
  return vec3<u32>(q, (p / params.out_w) * params.stride_h, (p % params.out_w) * params.stride_w);
}

// The windows [lo, hi) along one axis that contain input position pos.
fn windows(pos: u32, size: u32, stride: u32, out_size: u32) -> vec2<u32> {
  let lo = select(0u, (pos - size + stride) / stride, pos + 1u > size);
  return vec2<u32>(lo, max(lo, min(pos / stride + 1u, out_size)));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn max_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  let win = window(t);
  if (win.x >= params.planes) {
    return;
  }
  let plane = win.x * params.in_h * params.in_w;
  var best = win.y * params.in_w + win.z;
  var best_value = src[plane + best];
  for (var i = 0u; i < params.size_h; i++) {
    for (var j = 0u; j < params.size_w; j++) {
      let at = (win.y + i) * params.in_w + win.z + j;
      let v = src[plane + at];
      if (v > best_value) {
        best_value = v;
        best = at;
      }
    }
  }
  dst[t] = best_value;
  argmax[t] = best;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn avg_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  let win = window(t);
  if (win.x >= params.planes) {
    return;
  }
  let plane = win.x * params.in_h * params.in_w;
  var total = 0.0;
  for (var i = 0u; i < params.size_h; i++) {
    for (var j = 0u; j < params.size_w; j++) {
      total += src[plane + (win.y + i) * params.in_w + win.z + j];
    }
  }
  dst[t] = total / f32(params.size_h * params.size_w);
}

// Where input element t's gradient comes from: the offset of its plane in dy, its flat index inside the
// plane, and the window rows and columns [lo, hi) that contain it.
struct Cover {
  out_plane: u32,
  at: u32,
  rows: vec2<u32>,
  cols: vec2<u32>,
}

fn cover(t: u32) -> Cover {
  let in_plane = params.in_h * params.in_w;
  let at = t % in_plane;
  let r = at / params.in_w;
  let s = at % params.in_w;
  return Cover(
    (t / in_plane) * params.out_h * params.out_w,
    at,
    windows(r, params.size_h, params.stride_h, params.out_h),
    windows(s, params.size_w, params.stride_w, params.out_w),
  );
}

fn past_input(t: u32) -> bool {
  return t >= params.planes * params.in_h * params.in_w;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn max_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  if (past_input(t)) {
    return;
  }
  let c = cover(t);
  var total = 0.0;
  for (var y = c.rows.x; y < c.rows.y; y++) {
    for (var x = c.cols.x; x < c.cols.y; x++) {
      let o = c.out_plane + y * params.out_w + x;
      if (saved_argmax[o] == c.at) {
        total += src[o];
      }
    }
  }
  dst[t] = total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn avg_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  if (past_input(t)) {
    return;
  }
  let c = cover(t);
  var total = 0.0;
  for (var y = c.rows.x; y < c.rows.y; y++) {
    for (var x = c.cols.x; x < c.cols.y; x++) {
      total += src[c.out_plane + y * params.out_w + x];
    }
  }
  dst[t] = total / f32(params.size_h * params.size_w);
}

// Windows that tile the input: window t scatters its gradient to its own size_h × size_w elements.
@compute @workgroup_size(WORKGROUP_SIZE)
fn max_backward_tiles(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  if (t >= params.planes * params.out_h * params.out_w) {
    return;
  }
  let win = window(t);
  let in_w = params.in_w;
  let plane = win.x * params.in_h * in_w;
  let chosen = saved_argmax[t];
  let g = src[t];
  for (var i = 0u; i < params.size_h; i++) {
    let row = (win.y + i) * in_w;
    for (var j = 0u; j < params.size_w; j++) {
      let at = row + win.z + j;
      dst[plane + at] = select(0.0, g, at == chosen);
    }
  }
}
