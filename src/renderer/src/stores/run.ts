// Run domain: the open run's detail (epochs, checkpoints, genotypes, child jobs), extended live as events arrive.
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { ApiEventPayload } from '../../../shared/api/events';
import { isSearchEpochMetrics, type EpochDto, type RunDetailDto } from '../../../shared/api/dto';
import { useApi } from '../api/api';
import { debounce, RELOAD_DELAY_MS } from './debounce';
import { errorMessage } from './errors';

export const useRunStore = defineStore('run', () => {
  const id = ref<number | null>(null);
  /** Big metric arrays: not made deeply reactive (markRaw), replaced as a whole. */
  const detail = shallowRef<RunDetailDto | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** Jobs submitted from this view (discretize …) whose events should refresh it. */
  const watched = ref<number[]>([]);

  async function load(runId: number): Promise<void> {
    if (id.value !== runId) {
      detail.value = null;
      watched.value = [];
    }
    id.value = runId;
    loading.value = true;
    try {
      const d = await useApi().runs.get({ id: runId });
      if (id.value === runId) {
        detail.value = markRaw(d);
        error.value = null;
      }
    } catch (err) {
      if (id.value === runId) error.value = errorMessage(err);
    } finally {
      loading.value = false;
    }
  }

  function close(): void {
    id.value = null;
    detail.value = null;
    watched.value = [];
  }

  const reload = () => {
    if (id.value !== null) void load(id.value);
  };
  const reloadSoon = debounce(reload, RELOAD_DELAY_MS.value);
  const refresh = () => (RELOAD_DELAY_MS.value === 0 ? reload() : reloadSoon());

  function watch(runId: number): void {
    if (!watched.value.includes(runId)) watched.value = [...watched.value, runId];
  }

  const related = (runId: number) => runId === id.value || watched.value.includes(runId) || (detail.value?.children.some((c) => c.id === runId) ?? false);

  function applyJobEvent(e: ApiEventPayload<'job'>): void {
    if (id.value === null) return;
    if (e.type === 'epoch' && e.runId === id.value && detail.value) {
      // Extend the curves at once; the reload that follows brings the summary figures.
      const m = e.metrics;
      const row: EpochDto = isSearchEpochMetrics(m)
        ? { epoch: e.epoch, lr: m.lr, trainLoss: m.trainLoss, trainAcc: m.trainAcc, valLoss: m.valLoss, valAcc: m.valAcc, testLoss: null, testAcc: null, zeroRatio: m.zeroRatio, seconds: m.seconds, metrics: m, recordedAt: new Date().toISOString() }
        : { epoch: e.epoch, lr: null, trainLoss: null, trainAcc: null, valLoss: null, valAcc: null, testLoss: null, testAcc: null, zeroRatio: { normal: null, reduce: null }, seconds: null, metrics: m, recordedAt: new Date().toISOString() };
      const epochs = [...detail.value.epochs.filter((x) => x.epoch !== e.epoch), row].sort((a, b) => a.epoch - b.epoch);
      detail.value = markRaw({ ...detail.value, epochs });
      refresh();
    } else if (e.type === 'genotype' || ((e.type === 'status' || e.type === 'checkpoint' || e.type === 'backend') && related(e.runId))) {
      refresh();
    }
  }

  const epochs = computed(() => detail.value?.epochs ?? []);
  const lastEpoch = computed(() => (epochs.value.length ? epochs.value[epochs.value.length - 1]!.epoch : null));

  return { id, detail, loading, error, watched, epochs, lastEpoch, load, close, watch, applyJobEvent };
});
