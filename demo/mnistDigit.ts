/**
 * A drawn digit made into an MNIST digit, as MNIST's were made (LeCun et al.): the ink's bounding box
 * scaled, aspect kept, to fit a 20×20 box with area averaging (anti-aliased), then placed in the 28×28
 * field so that its centre of mass falls on the centre. MNIST's test digits have their centre of mass at
 * pixel (14.0, 14.0) on average (row and column index, 0-based; spread 0.3), so that is where it goes,
 * to the nearest whole pixel, as MNIST shifted by whole pixels. Pure arithmetic with no imports, so its
 * test (test/demo/mnistDigit.test.ts) needs nothing of the page.
 */

/** The side of MNIST's field (data.MNIST_SIDE). */
export const FIELD = 28;
/** The side of the box the digit's larger dimension is scaled to. */
export const DIGIT_BOX = 20;

/** Ink on a canvas: `width × height` values in [0, 1], row-major (0: nothing drawn). */
export interface Ink {
  values: Float32Array;
  width: number;
  height: number;
}

/**
 * The 784 pixels (values in [0, 1]) of the digit drawn as `ink`.
 * @throws Error when nothing is drawn, or `ink` is malformed.
 */
export function mnistDigit(ink: Ink): Float32Array {
  const { values, width, height } = ink;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error(`mnistDigit: a ${width}×${height} canvas`);
  if (values.length !== width * height) throw new Error(`mnistDigit: ${values.length} values for a ${width}×${height} canvas`);
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      if (!(v >= 0 && v <= 1)) throw new Error(`mnistDigit: ink ${v} at (${x}, ${y}) is outside [0, 1]`);
      if (v > 0) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) throw new Error('mnistDigit: nothing is drawn');
  const boxWidth = right - left + 1;
  const boxHeight = bottom - top + 1;
  const scale = DIGIT_BOX / Math.max(boxWidth, boxHeight);
  const outWidth = Math.max(1, Math.round(boxWidth * scale));
  const outHeight = Math.max(1, Math.round(boxHeight * scale));
  // Separable area averaging: each output pixel is the mean of the source area it covers.
  const columns = areaWeights(left, boxWidth, outWidth);
  const rows = areaWeights(top, boxHeight, outHeight);
  const small = new Float64Array(outWidth * outHeight);
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      let sum = 0;
      for (const [y, wy] of rows[oy]) for (const [x, wx] of columns[ox]) sum += wy * wx * values[y * width + x];
      small[oy * outWidth + ox] = sum;
    }
  }
  let mass = 0;
  let rowMoment = 0;
  let columnMoment = 0;
  small.forEach((v, i) => {
    mass += v;
    rowMoment += v * Math.floor(i / outWidth);
    columnMoment += v * (i % outWidth);
  });
  const side = FIELD;
  const centre = side / 2;
  // Whole-pixel shifts, kept inside the field (a lopsided digit would otherwise lose ink at the edge).
  const offsetY = Math.min(side - outHeight, Math.max(0, Math.round(centre - rowMoment / mass)));
  const offsetX = Math.min(side - outWidth, Math.max(0, Math.round(centre - columnMoment / mass)));
  const out = new Float32Array(side * side);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) out[(y + offsetY) * side + x + offsetX] = Math.min(1, small[y * outWidth + x]);
  }
  return out;
}

/**
 * For each of `outSize` output cells spanning source pixels [start, start + length), the source pixels it
 * overlaps and the share of the cell each covers (the shares of a cell sum to 1).
 */
function areaWeights(start: number, length: number, outSize: number): [number, number][][] {
  const cell = length / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const from = o * cell;
    const to = (o + 1) * cell;
    const weights: [number, number][] = [];
    for (let s = Math.floor(from); s < Math.min(length, Math.ceil(to)); s++) {
      const overlap = Math.min(to, s + 1) - Math.max(from, s);
      if (overlap > 0) weights.push([start + s, overlap / cell]);
    }
    return weights;
  });
}
