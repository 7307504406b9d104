import { describe, expect, it } from 'vitest';
import type { LayerBound } from '../../src/analysis/layerBounds.ts';
import type { MeasuredRatios, RatioStats } from '../../src/analysis/pairRatios.ts';
import type { SpectralAnalysis } from '../../src/analysis/spectral.ts';
import { renderModelTable, renderSpectralSection } from '../../src/report/spectral.ts';

const power = (estimate: number, passes: number) => ({
  estimate,
  upperBound: estimate * 1.01,
  certifiedMargin: 1 - 1 / 1.01 ** 2,
  passes,
  starts: 8,
  dimension: 784,
  failureProbability: 1e-6,
  recentChange: 0,
});

const layers: LayerBound[] = [
  { index: 0, kind: 'conv', inputShape: [1, 28, 28], outputShape: [16, 24, 24], kernel: 5, stride: 1, padding: 0, activation: 'relu', activationConstant: 1, power: power(10, 440), dft: { value: 10.05, periods: [28, 28], worstFrequency: [3, 4] }, linearBound: 10.05, method: 'DFT', bound: 10.05 },
  { index: 1, kind: 'maxpool', inputShape: [16, 24, 24], outputShape: [16, 12, 12], kernel: 2, stride: 2, padding: 0, activation: null, activationConstant: 1, power: null, dft: null, linearBound: null, method: 'max-pooling', bound: 1 },
  { index: 2, kind: 'dense', inputShape: [16, 12, 12], outputShape: [10], kernel: null, stride: null, padding: null, activation: 'sigmoid', activationConstant: 0.25, power: power(8, 470), dft: null, linearBound: 8.08, method: 'power iteration', bound: 2.02 },
];

const stats = (max: number, median: number): RatioStats => ({ pairs: 50, max, median, skipped: 0 });
const ratios = (scale: number): MeasuredRatios => ({ layers: [stats(3 * scale, 2 * scale), stats(1, 0.5), stats(scale, scale / 2)], network: stats(4 * scale, 2 * scale) });

function analysis(model: string, withPairs: boolean, violations: string[] = []): SpectralAnalysis {
  return {
    model,
    bounds: { model, layers, product: 10.05 * 2.02, failureProbability: 2e-6, seconds: 3 },
    pairs: withPairs ? 50 : 0,
    adversarial: withPairs ? ratios(1) : null,
    gaussian: withPairs ? ratios(0.1) : null,
    certified: withPairs ? { count: 50, meanLower: 0.004, meanLowerAny: 0.003, meanUpper: 0.06, ratio: 15, medianRatio: 14, violations: 0, examples: [] } : null,
    violations,
    seconds: 9,
  };
}

describe('the spectral section', () => {
  it('renders Table 5 per model: shapes, stride, both norms, the bound and its method, measured ratios, the product', () => {
    const table = renderModelTable(analysis('convnet', true));
    const rows = table.split('\n');
    expect(rows).toHaveLength(2 + layers.length + 1);
    expect(rows[2]).toContain('| 0 | conv 5×5 + relu | 1×28×28 → 16×24×24 | 1 | 0 | 10.00 ≤ ‖W‖ ≤ 10.10 | 10.05 (28×28 torus) | 1 | **10.05** (DFT) | 3.000 / 2.000 | 0.3000 / 0.2000 |');
    expect(rows[3]).toContain('| 1 | max-pool 2×2 | 16×24×24 → 16×12×12 | 2 | 0 | – | – | – | **1.000** (max-pooling) |');
    expect(rows[4]).toContain('| dense + sigmoid | 16×12×12 → 10 | – | – | 8.000 ≤ ‖W‖ ≤ 8.080 | – | ¼ | **2.020** (power iteration) |');
    expect(rows[5]).toContain('| all | network (input → logits) | 1×28×28 → 10 |');
    expect(rows[5]).toContain('**20.30** (∏ L_k) | 4.000 / 2.000 | 0.4000 / 0.2000 |');
    // Without pairs: dashes where the measurements would be.
    expect(renderModelTable(analysis('bare', false)).split('\n')[2]).toMatch(/\| – \| – \|$/);
  });

  it('states the method, the boundary assumption, the softmax bound and the paper\'s AlexNet numbers', () => {
    const section = renderSpectralSection([analysis('convnet', true), analysis('FC10', false)]);
    expect(section).toContain('## Table 5');
    expect(section).toContain('### convnet');
    expect(section).toContain('### FC10');
    expect(section).toContain('8 Gaussian starts side by side, 440–470 passes fixed in advance');
    expect(section).toContain('at most 1.00% above the estimate, δ = 1e-6');
    expect(section).toMatch(/exact for a \*periodic\* convolution/);
    expect(section).toContain('‖J‖₂ ≤ ½');
    expect(section).toContain('conv 1–5: 2.75, 10, 7, 7.5, 11; fully connected 1–3: 3.12, 4, 4');
    expect(section).toContain('No measured ratio exceeds its bound.');
    // The bracket table lists only models with pairs.
    expect(section).toContain('| convnet | 50 | 0.00400 | 0.00300 | 0.0600 | 15.00 | 14.00 |');
    expect(section).not.toContain('| FC10 | 0 |');
    // The reading, from the numbers: adversarial vs Gaussian medians 2/0.2, ∏ L_k over the largest ratio 20.3/4.
    expect(section).toContain('is 10.00× the median on Gaussian perturbations');
    expect(section).toContain('Deeper nets (convnet)');
    expect(section).toContain('by 5.075×');
    expect(section).toContain('are 15.00× the certified radii');
    expect(section).not.toContain('One linear layer');
    // A one-layer model: how much of ‖W‖ the pairs reach (4 of 5), and its bracket.
    const shallow = analysis('FC10(1)', true);
    shallow.bounds = { ...shallow.bounds, layers: [layers[2]], product: 5 };
    const both = renderSpectralSection([analysis('convnet', true), shallow]);
    expect(both).toContain('One linear layer (FC10(1)): the bound is almost reached');
    expect(both).toContain('the adversarial pairs reach 80% of it');
    expect(both).toContain('Deeper nets (convnet)');
  });

  it('lists violations loudly, and says when there are no pairs', () => {
    const section = renderSpectralSection([analysis('FC10', false, ['FC10 layer 0: adversarial ratio 5 above the bound 4'])]);
    expect(section).toContain('**Bound violations (bugs):**\n- FC10 layer 0: adversarial ratio 5 above the bound 4');
    expect(section).toContain('No adversarial pairs were given');
  });
});
