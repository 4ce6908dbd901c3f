// The API service's public face: the handler map, dispatch, the runner port, and the wiring of one data folder.
export { createApiService, type ApiService, type ApiServiceOptions, type ApiEventListener } from './service';
export { runSummaryDto, runDetailDto } from './run-dto';
export { dispatch, checkEvent, jsonSafe } from './dispatch';
export { toApiError } from './errors';
export type { JobRunnerPort } from './job-runner-port';
export { openWorkbench, type Workbench, type WorkbenchOptions } from './workbench';
export { createUpload, removeUpload, sweepStaging, uploadDir, uploadExists, uploadFilePath } from './staging';
