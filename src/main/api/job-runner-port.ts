// What the API service needs of the job runner (jobs/job-runner.ts's JobRunner fits it; tests pass a fake).
import type { JobEvent, JobSpec } from '../../shared/jobs';

export interface JobRunnerPort {
  /** Validate, create the run row (queued), start when a slot is free; the run id. */
  submit(spec: JobSpec): Promise<number>;
  /** Clean stop at the next step with a final checkpoint → cancelled. */
  cancel(runId: number): Promise<void>;
  /** interrupted / cancelled → queued → continues from its last checkpoint. */
  resume(runId: number): Promise<void>;
  onEvent(listener: (e: JobEvent) => void): () => void;
}
