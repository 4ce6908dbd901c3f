// Jobs domain: submit, cancel, resume, discretize; live progress (epoch, step, ETA) and the last error per run.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ApiEventPayload } from '../../../shared/api/events';
import type { JobProgressDto } from '../../../shared/api/dto';
import type { SearchConfigInput } from '../../../shared/search-config';
import { ApiError } from '../../../shared/api/errors';
import { useApi } from '../api/api';
import { errorMessage } from './errors';

export interface LogLine {
  runId: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  at: number;
}

export const useJobsStore = defineStore('jobs', () => {
  const progress = ref<Record<number, JobProgressDto>>({});
  /** Why a run failed or an action was refused, per run (0: not tied to a run). */
  const errors = ref<Record<number, string>>({});
  const logs = ref<LogLine[]>([]);
  const busy = ref<Record<string, boolean>>({});

  async function act<T>(key: string, runId: number, fn: () => Promise<T>): Promise<T | null> {
    busy.value = { ...busy.value, [key]: true };
    try {
      const result = await fn();
      const { [runId]: _cleared, ...rest } = errors.value;
      errors.value = rest;
      return result;
    } catch (err) {
      errors.value = { ...errors.value, [runId]: errorMessage(err) };
      return null;
    } finally {
      const { [key]: _done, ...rest } = busy.value;
      busy.value = rest;
    }
  }

  /** Start a search; throws the service's ApiError (with field issues) so the form can show them. */
  async function submitSearch(config: SearchConfigInput, name?: string): Promise<number> {
    const res = await useApi().jobs.submit({ spec: { kind: 'search', name: name || undefined, config: config as Record<string, unknown> } });
    return res.runId;
  }

  const cancel = (runId: number) => act(`cancel:${runId}`, runId, () => useApi().jobs.cancel({ runId }));
  const resume = (runId: number) => act(`resume:${runId}`, runId, () => useApi().jobs.resume({ runId }));
  const discretize = (searchRunId: number, checkpoint: number | 'last', method: 'value' | 'decorrelation') =>
    act(`discretize:${searchRunId}:${checkpoint}:${method}`, searchRunId, () => useApi().jobs.discretize({ searchRunId, checkpoint, method }));

  function applyJobEvent(e: ApiEventPayload<'job'>): void {
    if (e.type === 'progress') progress.value = { ...progress.value, [e.runId]: e.progress };
    else if (e.type === 'status') {
      if (e.status !== 'running') {
        const { [e.runId]: _gone, ...rest } = progress.value;
        progress.value = rest;
      }
      if ((e.status === 'failed' || e.status === 'interrupted') && e.error) errors.value = { ...errors.value, [e.runId]: e.error };
    } else if (e.type === 'log') {
      logs.value = [...logs.value.slice(-199), { runId: e.runId, level: e.level, message: e.message, at: Date.now() }];
    }
  }

  const isBusy = (key: string) => busy.value[key] === true;
  /** A run's warnings and errors from its job (e.g. a corrupt checkpoint skipped on resume), oldest first. */
  const warnings = (runId: number) => logs.value.filter((l) => l.runId === runId && l.level !== 'info').map((l) => l.message);

  return { progress, errors, logs, busy, submitSearch, cancel, resume, discretize, applyJobEvent, isBusy, warnings };
});

export { ApiError };
