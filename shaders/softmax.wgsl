// softmax — per-row softmax and log-softmax over the last axis, their backward, and the fused softmax
//   cross-entropy. With m = max_c x[c] and s = Σ_c exp(x[c] − m) (so s ≥ 1 and nothing overflows):
//   main (LOG 0):          y[c] = exp(x[c] − m) / s
//   main (LOG 1):          y[c] = (x[c] − m) − log(s)
//   backward (LOG 0):      dx[c] = y[c] · (dy[c] − Σ_k dy[k]·y[k])          (y = softmax output)
//   backward (LOG 1):      dx[c] = dy[c] − exp(y[c]) · Σ_k dy[k]             (y = log-softmax output)
//   cross_entropy:         loss = −Σ_c t[c]·logp[c],  dlogits[c] = scale · (p[c]·Σ_k t[k] − t[c]),
//     with logp = log-softmax(x) and p = softmax(x). Targets t are either class indices (DENSE_TARGETS 0:
//     t is the one-hot row of targets[row]) or rows of weights (DENSE_TARGETS 1, usually distributions,
//     where Σ t = 1). `scale` folds the 1/rows of a mean reduction into the stored gradient. For class
//     indices the label's own element p[k] − 1 is formed as −Σ_{c≠k} p[c], accurate to a few ulp even
//     when p[k] ≈ 1; the dense form p·Σt − t has only absolute accuracy (a few ulp of 1) where p ≈ t.
//   A class index that is not an integer in [0, classes) (NaN and ±Inf included) makes that row's loss and
//   dlogits NaN, and the row is flagged: atomicMin(fault, row). The engine reads the fault word with the
//   next readback and reports the smallest flagged row (see src/gpu/argumentChecks.ts).
//
// Layout: row-major [rows, classes] for x, y, dy, dx, logits, dlogits and dense targets; [rows] for
//   class-index targets and loss. All f32. cross_entropy also binds one atomic<u32> fault word (bound even
//   for dense targets, which never flag it).
// Work: one invocation per row, three passes over its `classes` elements (max, sum, write); no workgroup
//   memory and no barriers, which SwiftShader runs far faster than a cooperative row reduction, and rows
//   of classification outputs are short. Each row sum accumulates `classes` terms sequentially in f32.
// Edges: invocations past `rows` return. The grid may be folded into two dimensions (linear row index
//   gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Variants: none per adapter. Entry points declare different storage at the same binding numbers; WGSL
//   forbids that only within one entry point.
// Includes: lib/grid.wgsl (linear_index).
// #include "grid"

override WORKGROUP_SIZE: u32 = 64;
override LOG: u32 = 0u;
override DENSE_TARGETS: u32 = 0u;

struct Params {
  rows: u32,
  classes: u32,
  scale: f32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

// main and cross_entropy
@group(0) @binding(1) var<storage, read> x: array<f32>;
// main
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
// backward
@group(0) @binding(1) var<storage, read> y_saved: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
// cross_entropy
@group(0) @binding(2) var<storage, read> targets: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(5) var<storage, read_write> fault: atomic<u32>;

// One row of x (main and cross_entropy): where it starts, m, s and log(s).
struct Row {
  base: u32,
  m: f32,
  s: f32,
  log_s: f32,
}

fn read_row(row: u32) -> Row {
  let base = row * params.classes;
  var m = x[base];
  for (var c = 1u; c < params.classes; c++) {
    m = max(m, x[base + c]);
  }
  var s = 0.0;
  for (var c = 0u; c < params.classes; c++) {
    s += exp(x[base + c] - m);
  }
  return Row(base, m, s, log(s));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = linear_index(gid, groups);
  if (row >= params.rows) {
    return;
  }
  let r = read_row(row);
  for (var c = 0u; c < params.classes; c++) {
    let shifted = x[r.base + c] - r.m;
    y[r.base + c] = select(exp(shifted) / r.s, shifted - r.log_s, LOG == 1u);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = linear_index(gid, groups);
  if (row >= params.rows) {
    return;
  }
  let base = row * params.classes;
  var total = 0.0;
  for (var c = 0u; c < params.classes; c++) {
    total += select(dy[base + c] * y_saved[base + c], dy[base + c], LOG == 1u);
  }
  for (var c = 0u; c < params.classes; c++) {
    let g = dy[base + c];
    let v = y_saved[base + c];
    dx[base + c] = select(v * (g - total), g - exp(v) * total, LOG == 1u);
  }
}

// Non-finite values are built from bits held in a `var`: WGSL rejects a NaN constant expression.
fn nan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn cross_entropy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = linear_index(gid, groups);
  if (row >= params.rows) {
    return;
  }
  let r = read_row(row);
  if (DENSE_TARGETS == 0u) {
    let label = targets[row];
    // The exponent test catches NaN and ±Inf from the bits, which no fast-math assumption can fold away.
    let finite = (bitcast<u32>(label) & 0x7f800000u) != 0x7f800000u;
    if (!(finite && label >= 0.0 && label < f32(params.classes) && trunc(label) == label)) {
      atomicMin(&fault, row);
      loss[row] = nan();
      for (var c = 0u; c < params.classes; c++) {
        dlogits[r.base + c] = nan();
      }
      return;
    }
    let k = u32(label);
    // −logp[k], grouped so that a large max cancels exactly before log(s) is added.
    loss[row] = r.log_s - (x[r.base + k] - r.m);
    // p[k] − 1 is written as −Σ_{c≠k} p[c]: when p[k] ≈ 1 (a confident, correct row) the difference
    // p[k] − 1 would keep only the few bits of p[k] below 1, while the sum keeps full relative precision.
    var rest = 0.0;
    for (var c = 0u; c < params.classes; c++) {
      if (c != k) {
        let e = exp(x[r.base + c] - r.m);
        rest += e;
        dlogits[r.base + c] = params.scale * (e / r.s);
      }
    }
    dlogits[r.base + k] = -params.scale * (rest / r.s);
    return;
  }
  var weighted = 0.0;
  var mass = 0.0;
  for (var c = 0u; c < params.classes; c++) {
    let t = targets[r.base + c];
    weighted += t * (r.log_s - (x[r.base + c] - r.m));
    mass += t;
  }
  loss[row] = weighted;
  for (var c = 0u; c < params.classes; c++) {
    dlogits[r.base + c] = params.scale * (exp(x[r.base + c] - r.m) / r.s * mass - targets[r.base + c]);
  }
}
