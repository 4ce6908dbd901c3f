import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, idxImages, idxLabels, pixel, tempDir, writeIdx } from '../../../test/fixtures/data/builders';
import { openIdxSource } from './idx';
import type { RecordChunk } from './source';

async function readAll(p: string) {
  const src = await openIdxSource(p);
  const chunks: RecordChunk[] = [];
  const it = src.records({});
  for (;;) {
    const r = await it.next();
    if (r.done) return { src, chunks, end: r.value };
    chunks.push(r.value);
  }
}

let tmp: string;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => cleanup(tmp));

describe('IDX reader', () => {
  for (const gzip of [false, true]) {
    it(`reads ${gzip ? 'gzipped' : 'raw'} train and t10k files`, async () => {
      const dir = path.join(tmp, gzip ? 'gz' : 'raw');
      const { trainLabels, testLabels } = await writeIdx(dir, { train: 1203, test: 7, rows: 5, cols: 4, gzip });
      const { src, chunks, end } = await readAll(dir);
      expect(src.info.shape).toEqual([5, 4, 1]);
      expect(src.info.numClasses).toBe(10);
      expect(src.info.total).toBe(1210);
      expect(src.info.hflip).toBe(false);
      const train = chunks.filter((c) => c.split === 'train');
      expect(train.map((c) => c.count)).toEqual([1000, 203]);
      expect(train.flatMap((c) => [...c.labels])).toEqual(trainLabels);
      expect(chunks.filter((c) => c.split === 'test').flatMap((c) => [...c.labels])).toEqual(testLabels);
      expect(train[1]!.images[(1202 - 1000) * 20 + 2 * 4 + 3]).toBe(pixel(1202, 2, 3, 0));
      expect(end.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    });
  }

  it('names Fashion-MNIST classes when the path says fashion', async () => {
    const dir = path.join(tmp, 'fashion-mnist');
    await writeIdx(dir, { train: 10, test: 10, gzip: true });
    const { src, end } = await readAll(path.join(dir, 'train-images-idx3-ubyte.gz'));
    expect(end.classNames[9]).toBe('Ankle boot');
    expect(src.info.hflip).toBe(true);
  });

  const broken: [string, (dir: string) => Promise<void>, RegExp][] = [
    ['wrong magic number (images)', (d) => writeFile(path.join(d, 'train-images-idx3-ubyte'), idxImages(20, 5, 4, 2049)), /train-images-idx3-ubyte: wrong magic number 2049: an IDX images file starts with 2051/],
    ['wrong magic number (labels)', (d) => writeFile(path.join(d, 'train-labels-idx1-ubyte'), idxLabels([1, 2], 2051)), /train-labels-idx1-ubyte: wrong magic number 2051: an IDX labels file starts with 2049/],
    ['truncated images', (d) => writeFile(path.join(d, 'train-images-idx3-ubyte'), idxImages(20, 5, 4).subarray(0, 16 + 20 * 11 + 3)), /train-images-idx3-ubyte: truncated: the header declares 20 images of 5×4 but the file ends after 11/],
    // Cut at a record boundary (no partial bytes): only the header's count can tell the file is short.
    ['images missing exactly their last image', (d) => writeFile(path.join(d, 'train-images-idx3-ubyte'), idxImages(20, 5, 4).subarray(0, 16 + 20 * 19)), /train-images-idx3-ubyte: truncated: the header declares 20 images of 5×4 but the file ends after 19$/],
    ['test images missing exactly their last image', (d) => writeFile(path.join(d, 't10k-images-idx3-ubyte'), idxImages(20, 5, 4).subarray(0, 16 + 20 * 19)), /t10k-images-idx3-ubyte: truncated: the header declares 20 images of 5×4 but the file ends after 19$/],
    ['labels missing exactly their last label', (d) => writeFile(path.join(d, 'train-labels-idx1-ubyte'), idxLabels(new Array(20).fill(1)).subarray(0, 8 + 19)), /train-labels-idx1-ubyte: truncated: the header declares 20 labels but the file holds 19$/],
    ['truncated labels', (d) => writeFile(path.join(d, 'train-labels-idx1-ubyte'), idxLabels(new Array(20).fill(1)).subarray(0, 15)), /train-labels-idx1-ubyte: truncated: the header declares 20 labels but the file holds 7/],
    ['trailing bytes', (d) => writeFile(path.join(d, 't10k-images-idx3-ubyte'), Buffer.concat([idxImages(20, 5, 4), Buffer.alloc(5)])), /t10k-images-idx3-ubyte: 5 bytes beyond the 20 images/],
    ['count mismatch', (d) => writeFile(path.join(d, 't10k-labels-idx1-ubyte'), idxLabels([1, 2, 3])), /t10k-images-idx3-ubyte: holds 20 images but t10k-labels-idx1-ubyte holds 3 labels/],
    ['label out of range', (d) => writeFile(path.join(d, 't10k-labels-idx1-ubyte'), idxLabels([...new Array(19).fill(0), 12])), /t10k-labels-idx1-ubyte: label 12 at index 19 is out of range: the training labels span 0..9/],
    ['mixed sizes', (d) => writeFile(path.join(d, 't10k-images-idx3-ubyte'), idxImages(20, 4, 4)), /t10k-images-idx3-ubyte: images are 4×4 but the training images are 5×4/],
    ['missing labels', async (d) => (await import('node:fs/promises')).rm(path.join(d, 'train-labels-idx1-ubyte')), /has train-images-idx3-ubyte but no train-labels-idx1-ubyte/],
  ];
  for (const [what, breakIt, message] of broken) {
    it(`rejects ${what}, naming the file`, async () => {
      const dir = path.join(tmp, what.replace(/\W+/g, '-'));
      await writeIdx(dir, { train: 20, test: 20, rows: 5, cols: 4 });
      await breakIt(dir);
      await expect(readAll(dir)).rejects.toThrow(message);
    });
  }

  it('rejects a truncated .gz', async () => {
    const dir = path.join(tmp, 'badgz');
    await writeIdx(dir, { train: 200, test: 20, rows: 5, cols: 4, gzip: true });
    const gz = gzipSync(idxImages(200, 5, 4));
    await writeFile(path.join(dir, 'train-images-idx3-ubyte.gz'), gz.subarray(0, gz.length - 30));
    await expect(readAll(dir)).rejects.toThrow(/train-images-idx3-ubyte\.gz: not a valid or complete gzip file/);
  });
});
