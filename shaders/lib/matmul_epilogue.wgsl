// lib/matmul_epilogue — the end of both matmul kernels: out[i, j] = act(acc[i, j] + bias[j]) for one 4×4
//   register block, guarded against the edges of the M×N output.
//   act = params.activation: 0 none, 1 relu, 2 sigmoid, 3 tanh; bias is read when params.has_bias is 1.
//
// Requires from the including kernel: `params: Params` (binding 0), `bias: array<f32>` (length N, read)
//   and `out: array<f32>` (M×N row-major, read_write).
// #include "matmul_params"
// #include "block4"

fn activate(v: vec4<f32>) -> vec4<f32> {
  switch params.activation {
    case 1u: { return max(v, vec4(0.0)); }
    case 2u: { return 1.0 / (1.0 + exp(-v)); }
    // tanh(±15) rounds to ±1 in f32; the clamp keeps exp-based tanh implementations from inf/inf.
    case 3u: { return tanh(clamp(v, vec4(-15.0), vec4(15.0))); }
    default: { return v; }
  }
}

// Bias, activation and the guarded store of out[row, cols] (cols = j0..j0+3, clamped for the bias).
fn store_row(row: u32, j0: u32, cols: vec4<u32>, value: vec4<f32>) {
  if (row >= params.m) {
    return;
  }
  var v = value;
  if (params.has_bias == 1u) {
    v += vec4(bias[cols.x], bias[cols.y], bias[cols.z], bias[cols.w]);
  }
  v = activate(v);
  let n = params.n;
  let base = row * n + j0;
  if (j0 < n) { out[base] = v.x; }
  if (j0 + 1u < n) { out[base + 1u] = v.y; }
  if (j0 + 2u < n) { out[base + 2u] = v.z; }
  if (j0 + 3u < n) { out[base + 3u] = v.w; }
}

// The block at rows i0..i0+3, columns j0..j0+3, held column-major (acc[c] = rows i0..i0+3 of column
// j0 + c): rows and columns past M and N are not stored.
fn store_block(acc: mat4x4<f32>, i0: u32, j0: u32) {
  let cols = clamped4(j0, params.n);
  let c = transpose(acc);
  store_row(i0, j0, cols, c[0]);
  store_row(i0 + 1u, j0, cols, c[1]);
  store_row(i0 + 2u, j0, cols, c[2]);
  store_row(i0 + 3u, j0, cols, c[3]);
}
