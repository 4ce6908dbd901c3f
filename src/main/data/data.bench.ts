// Throughput of the data layer (`npx vitest bench --run src/main/data`): Fashion-MNIST import, augmenting loader at batch 64.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { searchDataSchema } from '../../shared/search-config';
import { cleanup, tempDir } from '../../../test/fixtures/data/builders';
import { importDataset } from './import-dataset';
import { openDataset } from './registry';
import { searchDataFrom } from './search-data';
import { ensureSyntheticDataset } from './synthetic';

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const tmp = await tempDir('nasw-bench-');
const augment = searchDataSchema.parse({ augment: { cropPadding: 4, flip: true, cutout: 16 } });
await importDataset(FASHION_DIR, tmp, { name: 'fm' });
const fashion = searchDataFrom(await openDataset(tmp, 'fm'), augment, 2).w;
const synthetic = searchDataFrom(await ensureSyntheticDataset(tmp), augment, 2).w;

/** Walks epochs step by step, as the search loop does. */
function walker(src: typeof fashion) {
  let epoch = 0;
  let step = 0;
  return async () => {
    await src.batch(epoch, step, 64);
    if (++step === src.stepsPerEpoch(64)) [epoch, step] = [epoch + 1, 0];
  };
}

afterAll(() => cleanup(tmp));

describe('data', () => {
  let k = 0;
  bench(
    'import Fashion-MNIST (70,000 × 28×28×1, from .gz)',
    async () => {
      const name = `import-${k++}`;
      await importDataset(FASHION_DIR, tmp, { name });
      await rm(path.join(tmp, name), { recursive: true });
    },
    { iterations: 3, warmupIterations: 0, time: 0 },
  );
  bench('w loader, batch 64, crop 4 + flip + cutout 16, Fashion-MNIST 28×28×1', walker(fashion), { time: 2000 });
  bench('w loader, batch 64, crop 4 + flip + cutout 16, synthetic 32×32×3', walker(synthetic), { time: 2000 });
});
