/** A float64 CPU implementation of a sigmoid MLP with softmax cross-entropy: forward and backward. */

export interface MlpLayer {
  weight: Float64Array; // [inputs, outputs] row-major
  bias: Float64Array;
  inputs: number;
  outputs: number;
  sigmoid: boolean;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Mean cross-entropy over the batch and the gradient of every weight, bias and of the input. */
export function mlpLossAndGradients(layers: MlpLayer[], x: Float64Array, labels: Int32Array, batch: number) {
  const activations: Float64Array[] = [x];
  for (const layer of layers) {
    const input = activations[activations.length - 1];
    const out = new Float64Array(batch * layer.outputs);
    for (let b = 0; b < batch; b++)
      for (let o = 0; o < layer.outputs; o++) {
        let z = layer.bias[o];
        for (let i = 0; i < layer.inputs; i++) z += input[b * layer.inputs + i] * layer.weight[i * layer.outputs + o];
        out[b * layer.outputs + o] = layer.sigmoid ? sigmoid(z) : z;
      }
    activations.push(out);
  }
  const logits = activations[activations.length - 1];
  const classes = layers[layers.length - 1].outputs;
  let loss = 0;
  let delta = new Float64Array(batch * classes);
  for (let b = 0; b < batch; b++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[b * classes + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[b * classes + k] - max);
    const logSum = max + Math.log(sum);
    loss += logSum - logits[b * classes + labels[b]];
    for (let k = 0; k < classes; k++) delta[b * classes + k] = (Math.exp(logits[b * classes + k] - logSum) - (k === labels[b] ? 1 : 0)) / batch;
  }
  loss /= batch;
  const weightGrads: Float64Array[] = [];
  const biasGrads: Float64Array[] = [];
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l];
    const input = activations[l];
    const output = activations[l + 1];
    if (layer.sigmoid) for (let j = 0; j < delta.length; j++) delta[j] *= output[j] * (1 - output[j]);
    const gw = new Float64Array(layer.inputs * layer.outputs);
    const gb = new Float64Array(layer.outputs);
    const gin = new Float64Array(batch * layer.inputs);
    for (let b = 0; b < batch; b++)
      for (let o = 0; o < layer.outputs; o++) {
        const d = delta[b * layer.outputs + o];
        gb[o] += d;
        for (let i = 0; i < layer.inputs; i++) {
          gw[i * layer.outputs + o] += input[b * layer.inputs + i] * d;
          gin[b * layer.inputs + i] += layer.weight[i * layer.outputs + o] * d;
        }
      }
    weightGrads.unshift(gw);
    biasGrads.unshift(gb);
    delta = gin;
  }
  return { loss, activations, weightGrads, biasGrads, inputGrad: delta };
}
