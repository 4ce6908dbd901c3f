// Refuses a search or retrain before its run is recorded when its dataset does not exist or its batch is larger than its split.
import path from 'node:path';
import { closestName } from '../../shared/closest-name';
import type { RetrainConfig } from '../../shared/retrain-config';
import type { SearchConfig } from '../../shared/search-config';
import { DatasetError } from '../data/errors';
import { listDatasets } from '../data/registry';
import { searchSplits } from '../data/splits';
import { SYNTHETIC_COUNTS, SYNTHETIC_NAME } from '../data/synthetic';
import { homePaths } from '../store/home';

/**
 * Throws a DatasetError naming the problem and the way out. A batch larger than the images it draws
 * from is refused, not clamped: the recorded config must be the one that ran, and a smaller batch
 * changes batch-norm statistics and the learning-rate-to-batch ratio, which is the researcher's call.
 */
export async function checkJobData(home: string, job: { kind: 'search'; config: SearchConfig } | { kind: 'retrain'; config: RetrainConfig }): Promise<void> {
  const name = job.config.data.dataset;
  const dir = homePaths(home).datasets;
  const cached = await listDatasets(dir);
  const manifest = cached.find((m) => m.name === name);
  if (!manifest && name !== SYNTHETIC_NAME) {
    const known = [...new Set([...cached.map((m) => m.name), SYNTHETIC_NAME])].sort();
    const hint = closestName(name, known);
    throw new DatasetError(dir, `no dataset named "${name}"${hint ? ` — did you mean "${hint}"?` : ''} (known: ${known.join(', ')})`);
  }
  const trainImages = manifest?.splits.train.count ?? SYNTHETIC_COUNTS.train;
  const batch = job.config.batchSize;
  if (job.kind === 'search') {
    // The same seeded split the run will draw (it also refuses shares too small to hold an image).
    const splits = searchSplits(trainImages, job.config.data, job.config.seed, `${name} (train split)`);
    const [part, size] = splits.w.length <= splits.alpha.length ? ['w', splits.w.length] : ['α', splits.alpha.length];
    if (batch > size) {
      throw new DatasetError(path.join(dir, name), `the batch size ${batch} is larger than the ${part} share of its training split (${size} of ${trainImages} images): use a batch size of at most ${size}`);
    }
  } else if (batch > trainImages) {
    throw new DatasetError(path.join(dir, name), `the batch size ${batch} is larger than its training split (${trainImages} images): use a batch size of at most ${trainImages}`);
  }
}
