// Datasets domain: the cached datasets (and the demo one), a dataset's detail with thumbnails, imports as tasks
// (staging dropped files, then the service's import with progress events), and deletes refused with the reason.
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { DatasetDetailDto, DatasetDto, ImportTaskDto } from '../../../shared/api/dto';
import { useApi, useTransport } from '../api/api';
import type { Dropped, StageProgress } from '../api/transport';
import { errorMessage } from './errors';

export interface ImportOptions {
  name?: string;
  /** Image folders: the square side to resize to (0 keeps the size). */
  size?: number;
}

/** Files on their way to the service (browser mode uploads them first). */
export interface StagingState {
  label: string;
  progress: StageProgress | null;
  error: string | null;
}

export const useDatasetsStore = defineStore('datasets', () => {
  const datasets = ref<DatasetDto[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  /** The open dataset's detail (thumbnails are data URLs: kept raw). */
  const detail = shallowRef<DatasetDetailDto | null>(null);
  const detailError = ref<string | null>(null);
  const imports = ref<ImportTaskDto[]>([]);
  const staging = ref<StagingState | null>(null);
  const deleting = ref<string | null>(null);
  /** Why the last delete was refused, by dataset. */
  const deleteErrors = ref<Record<string, string>>({});
  /** Finished tasks the user hid. */
  const dismissed = new Set<number>();

  async function load(): Promise<void> {
    try {
      datasets.value = await useApi().datasets.list();
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  async function open(name: string): Promise<void> {
    if (detail.value?.name !== name) detail.value = null;
    try {
      const d = await useApi().datasets.get({ name });
      detail.value = markRaw(d);
      detailError.value = null;
    } catch (err) {
      detail.value = null;
      detailError.value = errorMessage(err);
    }
  }

  function close(): void {
    detail.value = null;
    detailError.value = null;
  }

  async function loadImports(): Promise<void> {
    try {
      imports.value = (await useApi().datasets.imports()).filter((t) => !dismissed.has(t.id));
    } catch {
      // The list fills from events as well.
    }
  }

  /** Stage what was dropped (upload or path), then start the import; the task then updates from events. */
  async function importDropped(dropped: Dropped, opts: ImportOptions = {}, label = ''): Promise<ImportTaskDto | null> {
    staging.value = { label, progress: null, error: null };
    try {
      const source = await useTransport().stage(dropped, (p) => {
        if (staging.value) staging.value = { ...staging.value, progress: p };
      });
      const task = await useApi().datasets.import({ source, name: opts.name || undefined, size: opts.size });
      applyImport(task);
      staging.value = null;
      return task;
    } catch (err) {
      staging.value = { label, progress: staging.value?.progress ?? null, error: errorMessage(err) };
      return null;
    }
  }

  async function cancelImport(id: number): Promise<void> {
    try {
      applyImport(await useApi().datasets.cancelImport({ id }));
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  /** A task's newer snapshot replaces an older one (events may overtake the answer that started it). */
  function applyImport(task: ImportTaskDto): void {
    if (dismissed.has(task.id)) return;
    const known = imports.value.find((t) => t.id === task.id);
    if (known && known.revision > task.revision) return;
    const others = imports.value.filter((t) => t.id !== task.id);
    imports.value = [task, ...others].sort((a, b) => b.id - a.id).slice(0, 20);
    if (task.status === 'completed') void load();
  }

  function dismissStaging(): void {
    staging.value = null;
  }

  /** Hide a finished task from the list (the service forgets it after a while). */
  function dismissImport(id: number): void {
    if (imports.value.some((t) => t.id === id && t.status === 'running')) return;
    dismissed.add(id);
    imports.value = imports.value.filter((t) => t.id !== id);
  }

  /** Delete; a refusal (a run uses it) is kept as that dataset's reason. */
  async function remove(name: string): Promise<boolean> {
    deleting.value = name;
    try {
      await useApi().datasets.delete({ name });
      const { [name]: _gone, ...rest } = deleteErrors.value;
      deleteErrors.value = rest;
      if (detail.value?.name === name) detail.value = null;
      await load();
      return true;
    } catch (err) {
      deleteErrors.value = { ...deleteErrors.value, [name]: errorMessage(err) };
      return false;
    } finally {
      deleting.value = null;
    }
  }

  const running = computed(() => imports.value.filter((t) => t.status === 'running'));

  return {
    datasets,
    loaded,
    error,
    detail,
    detailError,
    imports,
    staging,
    deleting,
    deleteErrors,
    running,
    load,
    open,
    close,
    loadImports,
    importDropped,
    cancelImport,
    applyImport,
    dismissStaging,
    dismissImport,
    remove,
  };
});
