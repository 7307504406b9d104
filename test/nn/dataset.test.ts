/**
 * uploadDataset refuses sets it cannot make sense of, naming the set and the first problem, before any
 * upload: an empty set (which used to fail deep inside as "tensor: 0 values do not fill shape [0,NaN]"),
 * sizes that do not agree, labels that are not classes, pixels out of range.
 */
import { describe, expect, it } from 'vitest';
import { disposeDataset, uploadDataset } from '../../src/nn/dataset.ts';
import { contextOf } from '../../src/tensor/context.ts';
import { useTestEngine } from '../helpers/engine.ts';

const getEngine = useTestEngine();

const set = (count: number, labels: number[], pixels = new Float32Array(count * 784)) => ({
  images: pixels,
  labels: Int32Array.from(labels),
  count,
});

describe('uploadDataset', () => {
  it('refuses empty, inconsistent and mislabelled sets before uploading anything', () => {
    const engine = getEngine();
    const live = contextOf(engine).live;
    const nan = new Float32Array(2 * 784);
    nan[784 + 5] = Number.NaN;
    const cases: [ReturnType<typeof set>, RegExp][] = [
      [set(0, []), /^empty set: the data set holds no images \(count 0\); it needs at least one$/],
      [set(2, [1]), /^empty set: 1568 pixel values and 1 labels do not make 2 labelled images of 784 pixels$/],
      [{ ...set(2, [1, 2]), images: new Float32Array(1000) }, /^empty set: 1000 pixel values and 2 labels do not make 2 labelled images of 784 pixels$/],
      [set(2, [1, 10]), /^empty set: label 10 of image 1 is not a class in 0\.\.9$/],
      [set(2, [-1, 0]), /^empty set: label -1 of image 0 is not a class in 0\.\.9$/],
      [set(2, [0, 1], nan), /^empty set: pixel 5 of image 1 is NaN; pixels must be finite and in \[0, 1\]$/],
    ];
    for (const [data, message] of cases) expect(() => uploadDataset(engine, data, 'empty set')).toThrow(message);
    expect(contextOf(engine).live).toBe(live);
    const good = uploadDataset(engine, set(2, [0, 9]), 'two images');
    expect(good.images.shape).toEqual([2, 784]);
    disposeDataset(good);
  });
});
