// The one interface each platform adapter implements. The UI asks `capabilities` instead of
// checking platform names.
import type { HttpClient } from '../core/http';
import type { Logger } from '../core/log';
import type { Credentials, FunctionInfo, Job, Page, PageRequest, PlatformId, RunOptions, RunRequest, RunResult } from '../core/model';

/** What every adapter is built with (constructor injection; nothing is global). */
export interface AdapterOptions<Config> {
  http: HttpClient;
  /** The stored credentials, read on every call: the user may change them at any time. */
  credentials: () => Promise<Credentials | undefined>;
  /** Read on every call: settings may change. */
  config: () => Config;
  logger: Logger;
  /** Wall clock in ms (default `Date.now`). */
  now?: () => number;
}

export interface Capabilities {
  /** Jobs (Sutro batch jobs, Inferable runs) can be listed. */
  jobs: boolean;
  /** A job can be cancelled. */
  cancelJob: boolean;
  /** A finished job has results to download. */
  jobResults: boolean;
  /** A paused job can be answered (Inferable input requests). */
  answerInput: boolean;
  /** Many rows can be submitted as one server-side batch job. */
  batch: boolean;
  /** The platform lists its functions itself (Sutro has no such endpoint). */
  listsFunctions: boolean;
  /** The most requests the platform allows in flight at once, if it documents one. */
  maxInFlight?: number;
  /** Options that make a run answer with every prediction, not only the top one. */
  allPredictions?: RunOptions;
}

export interface InputRequest {
  id: string;
  type?: string;
  description?: string;
  options?: string[];
}

export interface JobResults {
  /** One entry per row, in the job's order. */
  rows: unknown[];
  raw: unknown;
}

export interface PlatformAdapter {
  readonly id: PlatformId;
  readonly capabilities: Capabilities;
  listFunctions(signal?: AbortSignal): Promise<FunctionInfo[]>;
  run(request: RunRequest, signal?: AbortSignal): Promise<RunResult>;
  listJobs(page?: PageRequest, signal?: AbortSignal): Promise<Page<Job>>;
  getJob(id: string, signal?: AbortSignal): Promise<Job>;
  cancelJob?(id: string, signal?: AbortSignal): Promise<void>;
  jobResults?(id: string, signal?: AbortSignal): Promise<JobResults>;
  inputRequests?(id: string, signal?: AbortSignal): Promise<InputRequest[]>;
  answerInput?(jobId: string, requestId: string, input: string, signal?: AbortSignal): Promise<void>;
  submitBatch?(functionName: string, rows: Record<string, unknown>[], name?: string, signal?: AbortSignal): Promise<string>;
}
