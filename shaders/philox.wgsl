// philox — counter-based random numbers: the Philox4x32-10 generator (Salmon, Moraes, Dror & Shaw,
//   "Parallel random numbers: as easy as 1, 2, 3", SC 2011) and f32 uniform and normal samples built on it.
//
// Generator: block(counter: 4×u32, key: 2×u32) -> 4×u32 is ten rounds of
//     (c0, c1, c2, c3) <- (hi(M1·c2) ^ c1 ^ k0,  lo(M1·c2),  hi(M0·c0) ^ c3 ^ k1,  lo(M0·c0))
//   with M0 = 0xD2511F53, M1 = 0xCD9E8D57 and the key bumped by (0x9E3779B9, 0xBB67AE85) before every round
//   after the first. hi/lo are the two halves of the 64-bit product; WGSL has no 64-bit integers, so the
//   high half is assembled from 16-bit limbs. Invocation t evaluates block(params.counter + t, params.key),
//   the addition carrying through all 128 counter bits.
// Streams: for a stream position p < 2⁵³ the caller sets params.counter = (p div 4 as two words, 0, 0) and
//   shift = p mod 4, so element e of the output is word (e + shift) mod 4 of invocation (e + shift) div 4:
//   element e is drawn at position p + e, and a draw at offset p + k continues the one at p exactly.
// Entry points:
//   main   out[e] = offset + scale·s, where s is a uniform (NORMAL = 0) or a standard normal (NORMAL = 1)
//          sample of the element's word(s);
//   noise  noisy[e] = x[e] + scale·z with z the NORMAL = 1 sample, clamped to [lo, hi] when CLIP = 1;
//   bits   words[4t + l] = word l of invocation t's block, for the known-answer tests.
// Samples: uniform u = (w >> 8)·2⁻²⁴ ∈ [0, 1 − 2⁻²⁴]: 24 bits fill the f32 significand, so every value is
//   exact and equally likely. Normal: Box–Muller on word pairs (w0, w1) and (w2, w3),
//     u1 = ((w0 >> 9) + 0.5)·2⁻²³ ∈ (0, 1)   (never 0, so the log is finite; tails are cut at √(48 ln 2) ≈ 5.77σ)
//     θ  = 2π·u(w1) − π ∈ [−π, π)            (the range where WGSL bounds the error of sin and cos)
//     z0 = r·cos θ,  z1 = r·sin θ,  r = √(−2 ln u1),  and likewise z2, z3 from (w2, w3).
//   SwiftShader's sin/cos are ~2e-4 off (inside WGSL's bound), so z differs from a float64 Box–Muller on
//   the same words by up to ~1e-3 at |z| ≈ 4; the distribution is unaffected at any sample size we use.
// Layout: out, x, noisy: flat f32 arrays of `size` elements. bits: `size` counts blocks, and words holds
//   4·size u32 values. The entry points declare different variables at bindings 1 and 2, which WGSL
//   allows because no entry point uses two of them.
// Work: one invocation per block of four elements (no barriers), WORKGROUP_SIZE per workgroup; the grid may
//   be folded into two dimensions (linear index gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Edges: lanes whose element index falls before 0 (the shift) or at/after `size` are not written.
// Variants: NORMAL 0/1 for main, CLIP 0/1 for noise; integer arithmetic plus one log/sqrt/sin/cos per
//   pair, the same on every adapter.

override WORKGROUP_SIZE: u32 = 64;
override NORMAL: u32 = 0u;
override CLIP: u32 = 0u;

struct Params {
  counter: vec4<u32>,
  key: vec2<u32>,
  size: u32,
  shift: u32,
  offset: f32,
  scale: f32,
  lo: f32,
  hi: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> noisy: array<f32>;
@group(0) @binding(1) var<storage, read_write> words: array<u32>;

const M0: u32 = 0xD2511F53u;
const M1: u32 = 0xCD9E8D57u;
const W0: u32 = 0x9E3779B9u;
const W1: u32 = 0xBB67AE85u;

// High 32 bits of the 64-bit product a·b, from four 16×16-bit partial products (each fits in u32).
fn mul_hi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lo_hi = a_lo * b_hi;
  let hi_lo = a_hi * b_lo;
  // Bits 16..47 of the product's middle: at most 3·(2¹⁶ − 1), so no overflow.
  let middle = ((a_lo * b_lo) >> 16u) + (lo_hi & 0xffffu) + (hi_lo & 0xffffu);
  return a_hi * b_hi + (lo_hi >> 16u) + (hi_lo >> 16u) + (middle >> 16u);
}

fn philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) {
      k += vec2<u32>(W0, W1);
    }
    c = vec4<u32>(mul_hi(M1, c.z) ^ c.y ^ k.x, M1 * c.z, mul_hi(M0, c.x) ^ c.w ^ k.y, M0 * c.x);
  }
  return c;
}

// params.counter + t as a 128-bit integer.
fn counter_at(t: u32) -> vec4<u32> {
  let base = params.counter;
  let x = base.x + t;
  let y = base.y + select(0u, 1u, x < t);
  let z = base.z + select(0u, 1u, y < base.y);
  let w = base.w + select(0u, 1u, z < base.z);
  return vec4<u32>(x, y, z, w);
}

fn uniform4(w: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(w >> vec4<u32>(8u)) * (1.0 / 16777216.0);
}

fn normal4(w: vec4<u32>) -> vec4<f32> {
  let u1 = (vec2<f32>(w.xz >> vec2<u32>(9u)) + 0.5) * (1.0 / 8388608.0);
  let theta = uniform4(w).yw * 6.283185307179586 - 3.141592653589793;
  let r = sqrt(-2.0 * log(u1));
  return vec4<f32>(r.x * cos(theta.x), r.x * sin(theta.x), r.y * cos(theta.y), r.y * sin(theta.y));
}

fn sample4(w: vec4<u32>) -> vec4<f32> {
  if (NORMAL == 1u) {
    return normal4(w);
  }
  return uniform4(w);
}

fn invocation(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP_SIZE;
}

// Output element of lane l of invocation t, or 0xffffffff when that lane writes nothing.
fn element(t: u32, l: u32) -> u32 {
  let position = 4u * t + l;
  if (position < params.shift || position - params.shift >= params.size) {
    return 0xffffffffu;
  }
  return position - params.shift;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = invocation(gid, groups);
  if (4u * t >= params.size + params.shift) {
    return;
  }
  let s = sample4(philox(counter_at(t), params.key));
  for (var l = 0u; l < 4u; l++) {
    let e = element(t, l);
    if (e != 0xffffffffu) {
      out[e] = params.offset + params.scale * s[l];
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn noise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = invocation(gid, groups);
  if (4u * t >= params.size + params.shift) {
    return;
  }
  let z = normal4(philox(counter_at(t), params.key));
  for (var l = 0u; l < 4u; l++) {
    let e = element(t, l);
    if (e != 0xffffffffu) {
      let value = x[e] + params.scale * z[l];
      noisy[e] = select(value, clamp(value, params.lo, params.hi), CLIP == 1u);
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn bits(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = invocation(gid, groups);
  if (t >= params.size) {
    return;
  }
  let block = philox(counter_at(t), params.key);
  for (var l = 0u; l < 4u; l++) {
    words[4u * t + l] = block[l];
  }
}
