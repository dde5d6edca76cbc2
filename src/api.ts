// The public API returned from activate(): the same surface the UI uses. Stable and versioned.
import type { CancellationToken } from 'vscode';
import type { Credentials, FunctionInfo, Job, Page, PlatformId, RunRequest, RunResult } from './core/model';

export type {
  Credentials,
  FunctionInfo,
  Job,
  JobStatus,
  Page,
  PlatformId,
  Prediction,
  RunOptions,
  RunRequest,
  RunResult,
  Usage,
} from './core/model';

export interface AiFunctionsApi {
  readonly version: 1;
  setApiKey(platform: PlatformId, credentials: Credentials): Promise<void>;
  listFunctions(platform: PlatformId): Promise<FunctionInfo[]>;
  runFunction(req: RunRequest, token?: CancellationToken): Promise<RunResult>;
  listJobs(platform: PlatformId, page?: { limit?: number; cursor?: string }): Promise<Page<Job>>;
  getJob(platform: PlatformId, id: string): Promise<Job>;
}
