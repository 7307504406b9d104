/** 28×28 greyscale images on canvases: one canvas pixel per image pixel, enlarged by CSS without smoothing. */
import { data } from 'blindspot';
import { toBytes } from './pixels.ts';

/** Paint `pixels` (values in [0, 1], 28×28) onto `canvas` as opaque grey, byte for byte. */
export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>): void {
  const side = data.MNIST_SIDE;
  if (pixels.length !== side * side) throw new Error(`paintDigit: ${pixels.length} values, not ${side}×${side}`);
  canvas.width = canvas.height = side;
  const grey = toBytes(pixels);
  const rgba = new ImageData(side, side);
  grey.forEach((v, i) => rgba.data.set([v, v, v, 255], 4 * i));
  canvas.getContext('2d')!.putImageData(rgba, 0, 0);
}

/**
 * A canvas holding one digit, shown `scale` times its size. `role` marks what it shows (original,
 * adversarial, difference) for the demo check, which reads the pixels back.
 */
export function digitCanvas(pixels: ArrayLike<number>, scale: number, role: string, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = 'digit';
  canvas.dataset.role = role;
  canvas.style.width = canvas.style.height = `${scale * data.MNIST_SIDE}px`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  paintDigit(canvas, pixels);
  return canvas;
}
