/** Float64 references for softmax, log-softmax and softmax cross-entropy over the last axis. */
import type { OpReference, RefArray } from '../helpers/checkOp.ts';

/** Log-probabilities of each row of x viewed as [rows, classes], shifted by the row maximum. */
function logSoftmaxRows(x: RefArray): { logp: Float64Array; rows: number; classes: number } {
  const classes = x.shape[x.shape.length - 1];
  const rows = x.data.length / classes;
  const logp = new Float64Array(x.data.length);
  for (let r = 0; r < rows; r++) {
    const row = x.data.subarray(r * classes, (r + 1) * classes);
    const m = Math.max(...row);
    const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    for (let c = 0; c < classes; c++) logp[r * classes + c] = row[c] - m - logSum;
  }
  return { logp, rows, classes };
}

export function softmaxReference(log: boolean): OpReference {
  return {
    forward: ([x]) => {
      const { logp } = logSoftmaxRows(x);
      return { data: log ? logp : logp.map(Math.exp), shape: x.shape };
    },
    backward: ([x], g) => {
      const { logp, rows, classes } = logSoftmaxRows(x);
      const dx = new Float64Array(x.data.length);
      for (let r = 0; r < rows; r++) {
        const at = (c: number) => r * classes + c;
        let total = 0;
        for (let c = 0; c < classes; c++) total += log ? g[at(c)] : g[at(c)] * Math.exp(logp[at(c)]);
        for (let c = 0; c < classes; c++) {
          const p = Math.exp(logp[at(c)]);
          dx[at(c)] = log ? g[at(c)] - p * total : p * (g[at(c)] - total);
        }
      }
      return [dx];
    },
  };
}

/** Target weights [rows, classes]: the one-hot rows of class indices, or dense targets as given. */
function targetRows(labels: RefArray, rows: number, classes: number): Float64Array {
  if (labels.shape.length === 2) return labels.data;
  const t = new Float64Array(rows * classes);
  labels.data.forEach((k, r) => (t[r * classes + k] = 1));
  return t;
}

/** Inputs [logits, labels]; labels are class indices [rows] or targets [rows, classes]. */
export function crossEntropyReference(reduction: 'mean' | 'sum' | 'none'): OpReference {
  return {
    forward: ([logits, labels]) => {
      const { logp, rows, classes } = logSoftmaxRows(logits);
      const t = targetRows(labels, rows, classes);
      const losses = new Float64Array(rows);
      for (let i = 0; i < t.length; i++) losses[Math.floor(i / classes)] -= t[i] * logp[i];
      if (reduction === 'none') return { data: losses, shape: [rows] };
      const total = losses.reduce((s, v) => s + v, 0);
      return { data: Float64Array.of(reduction === 'mean' ? total / rows : total), shape: [] };
    },
    backward: ([logits, labels], g) => {
      const { logp, rows, classes } = logSoftmaxRows(logits);
      const t = targetRows(labels, rows, classes);
      const dlogits = new Float64Array(logp.length);
      for (let r = 0; r < rows; r++) {
        const upstream = reduction === 'none' ? g[r] : reduction === 'mean' ? g[0] / rows : g[0];
        let mass = 0;
        for (let c = 0; c < classes; c++) mass += t[r * classes + c];
        for (let c = 0; c < classes; c++) {
          const i = r * classes + c;
          dlogits[i] = upstream * (Math.exp(logp[i]) * mass - t[i]);
        }
      }
      return [dlogits, null];
    },
  };
}
