// lib/matmul_params — the uniform struct of both matmul kernels (matmul_blocked, matmul_tiled), packed by
//   src/tensor/ops/matmulKernels.ts: shapes M×K · K×N, the epilogue (has_bias, activation 0 none, 1 relu,
//   2 sigmoid, 3 tanh) and the transposes (read by matmul_tiled; matmul_blocked takes them as overrides).
//
// Requires nothing; the kernel declares the binding itself: `@group(0) @binding(0) var<uniform> params: Params;`.

struct Params {
  m: u32,
  n: u32,
  k: u32,
  has_bias: u32,
  activation: u32,
  transpose_a: u32,
  transpose_b: u32,
  _pad: u32,
}
