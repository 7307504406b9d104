// topk — the k largest entries of every column of a matrix, with their row indices:
//   values[s, j] = the s-th largest of x[·, j] (s = 0 is the largest), indices[s, j] = its row
//   + row_offset. Order: (v, r) ranks above (w, q) when v > w, or v = w and r < q (ties go to the lower
//   row). NaN ranks above every number, +∞ included (NaNs among themselves by row), so a NaN in a column
//   surfaces in its top-k instead of hiding; a NaN value is written as the canonical quiet NaN. −0 and +0
//   are equal (a tie, broken by row) and −0 is written as +0.
//   Entries: main starts from nothing; merge starts from an earlier result (prev_values, prev_indices, the
//   top-k of rows seen before, indices already global) and folds x's rows in, so a matrix too large to
//   hold can be streamed through in blocks of rows (row_offset = the first row's global index).
//
// Layout (row-major f32): x [rows, cols]; prev_values, prev_indices, values, indices [k, cols]. Indices
//   are f32 holding integers, exact below 2^24 (the launch checks row_offset + rows against that).
// Work: one invocation per column; it scans the column top to bottom (adjacent invocations read adjacent
//   columns of a row, so loads are contiguous) and keeps its running top-k in private arrays of MAX_K
//   (order key, row) pairs, sorted, with the k-th pair in registers: an entry that does not beat the k-th
//   costs one load and one compare; one that does is inserted by shifting (O(k)). On random data that
//   happens about k·ln(rows/k) times per column. No workgroup memory and no barrier (each barrier is a
//   coroutine switch on SwiftShader); on GPUs a matrix with few columns leaves most lanes idle, which is
//   fine for the analyses' thousands of columns.
// Order keys: f32 bits mapped to u32 so that unsigned order is numeric order: non-negative v → bits |
//   0x80000000, negative v → !bits, NaN → 0xffffffff, −0 first made +0. Every number's key is at least
//   0x007fffff (−∞), so key 0 with row 0xffffffff marks an empty slot that any entry beats; the launch
//   guarantees k real entries exist (k ≤ rows for main), so no empty slot reaches the output.
// Edges: invocations past cols return. The grid may be folded into two dimensions (lib/grid).
// Variants: none per adapter. Includes lib/grid (linear_index; needs WORKGROUP_SIZE).
// #include "grid"

override WORKGROUP_SIZE: u32 = 64;
const MAX_K: u32 = 16u;
const EMPTY_ROW: u32 = 0xffffffffu;

struct Params {
  rows: u32,
  cols: u32,
  k: u32,
  row_offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
// main
@group(0) @binding(2) var<storage, read_write> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> indices: array<f32>;
// merge
@group(0) @binding(2) var<storage, read> prev_values: array<f32>;
@group(0) @binding(3) var<storage, read> prev_indices: array<f32>;
@group(0) @binding(4) var<storage, read_write> merged_values: array<f32>;
@group(0) @binding(5) var<storage, read_write> merged_indices: array<f32>;

var<private> keys: array<u32, MAX_K>;
var<private> rows_of: array<u32, MAX_K>;

// Bit tests rather than float compares: WGSL lets compilers assume NaN never occurs.
fn order_key(v: f32) -> u32 {
  var bits = bitcast<u32>(v);
  if (bits == 0x80000000u) { bits = 0u; }
  if ((bits & 0x7fffffffu) > 0x7f800000u) { return 0xffffffffu; }
  if ((bits & 0x80000000u) != 0u) { return ~bits; }
  return bits | 0x80000000u;
}

fn value_of(key: u32) -> f32 {
  // A NaN constant does not compile; masking the runtime key (all ones here) gives the canonical quiet NaN.
  if (key == 0xffffffffu) { return bitcast<f32>(key & 0x7fc00000u); }
  if ((key & 0x80000000u) != 0u) { return bitcast<f32>(key & 0x7fffffffu); }
  return bitcast<f32>(~key);
}

fn ranks_above(key: u32, row: u32, other_key: u32, other_row: u32) -> bool {
  return key > other_key || (key == other_key && row < other_row);
}

fn clear() {
  for (var s = 0u; s < params.k; s++) {
    keys[s] = 0u;
    rows_of[s] = EMPTY_ROW;
  }
}

// Insert (key, row), known to rank above the k-th pair, keeping the list sorted.
fn insert(key: u32, row: u32) {
  var s = params.k - 1u;
  while (s > 0u && ranks_above(key, row, keys[s - 1u], rows_of[s - 1u])) {
    keys[s] = keys[s - 1u];
    rows_of[s] = rows_of[s - 1u];
    s--;
  }
  keys[s] = key;
  rows_of[s] = row;
}

fn scan_column(column: u32) {
  let last = params.k - 1u;
  var kth_key = keys[last];
  var kth_row = rows_of[last];
  for (var r = 0u; r < params.rows; r++) {
    let key = order_key(x[r * params.cols + column]);
    let row = params.row_offset + r;
    if (ranks_above(key, row, kth_key, kth_row)) {
      insert(key, row);
      kth_key = keys[last];
      kth_row = rows_of[last];
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let column = linear_index(gid, groups);
  if (column >= params.cols) { return; }
  clear();
  scan_column(column);
  for (var s = 0u; s < params.k; s++) {
    values[s * params.cols + column] = value_of(keys[s]);
    indices[s * params.cols + column] = f32(rows_of[s]);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn merge(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let column = linear_index(gid, groups);
  if (column >= params.cols) { return; }
  clear();
  // The earlier result is sorted already, but inserting keeps this correct for any order it comes in.
  for (var s = 0u; s < params.k; s++) {
    let key = order_key(prev_values[s * params.cols + column]);
    let row = u32(prev_indices[s * params.cols + column]);
    if (ranks_above(key, row, keys[params.k - 1u], rows_of[params.k - 1u])) { insert(key, row); }
  }
  scan_column(column);
  for (var s = 0u; s < params.k; s++) {
    merged_values[s * params.cols + column] = value_of(keys[s]);
    merged_indices[s * params.cols + column] = f32(rows_of[s]);
  }
}
