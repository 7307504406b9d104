/** Node-only PNG output for figures; layout and pixels come from the platform-free ./imageGrid.ts. */
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../util/atomicWrite.node.ts';
import { renderImageGrid, type GreyImage, type ImageGridSpec } from './imageGrid.ts';

export { differenceImage } from './imageGrid.ts';

const GREYSCALE = 0;

/** Encodes a rendered greyscale image as an 8-bit greyscale PNG. */
export function encodeGreyPng(image: GreyImage): Uint8Array {
  if (image.data.length !== image.width * image.height) {
    throw new Error(`encodeGreyPng: ${image.width}×${image.height} image needs ${image.width * image.height} bytes, got ${image.data.length}`);
  }
  const png = new PNG({ width: image.width, height: image.height, colorType: GREYSCALE, inputColorType: GREYSCALE, inputHasAlpha: false });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: GREYSCALE, inputColorType: GREYSCALE, inputHasAlpha: false });
}

/**
 * Renders an image grid (see {@link renderImageGrid}) and writes it atomically as a PNG.
 * @returns The rendered image, whose `tiles` tell where each tile landed.
 */
export async function writeImageGrid(path: string, spec: ImageGridSpec): Promise<GreyImage> {
  const image = renderImageGrid(spec);
  await writeFileAtomic(path, encodeGreyPng(image));
  return image;
}
