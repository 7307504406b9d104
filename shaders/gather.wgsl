// gather — index permutations and their adjoints:
//   main (gather rows):  out[r, j] = source[indices[r], j]
//   scatter_add:         out[i, j] = Σ_{r : indices[r] = i} source[r, j]   (the adjoint of gather rows)
//   transpose_2d:        transposed[j, i] = matrix[i, j]
//   one_hot:             encoded[r, c] = 1 if labels[r] = c else 0
//   Indices and labels are f32 holding integers (exact below 2^24, so any row count a buffer can hold
//   here). For an index that is not an integer in range (NaN and ±Inf included) gather and one_hot write
//   a NaN row and flag its position: atomicMin(fault, position); the engine reads the fault word with the
//   next readback and reports it (src/gpu/argumentChecks.ts). scatter_add, the backward of a gather that
//   already flagged them, never matches such an index (its row's gradient is dropped).
//
// Layout (row-major f32), with the uniforms rows, row_size, count (and lanes, for scatter_add):
//   main:          source [rows, row_size], indices [count] → out [count, row_size], then the fault word
//   scatter_add:   source [count, row_size], indices [count] → out [rows, row_size]
//   transpose_2d:  matrix [rows, row_size] → transposed [row_size, rows]
//   one_hot:       labels [count] → encoded [count, row_size]   (row_size = classes), then the fault word
// Work: one invocation per output element, except scatter_add. That one has no atomics (WGSL has no f32
//   atomics, and repeated indices would race): `lanes` invocations share each output row, lane l owning
//   columns l, l + lanes, ... (adjacent lanes write adjacent columns), and each scans all `count`
//   indices once and adds the rows that match, in index order, so repeats sum deterministically. The
//   scan costs rows·lanes·count compares, meant for minibatch-sized `count`. Reads of the transpose are
//   strided; a tiled shared-memory version would coalesce them on GPUs but costs a barrier per tile on
//   SwiftShader, and transposes here are small.
// Edges: invocations past the output size (scatter_add: past rows·lanes) return. The grid may be folded into two dimensions (linear
//   index gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Variants: none per adapter. Entry points declare different storage at the same binding numbers; WGSL
//   forbids that only within one entry point.

override WORKGROUP_SIZE: u32 = 64;

struct Params {
  rows: u32,
  row_size: u32,
  count: u32,
  lanes: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

// main and scatter_add
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
// main (after out) and one_hot (after encoded): the first flagged position
@group(0) @binding(4) var<storage, read_write> index_fault: atomic<u32>;
// transpose_2d
@group(0) @binding(1) var<storage, read> matrix: array<f32>;
@group(0) @binding(2) var<storage, read_write> transposed: array<f32>;
// one_hot
@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read_write> encoded: array<f32>;
@group(0) @binding(3) var<storage, read_write> label_fault: atomic<u32>;

fn linear_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP_SIZE;
}

// The exponent test rejects NaN and ±Inf from the bits, which no fast-math assumption can fold away.
fn is_index(v: f32, extent: u32) -> bool {
  let finite = (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
  return finite && v >= 0.0 && v < f32(extent) && trunc(v) == v;
}

// Non-finite values are built from bits held in a `var`: WGSL rejects a NaN constant expression.
fn nan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups);
  if (i >= params.count * params.row_size) {
    return;
  }
  let index = indices[i / params.row_size];
  if (!is_index(index, params.rows)) {
    atomicMin(&index_fault, i / params.row_size);
    out[i] = nan();
    return;
  }
  out[i] = source[u32(index) * params.row_size + i % params.row_size];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scatter_add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups);
  let target_row = i / params.lanes;
  if (target_row >= params.rows) {
    return;
  }
  let lane = i % params.lanes;
  let base = target_row * params.row_size;
  for (var j = lane; j < params.row_size; j += params.lanes) {
    out[base + j] = 0.0;
  }
  for (var r = 0u; r < params.count; r++) {
    if (indices[r] == f32(target_row)) {
      let origin = r * params.row_size;
      for (var j = lane; j < params.row_size; j += params.lanes) {
        out[base + j] += source[origin + j];
      }
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn transpose_2d(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let o = linear_index(gid, groups);
  if (o >= params.rows * params.row_size) {
    return;
  }
  // o = j·rows + i in the output.
  let i = o % params.rows;
  let j = o / params.rows;
  transposed[o] = matrix[i * params.row_size + j];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn one_hot(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups);
  if (i >= params.count * params.row_size) {
    return;
  }
  let label = labels[i / params.row_size];
  if (!is_index(label, params.row_size)) {
    atomicMin(&label_fault, i / params.row_size);
    encoded[i] = nan();
    return;
  }
  encoded[i] = select(0.0, 1.0, u32(label) == i % params.row_size);
}
