/**
 * The demo's drawn digit → MNIST digit: known answers for shapes whose result can be worked out by hand,
 * and random ink against a float64 reference that integrates each output cell over the source pixels it
 * covers (2-D overlaps, not the separable weights of the code), with the placement checked on its own:
 * the 20-pixel box, the centre of mass, the ink's total.
 */
import { describe, expect, it } from 'vitest';
import { DIGIT_BOX, FIELD, mnistDigit, type Ink } from '../../demo/mnistDigit.ts';
import { rng, testSeed } from '../helpers/random.ts';

function blankInk(width: number, height: number): Ink {
  return { values: new Float32Array(width * height), width, height };
}

function fillRect(ink: Ink, x0: number, y0: number, w: number, h: number, value = 1): void {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) ink.values[y * ink.width + x] = value;
}

/** The bounding box of the nonzero pixels of a 28×28 image. */
function boxOf(image: Float32Array): { top: number; left: number; width: number; height: number } {
  let top = FIELD, bottom = -1, left = FIELD, right = -1;
  image.forEach((v, i) => {
    if (v === 0) return;
    const y = Math.floor(i / FIELD);
    const x = i % FIELD;
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
    left = Math.min(left, x);
    right = Math.max(right, x);
  });
  return { top, left, width: right - left + 1, height: bottom - top + 1 };
}

/** The inclusive bounds of the nonzero ink, and its total. */
function inkBox(ink: Ink): { top: number; bottom: number; left: number; right: number; total: number } {
  let top = ink.height, bottom = -1, left = ink.width, right = -1, total = 0;
  for (let y = 0; y < ink.height; y++) {
    for (let x = 0; x < ink.width; x++) {
      const v = ink.values[y * ink.width + x];
      total += v;
      if (v > 0) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  return { top, bottom, left, right, total };
}

/**
 * Float64 reference of the scaled digit placed at (top, left) with size (width, height): each output cell
 * is the mean of the ink over the source rectangle it covers, by 2-D overlap with every source pixel.
 */
function referenceDigit(ink: Ink, place: { top: number; left: number; width: number; height: number }): Float64Array {
  const { top, bottom, left, right } = inkBox(ink);
  const cellW = (right - left + 1) / place.width;
  const cellH = (bottom - top + 1) / place.height;
  const out = new Float64Array(FIELD * FIELD);
  for (let oy = 0; oy < place.height; oy++) {
    for (let ox = 0; ox < place.width; ox++) {
      const x0 = left + ox * cellW, x1 = x0 + cellW, y0 = top + oy * cellH, y1 = y0 + cellH;
      let sum = 0;
      for (let y = top; y <= bottom; y++) {
        for (let x = left; x <= right; x++) {
          const overlap = Math.max(0, Math.min(x1, x + 1) - Math.max(x0, x)) * Math.max(0, Math.min(y1, y + 1) - Math.max(y0, y));
          sum += overlap * ink.values[y * ink.width + x];
        }
      }
      out[(place.top + oy) * FIELD + place.left + ox] = Math.min(1, sum / (cellW * cellH));
    }
  }
  return out;
}

function centreOfMass(image: ArrayLike<number>): { row: number; column: number } {
  let mass = 0, row = 0, column = 0;
  for (let i = 0; i < image.length; i++) {
    mass += image[i];
    row += image[i] * Math.floor(i / FIELD);
    column += image[i] * (i % FIELD);
  }
  return { row: row / mass, column: column / mass };
}

describe('mnistDigit (a drawing made into an MNIST digit)', () => {
  it('scales a 50×100 block to 10×20 ones, centred by its centre of mass', () => {
    const ink = blankInk(280, 280);
    fillRect(ink, 37, 101, 50, 100);
    const digit = mnistDigit(ink);
    // Centre of mass of a 10-wide, 20-tall block: (9.5, 4.5) inside it; placed at round(14 − 9.5) = 5 and
    // round(14 − 4.5) = 10.
    const expected = new Float32Array(FIELD * FIELD);
    for (let y = 5; y < 25; y++) for (let x = 10; x < 20; x++) expected[y * FIELD + x] = 1;
    expect(Math.max(...digit.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-12);
    expect(boxOf(digit)).toEqual({ top: 5, left: 10, width: 10, height: 20 });
  });

  it('averages areas: the cell that takes in a bright row holds its share of it', () => {
    // A 40×40 square of 0.5 ink with a 40-wide, 1-tall line of 1 below it: the 40×41 box becomes 20×20
    // cells of 2 × 2.05 source pixels.
    const ink = blankInk(60, 60);
    fillRect(ink, 10, 10, 40, 40, 0.5);
    fillRect(ink, 10, 50, 40, 1, 1);
    const digit = mnistDigit(ink);
    const box = boxOf(digit);
    expect([box.width, box.height]).toEqual([DIGIT_BOX, DIGIT_BOX]);
    // The last row of cells covers source rows [38.95, 41) of the box: 1.05 rows of 0.5 and the line.
    const last = digit[(box.top + box.height - 1) * FIELD + box.left];
    const cellH = 41 / 20;
    expect(last).toBeCloseTo((0.5 * (cellH - 1) + 1) / cellH, 6);
    expect(digit[box.top * FIELD + box.left]).toBeCloseTo(0.5, 6);
  });

  it('keeps a one-pixel-tall stroke as one row, and a single dot as a 20×20 block', () => {
    const line = blankInk(300, 40);
    fillRect(line, 50, 20, 200, 1, 0.8);
    const digit = mnistDigit(line);
    expect(boxOf(digit)).toMatchObject({ width: DIGIT_BOX, height: 1, top: 14 });
    expect(digit[14 * FIELD + boxOf(digit).left]).toBeCloseTo(0.8, 6);

    const dot = blankInk(1, 1);
    dot.values[0] = 0.25;
    const block = mnistDigit(dot);
    // Centre of mass (9.5, 9.5) in the block: shifted by round(4.5) = 5.
    expect(boxOf(block)).toEqual({ top: 5, left: 5, width: DIGIT_BOX, height: DIGIT_BOX });
    expect(block.filter((v) => v !== 0).every((v) => Math.abs(v - 0.25) < 1e-7)).toBe(true);
  });

  it('matches a float64 reference on random strokes, with the box, centre and ink total of MNIST', () => {
    const seed = testSeed();
    const random = rng(seed);
    for (let trial = 0; trial < 5; trial++) {
      const width = 50 + Math.floor(random() * 250);
      const height = 50 + Math.floor(random() * 250);
      const ink = blankInk(width, height);
      for (let blob = 0; blob < 1 + Math.floor(random() * 6); blob++) {
        const w = 1 + Math.floor(random() * (width / 2));
        const h = 1 + Math.floor(random() * (height / 2));
        const x0 = Math.floor(random() * (width - w));
        const y0 = Math.floor(random() * (height - h));
        for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) ink.values[y * width + x] = Math.max(ink.values[y * width + x], Math.fround(random()) || 0.5);
      }
      const digit = mnistDigit(ink);
      const box = boxOf(digit);
      const context = `seed ${seed}, trial ${trial}, ${width}×${height}`;
      expect(Math.max(box.width, box.height), context).toBe(DIGIT_BOX);
      const reference = referenceDigit(ink, box);
      let worst = 0;
      digit.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference[i]))));
      expect(worst, context).toBeLessThan(1e-6);
      // Area averaging keeps the ink: the total scales with the area, (cells) / (source pixels).
      const source = inkBox(ink);
      const sourceArea = (source.right - source.left + 1) * (source.bottom - source.top + 1);
      const total = digit.reduce((sum, v) => sum + v, 0);
      expect(total / ((source.total * box.width * box.height) / sourceArea), context).toBeCloseTo(1, 5);
      // Whole-pixel shifts put the centre of mass within half a pixel of (14, 14), unless the field's edge stops it.
      const centre = centreOfMass(digit);
      if (box.top > 0 && box.top + box.height < FIELD) expect(Math.abs(centre.row - FIELD / 2), context).toBeLessThanOrEqual(0.5);
      if (box.left > 0 && box.left + box.width < FIELD) expect(Math.abs(centre.column - FIELD / 2), context).toBeLessThanOrEqual(0.5);
    }
  });

  it('refuses an empty canvas, ink outside [0, 1] and mismatched sizes, naming the problem', () => {
    expect(() => mnistDigit(blankInk(10, 10))).toThrow(/nothing is drawn/);
    const bad = blankInk(4, 4);
    bad.values[5] = Number.NaN;
    expect(() => mnistDigit(bad)).toThrow(/ink NaN at \(1, 1\)/);
    expect(() => mnistDigit({ values: new Float32Array(10), width: 4, height: 4 })).toThrow(/10 values for a 4×4 canvas/);
    expect(() => mnistDigit({ values: new Float32Array(0), width: 0, height: 4 })).toThrow(/a 0×4 canvas/);
  });
});
