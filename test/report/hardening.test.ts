/**
 * The adversarial-training section's text: each row beside the paper's number for its kind of training, and
 * rows compared only with weight decay alone on their own budget (the zoo's model, or a `plain` variant).
 */
import { describe, expect, it } from 'vitest';
import { renderHardeningSection } from '../../src/report/hardening.ts';
import type { HardenedRow } from '../../src/report/results.ts';

const ZOO_BUDGET = 'SGD: 25 epochs, batch 128';
const SHORT_BUDGET = 'SGD: 15 epochs, batch 128, 12000 examples per epoch';

function row(model: string, kind: HardenedRow['kind'], budget: string, testError: number, distortion: number): HardenedRow {
  const summary = { attacked: 10, misclassifiedBefore: 0, successes: 10, failures: 0, meanDistortion: distortion, seconds: 1 };
  return {
    model,
    kind,
    budget,
    training: `${kind}: ${budget}`,
    trainError: 0,
    testError,
    minutes: 1,
    searchMinutes: null,
    gpuWaitMinutes: null,
    randomTarget: summary,
    allNineTargets: summary,
    heldOutError: null,
    heldOut: null,
  };
}

describe('the adversarial-training section', () => {
  const rows = [
    row('zoo', 'zoo', ZOO_BUDGET, 0.018, 0.06),
    row('pools', 'adversarial', ZOO_BUDGET, 0.015, 0.1),
    row('short plain', 'plain', SHORT_BUDGET, 0.031, 0.075),
    row('short pools', 'adversarial', SHORT_BUDGET, 0.046, 0.101),
    row('short noise', 'noise', SHORT_BUDGET, 0.029, 0.073),
  ];
  const empty = { columns: [], rows: [] };
  const markdown = renderHardeningSection({ rows, into: empty, from: empty });

  it("puts the paper's number for each kind of training beside the row's", () => {
    expect(markdown).toContain('| zoo | 0.0% | 1.8% (1.6%) |');
    expect(markdown).toContain('| pools | 0.0% | 1.5% (< 1.2%) |');
    expect(markdown).toContain('| short plain | 0.0% | 3.1% (1.6%) |');
    expect(markdown).toContain('| short noise | 0.0% | 2.9% |');
  });

  it('compares each budget with weight decay alone on that budget', () => {
    const lines = markdown.split('\n').filter((l) => l.startsWith('- SGD:'));
    expect(lines).toEqual([
      `- ${ZOO_BUDGET}: best test error pools, 1.5%; weight decay alone (zoo): 1.8% test error, av. min. distortion 0.060; the others' av. min. distortion: pools 0.100.`,
      `- ${SHORT_BUDGET}: best test error short noise, 2.9%; weight decay alone (short plain): 3.1% test error, av. min. distortion 0.075; the others' av. min. distortion: short pools 0.101, short noise 0.073.`,
    ]);
  });

  it('says so when a budget has no control', () => {
    const alone = renderHardeningSection({ rows: [rows[0], row('other', 'dropout', 'SGD: 3 epochs', 0.05, 0.08)], into: empty, from: empty });
    expect(alone).toContain("- SGD: 3 epochs: best test error other, 5.0%; no weight-decay-alone model on this budget to compare with; the others' av. min. distortion: other 0.080.");
  });
});
