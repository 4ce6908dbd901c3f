import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifar100Files, cifar10Files, cleanup, tempDir, writeFiles, writeIdx, writeImageFolder, writeTarGz } from '../../../test/fixtures/data/builders';
import { detectFormat } from './detect';

let tmp: string;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => cleanup(tmp));

describe('detectFormat', () => {
  it('recognises each format from folders, archives and files', async () => {
    await writeFiles(path.join(tmp, 'c10', 'cifar-10-batches-bin'), cifar10Files(1).files);
    await writeFiles(path.join(tmp, 'c100'), cifar100Files(1, 1).files);
    await writeTarGz(path.join(tmp, 'c100.tgz'), cifar100Files(1, 1).files.map((f) => ({ ...f, name: `cifar-100-binary/${f.name}` })));
    await writeIdx(path.join(tmp, 'mnist'), { train: 2, test: 2, gzip: true });
    await writeImageFolder(path.join(tmp, 'pics'), { a: [{ width: 4, height: 4, channels: 3, format: 'png' }] });
    expect(await detectFormat(path.join(tmp, 'c10'))).toBe('cifar10');
    expect(await detectFormat(path.join(tmp, 'c10', 'cifar-10-batches-bin', 'data_batch_1.bin'))).toBe('cifar10');
    expect(await detectFormat(path.join(tmp, 'c100'))).toBe('cifar100');
    expect(await detectFormat(path.join(tmp, 'c100.tgz'))).toBe('cifar100');
    expect(await detectFormat(path.join(tmp, 'mnist'))).toBe('idx');
    expect(await detectFormat(path.join(tmp, 'mnist', 'train-images-idx3-ubyte.gz'))).toBe('idx');
    expect(await detectFormat(path.join(tmp, 'pics'))).toBe('folder');
  });

  it('says why not', async () => {
    await expect(detectFormat(path.join(tmp, 'nowhere'))).rejects.toThrow(/nowhere: not found/);
    await writeFiles(path.join(tmp, 'py'), [{ name: 'data_batch_1', data: 'x' }, { name: 'test_batch', data: 'x' }]);
    await expect(detectFormat(path.join(tmp, 'py'))).rejects.toThrow(/python version; download the binary version/);
    await writeFiles(path.join(tmp, 'bare'), [{ name: 'notes.txt', data: 'x' }]);
    await expect(detectFormat(path.join(tmp, 'bare'))).rejects.toThrow(/bare: no CIFAR binary batches, IDX files or class sub-folders found/);
    await writeFile(path.join(tmp, 'x.bin'), Buffer.alloc(100));
    await expect(detectFormat(path.join(tmp, 'x.bin'))).rejects.toThrow(/x\.bin: not a dataset file/);
    await writeTarGz(path.join(tmp, 'other.tar.gz'), [{ name: 'stuff/readme.txt', data: 'hi' }]);
    await expect(detectFormat(path.join(tmp, 'other.tar.gz'))).rejects.toThrow(/other\.tar\.gz: archive holds no CIFAR-10 or CIFAR-100 binary batches.*readme\.txt/);
  });
});
