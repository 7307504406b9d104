// matmul_tiled — out = act(op(A) · op(B) + bias), op(X) = X or Xᵀ, act = params.activation in 0 none,
//   1 relu, 2 sigmoid, 3 tanh; bias (length N) is added to every row when params.has_bias is 1.
//
// Layout: row-major f32. op(A) is M×K: A is stored M×K, or K×M when params.transpose_a is 1. op(B) is K×N:
//   B is stored K×N, or N×K when params.transpose_b is 1. out is M×N. Everything travels in params, so one
//   pipeline serves every product: the transposes only steer the staging loads, a uniform branch that
//   costs a GPU nothing (and SwiftShader takes seconds to compile a kernel with barriers: once is enough).
// Work: a 16×16 workgroup computes a 64×64 output tile, each invocation a 4×4 register block (rows
//   i0..i0+3 = tile rows 4·lid.y.., columns j0..j0+3 = tile columns 4·lid.x..). K advances 16 at a time:
//   the workgroup stages a 64×16 slab of op(A) and a 16×64 slab of op(B) in workgroup memory as vec4s of
//   4 rows (or 4 columns), one vec4 per invocation, then every invocation does 16 rank-1 updates of its
//   block from 2 vec4 reads each. Which invocation stages which vec4 depends on the transposes, so that
//   neighbouring invocations read neighbouring addresses (coalesced) in either layout.
// Edges: staging writes zeros outside op(A) and op(B), so the K tail and partial tiles need no special
//   case; every invocation reaches every barrier (none returns early) and only stores inside M×N.
// Variant: for GPUs, where workgroup memory and barriers are cheap and global loads are the cost. On
//   SwiftShader each barrier is a coroutine switch; matmul_blocked.wgsl is the variant for it.
// Includes: lib/matmul_params.wgsl (struct Params), lib/matmul_epilogue.wgsl (activate, store_row,
//   store_block: bias, activation and the guarded stores), lib/block4.wgsl (clamped4, outer).
// #include "matmul_params"
// #include "matmul_epilogue"
// #include "block4"

// The workgroup is SIDE × SIDE (spelled out in @workgroup_size for the engine's limit check).
const SIDE = 16u;
const DEPTH = 16u;
// Padding a slab row to 17 vec4s spreads one staging pass over all banks.
const STRIDE = 17u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// slab_a[kk * STRIDE + g] = op(A)[4g..4g+3 of the tile, k0 + kk]; slab_b[kk * STRIDE + g] likewise for
// op(B)[k0 + kk, 4g..4g+3 of the tile].
var<workgroup> slab_a: array<vec4<f32>, DEPTH * STRIDE>;
var<workgroup> slab_b: array<vec4<f32>, DEPTH * STRIDE>;

fn element_a(i: u32, k: u32) -> f32 {
  if (i >= params.m || k >= params.k) {
    return 0.0;
  }
  if (params.transpose_a == 1u) {
    return a[k * params.m + i];
  }
  return a[i * params.k + k];
}

fn element_b(k: u32, j: u32) -> f32 {
  if (k >= params.k || j >= params.n) {
    return 0.0;
  }
  if (params.transpose_b == 1u) {
    return b[j * params.k + k];
  }
  return b[k * params.n + j];
}

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tile_i = wid.y * SIDE * 4u;
  let tile_j = wid.x * SIDE * 4u;
  let t = lid.y * SIDE + lid.x;
  // (depth, group) of the vec4 this invocation stages: the fast index follows the stored layout.
  let fast = t % SIDE;
  let slow = t / SIDE;
  let transpose_a = params.transpose_a == 1u;
  let transpose_b = params.transpose_b == 1u;
  let a_kk = select(fast, slow, transpose_a);
  let a_g = select(slow, fast, transpose_a);
  let b_kk = select(slow, fast, transpose_b);
  let b_g = select(fast, slow, transpose_b);
  let a_i = tile_i + 4u * a_g;
  let b_j = tile_j + 4u * b_g;

  var acc = mat4x4<f32>();
  for (var k0 = 0u; k0 < params.k; k0 += DEPTH) {
    let ka = k0 + a_kk;
    slab_a[a_kk * STRIDE + a_g] = vec4(element_a(a_i, ka), element_a(a_i + 1u, ka), element_a(a_i + 2u, ka), element_a(a_i + 3u, ka));
    let kb = k0 + b_kk;
    slab_b[b_kk * STRIDE + b_g] = vec4(element_b(kb, b_j), element_b(kb, b_j + 1u), element_b(kb, b_j + 2u), element_b(kb, b_j + 3u));
    workgroupBarrier();
    for (var kk = 0u; kk < DEPTH; kk++) {
      let x = slab_a[kk * STRIDE + lid.y];
      let y = slab_b[kk * STRIDE + lid.x];
      acc += outer(x, y);
    }
    workgroupBarrier();
  }

  store_block(acc, tile_i + 4u * lid.y, tile_j + 4u * lid.x);
}
