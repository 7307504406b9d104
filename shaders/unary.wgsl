// unary — out[i] = f(x[i]) for one elementwise f chosen by OP, with scalars a and b from the uniforms:
//    0 sigmoid   1 / (1 + e^-x), evaluated from e^-|x| so no intermediate overflows
//    1 relu      max(x, 0)
//    2 tanh      tanh(x), argument clamped to ±10 (tanh(±10) rounds to ±1 in f32) because WGSL lets
//                tanh be computed as sinh/cosh, which overflows for large |x|
//    3 exp       4 log       5 square (x·x)       6 sqrt       7 neg (−x)       8 abs
//    9 add       x + a
//   10 mul       x · a
//   11 pow       b · x^a; for x < 0 only integer a is defined (sign from a's parity), other a give NaN;
//                x^0 = 1 everywhere; 0^a is 0 for a > 0 and +inf for a < 0 (not exp2(a·log2 0), which
//                WGSL leaves undefined)
//   12 clamp     min(max(x, a), b)
//   Derivative factors that backward rules multiply the output gradient by (the activations' derivatives
//   are in activation_grad.wgsl, fused with that multiplication):
//   13 sign(x)                 (|x|', 0 at 0)
//   14 1 if a ≤ x ≤ b else 0   (clamp', the bounds count as inside)
//   A test, not differentiable:
//   15 finite    1 if x is neither NaN nor ±inf else 0, read from the exponent bits (a comparison could be
//                folded away by a compiler that assumes finite math, which WGSL permits)
//
// Layout: x and out are flat f32 arrays of `size` elements (any shape; elementwise).
// Work: one invocation per element, WORKGROUP_SIZE per workgroup; the grid may be folded into two
//   dimensions (linear index gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE).
// Edges: invocations past `size` return.
// Variants: none; memory-bound on every adapter.

override WORKGROUP_SIZE: u32 = 64;
override OP: u32 = 0u;

struct Params {
  size: u32,
  a: f32,
  b: f32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// Non-finite results are built from bits held in a `var`: WGSL rejects an inf or NaN constant expression.
fn non_finite(bits: u32) -> f32 {
  var held = bits;
  return bitcast<f32>(held);
}

fn sigmoid(v: f32) -> f32 {
  let e = exp(-abs(v));
  return select(e, 1.0, v >= 0.0) / (1.0 + e);
}

// x^e with the sign rules of real powers for negative bases and integer exponents.
fn signed_pow(v: f32, e: f32) -> f32 {
  if (e == 0.0) {
    return 1.0;
  }
  if (v == 0.0) {
    // 0 for positive powers, +inf (the pole) for negative ones.
    return select(non_finite(0x7f800000u), 0.0, e > 0.0);
  }
  let magnitude = pow(abs(v), e);
  if (v > 0.0) {
    return magnitude;
  }
  if (trunc(e) != e) {
    return non_finite(0x7fc00000u);
  }
  return select(magnitude, -magnitude, fract(e * 0.5) != 0.0);
}

fn apply(v: f32) -> f32 {
  let a = params.a;
  let b = params.b;
  switch OP {
    case 0u: { return sigmoid(v); }
    case 1u: { return max(v, 0.0); }
    case 2u: { return tanh(clamp(v, -10.0, 10.0)); }
    case 3u: { return exp(v); }
    case 4u: { return log(v); }
    case 5u: { return v * v; }
    case 6u: { return sqrt(v); }
    case 7u: { return -v; }
    case 8u: { return abs(v); }
    case 9u: { return v + a; }
    case 10u: { return v * a; }
    case 11u: { return b * signed_pow(v, a); }
    case 12u: { return min(max(v, a), b); }
    case 13u: { return sign(v); }
    case 14u: { return select(0.0, 1.0, v >= a && v <= b); }
    default: { return select(0.0, 1.0, (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u); }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  out[i] = apply(x[i]);
}
