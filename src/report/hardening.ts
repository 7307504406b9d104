/** The report's adversarial-training section (§4.2 of the paper) from the plain data of reproduce/hardening.ts. */
import { num, ours, pct, table, transferTable } from './markdownTable.ts';
import { PAPER_HARDENING } from './paperNumbers.ts';
import type { HardenedRow, HardeningResults } from './results.ts';

/** The paper's test error for a row's kind of training, if it gives one. */
function paperTestError(row: HardenedRow): number | undefined {
  switch (row.kind) {
    case 'zoo':
    case 'plain':
      return PAPER_HARDENING.weightDecay;
    case 'dropout':
      return PAPER_HARDENING.dropout;
    case 'adversarial':
      return PAPER_HARDENING.adversarial;
    case 'noise':
      return undefined;
  }
}

/**
 * One line per training budget: the best test error on it against weight decay alone on the same budget
 * (the zoo's model, or a `plain` variant), and each hardened row's distortion against that control's.
 */
function budgetLines(rows: HardenedRow[]): string {
  const budgets = [...new Set(rows.map((r) => r.budget))];
  return budgets
    .map((budget) => {
      const on = rows.filter((r) => r.budget === budget);
      const control = on.find((r) => r.kind === 'zoo') ?? on.find((r) => r.kind === 'plain');
      const best = [...on].sort((a, b) => a.testError - b.testError)[0];
      const others = on.filter((r) => r !== control);
      const against = control
        ? `weight decay alone (${control.model}): ${pct(control.testError)} test error, av. min. distortion ${num(control.randomTarget.meanDistortion)}`
        : 'no weight-decay-alone model on this budget to compare with';
      const distortions = others.map((r) => `${r.model} ${num(r.randomTarget.meanDistortion)}`).join(', ');
      return `- ${budget}: best test error ${best.model}, ${pct(best.testError)}; ${against}${distortions ? `; the others' av. min. distortion: ${distortions}` : ''}.`;
    })
    .join('\n');
}

export function renderHardeningSection(results: HardeningResults): string {
  const rows = results.rows.map((r) => {
    const paper = paperTestError(r);
    return [
      r.model,
      pct(r.trainError),
      ours(pct(r.testError), paper === undefined ? undefined : `${r.kind === 'adversarial' ? '< ' : ''}${pct(paper)}`),
      num(r.randomTarget.meanDistortion),
      `${r.randomTarget.successes}/${r.randomTarget.attacked}`,
      num(r.allNineTargets.meanDistortion),
      pct(r.heldOutError),
      `${r.minutes.toFixed(0)}${r.searchMinutes === null ? '' : ` (searches ${r.searchMinutes.toFixed(0)})`}${r.gpuWaitMinutes === null ? '' : `; GPU wait ${r.gpuWaitMinutes.toFixed(0)}`}`,
    ];
  });
  const heldOut = results.rows.find((r) => r.heldOut)?.heldOut;
  return `## Training on blind spots (§4.2)

The paper reports that FC100-100-10 trained with a continually refreshed pool of adversarial examples mixed
into the training set reached below ${pct(PAPER_HARDENING.adversarial)} test error, against about
${pct(PAPER_HARDENING.dropout)} with careful dropout and ${pct(PAPER_HARDENING.weightDecay)} with weight decay
alone, and that the gain came from examples made for each layer's outputs and used to train the layers above.
Here every model is FC100-100-10 from the zoo's seed (\`blindspot harden\`, docs/hardening.md); the first row
is the zoo's own model, weight decay alone on the zoo's SGD budget, and each variant's budget is in its
settings below (a \`plain\` variant is weight decay alone on another budget, the control of the variants on it). Each is
attacked again on the run's training images (one random target; all nine on the first images).

${table(
  ['model', 'training error', 'test error', 'av. min. distortion (random target)', 'fooled / attacked', 'min over 9 targets', 'error on held-out adversarial set', 'training minutes'],
  rows,
)}

${results.rows.map((r) => `- ${r.model}: ${r.training}`).join('\n')}
${heldOut ? `\nThe held-out adversarial set: ${heldOut} (the weight-decay-alone model's own examples, so its row there is not comparable).\n` : ''}
Compared within each training budget (the paper's target: below ${pct(PAPER_HARDENING.adversarial)} test error on the zoo's):

${budgetLines(results.rows)}

### Examples made for the zoo's models, on the compared models
${transferTable(results.into)}

### Examples made for the compared models, on the zoo's models
${transferTable(results.from)}
`;
}
