// batched_dot — out[b] = Σ_j x[b, j]·y[b, j] for B independent problems (rows), and out[b] = 0 for rows
//   whose mask is 0 (problems that have stopped; their data is not read).
//
// Summation: pairwise. Each invocation sums its row in blocks of BLOCK products, then merges the block sums
//   like a binary counter (block k is added to the partial sums of the complete subtrees it closes, kept on
//   a small stack by level), so every product passes through at most BLOCK + 2·⌈log2(n / BLOCK)⌉ roundings:
//   |error| ≤ (BLOCK + 2·⌈log2(n / BLOCK)⌉ + 1)·2⁻²⁴·Σ|x·y| (23 units for n = 1000, against n units for a
//   running sum). Kahan summation would be tighter still, but its correction term (t − s) − y is exactly
//   what compilers that reassociate floats (Metal's fast math, HLSL without IEEE strictness) fold to zero;
//   pairwise accuracy comes from the order of plain additions and survives any compiler.
// Layout: x, y: B×n row-major f32; out: B f32. mask[b·mask_stride] != 0 marks a running problem (stride 0
//   with a single 1 when unmasked).
// Work: one invocation per row, WORKGROUP_SIZE rows per workgroup, no barriers (on SwiftShader a barrier
//   costs more than the whole row); meant for rows of up to a few thousand elements, as in L-BFGS on
//   images. The grid may be folded into two dimensions (row gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Edges: rows past B return; n = 0 gives 0; the last block of a row may hold fewer than BLOCK products.
// Variants: none (a workgroup-per-row tree would only pay on GPUs for very long rows).

override WORKGROUP_SIZE: u32 = 64;

const BLOCK: u32 = 8u;
// One stack slot per bit of the u32 block count, so no row length can overflow it.
const LEVELS: u32 = 32u;

struct Params {
  rows: u32,
  cols: u32,
  mask_stride: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let b = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (b >= params.rows) {
    return;
  }
  if (mask[b * params.mask_stride] == 0.0) {
    out[b] = 0.0;
    return;
  }
  let base = b * params.cols;
  var pending: array<f32, LEVELS>;
  var blocks = 0u;
  for (var start = 0u; start < params.cols; start += BLOCK) {
    let end = min(start + BLOCK, params.cols);
    var s = 0.0;
    for (var j = start; j < end; j++) {
      s += x[base + j] * y[base + j];
    }
    var level = 0u;
    for (var count = blocks; (count & 1u) == 1u; count = count >> 1u) {
      s = pending[level] + s;
      level++;
    }
    pending[level] = s;
    blocks++;
  }
  // The set bits of the block count are the complete subtrees still pending, smallest first.
  var total = 0.0;
  for (var level = 0u; level < LEVELS; level++) {
    if (((blocks >> level) & 1u) == 1u) {
      total += pending[level];
    }
  }
  out[b] = total;
}
