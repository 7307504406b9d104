// matmul_blocked — out = act(op(A) · op(B) + bias), op(X) = X or Xᵀ, act = params.activation in 0 none,
//   1 relu, 2 sigmoid, 3 tanh; bias (length N) is added to every row when params.has_bias is 1.
//
// Layout: row-major f32. op(A) is M×K: A is stored M×K, or K×M when TRANSPOSE_A. op(B) is K×N: B is stored
//   K×N, or N×K when TRANSPOSE_B. out is M×N. Shapes and the epilogue travel in params, so one pipeline
//   per transposition and alignment serves every shape, bias and activation; the transposes are override
//   constants here (params.transpose_a/b are unused) because they decide the loads of the inner loop.
//   Each input is bound twice: as scalars (a, b) and as vec4s (a4, b4) over the same bytes. VEC_A / VEC_B
//   say the operand's contiguous extent (K or M for A, N or K for B) is a multiple of 4, so every 4-run
//   along it starts 16-byte aligned and is read with one vec4 load; otherwise the run is read as 4 scalars.
// Work: one invocation per 4×4 output block, WG_X × WG_Y invocations per workgroup (x along columns).
//   K is consumed 4 at a time: the 4×4 blocks of op(A) and op(B) are loaded as 4 vec4s each (transposed
//   in registers as the layout requires) and multiplied as mat4x4s, 64 multiply-adds per 8 loads; the
//   accumulator `acc` holds the block column-major (acc[c] = rows i0..i0+3 of column j0+c). The run
//   offsets advance by one add per step, as SwiftShader pays for every integer op in the loop too.
// Edges: row and column indices are clamped to M−1 and N−1 for loading, so blocks that straddle the edge
//   compute duplicates that are never stored; the K % 4 leftover terms are added one at a time; blocks
//   entirely outside the output return at once (there is no barrier to reach).
// Variant: for SwiftShader and other CPU adapters, where every workgroupBarrier() is a coroutine switch
//   and every storage load is a per-lane gather: no workgroup memory and a small loop body. Measured on
//   SwiftShader: 4×4 blocks beat 8×4 and 8×8 ones and unrolling K by 2 was slower (bigger loop bodies
//   run slower there), the workgroup shape made no difference; ~1.1 GFLOP per CPU-second.
//   matmul_tiled.wgsl is the variant for GPUs.
// Includes: lib/matmul_params.wgsl (struct Params), lib/matmul_loads.wgsl (run_a, run_b, units_a,
//   units_b, runs_b, block_b, column_a, row_b: the operand loads), lib/matmul_epilogue.wgsl (activate,
//   store_row, store_block: bias, activation and the guarded stores), lib/block4.wgsl (clamped4, outer).
// #include "matmul_params"
// #include "matmul_loads"
// #include "matmul_epilogue"
// #include "block4"

override WG_X: u32 = 8;
override WG_Y: u32 = 8;
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

// Where the 4 runs of the first block of op(A) start: along k from each row, or (transposed) along the
// rows from each k.
fn runs_a(rows: vec4<u32>, i0: u32) -> vec4<u32> {
  if (TRANSPOSE_A) {
    return units_a(vec4(0u, 1u, 2u, 3u) * params.m + i0);
  }
  return units_a(rows * params.k);
}

// Block of op(A) at k: column kk = op(A)[rows, k + kk], from the runs starting at `at`.
fn block_a(at: vec4<u32>, rows: vec4<u32>, k: u32) -> mat4x4<f32> {
  if (!TRANSPOSE_A) {
    return transpose(mat4x4(run_a(at.x), run_a(at.y), run_a(at.z), run_a(at.w)));
  }
  if (VEC_A) {
    // M % 4 == 0 and i0 < M, so rows i0..i0+3 all exist and each k's 4 rows are one aligned vec4.
    return mat4x4(run_a(at.x), run_a(at.y), run_a(at.z), run_a(at.w));
  }
  // Rows i0..i0+3 may run past M: read them one by one through the clamped indices.
  return mat4x4(column_a(rows, k), column_a(rows, k + 1u), column_a(rows, k + 2u), column_a(rows, k + 3u));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = params.m;
  let n = params.n;
  let i0 = gid.y * 4u;
  let j0 = gid.x * 4u;
  if (i0 >= m || j0 >= n) {
    return;
  }
  let rows = clamped4(i0, m);
  let cols = clamped4(j0, n);
  let whole = params.k & ~3u;
  var at_a = runs_a(rows, i0);
  var at_b = runs_b(cols, j0);
  // How far the runs move for 4 steps of k.
  let advance_a = units_a(vec4(select(4u, 4u * params.m, TRANSPOSE_A)));
  let advance_b = units_b(vec4(select(4u * params.n, 4u, TRANSPOSE_B)));
  var acc = mat4x4<f32>();
  for (var k = 0u; k < whole; k += 4u) {
    acc += block_a(at_a, rows, k) * block_b(at_b, cols, k);
    at_a += advance_a;
    at_b += advance_b;
  }
  for (var k = whole; k < params.k; k++) {
    let x = column_a(rows, k);
    let y = row_b(k, cols);
    acc += outer(x, y);
  }
  store_block(acc, i0, j0);
}
