// A stop requested from the event loop (a signal, an IPC message, a timer) reaches in-process runs at the next step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenotype } from '../../shared/genotype-text';
import { retrainConfig } from '../../shared/retrain-config';
import { searchConfig } from '../../shared/search-config';
import { useBackend } from '../nas/testing/backends';
import { SyntheticSource, syntheticSearchData } from '../nas/testing/synthetic-data';
import { runRetrainInFolder } from './retrain-runner';
import { runSearchInFolder } from './search-runner';

beforeAll(() => useBackend('cpu'));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nasw-stop-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/**
 * The job process's stop flag is set by handlers (SIGINT, IPC `stop`, IPC disconnect) that run only when
 * the event loop turns; a macrotask scheduled at the first step stands in for them here.
 */
function stopFromEventLoop() {
  let stop = false;
  let scheduled = false;
  return {
    onStep: () => {
      if (!scheduled) setImmediate(() => (stop = true));
      scheduled = true;
    },
    shouldStop: () => stop,
  };
}

describe('in-process runs yield to the event loop between steps', () => {
  it('a search stops at the step after the stop request, with a mid-epoch checkpoint', async () => {
    const config = searchConfig({
      space: { ops: ['none', 'skip_connect', 'sep_conv_3x3'], cells: 2, channels: 4, nodes: 2 },
      epochs: 3,
      batchSize: 8,
      stepsPerEpoch: 3,
      backend: 'cpu',
    });
    const r = await runSearchInFolder({ folder: path.join(root, 'search'), config, data: syntheticSearchData(), progressEvery: 1, hooks: stopFromEventLoop() });
    expect(r.status).toBe('stopped');
    // Stopped before the second step of the first epoch: nothing completed, the checkpoint is at (0, 1).
    expect(r.history).toEqual([]);
    expect(r.lastCheckpoint).toMatchObject({ epoch: 0, step: 1 });
  });

  it('a retrain stops at the step after the stop request, with a mid-epoch checkpoint', async () => {
    const config = retrainConfig({
      genotype: parseGenotype("Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('dil_conv_3x3', 1)], reduce_concat=[2])"),
      cells: 3,
      channels: 4,
      epochs: 3,
      batchSize: 8,
      stepsPerEpoch: 3,
      auxiliary: false,
      backend: 'cpu',
    });
    const data = { train: new SyntheticSource(32, [8, 8, 3], 4, 1), test: new SyntheticSource(16, [8, 8, 3], 4, 1), classNames: ['a', 'b', 'c', 'd'] };
    const r = await runRetrainInFolder({ folder: path.join(root, 'retrain'), config, data, progressEvery: 1, hooks: stopFromEventLoop() });
    expect(r.status).toBe('stopped');
    expect(r.history).toEqual([]);
    expect(r.lastCheckpoint).toMatchObject({ epoch: 0, step: 1 });
  });
});
