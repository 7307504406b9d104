import { describe, expect, it } from 'vitest';
import {
  decodeLabelledImages,
  encodeIdx,
  imagesToFloat32,
  labelsToInt32,
  parseIdx,
  MNIST_PIXELS,
} from '../../src/data/idx.ts';

/** `n` 28×28 images whose pixel i of image k is (k + i) mod 256, so every byte is checkable. */
function imageBytes(n: number, side = 28): Uint8Array {
  const data = new Uint8Array(n * side * side);
  for (let i = 0; i < data.length; i++) data[i] = i % 256;
  return encodeIdx([n, side, side], data);
}

function labelBytes(labels: number[]): Uint8Array {
  return encodeIdx([labels.length], Uint8Array.from(labels));
}

describe('parseIdx', () => {
  it('parses a hand-built labels file byte for byte', () => {
    const bytes = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]);
    const idx = parseIdx(bytes, 'labels.idx');
    expect(idx.kind).toBe('labels');
    expect(idx.dims).toEqual([3]);
    expect([...idx.data]).toEqual([7, 0, 9]);
    expect([...labelsToInt32(idx, 'labels.idx')]).toEqual([7, 0, 9]);
  });

  it('parses a good images file and scales pixels to [0,1]', () => {
    const bytes = imageBytes(2);
    const idx = parseIdx(bytes, 'imgs');
    expect(idx.kind).toBe('images');
    expect(idx.dims).toEqual([2, 28, 28]);
    // The header is big-endian; a little-endian reader would see 0x03080000.
    expect([...bytes.subarray(0, 16)]).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]);
    const px = imagesToFloat32(idx, 'imgs');
    expect(px.length).toBe(2 * MNIST_PIXELS);
    expect(px[0]).toBe(0);
    expect(px[255]).toBe(1);
    expect(px[MNIST_PIXELS + 1]).toBeCloseTo(((MNIST_PIXELS + 1) % 256) / 255, 7);
  });

  it('reports a truncated file with the header numbers', () => {
    const bytes = imageBytes(3).subarray(0, 16 + 1234);
    expect(() => parseIdx(bytes, 't10k-images-idx3-ubyte')).toThrow(
      't10k-images-idx3-ubyte: truncated: header says 3×28×28 = 2352 pixel bytes, file has 1234',
    );
  });

  it('reports a truncated header', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]), 'x')).toThrow(/^x: truncated: the header of a 3-D IDX file is 16 bytes, file has 6/);
    expect(() => parseIdx(Uint8Array.from([0, 0]), 'x')).toThrow(/^x: truncated/);
  });

  it('reports trailing bytes', () => {
    const good = labelBytes([1, 2]);
    const long = new Uint8Array(good.length + 5);
    long.set(good);
    expect(() => parseIdx(long, 'lbl')).toThrow('lbl: 5 trailing bytes: header says 2 = 2 label bytes, file has 7');
  });

  it('rejects a wrong magic number', () => {
    const bytes = labelBytes([1]);
    bytes[0] = 0x12;
    expect(() => parseIdx(bytes, 'weird')).toThrow(/^weird: bad magic number 0x12000801/);
    expect(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]), 'gz')).toThrow(/^gz: .*gzip/);
  });

  it('rejects a non-byte data type', () => {
    const bytes = labelBytes([1]);
    bytes[2] = 0x0d;
    expect(() => parseIdx(bytes, 'floats')).toThrow(/^floats: unsupported data type 0x0d \(float\)/);
  });

  it('rejects a wrong number of dimensions and the wrong kind', () => {
    const bytes = Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
    expect(() => parseIdx(bytes, 'two-d')).toThrow(/^two-d: magic number 0x00000802 declares 2 dimension\(s\)/);
    expect(() => parseIdx(labelBytes([1]), 'lbl', 'images')).toThrow(/^lbl: expected an IDX images file .* but found labels/);
  });

  it('rejects images that are not 28×28', () => {
    const idx = parseIdx(imageBytes(1, 27), 'small');
    expect(() => imagesToFloat32(idx, 'small')).toThrow('small: images are 27×27 pixels; MNIST images must be 28×28');
  });

  it('rejects a label out of range, naming its index', () => {
    const idx = parseIdx(labelBytes([0, 9, 10, 3]), 'lbl');
    expect(() => labelsToInt32(idx, 'lbl')).toThrow('lbl: label 10 at index 2 is out of range 0..9');
  });
});

describe('decodeLabelledImages', () => {
  it('pairs images with labels', () => {
    const set = decodeLabelledImages(imageBytes(2), 'imgs', labelBytes([4, 2]), 'lbls');
    expect(set.count).toBe(2);
    expect([...set.labels]).toEqual([4, 2]);
    expect(set.images.length).toBe(2 * MNIST_PIXELS);
  });

  it('rejects mismatched counts, naming both files', () => {
    expect(() => decodeLabelledImages(imageBytes(2), 'imgs', labelBytes([4, 2, 1]), 'lbls')).toThrow(
      'imgs holds 2 images but lbls holds 3 labels',
    );
  });

  it('rejects swapped files', () => {
    expect(() => decodeLabelledImages(labelBytes([1]), 'a', imageBytes(1), 'b')).toThrow(/^a: expected an IDX images file/);
  });
});
