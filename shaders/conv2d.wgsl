// conv2d — out[n, o, y, x] = act(bias[o] + Σ_{c,i,j} in[n, c, y·sh − ph + i, x·sw − pw + j] · w[o, c, i, j]),
//   input reads outside the image counting as 0; act is the identity or relu (RELU = 1).
//
// Layout: in [N, C, H, W], w [O, C, KH, KW], out [N, O, OH, OW], all row-major f32; bias [O] (read only when
//   HAS_BIAS = 1).
// Work (main, barrier-free, for SwiftShader): an implicit GEMM out[(n, y, x), o] = Σ_k in[(n, y, x), k] · w[o, k]
//   over k = (c, i, j). One invocation owns a register block of BATCH_BLOCK (4 or 8) images × 8 output
//   channels at one pixel: per k it gathers BATCH_BLOCK input values and 8 weights and accumulates their
//   outer product (4×4 blocks in mat4x4 registers). On SwiftShader every lane's load is a separate scalar
//   gather (vec4 loads are four of them), so FMAs per gathered value, not memory layout, set the speed;
//   and k runs as one flat loop (see Walk), which measured 1.5× faster there than nested c, i, j loops.
//   Invocations are ordered image block fastest, then pixel, then channel block, so the four lanes of a
//   SwiftShader SIMD group usually share a pixel (uniform loop bounds) and read the same weights.
// Edges: kernel taps whose input position falls outside the image are left out of the walk;
//   a partial image or channel block re-reads the last image or channel (clamped index) and its extra
//   results are not stored; invocations past the work return.
// Variants: main on SwiftShader, tiled (below) on GPUs; src/tensor/ops/conv.ts picks by adapter and can
//   force either.
// Includes: lib/conv_params.wgsl (struct Params), lib/conv_walk.wgsl (Walk, Cursor, advance),
//   lib/block4.wgsl (rows, outer), lib/grid.wgsl (linear_index).
// #include "conv_params"
// #include "conv_walk"
// #include "block4"
// #include "grid"

override WORKGROUP_SIZE: u32 = 64;
override BATCH_BLOCK: u32 = 8u;
override RELU: u32 = 0u;
override HAS_BIAS: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// The taps along one axis whose input position out_pos·stride − pad + tap lies in [0, size): the first,
// and how many (consecutive) there are.
fn taps(out_pos: u32, stride: u32, pad: u32, kernel: u32, size: u32) -> vec2<u32> {
  let origin = i32(out_pos * stride) - i32(pad);
  let first = max(-origin, 0);
  return vec2<u32>(u32(first), u32(max(min(i32(size) - origin, i32(kernel)) - first, 0)));
}

fn gather_x(base: vec4<u32>, offset: u32) -> vec4<f32> {
  return vec4<f32>(x[base.x + offset], x[base.y + offset], x[base.z + offset], x[base.w + offset]);
}

fn gather_w(base: vec4<u32>, offset: u32) -> vec4<f32> {
  return vec4<f32>(w[base.x + offset], w[base.y + offset], w[base.z + offset], w[base.w + offset]);
}

// Bias and activation for output channel o.
fn epilogue(acc: vec4<f32>, o: u32) -> vec4<f32> {
  var v = acc;
  if (HAS_BIAS == 1u) {
    v += bias[o];
  }
  if (RELU == 1u) {
    v = max(v, vec4<f32>(0.0));
  }
  return v;
}

// Store the block acc[channel q][image r] for images n0.. and channels o0.. at pixel p.
fn store(acc: mat4x4<f32>, n0: u32, o0: u32, p: u32) {
  let pixels = params.out_h * params.out_w;
  for (var q = 0u; q < 4u; q++) {
    let o = o0 + q;
    if (o < params.out_channels) {
      let v = epilogue(acc[q], o);
      for (var r = 0u; r < 4u; r++) {
        let n = n0 + r;
        if (n < params.batch) {
          out[(n * params.out_channels + o) * pixels + p] = v[r];
        }
      }
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups);
  let batch_blocks = (params.batch + BATCH_BLOCK - 1u) / BATCH_BLOCK;
  let pixels = params.out_h * params.out_w;
  let nb = t % batch_blocks;
  let rest = t / batch_blocks;
  let p = rest % pixels;
  let ob = rest / pixels;
  if (ob * 8u >= params.out_channels) {
    return;
  }
  // Uniform reads hoisted: inside the loop each would be a load on SwiftShader.
  let channels = params.in_channels;
  let in_h = params.in_h;
  let in_w = params.in_w;
  let kernel_h = params.kernel_h;
  let kernel_w = params.kernel_w;
  let y = p / params.out_w;
  let x_pos = p % params.out_w;
  let ti = taps(y, params.stride_h, params.pad_h, kernel_h, in_h);
  let tj = taps(x_pos, params.stride_w, params.pad_w, kernel_w, in_w);
  // u32 wrap-around makes origin + tap the right position even when the origin is "negative".
  let iy0 = y * params.stride_h - params.pad_h;
  let ix0 = x_pos * params.stride_w - params.pad_w;
  let n0 = nb * BATCH_BLOCK;
  let o0 = ob * 8u;
  let image = channels * in_h * in_w;
  let filter_size = channels * kernel_h * kernel_w;
  let xa_rows = rows(n0, params.batch, image);
  let xb_rows = rows(n0 + 4u, params.batch, image);
  let wa_rows = rows(o0, params.out_channels, filter_size);
  let wb_rows = rows(o0 + 4u, params.out_channels, filter_size);
  // a walks the input (channels × tap rows × tap columns inside the image), b the filter, in step.
  let cols = tj.y;
  let tap_rows = ti.y;
  let walk = Walk(
    cols, tap_rows,
    1u, in_w - cols, (in_h - tap_rows) * in_w,
    1u, kernel_w - cols, (kernel_h - tap_rows) * kernel_w,
  );
  var at = Cursor((iy0 + ti.x) * in_w + ix0 + tj.x, ti.x * kernel_w + tj.x, 0u, 0u);
  // outer(x, w): rows follow the images, columns the channels.
  var acc_aa = mat4x4<f32>();
  var acc_ab = mat4x4<f32>();
  var acc_ba = mat4x4<f32>();
  var acc_bb = mat4x4<f32>();
  for (var s = channels * tap_rows * cols; s > 0u; s--) {
    let wa = gather_w(wa_rows, at.b);
    let wb = gather_w(wb_rows, at.b);
    let xa = gather_x(xa_rows, at.a);
    acc_aa += outer(xa, wa);
    acc_ab += outer(xa, wb);
    if (BATCH_BLOCK == 8u) {
      let xb = gather_x(xb_rows, at.a);
      acc_ba += outer(xb, wa);
      acc_bb += outer(xb, wb);
    }
    at = advance(at, walk);
  }
  store(acc_aa, n0, o0, p);
  store(acc_ab, n0, o0 + 4u, p);
  if (BATCH_BLOCK == 8u) {
    store(acc_ba, n0 + 4u, o0, p);
    store(acc_bb, n0 + 4u, o0 + 4u, p);
  }
}

// tiled (shared memory, for GPUs): the same implicit GEMM with rows m = (n, y, x) and columns o, in
//   64 × 64 output tiles per workgroup of 16 × 16 invocations, each owning 4 × 4 outputs (rows
//   tx + 16·r, columns ty + 16·q, so neighbouring invocations touch neighbouring words of the tiles).
//   K advances 16 at a time: each invocation stages 4 im2col values (its fixed row m, decoded once) and
//   4 weights into workgroup memory, then all accumulate from there. Grid: m tiles in x (folded into y
//   when there are more than 65535), o tiles in z.
const TILE = 64u;
const TILE_K = 16u;
var<workgroup> a_tile: array<array<f32, TILE>, TILE_K>;
var<workgroup> b_tile: array<array<f32, TILE>, TILE_K>;

@compute @workgroup_size(16, 16)
fn tiled(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let pixels = params.out_h * params.out_w;
  let rows_total = params.batch * pixels;
  let taps_per_channel = params.kernel_h * params.kernel_w;
  let depth = params.in_channels * taps_per_channel;
  let m0 = (wid.x + wid.y * groups.x) * TILE;
  let o0 = wid.z * TILE;
  // The row this invocation stages: image, and the input origin of its window.
  let stage_m = m0 + li % TILE;
  let stage_n = min(stage_m, rows_total - 1u) / pixels;
  let stage_p = min(stage_m, rows_total - 1u) % pixels;
  let origin_y = i32((stage_p / params.out_w) * params.stride_h) - i32(params.pad_h);
  let origin_x = i32((stage_p % params.out_w) * params.stride_w) - i32(params.pad_w);
  let stage_o = min(o0 + li % TILE, params.out_channels - 1u);
  let image = stage_n * params.in_channels * params.in_h * params.in_w;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < depth; k0 += TILE_K) {
    for (var r = 0u; r < 4u; r++) {
      let kk = li / TILE + 4u * r;
      let k = k0 + kk;
      var a = 0.0;
      var b = 0.0;
      if (k < depth) {
        let c = k / taps_per_channel;
        let tap = k % taps_per_channel;
        let iy = origin_y + i32(tap / params.kernel_w);
        let ix = origin_x + i32(tap % params.kernel_w);
        if (iy >= 0 && iy < i32(params.in_h) && ix >= 0 && ix < i32(params.in_w)) {
          a = x[image + (c * params.in_h + u32(iy)) * params.in_w + u32(ix)];
        }
        b = w[stage_o * depth + k];
      }
      a_tile[kk][li % TILE] = a;
      b_tile[kk][li % TILE] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let a = vec4<f32>(a_tile[kk][lid.x], a_tile[kk][lid.x + 16u], a_tile[kk][lid.x + 32u], a_tile[kk][lid.x + 48u]);
      for (var q = 0u; q < 4u; q++) {
        acc[q] += a * b_tile[kk][lid.y + 16u * q];
      }
    }
    workgroupBarrier();
  }
  for (var q = 0u; q < 4u; q++) {
    let o = o0 + lid.y + 16u * q;
    if (o < params.out_channels) {
      let v = epilogue(acc[q], o);
      for (var r = 0u; r < 4u; r++) {
        let m = m0 + lid.x + 16u * r;
        if (m < rows_total) {
          out[((m / pixels) * params.out_channels + o) * pixels + m % pixels] = v[r];
        }
      }
    }
  }
}
