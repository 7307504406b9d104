// lib/block4 — helpers of the 4×4 register blocks that the barrier-free conv and matmul kernels accumulate
//   (a mat4x4 whose column q holds one output column of 4 rows).
//
// Requires nothing from the including kernel.

// Indices first, first+1, first+2, first+3 clamped to count − 1, so that a partial block at the edge
// re-reads the last row (or column) and stays inside the buffer; its extra results are not stored.
fn clamped4(first: u32, count: u32) -> vec4<u32> {
  return min(vec4<u32>(first) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(count - 1u));
}

// Element offsets of the four (clamped) rows first .. first+3 of a row-major matrix with `stride`
// elements per row.
fn rows(first: u32, count: u32, stride: u32) -> vec4<u32> {
  return clamped4(first, count) * stride;
}

// The outer product a·bᵀ as a block: column q is a · b[q], so rows follow a's components and columns b's.
fn outer(a: vec4<f32>, b: vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(a * b.x, a * b.y, a * b.z, a * b.w);
}
