// Datasets domain: the cached datasets (and the demo one, generated on first use).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DatasetDto } from '../../../shared/api/dto';
import { useApi } from '../api/api';
import { errorMessage } from './errors';

export const useDatasetsStore = defineStore('datasets', () => {
  const datasets = ref<DatasetDto[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      datasets.value = await useApi().datasets.list();
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  return { datasets, loaded, error, load };
});
