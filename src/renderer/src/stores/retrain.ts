// Retrain domain: retrain runs, the genotypes to start one from, launching (validated by the service too), counts.
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { ApiEventPayload } from '../../../shared/api/events';
import type { GenotypeEntryDto, NetworkCountsDto, RunSummaryDto } from '../../../shared/api/dto';
import type { RetrainConfigInput } from '../../../shared/retrain-config';
import { useApi } from '../api/api';
import { debounce, RELOAD_DELAY_MS } from './debounce';
import { errorMessage } from './errors';

export interface RetrainLaunch {
  /** DARTS text, JSON or a published name. */
  genotype: string;
  config: Omit<RetrainConfigInput, 'genotype'>;
  name?: string;
  /** The search run the genotype came from. */
  parentId?: number;
}

export const useRetrainStore = defineStore('retrain', () => {
  const runs = shallowRef<readonly RunSummaryDto[]>(markRaw([]));
  const genotypes = shallowRef<readonly GenotypeEntryDto[]>(markRaw([]));
  const error = ref<string | null>(null);
  const loaded = ref(false);

  async function load(): Promise<void> {
    try {
      runs.value = markRaw(await useApi().runs.list({ kind: 'retrain' }));
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  async function loadGenotypes(): Promise<void> {
    try {
      genotypes.value = markRaw(await useApi().genotypes.list());
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  /** Start a retrain; throws the service's ApiError (field issues) for the form. */
  async function launch(l: RetrainLaunch): Promise<number> {
    const res = await useApi().jobs.submit({ spec: { kind: 'retrain', genotype: l.genotype, config: l.config as Record<string, unknown>, name: l.name || undefined, parentId: l.parentId } });
    void load();
    return res.runId;
  }

  async function cost(o: { genotype: string; cells: number; channels: number; stem: 'cifar' | 'imagenet'; stemMultiplier: number; auxiliary: boolean; dataset?: string }): Promise<NetworkCountsDto> {
    return useApi().counts.network(o);
  }

  const reloadSoon = debounce(() => void load(), RELOAD_DELAY_MS.value);
  function applyJobEvent(e: ApiEventPayload<'job'>): void {
    if (e.type === 'status' || (e.type === 'epoch' && runs.value.some((r) => r.id === e.runId))) {
      if (RELOAD_DELAY_MS.value === 0) void load();
      else reloadSoon();
    }
  }

  return { runs, genotypes, error, loaded, load, loadGenotypes, launch, cost, applyJobEvent };
});
