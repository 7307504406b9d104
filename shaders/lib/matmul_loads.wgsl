// lib/matmul_loads — how the barrier-free matmul kernels (matmul_blocked, matmul_subgroup) read their
//   operands: runs of 4 consecutive elements as one vec4 load when aligned, else as 4 scalar loads, and
//   the 4×4 blocks of op(B) (4 k-steps × 4 columns) and single columns / rows for the K % 4 tail.
//
// Layout: row-major; op(A) is M×K (A stored M×K, or K×M when TRANSPOSE_A), op(B) is K×N (B stored K×N, or
//   N×K when TRANSPOSE_B). VEC_A / VEC_B say the operand's contiguous extent (K or M for A, N or K for B)
//   is a multiple of 4, so every 4-run along it starts 16-byte aligned. Run offsets are kept in run_a's
//   (run_b's) units — vec4 indices when aligned, element indices otherwise — so that an inner loop moves a
//   run with one add.
// Requires from the including kernel: `params: Params` (lib/matmul_params), the bindings `a`, `a4`, `b`,
//   `b4` (each operand as f32s and as vec4s over the same bytes) and the overrides TRANSPOSE_A,
//   TRANSPOSE_B, VEC_A, VEC_B.

// Four consecutive elements of A (or B) starting at run offset `at`.
fn run_a(at: u32) -> vec4<f32> {
  if (VEC_A) {
    return a4[at];
  }
  return vec4(a[at], a[at + 1u], a[at + 2u], a[at + 3u]);
}

fn run_b(at: u32) -> vec4<f32> {
  if (VEC_B) {
    return b4[at];
  }
  return vec4(b[at], b[at + 1u], b[at + 2u], b[at + 3u]);
}

// Element offsets converted to run_a's (run_b's) units.
fn units_a(elements: vec4<u32>) -> vec4<u32> {
  return select(elements, elements >> vec4(2u), VEC_A);
}

fn units_b(elements: vec4<u32>) -> vec4<u32> {
  return select(elements, elements >> vec4(2u), VEC_B);
}

// Where the 4 runs of the first block of op(B) start: down the k rows from column j0, or (transposed)
// along k from each column.
fn runs_b(cols: vec4<u32>, j0: u32) -> vec4<u32> {
  if (TRANSPOSE_B) {
    return units_b(cols * params.k);
  }
  return units_b(vec4(0u, 1u, 2u, 3u) * params.n + j0);
}

// Block of op(B) at k: column c = op(B)[k..k+3, cols[c]], from the runs starting at `at`.
fn block_b(at: vec4<u32>, cols: vec4<u32>, k: u32) -> mat4x4<f32> {
  if (TRANSPOSE_B) {
    return mat4x4(run_b(at.x), run_b(at.y), run_b(at.z), run_b(at.w));
  }
  if (VEC_B) {
    // N % 4 == 0 and the first column is a multiple of 4 below N, so each k's 4 columns are one aligned vec4.
    return transpose(mat4x4(run_b(at.x), run_b(at.y), run_b(at.z), run_b(at.w)));
  }
  return transpose(mat4x4(row_b(k, cols), row_b(k + 1u, cols), row_b(k + 2u, cols), row_b(k + 3u, cols)));
}

// op(A)[rows, k] and op(B)[k, cols], one element each, for the K % 4 tail and unaligned runs.
fn column_a(rows: vec4<u32>, k: u32) -> vec4<f32> {
  if (TRANSPOSE_A) {
    let base = k * params.m;
    return vec4(a[base + rows.x], a[base + rows.y], a[base + rows.z], a[base + rows.w]);
  }
  let depth = params.k;
  return vec4(a[rows.x * depth + k], a[rows.y * depth + k], a[rows.z * depth + k], a[rows.w * depth + k]);
}

fn row_b(k: u32, cols: vec4<u32>) -> vec4<f32> {
  if (TRANSPOSE_B) {
    let depth = params.k;
    return vec4(b[cols.x * depth + k], b[cols.y * depth + k], b[cols.z * depth + k], b[cols.w * depth + k]);
  }
  let base = k * params.n;
  return vec4(b[base + cols.x], b[base + cols.y], b[base + cols.z], b[base + cols.w]);
}
