/** Showing what a search found: one example in detail, or a batch as a figure plus a table. */
import type { AttackExample, AttackImage, AttackReport } from '../src/attack/attack.ts';
import type { LabelledImages } from '../src/data/idx.ts';
import { differenceImage, type GridTile } from '../src/report/imageGrid.ts';
import { testImage, type Verdict } from './blindspots.ts';
import { digitCanvas, gridCanvas } from './canvas.ts';
import { fillList, formatC, percent, seconds } from './ui.ts';

const says = (v: Verdict): string => `${v.label} (${percent(v.probability, 1)})`;

function figure(canvas: HTMLCanvasElement, caption: string): HTMLElement {
  const element = document.createElement('figure');
  const text = document.createElement('figcaption');
  text.textContent = caption;
  element.append(canvas, text);
  return element;
}

/**
 * original | adversarial | difference ×10 for the search on test image `index`, and its numbers. `adversarialVerdict` is the
 * model's own reading of the adversarial image, classified again after the search.
 */
export function showSingle(
  container: HTMLElement,
  stats: HTMLElement,
  test: LabelledImages,
  index: number,
  result: AttackImage,
  originalVerdict: Verdict,
  adversarialVerdict: Verdict | null,
  report: AttackReport,
): void {
  // result.image counts within the attacked batch; `index` is the test-set index.
  const original = testImage(test, index);
  const example = result.examples[0];
  const figures = [figure(digitCanvas(original, 6), `original: a ${result.label}, the model says ${says(originalVerdict)}`)];
  if (example?.adversarial && adversarialVerdict) {
    figures.push(
      figure(digitCanvas(example.adversarial, 6), `adversarial: the model says ${says(adversarialVerdict)}`),
      figure(digitCanvas(differenceImage(original, example.adversarial), 6), 'difference ×10 (grey = unchanged)'),
    );
  }
  container.replaceChildren(...figures);
  if (!result.attacked) {
    fillList(stats, [['result', `not attacked: the model already misreads this ${result.label} as ${result.predicted}`]]);
    return;
  }
  fillList(stats, [
    ['target', `${result.label} → ${example.target}`],
    ['result', example.success ? `found: the model now reads ${adversarialVerdict?.label}` : `no blind spot found (${example.reason})`],
    ['distortion', example.success ? `${example.distortion.toFixed(4)} RMS per pixel` : '—'],
    ['c', formatC(example.c)],
    ['c search', example.trials.map((t) => `${formatC(t.c)}${t.success ? '✓' : '✗'}`).join(' ')],
    ['objective evaluations', `${report.evaluations} in ${report.rounds} GPU passes, ${seconds(report.seconds)}`],
  ]);
}

/** Batch results: a figure (columns: digits; rows: original, adversarial, difference ×10) and a table. */
export function showBatch(container: HTMLElement, test: LabelledImages, report: AttackReport, indices: number[], verdicts: (Verdict | null)[]): void {
  const originals: GridTile[] = [];
  const adversarials: (GridTile | null)[] = [];
  const differences: (GridTile | null)[] = [];
  const titles: string[] = [];
  report.images.forEach((r, k) => {
    const pixels = testImage(test, indices[k]);
    const example: AttackExample | undefined = r.examples[0];
    originals.push({ pixels });
    titles.push(example ? `${r.label} TO ${example.target}` : `${r.label} SKIP`);
    if (example?.adversarial) {
      adversarials.push({ pixels: example.adversarial, caption: `SAYS ${verdicts[k]?.label ?? '?'}` });
      differences.push({ pixels: differenceImage(pixels, example.adversarial), caption: example.distortion.toFixed(3) });
    } else {
      adversarials.push(null);
      differences.push(null);
    }
  });
  const canvas = gridCanvas({ rows: [originals, adversarials, differences], columnTitles: titles, scale: 3, textScale: 2, gap: 8 });

  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const title of ['test image', 'label', 'target', 'found', 'distortion', 'c', 'model says']) {
    const th = document.createElement('th');
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  report.images.forEach((r, k) => {
    const e = r.examples[0];
    const row = body.insertRow();
    const cells = r.attacked
      ? [indices[k], r.label, e.target, e.success ? 'yes' : `no (${e.reason})`, e.success ? e.distortion.toFixed(4) : '—', formatC(e.c), verdicts[k] ? says(verdicts[k]!) : '—']
      : [indices[k], r.label, '—', `skipped: misread as ${r.predicted}`, '—', '—', String(r.predicted)];
    for (const value of cells) row.insertCell().textContent = String(value);
  });
  container.replaceChildren(canvas, table);
}
