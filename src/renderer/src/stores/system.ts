// System domain: app and home, the compute backend and device really in use, the job queue, the connection.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ApiEventPayload } from '../../../shared/api/events';
import type { DoctorSummaryDto, QueueDto, SystemInfoDto } from '../../../shared/api/dto';
import { useApi } from '../api/api';
import type { ConnectionState } from '../api/transport';
import { errorMessage } from './errors';

export const useSystemStore = defineStore('system', () => {
  const info = ref<SystemInfoDto | null>(null);
  const queue = ref<QueueDto>({ maxConcurrent: 1, running: [], queued: [] });
  const connection = ref<ConnectionState>('connecting');
  const error = ref<string | null>(null);
  /** `nasw doctor`'s findings (the service computes them once; loaded after the first info). */
  const doctor = ref<DoctorSummaryDto | null>(null);

  async function loadDoctor(): Promise<void> {
    try {
      doctor.value = await useApi().system.doctor();
    } catch {
      doctor.value = null; // the status bar simply omits it
    }
  }

  async function load(): Promise<void> {
    try {
      const i = await useApi().system.info();
      info.value = i;
      queue.value = i.queue;
      error.value = null;
      if (!doctor.value) void loadDoctor();
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  function applyQueue(q: QueueDto): void {
    queue.value = q;
  }

  /** A job reported its backend, or a run stopped: what is "in use" may have changed. */
  function applyJobEvent(e: ApiEventPayload<'job'>): void {
    if (e.type === 'backend' && info.value) {
      info.value = { ...info.value, compute: { ...e.backend, runId: e.runId, source: 'running' } };
    } else if (e.type === 'status' && e.status !== 'running' && e.status !== 'queued') {
      void load();
    }
  }

  function setConnection(state: ConnectionState): void {
    connection.value = state;
  }

  return { info, queue, connection, error, doctor, load, applyQueue, applyJobEvent, setConnection };
});
