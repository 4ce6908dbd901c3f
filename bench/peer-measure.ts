// The measurement loop on a data-parallel peer other than 0 (a worker thread): the same steps on its share of each batch.
import type { Collective } from '../src/main/nas/collective';
import { setCollective } from '../src/main/nas/collective';
import { selectBackend } from '../src/main/nas/backend';
import type { MeasureOptions } from './measure';

export async function peerMain(input: { backend: string; measure: Omit<MeasureOptions, 'log'> }, c: Collective): Promise<{ wasmHeapBytes: number | null }> {
  await selectBackend(input.backend as never);
  setCollective(c);
  const { measure } = await import('./measure');
  const f = await measure({ ...input.measure, forwardRepeats: 0, discretizeBatches: 0 });
  return { wasmHeapBytes: f.memory.wasmHeapBytes };
}
