// conv2d_backward_filter — the gradients of conv2d with respect to its filter and bias:
//   dw[o, c, i, j] = Σ_{n, y, x} dy[n, o, y, x] · in[n, c, y·sh − ph + i, x·sw − pw + j],
//   input positions outside the image contributing 0, and dbias[o] = Σ_{n, y, x} dy[n, o, y, x].
//
// Layout: in [N, C, H, W], dy [N, O, OH, OW], dw [O, C, KH, KW], all row-major f32; partial
//   [chunks, O, C, KH, KW] holds one partial sum per chunk of `chunk` images.
// Work, two barrier-free passes (for every adapter):
//   main: a GEMM dw[o, (c, i, j)] = Σ_m dy[m, o] · im2col(in)[m, (c, i, j)] over m = (n, y, x), split over
//     image chunks so that big batches still give enough invocations. One invocation owns 8 output
//     channels × CHANNEL_BLOCK (4 or 8) input channels of one tap (i, j) and one chunk; per m it gathers
//     8 gradient values and CHANNEL_BLOCK input values and accumulates their outer product in mat4x4
//     registers (rows output channels, columns input channels); m runs as one flat loop (see Walk).
//     Invocations are ordered input-channel block fastest, then output-channel block, then tap, then
//     chunk, so SIMD neighbours share loop bounds.
//   bias_chunks: partial[chunk, o] = Σ dy[n, o, y, x] over the chunk's images and every pixel, one
//     invocation per (o, chunk).
//   sum_chunks: dw[e] = Σ_chunk partial[chunk, e] for e < elements (dw or dbias), one invocation per
//     element, in a fixed order (so the result does not depend on scheduling).
// Edges: output pixels whose input position falls outside the image are left out of the walk;
//   partial channel blocks re-read the last channel (clamped index) and do not store the extra results;
//   invocations past the work return.
// Variants: CHANNEL_BLOCK 4 for inputs with at most 4 channels (an image), else 8. Barrier-free only; a
//   shared-memory version for GPUs is not written yet.
// Includes: lib/conv_params.wgsl (struct Params), lib/conv_walk.wgsl (Walk, Cursor, advance),
//   lib/block4.wgsl (rows, outer), lib/grid.wgsl (linear_index).
// #include "conv_params"
// #include "conv_walk"
// #include "block4"
// #include "grid"

override WORKGROUP_SIZE: u32 = 64;
override CHANNEL_BLOCK: u32 = 8u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;

// Bindings of the bias_chunks pass.
@group(0) @binding(1) var<storage, read> bias_dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> bias_partial: array<f32>;

// Bindings of the sum_chunks pass.
@group(0) @binding(1) var<storage, read> partial_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;

// The output positions along one axis whose input position out·stride − pad + tap lies in [0, size): the
// first, and how many (consecutive) there are.
fn outputs(tap: u32, stride: u32, pad: u32, size: u32, out_size: u32) -> vec2<u32> {
  let shift = i32(pad) - i32(tap);
  let s = i32(stride);
  let first = select(0, (shift + s - 1) / s, shift > 0);
  let last = i32(size) - 1 + shift;
  let end = select(0, min(last / s + 1, i32(out_size)), last >= 0);
  return vec2<u32>(u32(first), u32(max(end - first, 0)));
}

fn gather_x(base: vec4<u32>, offset: u32) -> vec4<f32> {
  return vec4<f32>(x[base.x + offset], x[base.y + offset], x[base.z + offset], x[base.w + offset]);
}

fn gather_dy(base: vec4<u32>, offset: u32) -> vec4<f32> {
  return vec4<f32>(dy[base.x + offset], dy[base.y + offset], dy[base.z + offset], dy[base.w + offset]);
}

// Store the block acc[input channel q][output channel r] of tap `tap` into this chunk's partial sums.
fn store(acc: mat4x4<f32>, chunk: u32, o0: u32, c0: u32, tap: u32) {
  let taps = params.kernel_h * params.kernel_w;
  for (var q = 0u; q < 4u; q++) {
    let c = c0 + q;
    if (c < params.in_channels) {
      for (var r = 0u; r < 4u; r++) {
        let o = o0 + r;
        if (o < params.out_channels) {
          partial[((chunk * params.out_channels + o) * params.in_channels + c) * taps + tap] = acc[q][r];
        }
      }
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  let channel_blocks = (params.in_channels + CHANNEL_BLOCK - 1u) / CHANNEL_BLOCK;
  let out_blocks = (params.out_channels + 7u) / 8u;
  let taps = params.kernel_h * params.kernel_w;
  let cb = t % channel_blocks;
  let rest = t / channel_blocks;
  let ob = rest % out_blocks;
  let tap_chunk = rest / out_blocks;
  let tap = tap_chunk % taps;
  let chunk = tap_chunk / taps;
  if (chunk >= params.chunks) {
    return;
  }
  // Uniform reads hoisted: inside the loop each would be a load on SwiftShader.
  let in_w = params.in_w;
  let out_w = params.out_w;
  let stride_h = params.stride_h;
  let stride_w = params.stride_w;
  let i = tap / params.kernel_w;
  let j = tap % params.kernel_w;
  let ry = outputs(i, stride_h, params.pad_h, params.in_h, params.out_h);
  let rx = outputs(j, stride_w, params.pad_w, in_w, out_w);
  // u32 wrap-around makes y·sh + origin the right row even when the origin is "negative".
  let iy0 = i - params.pad_h;
  let ix0 = j - params.pad_w;
  let c0 = cb * CHANNEL_BLOCK;
  let o0 = ob * 8u;
  let in_plane = params.in_h * in_w;
  let out_plane = params.out_h * out_w;
  let image = params.in_channels * in_plane;
  let grad_image = params.out_channels * out_plane;
  let xa_rows = rows(c0, params.in_channels, in_plane);
  let xb_rows = rows(c0 + 4u, params.in_channels, in_plane);
  let dya_rows = rows(o0, params.out_channels, out_plane);
  let dyb_rows = rows(o0 + 4u, params.out_channels, out_plane);
  // a walks the input (images × output rows × output columns whose input lies inside the image), b walks
  // dy, in step.
  let n_start = chunk * params.chunk;
  let images = min(params.batch, n_start + params.chunk) - n_start;
  let cols = rx.y;
  let out_rows = ry.y;
  let walk = Walk(
    cols, out_rows,
    stride_w, stride_h * in_w - cols * stride_w, image - out_rows * stride_h * in_w,
    1u, out_w - cols, grad_image - out_rows * out_w,
  );
  var at = Cursor(
    n_start * image + (ry.x * stride_h + iy0) * in_w + ix0 + rx.x * stride_w,
    n_start * grad_image + ry.x * out_w + rx.x,
    0u,
    0u,
  );
  // outer(dy, x): rows follow the output channels, columns the input channels.
  var acc_aa = mat4x4<f32>();
  var acc_ab = mat4x4<f32>();
  var acc_ba = mat4x4<f32>();
  var acc_bb = mat4x4<f32>();
  for (var s = images * out_rows * cols; s > 0u; s--) {
    let ga = gather_dy(dya_rows, at.b);
    let gb = gather_dy(dyb_rows, at.b);
    let xa = gather_x(xa_rows, at.a);
    acc_aa += outer(ga, xa);
    acc_ba += outer(gb, xa);
    if (CHANNEL_BLOCK == 8u) {
      let xb = gather_x(xb_rows, at.a);
      acc_ab += outer(ga, xb);
      acc_bb += outer(gb, xb);
    }
    at = advance(at, walk);
  }
  store(acc_aa, chunk, o0, c0, tap);
  store(acc_ba, chunk, o0 + 4u, c0, tap);
  if (CHANNEL_BLOCK == 8u) {
    store(acc_ab, chunk, o0, c0 + 4u, tap);
    store(acc_bb, chunk, o0 + 4u, c0 + 4u, tap);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn bias_chunks(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  let o = t % params.out_channels;
  let chunk = t / params.out_channels;
  if (chunk >= params.chunks) {
    return;
  }
  let pixels = params.out_h * params.out_w;
  let n_start = chunk * params.chunk;
  let images = min(params.batch, n_start + params.chunk) - n_start;
  // One flat loop over (image, pixel): rows are images, a pixel run is contiguous.
  let walk = Walk(pixels, images, 1u, (params.out_channels - 1u) * pixels, 0u, 0u, 0u, 0u);
  var at = Cursor((n_start * params.out_channels + o) * pixels, 0u, 0u, 0u);
  var total = 0.0;
  for (var s = images * pixels; s > 0u; s--) {
    total += bias_dy[at.a];
    at = advance(at, walk);
  }
  bias_partial[chunk * params.out_channels + o] = total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sum_chunks(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = linear_index(gid, groups);
  if (e >= params.elements) {
    return;
  }
  var total = 0.0;
  for (var chunk = 0u; chunk < params.chunks; chunk++) {
    total += partial_in[chunk * params.elements + e];
  }
  dw[e] = total;
}
