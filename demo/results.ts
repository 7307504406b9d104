/**
 * What a search found, on the page: a card per (image, target) — the 8-bit adversarial image, its
 * distortion, the minimum marked — and one card in detail (original, adversarial, difference ×10, the
 * numbers, a PNG to download). Every image is painted byte for byte from the 8-bit pixels the numbers were
 * computed from; demo/demo.check.mjs reads them back through the `data-role` marks.
 */
import type { ShownImage, ShownSearch, ShownSpot, Verdict } from './blindspots.ts';
import { digitCanvas } from './canvas.ts';
import { differenceImage } from './pixels.ts';
import { fillList, formatC, percent, seconds } from './ui.ts';

/** "3 (51.2 %)". */
export const says = (v: Verdict): string => `${v.label} (${percent(v.probability, 1)})`;

/**
 * Distortions are shown to 4 decimals on the cards and to 6 in the detail: the RMS of an 8-bit image's
 * difference is exact up to float rounding, and 6 decimals tell it from the search's own float32 image
 * (rounding moves it by ~3e-5). demo/demo.check.mjs compares both with what it reads from the pixels.
 */
const formatDistortion = (d: number, digits = 4): string => d.toFixed(digits);

function span(className: string, text: string): HTMLSpanElement {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

function statusNote(spot: ShownSpot, minimum: boolean): string {
  if (spot.status === 'not found') return 'none found';
  if (spot.status === 'rounded back') return `8-bit rounding reads ${spot.verdict!.label}`;
  return minimum ? 'the minimum' : `reads ${spot.target}`;
}

/** One (image, target) card; `withOriginal` adds the original above (when cards show different images). */
function spotCard(image: ShownImage, spot: ShownSpot, withOriginal: boolean): HTMLButtonElement {
  // The minimum over targets, among the cards of one image (a card with its own original stands alone).
  const minimum = !withOriginal && spot === image.minimum;
  const card = document.createElement('button');
  card.type = 'button';
  card.className = `card ${spot.status.replace(' ', '-')}${minimum ? ' minimum' : ''}`;
  card.dataset.role = 'blind-spot';
  card.dataset.status = spot.status;
  card.append(span('target', withOriginal ? `${image.label} → ${spot.target}` : `→ ${spot.target}`));
  if (withOriginal) card.append(digitCanvas(image.original, 2, 'original', `the original ${image.label}`));
  if (spot.adversarial) {
    card.append(digitCanvas(spot.adversarial, withOriginal ? 2 : 3, 'adversarial', `the ${image.label} made to read ${spot.target}`));
    card.append(span('distortion', formatDistortion(spot.distortion)));
  } else {
    card.append(span('distortion', '—'));
  }
  card.append(span('note', statusNote(spot, minimum)));
  card.title = spot.status === 'not found' ? `no blind spot found (${spot.reason})` : `distortion ${formatDistortion(spot.distortion)} RMS per pixel; the model reads ${says(spot.verdict!)}`;
  return card;
}

/** The detail of one card: big images, the numbers, the PNG. */
function showDetail(container: HTMLElement, image: ShownImage, spot: ShownSpot, search: ShownSearch): void {
  const figures = document.createElement('div');
  figures.className = 'figures';
  const figure = (canvas: HTMLCanvasElement, caption: string) => {
    const element = document.createElement('figure');
    const text = document.createElement('figcaption');
    text.textContent = caption;
    element.append(canvas, text);
    return element;
  };
  figures.append(figure(digitCanvas(image.original, 5, 'detail-original', 'the original'), `original: the model reads ${says(image.reading)}`));
  if (spot.adversarial) {
    figures.append(
      figure(digitCanvas(spot.adversarial, 5, 'detail-adversarial', 'the adversarial image'), `adversarial: the model reads ${says(spot.verdict!)}`),
      figure(digitCanvas(differenceImage(image.original, spot.adversarial), 5, 'difference', 'the difference, ×10'), 'difference ×10 (grey: unchanged)'),
    );
  }
  const stats = document.createElement('dl');
  const found = spot.status !== 'not found';
  fillList(stats, [
    ['target', `${image.label} → ${spot.target}`],
    [
      'result',
      spot.status === 'found'
        ? `found: the model reads ${spot.target}`
        : spot.status === 'rounded back'
          ? `found, but rounded to 8-bit pixels the model reads it as ${spot.verdict!.label}`
          : `none found (${spot.reason})`,
    ],
    ['distortion', found ? `${formatDistortion(spot.distortion, 6)} RMS per pixel, of the 8-bit image (‖r‖₂ = ${(spot.distortion * 28).toFixed(4)})` : '—'],
    ['c', formatC(spot.c)],
    ['search over c', spot.trials.map((t) => `${formatC(t.c)}${t.success ? '✓' : '✗'}`).join(' ')],
    ['this search', `${spot.evaluations} objective evaluations; all searches of this run shared ${search.rounds} GPU passes, ${seconds(search.seconds)}`],
  ]);
  container.replaceChildren(figures, stats);
  if (spot.adversarial) {
    const link = document.createElement('a');
    link.className = 'download';
    link.textContent = 'Download the adversarial image (PNG, 28×28)';
    link.download = `blindspot-${image.label}-read-as-${spot.target}.png`;
    link.href = (figures.querySelector('[data-role=detail-adversarial]') as HTMLCanvasElement).toDataURL('image/png');
    container.append(link);
  }
}

/**
 * The nine targets of one image: its original, a card per target (the minimum marked), and the detail of
 * the minimum (or of the card clicked).
 */
export function showNine(cards: HTMLElement, detail: HTMLElement, search: ShownSearch): void {
  const image = search.images[0];
  const original = document.createElement('figure');
  original.className = 'original';
  const caption = document.createElement('figcaption');
  caption.textContent = `original: the model reads ${says(image.reading)}`;
  original.append(digitCanvas(image.original, 3, 'original', 'the original'), caption);
  if (!image.attacked) {
    cards.replaceChildren(original);
    detail.replaceChildren(span('hint', `Nothing to search: the model already misreads this ${image.label} as ${image.reading.label}.`));
    return;
  }
  const grid = document.createElement('div');
  grid.className = 'cards';
  const buttons = image.spots.map((spot) => {
    const card = spotCard(image, spot, false);
    card.addEventListener('click', () => select(card, spot));
    return card;
  });
  const select = (card: HTMLButtonElement, spot: ShownSpot) => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b === card));
    showDetail(detail, image, spot, search);
  };
  grid.append(...buttons);
  cards.replaceChildren(original, grid);
  const first = image.minimum ?? image.spots[0];
  select(buttons[image.spots.indexOf(first)], first);
}

/** A card per searched image (its original above), for the batch. */
export function showCards(container: HTMLElement, search: ShownSearch): void {
  container.replaceChildren(
    ...search.images.map((image) => {
      if (image.attacked) return spotCard(image, image.spots[0], true);
      const skipped = document.createElement('div');
      skipped.className = 'card skipped';
      skipped.append(span('target', `${image.label}`), digitCanvas(image.original, 2, 'skipped', `a ${image.label}`), span('note', `misread as ${image.reading.label}: skipped`));
      return skipped;
    }),
  );
}
