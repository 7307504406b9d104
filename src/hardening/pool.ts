/**
 * One pool of adversarial training examples (Szegedy et al. 2014, §4.2: "a pool of adversarial examples a
 * random subset of which is continuously replaced by newly generated adversarial examples and which is
 * mixed into the original training set all the time"), for one layer: the input (images), or a hidden
 * sigmoid layer whose activations the layers above it classify. An entry is an adversarial input of that
 * layer with the true label of the image it came from; training asks the layers above to classify it
 * correctly. Entries live on the CPU; each step uploads the few it samples.
 */
import { findBlindSpots, type AttackReport } from '../attack/attack.ts';
import type { CSearchOptions } from '../attack/cSearch.ts';
import type { Classifier, Model } from '../nn/model.ts';
import type { LabelledImages } from '../data/idx.ts';
import { MNIST_PIXELS } from '../data/idx.ts';
import { tensor } from '../tensor/ops/fill.ts';
import { tidy } from '../tensor/context.ts';
import { noGrad } from '../tensor/record.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Rng } from '../util/random.ts';

/** The search's budget for training: a fraction of the reproduction's (which has 100 iterations, 10 refinements, 0.5%). */
export interface PoolSearch {
  /** L-BFGS-B iterations per c. */
  maxIterations: number;
  /** Refinements of c after the bracket. */
  maxRefinements: number;
  /** Distortion tolerance of the c search. */
  distortionTolerance: number;
}

/** Which layer a pool serves: 'input', or the index of a hidden sigmoid layer. */
export type PoolLayer = 'input' | number;

export interface PoolStats {
  layer: PoolLayer;
  /** Entries held (up to the capacity). */
  size: number;
  /** Entries written so far (replacements included). */
  inserted: number;
  /** Mean RMS distortion of the entries held (per value of the layer). */
  meanDistortion: number | null;
  /** Searches run and the share that succeeded. */
  searches: number;
  successRate: number | null;
}

export class AdversarialPool {
  /** Entries [capacity × width], labels [capacity]; the first `size` are filled. */
  private readonly inputs: Float32Array;
  private readonly labels: Int32Array;
  private readonly targets: Int32Array;
  private readonly distortions: Float64Array;
  private filled = 0;
  private insertedCount = 0;
  private searchCount = 0;
  private successCount = 0;
  /** Successful c of recent searches: the next refresh starts its c search at their median. */
  private recentC: number[] = [];
  readonly classifier: Classifier;
  readonly width: number;

  constructor(
    readonly model: Model,
    readonly layer: PoolLayer,
    readonly capacity: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new Error(`adversarial pool: capacity must be an integer ≥ 1, got ${capacity}`);
    this.classifier = layer === 'input' ? model : model.above(layer);
    this.width = this.classifier.inputSize;
    this.inputs = new Float32Array(capacity * this.width);
    this.labels = new Int32Array(capacity);
    this.targets = new Int32Array(capacity);
    this.distortions = new Float64Array(capacity);
  }

  get size(): number {
    return this.filled;
  }

  /**
   * Make adversarial examples for `images` (correctly classified ones are attacked, each towards one random
   * wrong target) against the current network, and write the successful ones over random entries (or into
   * free ones while the pool fills). Returns the search's report.
   */
  async refresh(images: LabelledImages, search: PoolSearch, rng: Rng): Promise<AttackReport> {
    const inputs = await this.layerInputs(images);
    const cSearch: Partial<CSearchOptions> = {
      maxRefinements: search.maxRefinements,
      distortionTolerance: search.distortionTolerance,
      ...(this.recentC.length > 0 ? { initialC: median(this.recentC) } : {}),
    };
    const report = await findBlindSpots(this.classifier, inputs, images.labels, {
      targets: { kind: 'random', seed: rng.int(2 ** 31) },
      lbfgsb: { maxIterations: search.maxIterations },
      cSearch,
    });
    for (const image of report.images) {
      if (!image.attacked) continue;
      this.searchCount++;
      const found = image.best;
      if (!found?.adversarial) continue;
      this.successCount++;
      this.recentC.push(found.c);
      const slot = this.filled < this.capacity ? this.filled++ : rng.int(this.capacity);
      this.inputs.set(found.adversarial, slot * this.width);
      this.labels[slot] = image.label;
      this.targets[slot] = found.target;
      this.distortions[slot] = found.distortion;
      this.insertedCount++;
    }
    this.recentC = this.recentC.slice(-256);
    return report;
  }

  /** `count` entries drawn uniformly (with replacement) as GPU tensors: inputs [count, width] and labels [count]. */
  sample(count: number, rng: Rng): { inputs: Tensor; labels: Tensor } {
    if (this.filled === 0) throw new Error(`adversarial pool of ${this.describe()}: empty`);
    const inputs = new Float32Array(count * this.width);
    const labels = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const slot = rng.int(this.filled);
      inputs.set(this.inputs.subarray(slot * this.width, (slot + 1) * this.width), i * this.width);
      labels[i] = this.labels[slot];
    }
    const engine = this.model.engine;
    return { inputs: tensor(engine, inputs, [count, this.width]), labels: tensor(engine, labels, [count]) };
  }

  /** Entry `slot`: the adversarial input, the true label it trains towards, the target it was made for. */
  entry(slot: number): { input: Float32Array; label: number; target: number; distortion: number } {
    if (!(slot >= 0 && slot < this.filled)) throw new Error(`adversarial pool: no entry ${slot} (it holds ${this.filled})`);
    const input = this.inputs.slice(slot * this.width, (slot + 1) * this.width);
    return { input, label: this.labels[slot], target: this.targets[slot], distortion: this.distortions[slot] };
  }

  stats(): PoolStats {
    let sum = 0;
    for (let i = 0; i < this.filled; i++) sum += this.distortions[i];
    return {
      layer: this.layer,
      size: this.filled,
      inserted: this.insertedCount,
      meanDistortion: this.filled ? sum / this.filled : null,
      searches: this.searchCount,
      successRate: this.searchCount ? this.successCount / this.searchCount : null,
    };
  }

  describe(): string {
    return this.layer === 'input' ? 'the input' : `layer ${this.layer}`;
  }

  /** What the pool's classifier reads for `images`: the images, or the layer's activations. */
  private async layerInputs(images: LabelledImages): Promise<Float32Array> {
    if (this.layer === 'input') return images.images;
    const engine = this.model.engine;
    const layer = this.layer;
    const x = tensor(engine, images.images, [images.count, MNIST_PIXELS]);
    const hidden = noGrad(engine, () => tidy(engine, () => this.model.layerOutputs(x)[layer]));
    x.dispose();
    const values = await hidden.data();
    hidden.dispose();
    // Sigmoid outputs are in [0, 1]; float32 rounding can reach 1 exactly, which the box allows.
    return values;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
