// The public API returned from activate(): the same surface the UI uses. Stable and versioned.
import type { CancellationToken } from 'vscode';
import type { Credentials, FunctionInfo, Job, Page, PlatformId, RunInput, RunRequest, RunResult } from './core/model';

export type {
  Credentials,
  FunctionInfo,
  Job,
  JobStatus,
  Page,
  PlatformId,
  Prediction,
  RunInput,
  RunOptions,
  RunRequest,
  RunResult,
  Usage,
} from './core/model';

/** One row's outcome from `runRows`: a result or an error, never both, never neither. */
export interface RowResult {
  /** The row's index in the rows given. */
  index: number;
  result?: RunResult;
  error?: { kind: string; message: string };
}

export interface RunRowsOptions {
  /** Rows in flight at once; default the aiFunctions.concurrency setting, never above what the platform allows. */
  concurrency?: number;
  token?: CancellationToken;
}

/**
 * The scripted way to do what the commands do. Commands take no credentials and ask before they
 * act on arguments (a command link can supply those); these methods act at once.
 */
export interface AiFunctionsApi {
  readonly version: 1;
  setApiKey(platform: PlatformId, credentials: Credentials): Promise<void>;
  clearApiKey(platform: PlatformId): Promise<void>;
  listFunctions(platform: PlatformId): Promise<FunctionInfo[]>;
  runFunction(req: RunRequest, token?: CancellationToken): Promise<RunResult>;
  /** One function over many rows; one RowResult per row, in order. */
  runRows(request: Omit<RunRequest, 'input'>, rows: readonly RunInput[], options?: RunRowsOptions): Promise<RowResult[]>;
  listJobs(platform: PlatformId, page?: { limit?: number; cursor?: string }): Promise<Page<Job>>;
  getJob(platform: PlatformId, id: string): Promise<Job>;
  /** Asks the platform to cancel the job; resolves with the job as it is afterwards. */
  cancelJob(platform: PlatformId, id: string): Promise<Job>;
  /** Answers the run's open input request (`requestId`, or its first one). */
  answerInputRequest(platform: PlatformId, runId: string, answer: string, requestId?: string): Promise<void>;
}
