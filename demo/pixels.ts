/**
 * 8-bit images: what the page shows, what a PNG holds, and what the check reads back from the page. The
 * search works in float32; everything the page shows goes through {@link quantize8} first, so a shown
 * image and its shown numbers are those of the same 8-bit pixels.
 */

/** Each value rounded to the nearest of the 256 levels k/255 an 8-bit pixel can hold (values in [0, 1]). */
export function quantize8(pixels: ArrayLike<number>): Float32Array {
  return Float32Array.from(pixels, (v) => Math.round(v * 255) / 255);
}

/** The 8-bit levels of `pixels` (values in [0, 1]). */
export function toBytes(pixels: ArrayLike<number>): Uint8ClampedArray {
  return Uint8ClampedArray.from(pixels, (v) => Math.round(v * 255));
}

/** (adversarial − original) × `magnify` + ½, clipped to [0, 1]: grey where nothing changed. */
export function differenceImage(original: ArrayLike<number>, adversarial: ArrayLike<number>, magnify = 10): Float32Array {
  if (original.length !== adversarial.length) throw new Error(`differenceImage: images of ${original.length} and ${adversarial.length} pixels`);
  return Float32Array.from(original, (v, i) => Math.min(1, Math.max(0, (adversarial[i] - v) * magnify + 0.5)));
}
