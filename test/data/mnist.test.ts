import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx.ts';
import { defaultMnistDir, loadMnist, MNIST_FILES, type MnistData } from '../../src/data/mnist.node.ts';

// Published checksum of the original train-images-idx3-ubyte (uncompressed).
const TRAIN_IMAGES_SHA256 = 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db';

describe('real MNIST', () => {
  let mnist: MnistData;
  beforeAll(async () => {
    mnist = await loadMnist();
  });

  it('is the genuine file', async () => {
    const bytes = await readFile(join(defaultMnistDir(), MNIST_FILES.trainImages));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(TRAIN_IMAGES_SHA256);
  });

  it('has 60000 training and 10000 test examples of 784 pixels', () => {
    expect(mnist.source).toBe(defaultMnistDir());
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    expect(mnist.train.images.length).toBe(60000 * 784);
    expect(mnist.test.images.length).toBe(10000 * 784);
    expect(mnist.train.labels.length).toBe(60000);
    // Typed as ArrayBuffer-backed so the images can go to GPUQueue.writeBuffer without a cast.
    const gpuReady: Float32Array<ArrayBuffer> = mnist.train.images;
    expect(gpuReady.buffer.byteLength).toBe(60000 * 784 * 4);
    expect(mnist.test.labels.length).toBe(10000);
  });

  it('has pixels spanning exactly [0, 1] and all ten classes', () => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of mnist.train.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const counts = new Array(10).fill(0);
    for (const l of mnist.train.labels) counts[l]++;
    expect(counts.every((c) => c > 5000)).toBe(true);
    // Well-known first labels of the two sets.
    expect(mnist.train.labels[0]).toBe(5);
    expect(mnist.test.labels[0]).toBe(7);
  });
});

describe('loadMnist from a directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blindspot-mnist-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every missing file', async () => {
    await writeFile(join(dir, MNIST_FILES.trainImages), encodeIdx([1, 28, 28], new Uint8Array(784)));
    const err = await loadMnist(dir).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain(`MNIST files missing in ${dir}`);
    expect(msg).toContain(MNIST_FILES.trainLabels);
    expect(msg).toContain(MNIST_FILES.testImages);
    expect(msg).toContain(MNIST_FILES.testLabels);
    expect(msg).toContain('the directory holds train-images-idx3-ubyte');
  });

  it('names a missing directory', async () => {
    await expect(loadMnist(join(dir, 'nope'))).rejects.toThrow(/^MNIST directory .*nope does not exist; it must contain/);
  });

  it('accepts a mix of plain and .gz files', async () => {
    const pixels = new Uint8Array(2 * 784).fill(51);
    await writeFile(join(dir, `${MNIST_FILES.trainLabels}.gz`), gzipSync(encodeIdx([1], Uint8Array.from([3]))));
    await writeFile(join(dir, `${MNIST_FILES.testImages}.gz`), gzipSync(encodeIdx([2, 28, 28], pixels)));
    await writeFile(join(dir, MNIST_FILES.testLabels), encodeIdx([2], Uint8Array.from([8, 9])));
    const data = await loadMnist(dir);
    expect(data.train.count).toBe(1);
    expect([...data.train.labels]).toEqual([3]);
    expect(data.test.count).toBe(2);
    expect(data.test.images[100]).toBeCloseTo(0.2, 6);
    expect([...data.test.labels]).toEqual([8, 9]);
  });

  it('names the .gz file when its contents are bad', async () => {
    await writeFile(join(dir, `${MNIST_FILES.testImages}.gz`), gzipSync(encodeIdx([3, 28, 28], new Uint8Array(3 * 784)).subarray(0, 16 + 2 * 784)));
    await expect(loadMnist(dir)).rejects.toThrow(`${MNIST_FILES.testImages}.gz: truncated: header says 3×28×28 = 2352 pixel bytes, file has 1568`);
    await writeFile(join(dir, `${MNIST_FILES.testImages}.gz`), Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    await expect(loadMnist(dir)).rejects.toThrow(`${MNIST_FILES.testImages}.gz: cannot decompress gzip data`);
  });
});

describe('loadMnist reads only what the headers declare, from regular files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blindspot-mnist-bounded-'));
    // A valid quadruple of two images per set; each test spoils one file.
    for (const [images, labels] of [[MNIST_FILES.trainImages, MNIST_FILES.trainLabels], [MNIST_FILES.testImages, MNIST_FILES.testLabels]]) {
      await writeFile(join(dir, images), encodeIdx([2, 28, 28], new Uint8Array(2 * 784).fill(7)));
      await writeFile(join(dir, labels), encodeIdx([2], Uint8Array.from([1, 2])));
    }
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const path = (name: string) => join(dir, name);

  it('a directory named like a data file is reported as a directory, not as missing', async () => {
    await rm(path(MNIST_FILES.trainLabels));
    await mkdir(path(MNIST_FILES.trainLabels));
    await expect(loadMnist(dir)).rejects.toThrow(`${path(MNIST_FILES.trainLabels)}: is a directory, not an IDX file`);
  });

  it('a FIFO, a device or a dangling link named like a data file is refused at once, without blocking or reading', async () => {
    await rm(path(MNIST_FILES.testImages));
    execFileSync('mkfifo', [path(MNIST_FILES.testImages)]);
    await expect(loadMnist(dir)).rejects.toThrow(`${path(MNIST_FILES.testImages)}: is a FIFO (named pipe), not an IDX file (only regular files are read)`);
    await rm(path(MNIST_FILES.testImages));
    await symlink('/dev/zero', path(MNIST_FILES.testImages));
    await expect(loadMnist(dir)).rejects.toThrow(`${path(MNIST_FILES.testImages)}: is a character device, not an IDX file`);
    // A link to nothing is listed in the directory: it is named, not reported missing.
    await rm(path(MNIST_FILES.testImages));
    await symlink(path('nowhere'), path(MNIST_FILES.testImages));
    await expect(loadMnist(dir)).rejects.toThrow(`${path(MNIST_FILES.testImages)}: cannot open an IDX file: no such file (or a symbolic link to a missing one)`);
  });

  it('a huge file behind a small header is refused from its size, before its body is read', async () => {
    // 3 GiB, sparse: reading it would take seconds and 3 GiB of memory.
    const handle = await open(path(MNIST_FILES.trainImages), 'r+');
    await handle.truncate(3 * 2 ** 30);
    await handle.close();
    await expect(loadMnist(dir)).rejects.toThrow(`${MNIST_FILES.trainImages}: ${3 * 2 ** 30 - 16 - 2 * 784} trailing bytes: header says 2×28×28 = 1568 pixel bytes`);
  });

  it('a header declaring more than the file holds is truncation, found from the file size', async () => {
    const lying = encodeIdx([2, 28, 28], new Uint8Array(2 * 784));
    new DataView(lying.buffer).setUint32(4, 60_000, false);
    await writeFile(path(MNIST_FILES.trainImages), lying);
    await expect(loadMnist(dir)).rejects.toThrow(`${MNIST_FILES.trainImages}: truncated: header says 60000×28×28 = 47040000 pixel bytes, file has 1568`);
  });

  it('gzip input is decompressed only as far as its header declares', async () => {
    // A "bomb": the header declares one image, the stream holds 64 MiB more.
    const bomb = new Uint8Array(16 + 784 + 64 * 2 ** 20);
    bomb.set(encodeIdx([1, 28, 28], new Uint8Array(784)));
    await rm(path(MNIST_FILES.trainImages));
    await writeFile(path(`${MNIST_FILES.trainImages}.gz`), gzipSync(bomb));
    await expect(loadMnist(dir)).rejects.toThrow(
      `${MNIST_FILES.trainImages}.gz: trailing bytes: header says 1×28×28 = 784 bytes of data, the decompressed file holds more`,
    );
    // A header declaring more than any deflate stream of this size can expand to.
    const lying = encodeIdx([1, 28, 28], new Uint8Array(784));
    new DataView(lying.buffer).setUint32(4, 4_000_000, false);
    const small = gzipSync(lying);
    await writeFile(path(`${MNIST_FILES.trainImages}.gz`), small);
    await expect(loadMnist(dir)).rejects.toThrow(
      `${MNIST_FILES.trainImages}.gz: truncated: header says 4000000×28×28 = 3136000000 bytes of data, more than ${small.length} gzip-compressed bytes can hold`,
    );
  });

  it('a set of zero images says so', async () => {
    await writeFile(path(MNIST_FILES.testImages), encodeIdx([0, 28, 28], new Uint8Array(0)));
    await writeFile(path(MNIST_FILES.testLabels), encodeIdx([0], new Uint8Array(0)));
    await expect(loadMnist(dir)).rejects.toThrow(`${MNIST_FILES.testImages} holds no images (its header declares 0×28×28); a data set needs at least one`);
  });

  it('a data "directory" that is a file is named as such', async () => {
    await expect(loadMnist(path(MNIST_FILES.trainLabels))).rejects.toThrow(/^MNIST directory .*train-labels-idx1-ubyte is not a directory; it must contain/);
  });
});
