// Compare domain: the runs picked (kept in the route), their curves, genotypes and figures, and the runs to pick from.
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { ApiEventPayload } from '../../../shared/api/events';
import type { CompareEntryDto, RunSummaryDto } from '../../../shared/api/dto';
import { useApi } from '../api/api';
import { debounce, RELOAD_DELAY_MS } from './debounce';
import { errorMessage } from './errors';

export const useCompareStore = defineStore('compare', () => {
  const ids = ref<number[]>([]);
  const entries = shallowRef<readonly CompareEntryDto[]>(markRaw([]));
  /** Search and retrain runs, newest first. */
  const candidates = shallowRef<readonly RunSummaryDto[]>(markRaw([]));
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function loadCandidates(): Promise<void> {
    try {
      const [searches, retrains] = await Promise.all([useApi().runs.list({ kind: 'search' }), useApi().runs.list({ kind: 'retrain' })]);
      candidates.value = markRaw([...searches, ...retrains].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id));
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  async function load(next: readonly number[]): Promise<void> {
    ids.value = [...next];
    if (next.length === 0) {
      entries.value = markRaw([]);
      error.value = null;
      return;
    }
    loading.value = true;
    try {
      const got = await useApi().runs.compare({ ids: [...next] });
      // A later selection may have overtaken this answer.
      if (ids.value.join() === next.join()) {
        entries.value = markRaw(got);
        error.value = null;
      }
    } catch (err) {
      if (ids.value.join() === next.join()) error.value = errorMessage(err);
    } finally {
      loading.value = false;
    }
  }

  const reloadSoon = debounce(() => void load(ids.value), RELOAD_DELAY_MS.value);
  /** A compared run that records an epoch or changes status is read again (its curves grow while it runs). */
  function applyJobEvent(e: ApiEventPayload<'job'>): void {
    if (!ids.value.includes(e.runId)) return;
    if (e.type === 'epoch' || e.type === 'status' || e.type === 'genotype') {
      if (RELOAD_DELAY_MS.value === 0) void load(ids.value);
      else reloadSoon();
    }
  }

  return { ids, entries, candidates, loading, error, load, loadCandidates, applyJobEvent };
});
