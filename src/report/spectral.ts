/**
 * The spectral section of report.md (and of `blindspot spectrum`): Table 5 for our models — per layer its
 * shapes, stride, the bound and how it was found, beside the ratios measured on adversarial and Gaussian
 * pairs — then the certified bracket of the smallest label-changing perturbation, with what it shows.
 * Markdown from the plain data of analysis/spectral.ts.
 */
import type { LayerBound } from '../analysis/layerBounds.ts';
import type { RatioStats } from '../analysis/pairRatios.ts';
import type { SpectralAnalysis } from '../analysis/spectral.ts';
import { PAPER_TABLE5 } from './paperNumbers.ts';
import { table } from './markdownTable.ts';

const fixed = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const sig = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : Math.abs(x) >= 1e5 ? x.toExponential(3) : x.toPrecision(4);


const shape = (s: number[]): string => s.join('×');
const ratio = (r: RatioStats | undefined): string => (r && r.pairs > 0 ? `${sig(r.max)} / ${sig(r.median)}` : '–');

function kindOf(l: LayerBound): string {
  if (l.kind === 'maxpool') return `max-pool ${l.kernel}×${l.kernel}`;
  const act = l.activation === 'none' ? '' : ` + ${l.activation}`;
  return l.kind === 'conv' ? `conv ${l.kernel}×${l.kernel}${act}` : `dense${act}`;
}

function linearCell(l: LayerBound): string {
  if (!l.power) return '–';
  return `${sig(l.power.estimate)} ≤ ‖W‖ ≤ ${sig(l.power.upperBound)}`;
}

function dftCell(l: LayerBound): string {
  return l.dft ? `${sig(l.dft.value)} (${l.dft.periods.join('×')} torus)` : '–';
}

function constantCell(l: LayerBound): string {
  if (l.kind === 'maxpool') return '–';
  return l.activationConstant === 0.25 ? '¼' : String(l.activationConstant);
}

/** Table 5 of one model: a row per layer and one for the whole network. */
export function renderModelTable(a: SpectralAnalysis): string {
  const rows = a.bounds.layers.map((l, k) => [
    String(k),
    kindOf(l),
    `${shape(l.inputShape)} → ${shape(l.outputShape)}`,
    l.stride === null ? '–' : String(l.stride),
    l.padding === null ? '–' : String(l.padding),
    linearCell(l),
    dftCell(l),
    constantCell(l),
    `**${sig(l.bound)}** (${l.method})`,
    ratio(a.adversarial?.layers[k]),
    ratio(a.gaussian?.layers[k]),
  ]);
  const first = a.bounds.layers[0];
  const last = a.bounds.layers[a.bounds.layers.length - 1];
  rows.push([
    'all',
    'network (input → logits)',
    `${shape(first.inputShape)} → ${shape(last.outputShape)}`,
    '',
    '',
    '',
    '',
    '',
    `**${sig(a.bounds.product)}** (∏ L_k)`,
    ratio(a.adversarial?.network),
    ratio(a.gaussian?.network),
  ]);
  return table(
    ['layer', 'kind', 'shape in → out', 'stride', 'padding', '‖W‖ by power iteration (estimate ≤ ‖W‖ ≤ certified)', '‖W‖ by the DFT formula', 'activation constant', 'bound L_k', 'adversarial ratio max / median', 'Gaussian ratio max / median'],
    rows,
  );
}

function summaryTable(analyses: SpectralAnalysis[]): string {
  return table(
    ['model', '∏ L_k', 'pairs', 'largest measured ratio, adversarial', 'largest measured ratio, Gaussian', '∏ L_k / largest adversarial ratio', 'analysis (s)'],
    analyses.map((a) => [
      a.model,
      sig(a.bounds.product),
      String(a.pairs),
      sig(a.adversarial?.network.max),
      sig(a.gaussian?.network.max),
      a.adversarial ? sig(a.bounds.product / a.adversarial.network.max) : '–',
      fixed(a.seconds, 0),
    ]),
  );
}

function bracketTable(analyses: SpectralAnalysis[]): string {
  return table(
    ['model', 'images', 'certified radius, attack\'s target (mean)', 'certified radius, any label change (mean)', 'attack\'s distortion (mean)', 'distortion / certified radius (ratio of means)', 'median per image'],
    analyses
      .filter((a) => a.certified)
      .map((a) => {
        const c = a.certified!;
        return [a.model, String(c.count), fixed(c.meanLower, 5), fixed(c.meanLowerAny, 5), fixed(c.meanUpper, 4), sig(c.ratio), sig(c.medianRatio)];
      }),
  );
}

/** "f(a)" for one value (after formatting), "f(lo)–f(hi)" for a range. */
function range(values: number[], format: (x: number) => string = sig): string {
  const [lo, hi] = [format(Math.min(...values)), format(Math.max(...values))];
  return lo === hi ? lo : `${lo}–${hi}`;
}

/** What the measurements and the bracket show, in numbers taken from the results. */
function reading(analyses: SpectralAnalysis[]): string {
  const measured = analyses.filter((a) => a.adversarial && a.gaussian && a.certified && a.adversarial.network.pairs > 0);
  if (measured.length === 0) return 'No adversarial pairs were given, so there are no measured ratios and no bracket.';
  // One linear layer (softmax regression) against deeper nets: the product bound is exact only for the first.
  const shallow = measured.filter((a) => a.bounds.layers.length === 1);
  const deep = measured.filter((a) => a.bounds.layers.length > 1);
  const names = (group: SpectralAnalysis[]) => group.map((a) => a.model).join(', ');
  const lines = [
    `- **Adversarial directions are special.** Over the whole network, the median ratio ‖Δlogits‖/‖r‖ on the adversarial pairs is ${range(measured.map((a) => a.adversarial!.network.median / a.gaussian!.network.median))}× the median on Gaussian perturbations of the same norms: the logits move far more along the directions the attack finds than along random ones — the contrast of the paper's Gaussian-noise rows in Tables 2 and 4, where noise of a larger norm barely changes the error.`,
  ];
  if (shallow.length) {
    lines.push(
      `- **One linear layer (${names(shallow)}): the bound is almost reached, and the bracket is tight.** ∏ L_k is ‖W‖ itself and the adversarial pairs reach ${range(shallow.map((a) => a.adversarial!.network.max / a.bounds.product), (x) => `${(100 * x).toFixed(0)}%`)} of it: the attack's perturbations lie close to W's top singular directions. ` +
        `The attack's distortions are ${range(shallow.map((a) => a.certified!.ratio))}× the certified radii, and the radius for the target is the exact distance to the hyperplane z_y = z_t; the attack needs more because its target must beat every class, not only the true one, inside the [0, 1] box, and its search stops a little past the boundary.`,
    );
  }
  if (deep.length) {
    lines.push(
      `- **Deeper nets (${names(deep)}): the product of the layer bounds is loose.** ∏ L_k exceeds the largest whole-network ratio measured on adversarial pairs by ${range(deep.map((a) => a.bounds.product / a.adversarial!.network.max))}×: it assumes that every layer's worst direction feeds the next layer's worst direction and that every sigmoid or ReLU sits at its steepest point at once. ` +
        `The attack's distortions are ${range(deep.map((a) => a.certified!.ratio))}× the certified radii. Per image this ratio is L_{y,t}·‖r‖/(z_y − z_t): about how much faster the certificate lets the logit gap fall than it actually fell along the attack's perturbation (which stops just past the boundary).`,
    );
  }
  lines.push(
    '- **So**: the smallest label-changing perturbation of an image lies between its certified radius (none smaller exists) and the attack\'s distortion (the attack found one that size).' +
      (shallow.length ? ' For one linear layer the two nearly meet: the certificate all but gives the distance to the blind spots.' : '') +
      (deep.length
        ? ' For the deeper nets the bounds permit blind spots far closer than the attack finds them and cannot rule them out there; that they exist that close is shown only by the attack. ' +
          'As the paper says, large bounds do not by themselves prove that adversarial examples exist, while small ones would rule them out; ours are far too large to rule anything out at the distances the attack reaches.'
        : ''),
  );
  return lines.join('\n');
}

/** ", 8 Gaussian starts side by side, 440–470 passes fixed in advance (from the layer's input size) for a margin of 1%, δ = 1e-6". */
function powerSummary(analyses: SpectralAnalysis[]): string {
  const runs = analyses.flatMap((a) => a.bounds.layers).flatMap((l) => (l.power ? [l.power] : []));
  if (runs.length === 0) return '';
  const passes = runs.map((p) => p.passes);
  const margins = runs.map((p) => 1 / Math.sqrt(1 - p.certifiedMargin) - 1);
  return (
    `, ${range(runs.map((p) => p.starts), String)} Gaussian starts side by side, ${range(passes, String)} passes fixed in advance (from the layer's input size) ` +
    `so that the certified bound sits at most ${range(margins, (m) => `${(100 * m).toFixed(2)}%`)} above the estimate, δ = ${range(runs.map((p) => p.failureProbability), (d) => d.toExponential())}`
  );
}

/** The spectral section of the report: Table 5 per model, a summary, the certified bracket, and what the numbers mean. */
export function renderSpectralSection(analyses: SpectralAnalysis[]): string {
  const violations = analyses.flatMap((a) => a.violations);
  const perModel = analyses.map((a) => `### ${a.model}\n${renderModelTable(a)}`).join('\n\n');
  return `## Table 5 — spectral stability: upper Lipschitz bounds per layer

Each layer φ_k of our models satisfies ‖φ_k(x) − φ_k(x + r)‖ ≤ L_k‖r‖, so the whole network satisfies it with ∏ L_k (paper §4.3). A layer's bound is the operator norm of its weights times its activation's constant (sigmoid ¼, ReLU 1, none 1); non-overlapping max-pooling has bound 1. The biases do not matter. Beside each bound, the largest and the median ratio ‖φ_k(x) − φ_k(x′)‖ / ‖x_{k−1} − x′_{k−1}‖ measured on the saved adversarial pairs (x, x′) and on Gaussian pairs (x, x + g) with ‖g‖ = ‖x′ − x‖; a bound below a measured ratio would be a bug.

- **Power iteration** (all dense and conv layers): on WᵀW on the GPU, the adjoint being the engine's input gradient (transposed matmul, conv backward-input kernel)${powerSummary(analyses)}. The estimate is a lower bound on ‖W‖; the certified upper bound holds with probability at least 1 − δ per layer whatever the spectrum (a random-start argument, docs/spectral.md), times a float32 allowance of 1 + 10⁻⁴.
- **The paper's DFT formula** (conv layers): the largest singular value over frequencies of the D × (C·Δ²) matrix of the kernels' 2-D DFTs, in float64, the kernels zero-padded to a torus. Boundary assumption: the formula is exact for a *periodic* convolution. Ours are zero-padded ('valid' in the convnet); such a convolution is the periodic one restricted to inputs on the image and read at its outputs, exactly so on any torus of at least (input + padding) pixels per side that is a multiple of the stride — the torus shown, for a valid stride-1 convolution the input size itself, as the paper pads. So the DFT value lies above the exact norm, and the two meet as the image grows relative to the kernel.
- The bound used is the smaller of the two upper bounds on ‖W‖.
- Softmax, which our models leave out (they output logits): its Jacobian diag(p) − ppᵀ has ‖J‖₂ ≤ ½ (Gershgorin: row i sums to 2p_i(1 − p_i) ≤ ½), so the probabilities move at most half as much as the logits.

For context, the paper's AlexNet bounds (ImageNet; not reproducible here, no weights are reachable): conv 1–5: ${PAPER_TABLE5.conv.join(', ')}; fully connected 1–3: ${PAPER_TABLE5.fullyConnected.join(', ')}.

${perModel}

### Summary
${summaryTable(analyses)}

${violations.length ? `**Bound violations (bugs):**\n${violations.map((v) => `- ${v}`).join('\n')}` : 'No measured ratio exceeds its bound.'}

## Beyond the paper — certified radius vs the attack's distortion
For an attacked image with true label y, the logit difference z_y − z_t can fall by at most ‖w_y − w_t‖·∏_{k<last} L_k per unit of ‖r‖ (w_y, w_t: the last layer's weights into logits y and t — tighter than its whole norm), so no perturbation smaller than (z_y − z_t)/that can make t win: a certified lower bound on the smallest adversarial perturbation. The attack's distortion is an upper bound. Both in per-pixel RMS (‖r‖₂/28), means over the attacked images (the smallest over t ≠ y certifies against any label change).

${bracketTable(analyses)}

### What the numbers show
${reading(analyses)}
`;
}
