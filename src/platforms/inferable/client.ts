// The Inferable adapter: runs (create, poll, answer input requests), runs listed as jobs, and the
// cluster's service functions. Every call reads the config, so changed settings apply at once.
import { AiFunctionsError, configurationError, runFailed } from '../../core/errors';
import type { HttpClient, HttpRequest } from '../../core/http';
import type { Logger } from '../../core/log';
import { isUnsafePathSegment, pathSegment } from '../../core/urls';
import type { Credentials, FunctionInfo, Job, Page, PageRequest, RunRequest, RunResult } from '../../core/model';
import { INFERABLE } from './descriptor';
import type { AdapterOptions, InputRequest, PlatformAdapter } from '../types';
import {
  attachedFunctionKey,
  lacksInputRequests,
  parseCreatedRun,
  parseRun,
  parseRunList,
  parseServices,
  parseTimeline,
  runToJob,
  type InferableRun,
} from './mapping';
import { realSleep, waitForRun, type Sleep, type WaitOptions } from './polling';

export interface InferableConfig {
  /** Normalized base URL, e.g. `https://api.inferable.ai`. */
  baseUrl: string;
  /** The cluster the key belongs to (each Inferable key belongs to exactly one cluster). */
  clusterId: string;
  /** First wait between two polls of a run. Default 500 ms. */
  pollIntervalMs?: number;
  /** The interval grows ×1.5 up to this. Default 4000 ms. */
  maxPollIntervalMs?: number;
  /** How long `run` waits for a run to finish. Default 120 000 ms. */
  runTimeoutMs?: number;
}

export interface InferableAdapterOptions extends AdapterOptions<InferableConfig> {
  /** Must reject when the signal aborts. */
  sleep?: Sleep;
}

export interface CreateRunRequest {
  message: string;
  /** A JSON schema the result should conform to. */
  resultSchema?: Record<string, unknown>;
  /** Functions the run may call, as listed (`service.function`). Default: all of the cluster's. */
  attachedFunctions?: string[];
  name?: string;
}

export const DEFAULT_POLL_INTERVAL_MS = 500;
export const DEFAULT_MAX_POLL_INTERVAL_MS = 4_000;
export const DEFAULT_RUN_TIMEOUT_MS = 120_000;
/** `GET /runs` accepts `limit` from 10 to 50 and has no cursor. */
const MIN_LIST_LIMIT = 10;
const MAX_LIST_LIMIT = 50;

const PLATFORM = 'inferable';
/** The timeline from its start (the 2024 contract's cursors all default to "0"). */
const TIMELINE_FROM_START = { messagesAfter: '0', activityAfter: '0', jobsAfter: '0', inputRequestsAfter: '0' };

export class InferableAdapter implements PlatformAdapter {
  readonly id = PLATFORM;
  readonly descriptor = INFERABLE;

  private readonly http: HttpClient;
  private readonly credentials: () => Promise<Credentials | undefined>;
  private readonly config: () => InferableConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly sleep: Sleep;

  constructor(options: InferableAdapterOptions) {
    this.http = options.http;
    this.credentials = options.credentials;
    this.config = options.config;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  // ---------------------------------------------------------------------------------------------
  // Runs

  /** `POST /clusters/{c}/runs` → the new run's id. The run starts in the background. */
  async createRun(request: CreateRunRequest, signal?: AbortSignal): Promise<string> {
    const body: Record<string, unknown> = { message: request.message };
    if (request.resultSchema) body.result = { schema: request.resultSchema };
    if (request.attachedFunctions?.length) body.attachedFunctions = request.attachedFunctions.map(attachedFunctionKey);
    if (request.name) body.name = request.name;
    const reply = await this.send({
      method: 'POST',
      path: 'runs',
      json: body,
      signal,
      // A run must never be started twice by a retry.
      retry: 'notProcessed',
    });
    return parseCreatedRun(reply);
  }

  /**
   * `GET /clusters/{c}/runs/{r}`, in either documented reply shape. A paused run whose reply has
   * no input requests (the flat shape) gets them from the run's timeline.
   */
  async getRun(runId: string, signal?: AbortSignal): Promise<InferableRun> {
    const path = runPath(runId);
    const reply = await this.send({ method: 'GET', path, signal, subject: `run ${runId}` });
    const run = parseRun(reply);
    if (run.status !== 'paused' || !lacksInputRequests(reply)) return run;
    try {
      const timeline = await this.send({ method: 'GET', path: `${path}/timeline`, query: TIMELINE_FROM_START, signal, subject: `run ${runId}` });
      const lists = parseTimeline(timeline);
      return { ...run, jobs: run.jobs.length > 0 ? run.jobs : lists.jobs, inputRequests: lists.inputRequests };
    } catch (e) {
      // The run itself was read; without its timeline it is shown with no input requests.
      if (e instanceof AiFunctionsError && e.kind === 'cancelled') throw e;
      this.logger.warn(`Could not read the input requests of Inferable run ${runId}: ${(e as Error).message}`);
      return run;
    }
  }

  /**
   * Polls a run until it is `done`, `failed` or `paused` (waiting for input). Throws 'timeout'
   * after `timeoutMs` (the run keeps going) and 'cancelled' when `signal` aborts (the run is not
   * deleted).
   */
  async waitForRun(runId: string, options: Partial<WaitOptions> = {}): Promise<InferableRun> {
    const config = this.config();
    return waitForRun(
      runId,
      (signal) => this.getRun(runId, signal),
      { ...options, timeoutMs: options.timeoutMs ?? config.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS },
      {
        firstIntervalMs: config.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
        maxIntervalMs: config.maxPollIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS,
        now: this.now,
        sleep: this.sleep,
        logger: this.logger,
      },
    );
  }

  /**
   * Creates a run with `input` as its message (an object is sent as JSON text), attaches
   * `request.function` when one is named, and waits for it.
   * - `done`: `output` is the structured result; a null result is not an error, the run's
   *   `summary` is then the answer.
   * - `failed`: throws 'runFailed' with the platform's failureReason.
   * - `paused`: returns `status: 'paused'` with `output` = the pending `InputRequest[]`; answer
   *   them with `answerInput(runId, …)` and wait again with `waitForRun(runId)`.
   */
  async run(request: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    const started = this.now();
    const message = typeof request.input === 'string' ? request.input : JSON.stringify(request.input);
    if (!message.trim()) {
      throw new AiFunctionsError('invalidInput', 'The message for the Inferable run is empty.', { platform: PLATFORM });
    }
    const fn = request.function.trim();
    const runId = await this.createRun(
      { message, resultSchema: request.options?.resultSchema, attachedFunctions: fn ? [fn] : undefined },
      signal,
    );
    this.logger.info(`Inferable run ${runId} created`);
    const run = await this.waitForRun(runId, { signal, timeoutMs: request.options?.pollTimeoutMs });
    if (run.status === 'failed') throw runFailed(PLATFORM, run.failureReason);

    const paused = run.status === 'paused';
    return {
      platform: PLATFORM,
      function: request.function,
      kind: 'run',
      predictions: [],
      output: paused ? run.inputRequests : (run.result ?? undefined),
      summary: run.summary,
      status: run.status ?? undefined,
      runId: run.id,
      durationMs: this.now() - started,
      raw: run.raw,
    };
  }

  /** The input requests a paused run is waiting on. */
  async inputRequests(runId: string, signal?: AbortSignal): Promise<InputRequest[]> {
    return (await this.getRun(runId, signal)).inputRequests;
  }

  /** `POST /clusters/{c}/runs/{r}/input-requests/{id}` `{input}` → 204; the run then continues. */
  async answerInput(runId: string, requestId: string, input: string, signal?: AbortSignal): Promise<void> {
    await this.send({
      method: 'POST',
      path: `${runPath(runId)}/input-requests/${pathSegment(requestId, 'Inferable input request id', PLATFORM)}`,
      json: { input },
      signal,
      retry: 'notProcessed',
      subject: `input request ${requestId} of run ${runId}`,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Runs as jobs

  /** The newest runs. Inferable has no cursor, so there is only ever one page. */
  async listJobs(page: PageRequest = {}, signal?: AbortSignal): Promise<Page<Job>> {
    // A cursor can only come from a page this adapter never hands out: nothing follows.
    if (page.cursor) return { items: [] };
    const wanted = page.limit !== undefined && Number.isFinite(page.limit) ? Math.floor(page.limit) : MAX_LIST_LIMIT;
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(MIN_LIST_LIMIT, wanted));
    const reply = await this.send({ method: 'GET', path: 'runs', query: { limit }, signal });
    return { items: parseRunList(reply) };
  }

  async getJob(id: string, signal?: AbortSignal): Promise<Job> {
    return runToJob(await this.getRun(id, signal));
  }

  // ---------------------------------------------------------------------------------------------
  // Functions

  /** `GET /clusters/{c}/services`: each service's functions, as `service.function`. */
  async listFunctions(signal?: AbortSignal): Promise<FunctionInfo[]> {
    const reply = await this.send({ method: 'GET', path: 'services', signal });
    return parseServices(reply);
  }

  // ---------------------------------------------------------------------------------------------

  /** Sends one request under `/clusters/{c}/` with the key, and returns the parsed body. */
  private async send(req: {
    method: HttpRequest['method'];
    path: string;
    query?: HttpRequest['query'];
    json?: unknown;
    signal?: AbortSignal;
    retry?: HttpRequest['retry'];
    /** What a 404 is about (default: the cluster). */
    subject?: string;
  }): Promise<unknown> {
    const config = this.config();
    const clusterId = config.clusterId?.trim();
    if (!clusterId) {
      throw configurationError('Set aiFunctions.inferable.clusterId to the cluster your Inferable key belongs to.', PLATFORM);
    }
    if (isUnsafePathSegment(clusterId)) {
      const message = `The aiFunctions.inferable.clusterId "${clusterId}" is not a cluster id. Set it to the cluster your Inferable key belongs to.`;
      throw configurationError(message, PLATFORM);
    }
    const key = await this.apiKey();
    const base = config.baseUrl.replace(/\/+$/, '');
    try {
      const response = await this.http.request({
        platform: PLATFORM,
        method: req.method,
        url: `${base}/clusters/${encodeURIComponent(clusterId)}/${req.path}`,
        query: req.query,
        // The bare key, as the docs' curl and the official SDK send it.
        headers: { authorization: key },
        json: req.json,
        signal: req.signal,
        retry: req.retry,
        subject: req.subject ?? `cluster ${clusterId}`,
      });
      return response.body;
    } catch (e) {
      throw this.explainAuth(e, clusterId);
    }
  }

  private async apiKey(): Promise<string> {
    const credentials = await this.credentials();
    if (!credentials || !('apiKey' in credentials) || !credentials.apiKey) {
      throw new AiFunctionsError('auth', 'Inferable has no API key. Run "AI Functions: Set API Key…" to add one.', {
        platform: PLATFORM,
      });
    }
    return credentials.apiKey;
  }

  /**
   * Inferable answers 401 with an empty body, so the generic message has nothing to go on. The
   * usual causes are a key of another cluster and a machine key (which cannot create runs).
   */
  private explainAuth(e: unknown, clusterId: string): unknown {
    if (!(e instanceof AiFunctionsError) || e.kind !== 'auth' || e.platformMessage) return e;
    return new AiFunctionsError(
      'auth',
      `Inferable rejected the API key (${e.status ?? 401}). Use a cluster consumer key (not a machine key) of cluster ${clusterId}: run "AI Functions: Set API Key…" to update it, or check aiFunctions.inferable.clusterId.`,
      { platform: PLATFORM, status: e.status, cause: e },
    );
  }
}

function runPath(runId: string): string {
  return `runs/${pathSegment(runId, 'Inferable run id', PLATFORM)}`;
}
