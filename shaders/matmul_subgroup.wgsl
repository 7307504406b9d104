// matmul_subgroup — out = act(op(A) · op(B) + bias), op(X) = X or Xᵀ, act = params.activation in 0 none,
//   1 relu, 2 sigmoid, 3 tanh; bias (length N) is added to every row when params.has_bias is 1.
//
// Layout: row-major f32, as matmul_blocked.wgsl: op(A) is M×K (A stored M×K, or K×M when TRANSPOSE_A),
//   op(B) is K×N (B stored K×N, or N×K when TRANSPOSE_B), out is M×N; each input is bound as f32s (a, b)
//   and as vec4s (a4, b4), read as vec4s where VEC_A / VEC_B say the contiguous extent is a multiple of 4.
// Work: a workgroup is 4 invocations, one subgroup (WebGPU subgroups have at least 4 invocations), and
//   computes a 16×16 output tile: lane l (subgroup_invocation_id) owns columns j0 = tile + 4l .. j0+3 of
//   all 16 rows, as four 4×4 register blocks (one per row block rb, rows i0 + 4rb ..). The 4 lanes need the
//   same rows of op(A), so they share the loads: for each row block and each 4 steps of k, lane l reads
//   one run of 4 — row i0 + 4rb + l at k..k+3 (A stored M×K), or rows i0 + 4rb .. +3 at column k + l (A
//   stored K×M) — and subgroupBroadcast hands every lane the other three. Per 4 steps of k a lane loads
//   4 runs of op(A) and its own 4 runs of op(B) (block_b) for 256 multiply-adds: 32 elements where
//   matmul_blocked loads 128 for the same work.
// Edges: row and column indices are clamped for loading (the lanes must all reach every broadcast, so none
//   returns early); the duplicates computed past M or N are not stored (store_block). K % 4 leftover terms
//   are added one at a time, each lane loading its own elements.
// Variant: for CPU adapters such as SwiftShader, where a subgroup is the 4 SIMD lanes of one core, every
//   storage load is a per-lane gather and a broadcast is a register shuffle. Measured there (Node, Dawn):
//   about 2× matmul_blocked on 512², 1024² and 128×784·784×100. A workgroup of 4 starves a GPU: the engine
//   times the variants per adapter (matmulTuning.ts), and runs this one only where the adapter offers the
//   'subgroups' feature and the kernel reproduced the blocked kernel's product there.
// Includes: lib/matmul_params.wgsl (struct Params), lib/matmul_loads.wgsl (run_a, units_a, runs_b, block_b,
//   column_a, row_b: the operand loads), lib/matmul_epilogue.wgsl (store_block: bias, activation and the
//   guarded stores), lib/block4.wgsl (clamped4, outer).
enable subgroups;
// #include "matmul_params"
// #include "matmul_loads"
// #include "matmul_epilogue"
// #include "block4"

override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;
override VEC_A: bool = false;
override VEC_B: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> bias: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

// Rows of op(A) per row block, row blocks per lane, and output columns per lane.
const BLOCK = 4u;

// Where this lane's run of op(A) for the row block at `first` starts (run_a's units): along k from row
// first + lane, or (A stored K×M, aligned) down rows first..first+3 at column lane. Rows are clamped to
// the matrix; an aligned transposed block starts at most at M − 4, a multiple of 4 as M is.
fn lane_run_a(first: u32, lane: u32) -> u32 {
  if (TRANSPOSE_A) {
    return units_a(vec4(lane * params.m + min(first, params.m - BLOCK))).x;
  }
  return units_a(vec4(min(first + lane, params.m - 1u) * params.k)).x;
}

// This lane's run for row block `first` at k..k+3: from the run offset, or (A stored K×M, unaligned)
// element by element through the clamped rows.
fn lane_load_a(at: u32, first: u32, lane: u32, k: u32) -> vec4<f32> {
  if (TRANSPOSE_A && !VEC_A) {
    return column_a(clamped4(first, params.m), k + lane);
  }
  return run_a(at);
}

// The 4×4 block of op(A) (column kk = op(A)[rows, k + kk]) from the four lanes' runs.
fn shared_block_a(run: vec4<f32>) -> mat4x4<f32> {
  let lanes = mat4x4(subgroupBroadcast(run, 0u), subgroupBroadcast(run, 1u), subgroupBroadcast(run, 2u), subgroupBroadcast(run, 3u));
  // Lane l's run is row l of the block (A stored M×K) or its column l (A stored K×M).
  if (TRANSPOSE_A) {
    return lanes;
  }
  return transpose(lanes);
}

@compute @workgroup_size(4)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  let m = params.m;
  let n = params.n;
  let i0 = wid.y * 16u;
  let j0 = wid.x * 16u + lane * BLOCK;
  let cols = clamped4(j0, n);
  let whole = params.k & ~3u;
  // An aligned B is read in whole vec4s from a column below N that is a multiple of 4.
  var at_b = runs_b(cols, select(j0, min(j0, n - BLOCK), VEC_B && !TRANSPOSE_B));
  var at_a = vec4(lane_run_a(i0, lane), lane_run_a(i0 + 4u, lane), lane_run_a(i0 + 8u, lane), lane_run_a(i0 + 12u, lane));
  // How far the runs move for 4 steps of k.
  let advance_a = units_a(vec4(select(4u, 4u * m, TRANSPOSE_A)));
  let advance_b = units_b(vec4(select(4u * n, 4u, TRANSPOSE_B)));
  var acc0 = mat4x4<f32>();
  var acc1 = mat4x4<f32>();
  var acc2 = mat4x4<f32>();
  var acc3 = mat4x4<f32>();
  for (var k = 0u; k < whole; k += 4u) {
    let y = block_b(at_b, cols, k);
    acc0 += shared_block_a(lane_load_a(at_a.x, i0, lane, k)) * y;
    acc1 += shared_block_a(lane_load_a(at_a.y, i0 + 4u, lane, k)) * y;
    acc2 += shared_block_a(lane_load_a(at_a.z, i0 + 8u, lane, k)) * y;
    acc3 += shared_block_a(lane_load_a(at_a.w, i0 + 12u, lane, k)) * y;
    at_a += advance_a;
    at_b += advance_b;
  }
  for (var k = whole; k < params.k; k++) {
    let y = row_b(k, cols);
    acc0 += outer(column_a(clamped4(i0, m), k), y);
    acc1 += outer(column_a(clamped4(i0 + 4u, m), k), y);
    acc2 += outer(column_a(clamped4(i0 + 8u, m), k), y);
    acc3 += outer(column_a(clamped4(i0 + 12u, m), k), y);
  }
  store_block(acc0, i0, j0);
  store_block(acc1, i0 + 4u, j0);
  store_block(acc2, i0 + 8u, j0);
  store_block(acc3, i0 + 12u, j0);
}
