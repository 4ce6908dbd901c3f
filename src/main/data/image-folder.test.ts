import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, tempDir, writeImageFolder, type ImageSpec } from '../../../test/fixtures/data/builders';
import { openFolderSource, type FolderOptions } from './image-folder';
import type { RecordChunk } from './source';

async function readAll(p: string, opts: FolderOptions = {}) {
  const src = await openFolderSource(p, opts);
  const chunks: RecordChunk[] = [];
  const it = src.records({});
  for (;;) {
    const r = await it.next();
    if (r.done) return { src, chunks, end: r.value };
    chunks.push(r.value);
  }
}
const labelsOf = (chunks: RecordChunk[], split: string) => chunks.filter((c) => c.split === split).flatMap((c) => [...c.labels]);

const rgb = (value: number, format: ImageSpec['format'] = 'png', width = 40, height = 30): ImageSpec => ({ width, height, channels: 3, format, value });
const grey = (value: number): ImageSpec => ({ width: 40, height: 30, channels: 1, format: 'png', value });

let tmp: string;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => cleanup(tmp));

describe('image folder reader', () => {
  it('reads one folder per class, resizes (cover) and holds out a seeded test share', async () => {
    const dir = path.join(tmp, 'flat');
    await writeImageFolder(dir, {
      cats: Array.from({ length: 10 }, () => rgb(200, 'jpeg')),
      dogs: Array.from({ length: 10 }, () => rgb(50, 'webp', 20, 60)),
    });
    await writeFile(path.join(dir, 'README.txt'), 'files beside the class folders are ignored');
    await writeFile(path.join(dir, 'cats', '.DS_Store'), 'hidden files are ignored');
    const { src, chunks, end } = await readAll(dir, { size: 16, testFraction: 0.2 });
    expect(src.info.shape).toEqual([16, 16, 3]);
    expect(end.classNames).toEqual(['cats', 'dogs']);
    expect(labelsOf(chunks, 'train')).toEqual([...new Array(8).fill(0), ...new Array(8).fill(1)]);
    expect(labelsOf(chunks, 'test')).toEqual([0, 0, 1, 1]);
    const px = chunks.find((c) => c.split === 'train')!.images;
    expect(Math.abs(px[0]! - 200)).toBeLessThanOrEqual(3);
    expect(end.sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await readAll(dir, { size: 16, testFraction: 0.2 });
    expect(again.end.sha256).toBe(end.sha256);
  });

  it('uses train/ and val/ when present, and keeps the native size with size 0', async () => {
    const dir = path.join(tmp, 'split');
    await writeImageFolder(dir, { 'train/a': [grey(10), grey(20)], 'train/b': [grey(30)], 'val/b': [grey(40)] });
    const { src, chunks } = await readAll(dir, { size: 0 });
    expect(src.info.shape).toEqual([30, 40, 1]);
    expect(labelsOf(chunks, 'train')).toEqual([0, 0, 1]);
    expect(labelsOf(chunks, 'test')).toEqual([1]);
    expect(chunks.find((c) => c.split === 'test')!.images[0]).toBe(40);
  });

  it('converts mixed grey and colour when told, and refuses them otherwise', async () => {
    const dir = path.join(tmp, 'mixed-channels');
    await writeImageFolder(dir, { a: [rgb(100), rgb(100)], b: [grey(100), { width: 40, height: 30, channels: 4, format: 'png', value: 90 }] });
    await expect(readAll(dir)).rejects.toThrow(/b[/\\]img-0\.png: mixed channel counts: this image is greyscale but a[/\\]img-0\.png is colour/);
    const asGrey = await readAll(dir, { channels: 1, size: 8 });
    expect(asGrey.src.info.shape).toEqual([8, 8, 1]);
    expect(asGrey.chunks.reduce((n, c) => n + c.images.length, 0)).toBe(4 * 64);
    const asColour = await readAll(dir, { channels: 3, size: 8, testFraction: 0 });
    expect(asColour.chunks.reduce((n, c) => n + c.images.length, 0)).toBe(4 * 64 * 3);
  });

  it('refuses mixed sizes when not resizing', async () => {
    const dir = path.join(tmp, 'mixed-sizes');
    await writeImageFolder(dir, { a: [rgb(1)], b: [rgb(1, 'png', 41, 30)] });
    await expect(readAll(dir, { size: 0 })).rejects.toThrow(/b[/\\]img-0\.png: mixed image sizes: 41×30 but a[/\\]img-0\.png is 40×30/);
  });

  it('refuses an empty class folder', async () => {
    const dir = path.join(tmp, 'empty');
    await writeImageFolder(dir, { a: [rgb(1)] });
    await mkdir(path.join(dir, 'b'));
    await expect(readAll(dir)).rejects.toThrow(/empty[/\\]b: empty class folder/);
  });

  it('refuses a non-image file and an unreadable image', async () => {
    const dir = path.join(tmp, 'nonimage');
    await writeImageFolder(dir, { a: [rgb(1)], b: [rgb(2)] });
    await writeFile(path.join(dir, 'b', 'notes.txt'), 'hello');
    await expect(readAll(dir)).rejects.toThrow(/notes\.txt: not an image file/);
    const dir2 = path.join(tmp, 'corrupt');
    await writeImageFolder(dir2, { a: [rgb(1)], b: [rgb(2), rgb(3)] });
    const good = await sharp(Buffer.alloc(300, 9), { raw: { width: 10, height: 10, channels: 3 } }).png().toBuffer();
    await writeFile(path.join(dir2, 'b', 'img-1.png'), good.subarray(0, 40));
    await expect(readAll(dir2)).rejects.toThrow(/b[/\\]img-1\.png: unreadable image/);
  });

  it('refuses a test class the training split lacks', async () => {
    const dir = path.join(tmp, 'stray');
    await writeImageFolder(dir, { 'train/a': [rgb(1)], 'test/z': [rgb(1)] });
    await expect(readAll(dir)).rejects.toThrow(/test[/\\]z: class "z" is not among the training classes/);
  });
});
