// The Sutro adapter: real-time Function runs (legacy Functions host or a deployment's `/v1`) and
// batch jobs (list, fetch, status, cancel, results, submit). Docs: docs.sutro.sh; the Python SDK.
import { parseReply } from '../parseReply';
import { AiFunctionsError, isAiFunctionsError } from '../../core/errors';
import type { HttpClient, RetryPolicy } from '../../core/http';
import type { Logger } from '../../core/log';
import { pathSegment } from '../../core/urls';
import type { Credentials, FunctionInfo, Job, JobStatus, Page, PageRequest, RunRequest, RunResult } from '../../core/model';
import { SUTRO } from './descriptor';
import type { AdapterOptions, JobResults, PlatformAdapter } from '../types';
import { failureMessage, fromClassification, fromDeployment, fromExtraction, normalizeStatus, parseOutput, toJob } from './mapping';
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
  } from './schemas';

export interface SutroFunctionConfig {
  name: string;
  inputFields?: string[];
}

export interface SutroConfig {
  /** Jobs API base, normalized without a trailing slash. Ending in `/v1`: a deployment. */
  apiUrl: string;
  /** Legacy Functions host (`POST /functions/run`), used when `apiUrl` is not a deployment. */
  functionsUrl: string;
  /** The user's configured Functions plus those recently run (Sutro cannot list them). */
  functions: SutroFunctionConfig[];
}

export type SutroAdapterOptions = AdapterOptions<SutroConfig>;

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

const API_URL_SETTING = 'aiFunctions.sutro.apiUrl';
const FUNCTIONS_URL_SETTING = 'aiFunctions.sutro.functionsUrl';

/** A deployment URL ends in `/v1`; it serves both Functions and jobs. */
export function isDeployment(apiUrl: string): boolean {
  return /\/v1\/*$/.test(apiUrl);
}

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
}

export class SutroAdapter implements PlatformAdapter {
  readonly id = 'sutro' as const;
  readonly descriptor = SUTRO;

  private readonly http: HttpClient;
  private readonly credentials: () => Promise<Credentials | undefined>;
  private readonly config: () => SutroConfig;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(options: SutroAdapterOptions) {
    this.http = options.http;
    this.credentials = options.credentials;
    this.config = options.config;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  // ---- Functions

  /** Sutro has no list endpoint: the configured Functions, once each, with their input fields. */
  async listFunctions(): Promise<FunctionInfo[]> {
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
   * Runs a Function once. A deployment (`apiUrl` ending in `/v1`) gets `POST functions/{name}/run
   * {input}`; otherwise the legacy host gets `POST /functions/run {name, input_data}`. A run is
   * never sent twice unless the server said it did not process it (429 and the like).
   */
  async run(request: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    const name = request.function.trim();
    if (!name) throw sutroError('invalidInput', 'Choose a Sutro Function to run.');
    const config = this.config();
    const deployment = isDeployment(config.apiUrl);
    const started = this.now();
    const body = deployment
      ? await this.call('POST', join(config.apiUrl, `functions/${pathSegment(name, 'Sutro Function name', 'sutro')}/run`), {
          json: { input: request.input },
          signal,
          retry: 'notProcessed',
          subject: `the Function "${name}"`,
          setting: API_URL_SETTING,
        })
      : await this.call('POST', join(config.functionsUrl, 'functions/run'), {
          json: { name, input_data: legacyInput(request.input, config.functions.find((f) => f.name === name)) },
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
      const reply = parseReply('sutro', jobListSchema, await this.call('GET', this.api('list-jobs'), { signal }));
      return { items: reply.jobs.map(toJob) };
    }
    const limit = jobsPageSize(page.limit);
    const reply = parseReply('sutro', jobListSchema, await this.call('GET', this.api('list-jobs'), { query: { limit, cursor }, signal }));
    const items = reply.jobs.map(toJob);
    // `next_cursor` is null on the last page; the normalized Page then has no nextCursor at all.
    return reply.next_cursor ? { items, nextCursor: reply.next_cursor } : { items };
  }

  async getJob(id: string, signal?: AbortSignal): Promise<Job> {
    const body = await this.call('GET', this.api(`jobs/${pathSegment(id, 'Sutro job id', 'sutro')}`), { signal, subject: `job ${id}` });
    return toJob(parseReply('sutro', fetchJobSchema, body).job);
  }

  /** The light status call (`job-status/{id}`), for polling a running job. */
  async jobStatus(id: string, signal?: AbortSignal): Promise<SutroJobStatus> {
    const body = await this.call('GET', this.api(`job-status/${pathSegment(id, 'Sutro job id', 'sutro')}`), { signal, subject: `job ${id}` });
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

  /*
   * Cancel: the batch API docs say `POST job-cancel/{id}`; the current Python SDK sends a GET.
   * POST is sent: it is the documented method, and a request that changes state must not be a GET
   * (proxies, prefetchers and link checkers send GETs on their own). A server that routes only
   * GET answers 405, and then the GET is sent. Cancelling twice is harmless, so both are retried
   * like reads.
   */
  async cancelJob(id: string, signal?: AbortSignal): Promise<void> {
    const url = this.api(`job-cancel/${pathSegment(id, 'Sutro job id', 'sutro')}`);
    const options: CallOptions = { signal, retry: 'idempotent', subject: `job ${id}` };
    let body: unknown;
    try {
      body = await this.call('POST', url, options);
    } catch (e) {
      if (!isAiFunctionsError(e) || e.status !== 405) throw e;
      this.logger.debug('Sutro job-cancel refused POST (405); sending GET');
      body = await this.call('GET', url, options);
    }
    const reply = parseReply('sutro', cancelReplySchema, body);
    if (reply?.cancelled === false) {
      const detail = reply.message?.trim().replace(/[.\s]+$/, '');
      throw new AiFunctionsError('invalidInput', `Sutro did not cancel job ${id}${detail ? `: ${detail}` : ''}.`, {
        platform: 'sutro',
        platformMessage: reply.message ?? undefined,
      });
    }
  }

  /** The rows of a finished job, each `{input?, output}`; JSON-string outputs are parsed. */
  async jobResults(id: string, signal?: AbortSignal): Promise<JobResults> {
    // A read sent as POST: safe to send again.
    const body = await this.call('POST', this.api('job-results'), {
      json: { job_id: id, include_inputs: true },
      signal,
      retry: 'idempotent',
      subject: `the results of job ${id}`,
    });
    const { outputs, inputs } = parseReply('sutro', jobResultsSchema, body).results;
    const rows = outputs.map((output, i) =>
      inputs && i < inputs.length ? { input: inputs[i], output: parseOutput(output) } : { output: parseOutput(output) },
    );
    return { rows, raw: body };
  }

  /** Submits rows as one batch job for a Function; returns the job id. Never sent twice. */
  async submitBatch(functionName: string, rows: Record<string, unknown>[], name?: string, signal?: AbortSignal): Promise<string> {
    const model = functionName.trim();
    if (!model) throw sutroError('invalidInput', 'Choose a Sutro Function for the batch job.');
    if (rows.length === 0) throw sutroError('invalidInput', 'A Sutro batch job needs at least one row.');
    const jobName = name?.trim().slice(0, MAX_JOB_NAME);
    const body = await this.call('POST', this.api('batch-inference'), {
      json: { model, inputs: rows, job_priority: 0, truncate_rows: false, ...(jobName ? { name: jobName } : {}) },
      signal,
      retry: 'notProcessed',
      subject: `the Function "${model}"`,
    });
    const jobId = parseReply('sutro', batchReplySchema, body).results;
    if (!jobId) throw sutroError('invalidResponse', 'Sutro accepted the batch job but sent no job id (`results` is empty).', 'results');
    return jobId;
  }

  // ---- plumbing

  private api(path: string): string {
    return join(this.config().apiUrl, path);
  }

  private async authorization(): Promise<Record<string, string>> {
    const credentials = await this.credentials();
    const key = credentials && 'apiKey' in credentials ? credentials.apiKey : undefined;
    if (!key) {
      throw new AiFunctionsError('auth', 'Sutro has no API key. Run "AI Functions: Set API Key…" to add one.', { platform: 'sutro' });
    }
    return { authorization: `Key ${key}` };
  }

  /** One request; returns the parsed body. A 410 from a retired host says which setting to fix. */
  private async call(method: 'GET' | 'POST', url: string, options: CallOptions): Promise<unknown> {
    const headers = await this.authorization();
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
        setting: options.setting,
      });
      return response.body;
    } catch (e) {
      if (isAiFunctionsError(e) && e.status === 410 && !isDeployment(this.config().apiUrl)) throw retiredHost(url, e);
      throw e;
    }
  }
}

/**
 * Sutro retired its shared hosts (api.sutro.sh, serve.sutro.sh): they answer 410 and every
 * account now has its own deployment URL.
 */
function retiredHost(url: string, cause: AiFunctionsError): AiFunctionsError {
  const origin = new URL(url).origin;
  const message =
    `Sutro no longer serves ${origin} (410). Set ${API_URL_SETTING} to your Sutro deployment URL, ` +
    'which ends in /v1 (https://<your-deployment>/v1).';
  return new AiFunctionsError('configuration', message, {
    platform: 'sutro',
    status: 410,
    platformMessage: cause.platformMessage,
    cause,
  });
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
