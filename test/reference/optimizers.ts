/**
 * Float64 references for the in-place optimizer kernels, written from the formulas (not from the kernels):
 * each function advances its state arrays by one step, in place.
 */

/** v ← μ·v + (g + λ·w); w ← w − lr·v. */
export function sgdMomentumStep(
  w: Float64Array,
  g: ArrayLike<number>,
  v: Float64Array,
  o: { lr: number; momentum: number; weightDecay: number },
): void {
  for (let i = 0; i < w.length; i++) {
    v[i] = o.momentum * v[i] + g[i] + o.weightDecay * w[i];
    w[i] -= o.lr * v[i];
  }
}

/** Kingma & Ba's Algorithm 1 at step t, with L2 (coupled) or decoupled (AdamW) weight decay λ. */
export function adamStep(
  w: Float64Array,
  g: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  o: { lr: number; step: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean },
): void {
  for (let i = 0; i < w.length; i++) {
    const grad = o.decoupled ? g[i] : g[i] + o.weightDecay * w[i];
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * grad;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * grad * grad;
    const mHat = m[i] / (1 - o.beta1 ** o.step);
    const vHat = v[i] / (1 - o.beta2 ** o.step);
    w[i] -= o.lr * (mHat / (Math.sqrt(vHat) + o.eps) + (o.decoupled ? o.weightDecay * w[i] : 0));
  }
}
