// A network's counts previewed while a form is edited: debounced, blanked at once when the form changes (old
// figures would describe another network), and only the latest request's answer or error is shown.
import { onBeforeUnmount, ref, watch, type WatchSource } from 'vue';
import type { NetworkCountsDto } from '../../../shared/api/dto';
import { errorMessage } from '../stores/errors';

/**
 * `prepare` runs on every change of `source` and returns the request to make, or null when the form has
 * nothing to count (invalid); the request runs `delayMs` after the last change.
 */
export function useCountsPreview(source: WatchSource | WatchSource[], prepare: () => (() => Promise<NetworkCountsDto>) | null, delayMs = 200) {
  const counts = ref<NetworkCountsDto | null>(null);
  const error = ref<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let seq = 0;
  watch(
    source,
    () => {
      if (timer) clearTimeout(timer);
      counts.value = null;
      const request = prepare();
      if (!request) return;
      const mine = ++seq;
      timer = setTimeout(async () => {
        try {
          const c = await request();
          if (mine === seq) {
            counts.value = c;
            error.value = null;
          }
        } catch (err) {
          if (mine === seq) error.value = errorMessage(err);
        }
      }, delayMs);
    },
    { immediate: true },
  );
  onBeforeUnmount(() => {
    if (timer) clearTimeout(timer);
  });
  return { counts, error };
}
