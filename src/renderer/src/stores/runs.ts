// Runs domain: the list of search runs with their summaries, kept fresh as jobs change status.
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import type { ApiEventPayload } from '../../../shared/api/events';
import type { RunSummaryDto } from '../../../shared/api/dto';
import { useApi } from '../api/api';
import { debounce, RELOAD_DELAY_MS } from './debounce';
import { errorMessage } from './errors';

export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<readonly RunSummaryDto[]>(markRaw([]));
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      runs.value = markRaw(await useApi().runs.list({ kind: 'search' }));
      error.value = null;
      loaded.value = true;
    } catch (err) {
      error.value = errorMessage(err);
    } finally {
      loading.value = false;
    }
  }

  const reloadSoon = debounce(() => void load(), RELOAD_DELAY_MS.value);

  function applyJobEvent(e: ApiEventPayload<'job'>): void {
    // New rows, new statuses and new epochs all change what the list shows.
    if (e.type === 'status' || e.type === 'epoch' || e.type === 'backend') {
      if (RELOAD_DELAY_MS.value === 0) void load();
      else reloadSoon();
    }
  }

  function byId(id: number): RunSummaryDto | undefined {
    return runs.value.find((r) => r.id === id);
  }

  return { runs, loading, loaded, error, load, applyJobEvent, byId };
});
