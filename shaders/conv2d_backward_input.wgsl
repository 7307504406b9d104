// conv2d_backward_input — the gradient of conv2d with respect to its input (a transposed convolution):
//   dx[n, c, iy, ix] = Σ_{o,i,j} dy[n, o, (iy + ph − i) / sh, (ix + pw − j) / sw] · w[o, c, i, j],
//   summing only over taps (i, j) for which both divisions are exact and land inside the output.
//
// Layout: dy [N, O, OH, OW], w [O, C, KH, KW], dx [N, C, H, W], all row-major f32.
// Work (barrier-free, for every adapter): one invocation owns BATCH_BLOCK (4 or 8) images × CHANNEL_BLOCK
//   (4 or 8) input channels at one input pixel; per (o, i, j) it gathers BATCH_BLOCK gradient values and
//   CHANNEL_BLOCK weights and
//   accumulates their outer product in mat4x4 registers (rows images, columns channels), with (o, i, j)
//   as one flat loop (see Walk), as conv2d's main does. A stride > 1 visits only the taps congruent to
//   iy + ph (mod sh), so no work is spent on taps that do not reach this pixel, and each dx element is
//   written exactly once (no atomics).
//   Invocations are ordered image block fastest, then pixel, then channel block.
// Edges: taps whose output position falls outside [0, OH) × [0, OW) are left out of the walk; a
//   partial image or channel block re-reads the last image or channel and does not store the extra
//   results; invocations past the work return.
// Variants: CHANNEL_BLOCK 4 for inputs with 2 to 4 channels, else 8. Entry `single_channel` for an input
//   of one channel (an MNIST image, the first layer's input, the attack's gradient): one invocation owns
//   16 images at one input pixel, accumulating 4 vec4s with one weight per tap — the channel block of
//   `main` would leave 3 of its 4 columns idle there. Barrier-free only; a shared-memory version for GPUs
//   is not written yet.
// Includes: lib/conv_params.wgsl (struct Params), lib/conv_walk.wgsl (Walk, Cursor, advance),
//   lib/block4.wgsl (rows, outer), lib/grid.wgsl (linear_index).
// #include "conv_params"
// #include "conv_walk"
// #include "block4"
// #include "grid"

override WORKGROUP_SIZE: u32 = 64;
override BATCH_BLOCK: u32 = 8u;
override CHANNEL_BLOCK: u32 = 8u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// The taps along one axis that reach input position `pos`: tap < kernel, tap ≡ pos + pad (mod stride),
// and output position (pos + pad − tap) / stride in [0, out_size). Returns the first and how many there
// are, stepping by `stride`.
fn taps(pos: u32, stride: u32, pad: u32, kernel: u32, out_size: u32) -> vec2<u32> {
  let reach = i32(pos + pad);
  let s = i32(stride);
  let lowest = max(reach - i32(out_size - 1u) * s, 0);
  let first = lowest + (reach - lowest) % s;
  let end = min(reach + 1, i32(kernel));
  return vec2<u32>(u32(first), u32(max(end - first + s - 1, 0) / s));
}

fn gather_dy(base: vec4<u32>, offset: u32) -> vec4<f32> {
  return vec4<f32>(dy[base.x + offset], dy[base.y + offset], dy[base.z + offset], dy[base.w + offset]);
}

fn gather_w(base: vec4<u32>, offset: u32) -> vec4<f32> {
  return vec4<f32>(w[base.x + offset], w[base.y + offset], w[base.z + offset], w[base.w + offset]);
}

// Store the block acc[channel q][image r] for images n0.. and channels c0.. at input pixel p.
fn store(acc: mat4x4<f32>, n0: u32, c0: u32, p: u32) {
  let pixels = params.in_h * params.in_w;
  for (var q = 0u; q < 4u; q++) {
    let c = c0 + q;
    if (c < params.in_channels) {
      for (var r = 0u; r < 4u; r++) {
        let n = n0 + r;
        if (n < params.batch) {
          dx[(n * params.in_channels + c) * pixels + p] = acc[q][r];
        }
      }
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  let batch_blocks = (params.batch + BATCH_BLOCK - 1u) / BATCH_BLOCK;
  let pixels = params.in_h * params.in_w;
  let nb = t % batch_blocks;
  let rest = t / batch_blocks;
  let p = rest % pixels;
  let cb = rest / pixels;
  if (cb * CHANNEL_BLOCK >= params.in_channels) {
    return;
  }
  // Uniform reads hoisted: inside the loop each would be a load on SwiftShader.
  let out_channels = params.out_channels;
  let out_w = params.out_w;
  let stride_h = params.stride_h;
  let stride_w = params.stride_w;
  let kernel_h = params.kernel_h;
  let kernel_w = params.kernel_w;
  let iy = p / params.in_w;
  let ix = p % params.in_w;
  let ti = taps(iy, stride_h, params.pad_h, kernel_h, params.out_h);
  let tj = taps(ix, stride_w, params.pad_w, kernel_w, out_w);
  let reach_y = iy + params.pad_h;
  let reach_x = ix + params.pad_w;
  let n0 = nb * BATCH_BLOCK;
  let c0 = cb * CHANNEL_BLOCK;
  let out_plane = params.out_h * out_w;
  let taps_per_channel = kernel_h * kernel_w;
  let dya_rows = rows(n0, params.batch, out_channels * out_plane);
  let dyb_rows = rows(n0 + 4u, params.batch, out_channels * out_plane);
  let wa_rows = rows(c0, params.in_channels, taps_per_channel);
  let wb_rows = rows(c0 + 4u, params.in_channels, taps_per_channel);
  let filter_stride = params.in_channels * taps_per_channel;
  // a walks dy (output channels × tap rows × tap columns), b the filter, in step: the next tap
  // (j + sw, or i + sh) reads the output pixel one column (or row) earlier.
  let cols = tj.y;
  let tap_rows = ti.y;
  let walk = Walk(
    cols, tap_rows,
    0xffffffffu, cols - out_w, out_plane + tap_rows * out_w,
    stride_w, stride_h * kernel_w - cols * stride_w, filter_stride - tap_rows * stride_h * kernel_w,
  );
  var at = Cursor((reach_y - ti.x) / stride_h * out_w + (reach_x - tj.x) / stride_w, ti.x * kernel_w + tj.x, 0u, 0u);
  // outer(dy, w): rows follow the images, columns the channels.
  var acc_aa = mat4x4<f32>();
  var acc_ab = mat4x4<f32>();
  var acc_ba = mat4x4<f32>();
  var acc_bb = mat4x4<f32>();
  for (var s = out_channels * tap_rows * cols; s > 0u; s--) {
    let wa = gather_w(wa_rows, at.b);
    let ga = gather_dy(dya_rows, at.a);
    acc_aa += outer(ga, wa);
    var wb = vec4<f32>();
    if (CHANNEL_BLOCK == 8u) {
      wb = gather_w(wb_rows, at.b);
      acc_ab += outer(ga, wb);
    }
    if (BATCH_BLOCK == 8u) {
      let gb = gather_dy(dyb_rows, at.a);
      acc_ba += outer(gb, wa);
      if (CHANNEL_BLOCK == 8u) {
        acc_bb += outer(gb, wb);
      }
    }
    at = advance(at, walk);
  }
  store(acc_aa, n0, c0, p);
  if (BATCH_BLOCK == 8u) {
    store(acc_ba, n0 + 4u, c0, p);
  }
  if (CHANNEL_BLOCK == 8u) {
    store(acc_ab, n0, c0 + 4u, p);
    if (BATCH_BLOCK == 8u) {
      store(acc_bb, n0 + 4u, c0 + 4u, p);
    }
  }
}

// One input channel: 16 images (rows n0 .. n0+15, clamped at the batch's end) at input pixel p.
@compute @workgroup_size(WORKGROUP_SIZE)
fn single_channel(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  let batch_blocks = (params.batch + 15u) / 16u;
  let pixels = params.in_h * params.in_w;
  let nb = t % batch_blocks;
  let p = t / batch_blocks;
  if (p >= pixels) {
    return;
  }
  let out_channels = params.out_channels;
  let out_w = params.out_w;
  let stride_h = params.stride_h;
  let stride_w = params.stride_w;
  let kernel_h = params.kernel_h;
  let kernel_w = params.kernel_w;
  let iy = p / params.in_w;
  let ix = p % params.in_w;
  let ti = taps(iy, stride_h, params.pad_h, kernel_h, params.out_h);
  let tj = taps(ix, stride_w, params.pad_w, kernel_w, out_w);
  let n0 = nb * 16u;
  let out_plane = params.out_h * out_w;
  let image_stride = out_channels * out_plane;
  let r0 = rows(n0, params.batch, image_stride);
  let r1 = rows(n0 + 4u, params.batch, image_stride);
  let r2 = rows(n0 + 8u, params.batch, image_stride);
  let r3 = rows(n0 + 12u, params.batch, image_stride);
  let cols = tj.y;
  let tap_rows = ti.y;
  // As in main, with one input channel: the filter of output channel o starts o · KH · KW further on.
  let walk = Walk(
    cols, tap_rows,
    0xffffffffu, cols - out_w, out_plane + tap_rows * out_w,
    stride_w, stride_h * kernel_w - cols * stride_w, kernel_h * kernel_w - tap_rows * stride_h * kernel_w,
  );
  var at = Cursor((iy + params.pad_h - ti.x) / stride_h * out_w + (ix + params.pad_w - tj.x) / stride_w, ti.x * kernel_w + tj.x, 0u, 0u);
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var s = out_channels * tap_rows * cols; s > 0u; s--) {
    let weight = w[at.b];
    acc0 += gather_dy(r0, at.a) * weight;
    acc1 += gather_dy(r1, at.a) * weight;
    acc2 += gather_dy(r2, at.a) * weight;
    acc3 += gather_dy(r3, at.a) * weight;
    at = advance(at, walk);
  }
  let block = mat4x4<f32>(acc0, acc1, acc2, acc3);
  for (var q = 0u; q < 4u; q++) {
    for (var r = 0u; r < 4u; r++) {
      let n = n0 + 4u * q + r;
      if (n < params.batch) {
        dx[n * pixels + p] = block[q][r];
      }
    }
  }
}
