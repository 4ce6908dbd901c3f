// Search-spaces domain: the paper's presets S1–S3 and saved spaces.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SpaceDto } from '../../../shared/api/dto';
import { useApi } from '../api/api';
import { errorMessage } from './errors';

export const useSpacesStore = defineStore('spaces', () => {
  const spaces = ref<SpaceDto[]>([]);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      spaces.value = await useApi().spaces.list();
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  const byName = (name: string) => spaces.value.find((s) => s.name === name);

  return { spaces, error, load, byName };
});
