/** Painting blindspot's platform-free greyscale rasters (report/imageGrid.ts) onto canvases. */
import { renderImageGrid, type GreyImage, type ImageGridSpec } from '../src/report/imageGrid.ts';

/** Resize `canvas` to `image` and paint it, grey byte → opaque RGB. */
export function paintGrey(canvas: HTMLCanvasElement, image: GreyImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const rgba = new ImageData(image.width, image.height);
  for (let i = 0; i < image.data.length; i++) {
    const v = image.data[i];
    rgba.data[4 * i] = v;
    rgba.data[4 * i + 1] = v;
    rgba.data[4 * i + 2] = v;
    rgba.data[4 * i + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(rgba, 0, 0);
}

/** A canvas showing a grid rendered exactly as the reproduction's figures are. */
export function gridCanvas(spec: ImageGridSpec, className = 'grid'): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = className;
  paintGrey(canvas, renderImageGrid(spec));
  return canvas;
}

/** One 28×28 image (values in [0, 1]) on a canvas, upscaled `scale` times, without border. */
export function digitCanvas(pixels: Float32Array, scale: number, className = 'digit'): HTMLCanvasElement {
  return gridCanvas({ rows: [[{ pixels }]], scale, gap: 0 }, className);
}
