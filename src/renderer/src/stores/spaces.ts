// Search-spaces domain: the paper's presets S1–S3 and saved spaces; save and delete, and the supernet's counts.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { NetworkCountsDto, SpaceDto } from '../../../shared/api/dto';
import type { SearchSpace } from '../../../shared/search-space';
import { useApi } from '../api/api';
import { errorMessage } from './errors';

export const useSpacesStore = defineStore('spaces', () => {
  const spaces = ref<SpaceDto[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      spaces.value = await useApi().spaces.list();
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  /** Save a user space; throws the service's ApiError (field issues included) for the editor to show. */
  async function save(space: SearchSpace): Promise<SpaceDto> {
    const saved = await useApi().spaces.save({ space });
    await load();
    return saved;
  }

  async function remove(name: string): Promise<void> {
    await useApi().spaces.delete({ name });
    await load();
  }

  /** The supernet's parameters and multiply-adds for a space at a dataset's image size. */
  async function cost(space: SearchSpace, dataset?: string): Promise<NetworkCountsDto> {
    return useApi().counts.supernet({ space, dataset });
  }

  const byName = (name: string) => spaces.value.find((s) => s.name === name);
  const saved = computed(() => spaces.value.filter((s) => !s.builtin));
  return { spaces, loaded, error, saved, load, save, remove, cost, byName };
});
