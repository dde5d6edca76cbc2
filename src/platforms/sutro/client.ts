// The Sutro adapter: real-time Function runs and batch jobs (list, fetch, status, cancel, results,
// submit), on the user's deployment (`<origin>/v1`, the default) or the older shared API.
// Docs: docs.sutro.sh; the Python SDK, sutro-sh/sutro 0.1.64 (commit da8cde12): `sutro/sdk.py`,
// `sutro/validation.py`, `tests/test_sdk.py`, `tests/test_configuration.py`.
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseReply } from '../parseReply';
import { AiFunctionsError, cancelledError, formatSeconds, isAiFunctionsError, responseTooLarge } from '../../core/errors';
import type { HttpClient, RetryPolicy } from '../../core/http';
import type { Logger } from '../../core/log';
import { isLoopbackHost, pathSegment } from '../../core/urls';
import type { Credentials, FunctionInfo, Job, JobStatus, Page, PageRequest, RunRequest, RunResult } from '../../core/model';
import { SUTRO } from './descriptor';
import type { AdapterOptions, JobResults, PlatformAdapter } from '../types';
import {
  API_SETTING,
  API_URL_SETTING,
  deploymentUrlProblem,
  endpointsOf,
  FUNCTIONS_URL_SETTING,
  type SutroApi,
  type SutroEndpoints,
} from './endpoints';
import { failureMessage, fromClassification, fromDeployment, fromExtraction, fromParquetRow, normalizeStatus, parseOutput, toJob } from './mapping';
import { readParquetRows } from './parquet';
import {
  batchReplySchema,
  cancelReplySchema,
  classificationReplySchema,
  deploymentReplySchema,
  extractionReplySchema,
  fetchJobSchema,
  jobListSchema,
  jobResultsSchema,
  jobStatusSchema,
  resultsUrlSchema,
} from './schemas';

export interface SutroFunctionConfig {
  name: string;
  inputFields?: string[];
}

export interface SutroConfig {
  /**
   * aiFunctions.sutro.api. The extension always passes it (the setting's default is
   * 'deployment'); left out, the adapter keeps the seed's behaviour ('shared').
   */
  api?: SutroApi;
  /** aiFunctions.sutro.apiUrl as the user wrote it ('' when unset): the deployment, or the shared jobs API. */
  apiUrl: string;
  /** aiFunctions.sutro.functionsUrl as written: the shared Functions host ('shared' only). */
  functionsUrl: string;
  /** The user's configured Functions plus those recently run (Sutro cannot list them). */
  functions: SutroFunctionConfig[];
  /** Where results too large to hold are saved (default: a folder in the system's temp folder). */
  resultsDir?: string;
}

/** Credentials as the store keeps them: the key, and the origin it was set for. */
export type BoundCredentials = Credentials & { endpoint?: string };

export interface SutroAdapterOptions extends AdapterOptions<SutroConfig> {
  /** The stored key and the origin it was set for (read on every call). */
  credentials: () => Promise<BoundCredentials | undefined>;
  /** Waiting for results that lag behind SUCCEEDED (default: the SDK's 20 tries, 5 s apart). */
  resultsPoll?: { attempts: number; intervalMs: number };
  /** The largest job-results reply held in memory; larger results go through a file (default 10 MiB, the reply cap). */
  inlineResultsMaxBytes?: number;
  /** Rows of a results file shown (default 5,000). */
  previewRows?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface SutroJobStatus {
  status: JobStatus;
  rawStatus: string;
  failureReason?: string;
  raw: unknown;
}

/** `list-jobs` accepts 1–100 per page. */
export const MAX_JOBS_PAGE_SIZE = 100;
/** `batch-inference` refuses longer job names. */
const MAX_JOB_NAME = 45;
/** How long a cost estimate is waited for, and how often its job is read (the SDK reads every 5 s). */
const ESTIMATE_WAIT_MS = 2 * 60_000;
const ESTIMATE_POLL_MS = 1_000;
const MiB = 1024 * 1024;
/** The SDK waits for results that lag behind SUCCEEDED: 20 tries, 5 s apart. */
const RESULTS_POLL = { attempts: 20, intervalMs: 5_000 };
/** Statuses with which job-results says "not ready yet" (after the job's status says SUCCEEDED). */
const NOT_READY_STATUSES = new Set([404, 409, 425]);
/** A results file with no announced size is refused past this. */
const MAX_RESULTS_FILE_BYTES = 4 * 1024 * MiB;
const PREVIEW_ROWS = 5_000;
/** How long the presigned results link lives (the SDK's default). */
const RESULTS_LINK_SECONDS = 3600;

function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

function sutroError(kind: 'invalidInput' | 'invalidResponse', message: string, field?: string): AiFunctionsError {
  return new AiFunctionsError(kind, message, { platform: 'sutro', field });
}

/** The page size to send: Sutro's documented range is 1–100; larger values are lowered to 100. */
export function jobsPageSize(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw sutroError('invalidInput', `The Sutro jobs page size must be a whole number from 1 to ${MAX_JOBS_PAGE_SIZE} (got ${limit}).`);
  }
  return Math.min(limit, MAX_JOBS_PAGE_SIZE);
}

interface CallOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  signal?: AbortSignal;
  retry?: RetryPolicy;
  subject?: string;
  setting?: string;
  maxResponseBytes?: number;
}

export class SutroAdapter implements PlatformAdapter {
  readonly id = 'sutro' as const;
  readonly descriptor = SUTRO;

  private readonly http: HttpClient;
  private readonly credentials: () => Promise<BoundCredentials | undefined>;
  private readonly config: () => SutroConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly resultsPoll: { attempts: number; intervalMs: number };
  private readonly inlineResultsMaxBytes: number;
  private readonly previewRows: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The last endpoints resolved, and the settings they came from (see endpoints()). */
  private resolved?: { settings: string; endpoints: SutroEndpoints };

  constructor(options: SutroAdapterOptions) {
    this.http = options.http;
    this.credentials = options.credentials;
    this.config = options.config;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.resultsPoll = options.resultsPoll ?? RESULTS_POLL;
    this.inlineResultsMaxBytes = options.inlineResultsMaxBytes ?? 10 * MiB;
    this.previewRows = options.previewRows ?? PREVIEW_ROWS;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  }

  // ---- where requests go, and the key's deployment

  /**
   * The endpoints of the configured generation; a configuration error says what to set. Resolved
   * again only when those settings change: checking the URLs is most of what a run costs the
   * adapter itself (measured: about 70% of it, on every row of a rows run).
   */
  endpoints(): SutroEndpoints {
    const config = this.config();
    const settings = JSON.stringify([config.api, config.apiUrl, config.functionsUrl]);
    if (this.resolved?.settings !== settings) this.resolved = { settings, endpoints: endpointsOf(config) };
    return this.resolved.endpoints;
  }

  /** The origin a key set now is bound to: the deployment's (or the shared API's). */
  keyBinding(): string {
    return this.endpoints().keyOrigin;
  }

  /** Why `raw` cannot be a deployment URL (Set API Key asks for one before the key). */
  endpointProblem(raw: string): string | undefined {
    return deploymentUrlProblem(raw);
  }

  // ---- Functions

  /**
   * Sutro has no list endpoint: the configured Functions, once each, with their input fields.
   * A deployment that is not set (or not valid) fails here too, so the Functions view says so.
   */
  async listFunctions(): Promise<FunctionInfo[]> {
    this.endpoints();
    const byName = new Map<string, FunctionInfo>();
    for (const fn of this.config().functions) {
      const name = fn.name?.trim();
      if (!name) continue;
      const known = byName.get(name);
      if (known) {
        // A recently run Function may repeat a configured one: keep the first, fill in its fields.
        if (!known.inputFields?.length && fn.inputFields?.length) Object.assign(known, describe(fn.inputFields));
        continue;
      }
      byName.set(name, { platform: 'sutro', id: name, name, ...describe(fn.inputFields) });
    }
    return [...byName.values()];
  }

  /**
   * Runs a Function once. A deployment gets `POST functions/{name}/run {input}`; the shared API
   * `POST <functionsUrl>/functions/run {name, input_data}`. Never sent twice unless the server
   * said it did not process it (429 and the like): not after a 5xx, not after a 524 (the SDK
   * sends runs with max_retries=0).
   */
  async run(request: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    const name = request.function.trim();
    if (!name) throw sutroError('invalidInput', 'Choose a Sutro Function to run.');
    const endpoints = this.endpoints();
    const deployment = endpoints.api === 'deployment';
    const started = this.now();
    const body = deployment
      ? await this.call(endpoints, 'POST', join(endpoints.functions, `functions/${pathSegment(name, 'Sutro Function name', 'sutro')}/run`), {
          json: { input: request.input },
          signal,
          retry: 'notProcessed',
          subject: `the Function "${name}"`,
          setting: API_URL_SETTING,
        })
      : await this.call(endpoints, 'POST', join(endpoints.functions, 'functions/run'), {
          json: { name, input_data: legacyInput(request.input, this.config().functions.find((f) => f.name === name)) },
          signal,
          retry: 'notProcessed',
          subject: `the Function "${name}"`,
          setting: FUNCTIONS_URL_SETTING,
        });
    const ctx = { function: name, durationMs: this.now() - started, raw: body };
    return toRunResult(body, deployment, ctx);
  }

  // ---- Jobs

  /**
   * One page of jobs, newest first. With `limit` (1–100; more is lowered to 100) the reply pages
   * by `next_cursor`; without it Sutro sends every job at once. A cursor needs a limit.
   */
  async listJobs(page: PageRequest = {}, signal?: AbortSignal): Promise<Page<Job>> {
    const cursor = page.cursor === '' ? undefined : page.cursor;
    if (page.limit === undefined) {
      if (cursor !== undefined) {
        throw sutroError('invalidInput', 'A Sutro jobs cursor can only be used together with a page size (limit).');
      }
      const e = this.endpoints();
      const reply = parseReply('sutro', jobListSchema, await this.call(e, 'GET', join(e.jobs, 'list-jobs'), { signal }));
      return { items: reply.jobs.map(toJob) };
    }
    const limit = jobsPageSize(page.limit);
    const e = this.endpoints();
    const reply = parseReply('sutro', jobListSchema, await this.call(e, 'GET', join(e.jobs, 'list-jobs'), { query: { limit, cursor }, signal }));
    const items = reply.jobs.map(toJob);
    // `next_cursor` is null on the last page; the normalized Page then has no nextCursor at all.
    return reply.next_cursor ? { items, nextCursor: reply.next_cursor } : { items };
  }

  async getJob(id: string, signal?: AbortSignal): Promise<Job> {
    const segment = pathSegment(id, 'Sutro job id', 'sutro');
    const e = this.endpoints();
    const body = await this.call(e, 'GET', join(e.jobs, `jobs/${segment}`), { signal, subject: `job ${id}` });
    return toJob(parseReply('sutro', fetchJobSchema, body).job);
  }

  /** The light status call (`job-status/{id}`), for polling a running job. */
  async jobStatus(id: string, signal?: AbortSignal): Promise<SutroJobStatus> {
    const segment = pathSegment(id, 'Sutro job id', 'sutro');
    const e = this.endpoints();
    const body = await this.call(e, 'GET', join(e.jobs, `job-status/${segment}`), { signal, subject: `job ${id}` });
    const reply = parseReply('sutro', jobStatusSchema, body);
    // Documented as `{"<job_id>": "RUNNING"}`; the SDK reads `job_status[job_id]`.
    const rawStatus = typeof reply.job_status === 'string' ? reply.job_status : reply.job_status[id];
    if (typeof rawStatus !== 'string') {
      throw sutroError(
        'invalidResponse',
        `Sutro sent a reply that does not match its documented shape: field \`job_status.${id}\` (expected string).`,
        `job_status.${id}`,
      );
    }
    const failureReason = failureMessage(reply.metadata?.failure_reason);
    return { status: normalizeStatus(rawStatus), rawStatus, ...(failureReason ? { failureReason } : {}), raw: body };
  }

  /**
   * Cancel: `GET job-cancel/{id}`, as the SDK sends it (`cancel_job`); the older docs' POST is not
   * tried first. Cancelling twice is harmless, so it is retried like a read (a 524 included).
   */
  async cancelJob(id: string, signal?: AbortSignal): Promise<void> {
    const segment = pathSegment(id, 'Sutro job id', 'sutro');
    const e = this.endpoints();
    const body = await this.call(e, 'GET', join(e.jobs, `job-cancel/${segment}`), { signal, retry: 'idempotent', subject: `job ${id}` });
    const reply = parseReply('sutro', cancelReplySchema, body);
    if (reply?.cancelled === false) {
      const detail = reply.message?.trim().replace(/[.\s]+$/, '');
      throw new AiFunctionsError('invalidInput', `Sutro did not cancel job ${id}${detail ? `: ${detail}` : ''}.`, {
        platform: 'sutro',
        platformMessage: reply.message ?? undefined,
      });
    }
  }

  /**
   * The rows of a finished job, each `{input?, output}`; JSON-string outputs are parsed.
   *
   * After a job SUCCEEDED its results can lag: job-results then answers "not ready" (409, 404 or
   * 425). That is waited for as the SDK does, up to 20 tries 5 s apart (about 100 s), each wait
   * told to `progress`. This is polling for the results to exist, like polling a job's status;
   * every request still goes through HttpClient, which alone resends a failed request.
   *
   * Results larger than the reply cap (10 MiB) are fetched through `jobs/{id}/results-url` (a
   * deployment's presigned Parquet file), saved to a file as they arrive, and the first rows read
   * from it; `file` names it.
   */
  async jobResults(id: string, signal?: AbortSignal, progress?: (message: string) => void): Promise<JobResults> {
    pathSegment(id, 'Sutro job id', 'sutro');
    const { attempts, intervalMs } = this.resultsPoll;
    for (let attempt = 1; ; attempt++) {
      const e = this.endpoints();
      try {
        return await this.inlineResults(e, id, signal);
      } catch (error) {
        if (this.isTooLarge(error)) {
          if (e.api === 'deployment') return this.resultsFile(e, id, signal, progress);
          throw new AiFunctionsError(
            'invalidResponse',
            `The results of Sutro job ${id} are larger than ${formatBytes(this.inlineResultsMaxBytes)}; the shared API cannot send them as a file. Set ${API_SETTING} to "deployment" to download them.`,
            { platform: 'sutro', cause: error },
          );
        }
        if (!isAiFunctionsError(error) || !NOT_READY_STATUSES.has(error.status ?? 0)) throw error;
        // Not ready: only a job that SUCCEEDED is waited for; any other answer stands as it is.
        if (attempt === 1 && (await this.jobStatus(id, signal)).status !== 'succeeded') throw error;
        if (attempt >= attempts) {
          throw new AiFunctionsError(
            'server',
            `Sutro has not published the results of job ${id} yet (waited ${formatSeconds((attempts - 1) * intervalMs)}). Try Open Results again in a minute.`,
            { platform: 'sutro', status: error.status, platformMessage: error.platformMessage, requestId: error.requestId, cause: error },
          );
        }
        const left = (attempts - attempt) * intervalMs;
        progress?.(`Sutro is still publishing the results; trying again in ${formatSeconds(intervalMs)} (try ${attempt + 1} of ${attempts}, at most ${formatSeconds(left)} more)`);
        this.logger.debug(`Sutro job-results for ${id} not ready (${error.status}); try ${attempt + 1} of ${attempts} in ${intervalMs} ms`);
        try {
          await this.sleep(intervalMs, signal);
        } catch {
          throw cancelledError('sutro');
        }
        if (signal?.aborted) throw cancelledError('sutro');
      }
    }
  }

  /** Submits rows as one batch job for a Function; returns the job id. Never sent twice (not on a 524 either). */
  async submitBatch(functionName: string, rows: Record<string, unknown>[], name?: string, signal?: AbortSignal): Promise<string> {
    return this.batchInference(functionName, rows, { name, costEstimate: false }, signal);
  }

  /**
   * Sutro's cost estimate of a batch job, as its SDK gets one (sutro-sh/sutro sdk.py at 98a913a,
   * `_run_one_batch_inference` with `cost_estimate=True`): a job submitted with `cost_estimate:
   * true`, waited for until it SUCCEEDED, then its `cost_estimate` (fetch-job). Nothing is run.
   */
  async estimateBatchCost(functionName: string, rows: Record<string, unknown>[], signal?: AbortSignal): Promise<number | undefined> {
    const id = await this.batchInference(functionName, rows, { costEstimate: true }, signal);
    const deadline = this.now() + ESTIMATE_WAIT_MS;
    for (;;) {
      const job = await this.getJob(id, signal);
      if (job.status === 'succeeded') return job.costEstimate;
      if (job.status === 'failed' || job.status === 'cancelled') {
        throw new AiFunctionsError('invalidResponse', `Sutro could not estimate the cost (job ${id} ${job.rawStatus}${job.failureReason ? `: ${job.failureReason}` : ''}).`, { platform: 'sutro' });
      }
      if (this.now() >= deadline) {
        throw new AiFunctionsError('timeout', `Sutro's cost estimate (job ${id}) was not ready after ${formatSeconds(ESTIMATE_WAIT_MS)}.`, { platform: 'sutro' });
      }
      await this.sleep(ESTIMATE_POLL_MS, signal);
    }
  }

  private async batchInference(functionName: string, rows: Record<string, unknown>[], options: { name?: string; costEstimate: boolean }, signal?: AbortSignal): Promise<string> {
    const model = functionName.trim();
    if (!model) throw sutroError('invalidInput', 'Choose a Sutro Function for the batch job.');
    if (rows.length === 0) throw sutroError('invalidInput', 'A Sutro batch job needs at least one row.');
    const jobName = options.name?.trim().slice(0, MAX_JOB_NAME);
    const e = this.endpoints();
    const body = await this.call(e, 'POST', join(e.jobs, 'batch-inference'), {
      json: { model, inputs: rows, job_priority: 0, truncate_rows: false, ...(options.costEstimate ? { cost_estimate: true } : {}), ...(jobName ? { name: jobName } : {}) },
      signal,
      retry: 'notProcessed',
      subject: `the Function "${model}"`,
    });
    const jobId = parseReply('sutro', batchReplySchema, body).results;
    if (!jobId) throw sutroError('invalidResponse', 'Sutro accepted the batch job but sent no job id (`results` is empty).', 'results');
    return jobId;
  }

  // ---- results

  private async inlineResults(e: SutroEndpoints, id: string, signal?: AbortSignal): Promise<JobResults> {
    // A read sent as POST: safe to send again.
    const body = await this.call(e, 'POST', join(e.jobs, 'job-results'), {
      json: { job_id: id, include_inputs: true },
      signal,
      retry: 'idempotent',
      subject: `the results of job ${id}`,
      maxResponseBytes: this.inlineResultsMaxBytes,
    });
    const { outputs, inputs } = parseReply('sutro', jobResultsSchema, body).results;
    const rows = outputs.map((output, i) =>
      inputs && i < inputs.length ? { input: inputs[i], output: parseOutput(output) } : { output: parseOutput(output) },
    );
    return { rows, raw: body };
  }

  private isTooLarge(error: unknown): boolean {
    return isAiFunctionsError(error) && error.kind === 'invalidResponse' && error.message === responseTooLarge('sutro', this.inlineResultsMaxBytes).message;
  }

  /**
   * `GET jobs/{id}/results-url?format=parquet…`, then the presigned `get` URL streamed to a file.
   * The presigned URL carries its own signature: the key is never sent with it, and the URL
   * (whose query grants access) is neither logged nor kept.
   */
  private async resultsFile(e: SutroEndpoints, id: string, signal?: AbortSignal, progress?: (message: string) => void): Promise<JobResults> {
    progress?.(`The results are larger than ${formatBytes(this.inlineResultsMaxBytes)}: asking Sutro for a download link`);
    const segment = pathSegment(id, 'Sutro job id', 'sutro');
    const body = await this.call(e, 'GET', join(e.jobs, `jobs/${segment}/results-url`), {
      query: { format: 'parquet', include_inputs: 'true', include_cumulative_logprobs: 'false', expires_in_seconds: RESULTS_LINK_SECONDS },
      signal,
      subject: `the results file of job ${id}`,
    });
    const reply = parseReply('sutro', resultsUrlSchema, body);
    const link = downloadUrl(reply.urls.get);
    const size = reply.artifact?.size_bytes ?? undefined;
    const dir = this.config().resultsDir ?? joinPath(tmpdir(), 'ai-functions-results');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = joinPath(dir, `sutro-${id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100)}.parquet`);
    const part = `${file}.part`;
    progress?.(`Downloading the results file${size ? ` (${formatBytes(size)})` : ''}`);
    try {
      await this.http.request({
        platform: 'sutro',
        method: 'GET',
        url: link,
        saveTo: part,
        maxResponseBytes: size ?? MAX_RESULTS_FILE_BYTES,
        signal,
        retry: 'idempotent',
        subject: `the results file of job ${id}`,
      });
      const saved = (await stat(part)).size;
      if (size !== undefined && saved !== size) {
        throw sutroError('invalidResponse', `Sutro's results file for job ${id} ended after ${saved} of ${size} bytes. Open the results again.`);
      }
      await rename(part, file);
    } catch (error) {
      await rm(part, { force: true });
      if (isAiFunctionsError(error) && (error.kind === 'auth' || error.kind === 'notFound')) {
        // A presigned link answers 403 once expired: nothing to do with the API key.
        throw new AiFunctionsError('server', `The download link of job ${id}'s results was refused (${error.status}). Open the results again for a new link.`, {
          platform: 'sutro',
          status: error.status,
          cause: error,
        });
      }
      throw error;
    }
    progress?.('Reading the results file');
    const { rows, totalRows } = await readParquetRows(file, this.previewRows);
    // The reply without its presigned URLs: they grant access to the results.
    const raw = { job_id: reply.job_id, format: reply.format, artifact: reply.artifact };
    return { rows: rows.map(fromParquetRow), raw, file: { path: file, format: 'parquet', totalRows } };
  }

  // ---- plumbing

  /**
   * The Authorization header for `endpoints`. A key is sent only to the deployment it was set
   * for: the store keeps that origin beside it. Keys stored before keys were bound are taken as
   * set for the shared API, and refused by a deployment.
   */
  private async authorization(endpoints: SutroEndpoints): Promise<Record<string, string>> {
    const credentials = await this.credentials();
    const key = credentials && 'apiKey' in credentials ? credentials.apiKey : undefined;
    if (!key) {
      throw new AiFunctionsError('auth', 'Sutro has no API key. Run "AI Functions: Set API Key…" to add one.', { platform: 'sutro' });
    }
    const bound = credentials?.endpoint;
    if (bound !== endpoints.keyOrigin && (bound !== undefined || endpoints.api === 'deployment')) {
      const set = bound === undefined ? 'The Sutro key was set before keys were bound to a deployment' : `The Sutro key was set for ${bound}`;
      throw new AiFunctionsError('auth', `${set}; set it again for ${endpoints.keyOrigin}. Run "AI Functions: Set API Key…".`, { platform: 'sutro' });
    }
    return { authorization: `Key ${key}` };
  }

  /** One request; returns the parsed body. A 410 (a retired address) says what to set. */
  private async call(endpoints: SutroEndpoints, method: 'GET' | 'POST', url: string, options: CallOptions): Promise<unknown> {
    const headers = await this.authorization(endpoints);
    try {
      const response = await this.http.request({
        platform: 'sutro',
        method,
        url,
        headers,
        query: options.query,
        json: options.json,
        signal: options.signal,
        retry: options.retry,
        subject: options.subject,
        setting: options.setting ?? API_URL_SETTING,
        maxResponseBytes: options.maxResponseBytes,
      });
      return response.body;
    } catch (e) {
      if (isAiFunctionsError(e) && e.status === 410) throw retired(url, endpoints.api, e);
      throw e;
    }
  }
}

/**
 * A 410: Sutro retired the address (its shared hosts answer so, with "Direct Sutro Batch API
 * access is no longer supported…"; the SDK turns that into a configuration error). Says what to set.
 */
function retired(url: string, api: SutroApi, cause: AiFunctionsError): AiFunctionsError {
  const origin = new URL(url).origin;
  const detail = cause.platformMessage ? `: ${cause.platformMessage.replace(/[.\s]+$/, '')}` : '';
  const id = cause.requestId ? ` (request ID ${cause.requestId})` : '';
  const fix =
    api === 'shared'
      ? `Set ${API_SETTING} to "deployment" and ${API_URL_SETTING} to your Sutro deployment URL (https://<your-deployment>).`
      : `Set ${API_URL_SETTING} to your Sutro deployment URL (https://<your-deployment>).`;
  return new AiFunctionsError('configuration', `Sutro no longer serves ${origin} (410)${detail}${id}. ${fix}`, {
    platform: 'sutro',
    status: 410,
    platformMessage: cause.platformMessage,
    requestId: cause.requestId,
    cause,
  });
}

/** A presigned link: https (http on loopback only), no user info. Never echoed: its query is a credential. */
function downloadUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw sutroError('invalidResponse', 'Sutro sent a results download link that is not a URL.', 'urls.get');
  }
  const plainLoopback = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if ((url.protocol !== 'https:' && !plainLoopback) || url.username !== '' || url.password !== '') {
    throw sutroError('invalidResponse', `Sutro sent a results download link that is not https:// (${url.protocol}//${url.host}); it was not followed.`, 'urls.get');
  }
  return url.toString();
}

function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${Number((bytes / MiB).toFixed(1))} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function describe(inputFields: string[] | undefined): Pick<FunctionInfo, 'inputFields' | 'description'> {
  const fields = inputFields?.filter((f) => typeof f === 'string' && f.trim() !== '');
  if (!fields?.length) return {};
  return { inputFields: fields, description: `Inputs: ${fields.join(', ')}` };
}

/** The legacy host takes an object of fields: text goes into the one known field, else `text`. */
function legacyInput(input: RunRequest['input'], fn: SutroFunctionConfig | undefined): Record<string, unknown> {
  if (typeof input !== 'string') return input;
  const field = fn?.inputFields?.length === 1 ? fn.inputFields[0]! : 'text';
  return { [field]: input };
}

/** Picks the documented reply shape by its keys, then parses it strictly. */
function toRunResult(body: unknown, deployment: boolean, ctx: { function: string; durationMs: number; raw: unknown }): RunResult {
  const keys = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  if ('response' in keys) return fromClassification(parseReply('sutro', classificationReplySchema, body), ctx);
  if (deployment || 'request_id' in keys || 'function' in keys) return fromDeployment(parseReply('sutro', deploymentReplySchema, body), ctx);
  if ('output' in keys) return fromExtraction(parseReply('sutro', extractionReplySchema, body), ctx);
  return fromClassification(parseReply('sutro', classificationReplySchema, body), ctx);
}
