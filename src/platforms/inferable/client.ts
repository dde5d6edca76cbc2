// The Inferable adapter: runs (create, poll, read the text answer, approve or answer what a paused
// run waits for), runs listed as jobs, and the cluster's functions. It speaks both generations of
// the API (see generation.ts) and tells which one a cluster runs from the server's answers. Every
// call reads the config, so changed settings apply at once.
import { AiFunctionsError, configurationError, isAiFunctionsError, runFailed } from '../../core/errors';
import type { HttpClient, HttpRequest } from '../../core/http';
import type { Logger } from '../../core/log';
import { isUnsafePathSegment, pathSegment } from '../../core/urls';
import type { Credentials, FunctionInfo, Job, Page, PageRequest, RunRequest, RunResult } from '../../core/model';
import { INFERABLE } from './descriptor';
import type { AdapterOptions, DecisionAnswer, PendingDecision, PlatformAdapter } from '../types';
import { GenerationMemory, isRouteMissing, type Generation } from './generation';
import {
  attachedFunctionKey,
  lacksDecisionLists,
  lastAgentText,
  parseCreatedRun,
  parseJobArgs,
  parseRun,
  parseRunList,
  parseServices,
  parseTimeline,
  parseTools,
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
  /** What the run is asked (sent as `initialPrompt`, or as the Oct 2024 API's `message`). */
  message: string;
  /** A JSON schema the result should conform to. */
  resultSchema?: Record<string, unknown>;
  /**
   * Functions the run may call, as listed: tool names (current) or `service.function` (Oct 2024).
   * Default: Inferable chooses among all of the cluster's.
   */
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
/** `GET /runs/{r}/messages` answers newest first; `limit` is 10 to 50. The answer is the newest. */
const NEWEST_MESSAGES = { limit: 10 };
/** At most this many approvals get their arguments read (one request each). */
const MAX_APPROVAL_DETAILS = 10;
const GENERATION_NAMES: Record<Generation, string> = { current: 'current', seed: 'Oct 2024' };
const GENERATIONS: readonly Generation[] = ['current', 'seed'];
/** The route that lists the cluster's functions: it exists in one generation only. */
const LISTING: Record<Generation, string> = { current: 'tools', seed: 'services' };

export class InferableAdapter implements PlatformAdapter {
  readonly id = PLATFORM;
  readonly descriptor = INFERABLE;

  private readonly http: HttpClient;
  private readonly credentials: () => Promise<Credentials | undefined>;
  private readonly config: () => InferableConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly generations = new GenerationMemory();

  constructor(options: InferableAdapterOptions) {
    this.http = options.http;
    this.credentials = options.credentials;
    this.config = options.config;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  // ---------------------------------------------------------------------------------------------
  // Generations

  /** The API generation of the configured cluster: remembered, or detected now. */
  async generation(signal?: AbortSignal): Promise<Generation> {
    const { baseUrl, clusterId } = this.cluster();
    return this.generations.get(baseUrl, clusterId) ?? (await this.detect(signal)).generation;
  }

  /**
   * `GET /clusters/{c}/tools` (current) or `GET /clusters/{c}/services` (Oct 2024), `first` first:
   * the route the control plane has tells its generation, which is remembered for the cluster.
   * Resolves with the listing too, so that listing functions costs nothing more.
   */
  private async detect(signal?: AbortSignal, first: Generation = 'current'): Promise<{ generation: Generation; listing: unknown }> {
    const { baseUrl, clusterId } = this.cluster();
    for (const generation of first === 'current' ? GENERATIONS : [...GENERATIONS].reverse()) {
      try {
        const listing = await this.send({ method: 'GET', path: LISTING[generation], signal });
        this.generations.remember(baseUrl, clusterId, generation);
        this.logger.info(`Inferable cluster ${clusterId} at ${baseUrl} speaks the ${GENERATION_NAMES[generation]} API`);
        return { generation, listing };
      } catch (e) {
        if (!isRouteMissing(e)) throw e;
      }
    }
    throw configurationError(
      `${baseUrl} has neither /clusters/{id}/tools nor /clusters/{id}/services: set aiFunctions.inferable.baseUrl to an Inferable control plane.`,
      PLATFORM,
    );
  }

  /** A reply showed the remembered generation to be wrong: the next call detects it again. */
  private forgetGeneration(why: string): void {
    const { baseUrl, clusterId } = this.cluster();
    this.logger.info(`Inferable cluster ${clusterId}: ${why}; detecting its API again`);
    this.generations.forget(baseUrl, clusterId);
  }

  private knownGeneration(): Generation | undefined {
    const { baseUrl, clusterId } = this.cluster();
    return this.generations.get(baseUrl, clusterId);
  }

  // ---------------------------------------------------------------------------------------------
  // Runs

  /**
   * `POST /clusters/{c}/runs` → the new run's id. The run starts in the background. The body is the
   * cluster's generation's: `{initialPrompt, resultSchema, tools}` or `{message, result: {schema},
   * attachedFunctions}`. When the reply shows the other generation answered (each ignores the
   * other's prompt field, so the run would never start), the empty run is deleted and the run is
   * created again in the right shape.
   */
  async createRun(request: CreateRunRequest, signal?: AbortSignal): Promise<string> {
    const generation = await this.generation(signal);
    let reply: unknown;
    try {
      reply = await this.postRun(generation, request, signal);
    } catch (e) {
      // A 400 may be an Oct 2024 control plane asking for its `message`: nothing was created, so
      // the run is sent again if the cluster turns out to speak the other generation.
      if (!(isAiFunctionsError(e) && e.kind === 'invalidInput' && e.status === 400)) throw e;
      this.forgetGeneration(`creating a run was refused (${e.platformMessage ?? 'no reason given'})`);
      const { generation: again } = await this.detect(signal, other(generation));
      if (again === generation) throw e;
      return parseCreatedRun(await this.postRun(again, request, signal)).id;
    }
    const created = parseCreatedRun(reply);
    if (created.answeredBy === generation) return created.id;
    this.forgetGeneration(`run ${created.id} was answered by the ${GENERATION_NAMES[created.answeredBy]} API`);
    await this.deleteRunQuietly(created.id, signal);
    const { generation: again } = await this.detect(signal, created.answeredBy);
    return parseCreatedRun(await this.postRun(again, request, signal)).id;
  }

  private postRun(generation: Generation, request: CreateRunRequest, signal?: AbortSignal): Promise<unknown> {
    const fns = request.attachedFunctions?.length ? request.attachedFunctions : undefined;
    const body: Record<string, unknown> = {};
    if (generation === 'current') {
      body.initialPrompt = request.message;
      if (request.resultSchema) body.resultSchema = request.resultSchema;
      if (fns) body.tools = fns;
    } else {
      body.message = request.message;
      if (request.resultSchema) body.result = { schema: request.resultSchema };
      if (fns) body.attachedFunctions = fns.map(attachedFunctionKey);
    }
    if (request.name) body.name = request.name;
    return this.send({
      method: 'POST',
      path: 'runs',
      json: body,
      signal,
      // A run must never be started twice by a retry.
      retry: 'notProcessed',
    });
  }

  private async deleteRunQuietly(runId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.send({ method: 'DELETE', path: runPath(runId), signal, subject: `run ${runId}` });
    } catch (e) {
      if (isAiFunctionsError(e) && e.kind === 'cancelled') throw e;
      this.logger.warn(`Could not delete the empty Inferable run ${runId}: ${(e as Error).message}`);
    }
  }

  /**
   * `GET /clusters/{c}/runs/{r}`, in either documented reply shape. A paused run whose reply has
   * no decision lists (the flat shape) gets its jobs, approvals and input requests from the
   * run's timeline.
   */
  async getRun(runId: string, signal?: AbortSignal): Promise<InferableRun> {
    const path = runPath(runId);
    const reply = await this.send({ method: 'GET', path, signal, subject: `run ${runId}` });
    const run = parseRun(reply);
    if (run.status !== 'paused' || !lacksDecisionLists(reply)) return run;
    try {
      const timeline = await this.send({ method: 'GET', path: `${path}/timeline`, query: TIMELINE_FROM_START, signal, subject: `run ${runId}` });
      const lists = parseTimeline(timeline);
      return { ...run, jobs: run.jobs.length > 0 ? run.jobs : lists.jobs, decisions: lists.decisions };
    } catch (e) {
      // The run itself was read; without its timeline it is shown with nothing to decide.
      if (e instanceof AiFunctionsError && e.kind === 'cancelled') throw e;
      this.logger.warn(`Could not read what Inferable run ${runId} waits for: ${(e as Error).message}`);
      return run;
    }
  }

  /**
   * Polls a run until it is `done`, `failed` or `paused` (waiting for a person). Throws 'timeout'
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
   * Creates a run with `input` as its prompt (an object is sent as JSON text), lets it call only
   * `request.function` when one is named (else Inferable chooses), and waits for it.
   * - `done`: `output` is the structured result; `summary` the run's text answer (the Oct 2024
   *   run's `summary`, else the last agent message). A null result is not an error.
   * - `failed`: throws 'runFailed' with the platform's failureReason.
   * - `paused`: returns `status: 'paused'` with `output` = the `PendingDecision[]` and a `summary`
   *   saying what it waits for; answer them with `decide(runId, …)` and wait again with
   *   `awaitRun(runId, fn)`.
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
    return this.outcome(runId, request.function, started, signal, request.options?.pollTimeoutMs);
  }

  /** Waits for a run that went on after a decision; returns it as `run` does. */
  async awaitRun(runId: string, fn: string, signal?: AbortSignal): Promise<RunResult> {
    return this.outcome(runId, fn, this.now(), signal);
  }

  private async outcome(runId: string, fn: string, started: number, signal?: AbortSignal, timeoutMs?: number): Promise<RunResult> {
    const run = await this.waitForRun(runId, { signal, timeoutMs });
    if (run.status === 'failed') throw runFailed(PLATFORM, run.failureReason);

    const paused = run.status === 'paused';
    const decisions = paused ? await this.withArguments(run.decisions, signal) : [];
    let summary = paused ? waitingSummary(decisions) : run.summary;
    if (!paused && summary === undefined && run.status === 'done' && this.knownGeneration() === 'current') {
      summary = await this.textAnswer(runId, signal);
    }
    return {
      platform: PLATFORM,
      function: fn,
      kind: 'run',
      predictions: [],
      output: paused ? decisions : (run.result ?? undefined),
      summary,
      status: run.status ?? undefined,
      runId: run.id,
      durationMs: this.now() - started,
      raw: run.raw,
    };
  }

  /**
   * The run's text answer: the newest agent message of `GET /runs/{r}/messages` (current
   * generation). The result is the run's answer too, so a failure here is logged, not thrown.
   */
  async textAnswer(runId: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const reply = await this.send({ method: 'GET', path: `${runPath(runId)}/messages`, query: NEWEST_MESSAGES, signal, subject: `run ${runId}` });
      return lastAgentText(reply);
    } catch (e) {
      if (isAiFunctionsError(e) && e.kind === 'cancelled') throw e;
      this.logger.warn(`Could not read the text answer of Inferable run ${runId}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** What a paused run waits on a person for: approvals (with their arguments) and input requests. */
  async pendingDecisions(runId: string, signal?: AbortSignal): Promise<PendingDecision[]> {
    return this.withArguments((await this.getRun(runId, signal)).decisions, signal);
  }

  /**
   * Answers one of `pendingDecisions`; the run then goes on.
   * - an approval: `POST /clusters/{c}/jobs/{jobId}/approval {approved}` → 204 (current);
   * - an input request: `POST /clusters/{c}/runs/{r}/input-requests/{id} {input}` → 204 (Oct 2024).
   */
  async decide(runId: string, decision: PendingDecision, answer: DecisionAnswer, signal?: AbortSignal): Promise<void> {
    if (decision.kind === 'approval') {
      if (!('approved' in answer)) throw wrongAnswer('An approval is answered with approve or deny');
      const jobId = pathSegment(decision.id, 'Inferable job id', PLATFORM);
      await this.send({
        method: 'POST',
        path: `jobs/${jobId}/approval`,
        json: { approved: answer.approved },
        signal,
        retry: 'notProcessed',
        subject: `job ${decision.id} of run ${runId}`,
      });
      return;
    }
    if (!('input' in answer)) throw wrongAnswer('An input request is answered with text');
    await this.send({
      method: 'POST',
      path: `${runPath(runId)}/input-requests/${pathSegment(decision.id, 'Inferable input request id', PLATFORM)}`,
      json: { input: answer.input },
      signal,
      retry: 'notProcessed',
      subject: `input request ${decision.id} of run ${runId}`,
    });
  }

  /**
   * Approvals with the arguments of the call they would allow (`GET /clusters/{c}/jobs/{jobId}`):
   * a person should see what they approve. Without them the approval is still shown.
   */
  private async withArguments(decisions: PendingDecision[], signal?: AbortSignal): Promise<PendingDecision[]> {
    let asked = 0;
    return Promise.all(
      decisions.map(async (decision) => {
        if (decision.kind !== 'approval' || asked++ >= MAX_APPROVAL_DETAILS) return decision;
        try {
          const job = await this.send({ method: 'GET', path: `jobs/${pathSegment(decision.id, 'Inferable job id', PLATFORM)}`, signal, subject: `job ${decision.id}` });
          const args = parseJobArgs(job);
          return args === undefined ? decision : { ...decision, args };
        } catch (e) {
          if (isAiFunctionsError(e) && e.kind === 'cancelled') throw e;
          this.logger.warn(`Could not read the arguments of Inferable job ${decision.id}: ${(e as Error).message}`);
          return decision;
        }
      }),
    );
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

  /**
   * The cluster's functions: its tools (`GET /clusters/{c}/tools`, current) or its services'
   * functions as `service.function` (`GET /clusters/{c}/services`, Oct 2024). A listing route that
   * is gone means the control plane changed: its generation is detected again.
   */
  async listFunctions(signal?: AbortSignal): Promise<FunctionInfo[]> {
    const known = this.knownGeneration();
    if (known) {
      try {
        return parseListing(known, await this.send({ method: 'GET', path: LISTING[known], signal }));
      } catch (e) {
        if (!isRouteMissing(e)) throw e;
        this.forgetGeneration(`GET /${LISTING[known]} is not there`);
      }
    }
    const { generation, listing } = await this.detect(signal, known && other(known));
    return parseListing(generation, listing);
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
    const { baseUrl: base, clusterId } = this.cluster();
    const key = await this.apiKey();
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

  /** The configured cluster: its base URL (no trailing slash) and id, checked before any request. */
  private cluster(): { baseUrl: string; clusterId: string } {
    const config = this.config();
    const clusterId = config.clusterId?.trim();
    if (!clusterId) {
      throw configurationError('Set aiFunctions.inferable.clusterId to the cluster your Inferable key belongs to.', PLATFORM);
    }
    if (isUnsafePathSegment(clusterId)) {
      const message = `The aiFunctions.inferable.clusterId "${clusterId}" is not a cluster id. Set it to the cluster your Inferable key belongs to.`;
      throw configurationError(message, PLATFORM);
    }
    return { baseUrl: config.baseUrl.replace(/\/+$/, ''), clusterId };
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
   * The Oct 2024 API answers 401 with an empty body, so the generic message has nothing to go on
   * (the current control plane says why, and that message is kept). The usual causes are a key of
   * another cluster and a machine key (which cannot create runs).
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

function other(generation: Generation): Generation {
  return generation === 'current' ? 'seed' : 'current';
}

function parseListing(generation: Generation, listing: unknown): FunctionInfo[] {
  return generation === 'current' ? parseTools(listing) : parseServices(listing);
}

function wrongAnswer(message: string): AiFunctionsError {
  return new AiFunctionsError('invalidInput', `${message}.`, { platform: PLATFORM });
}

/** The result's summary while the run is paused: what it waits for, and where to answer it. */
function waitingSummary(decisions: PendingDecision[]): string {
  const approvals = decisions.filter((d) => d.kind === 'approval');
  const inputs = decisions.length - approvals.length;
  const parts: string[] = [];
  if (approvals.length > 0) {
    const calls = approvals.map((a) => (a.function ? `${a.function}${a.args ? ` ${a.args}` : ''}` : 'a call')).join(', ');
    parts.push(`The run waits for your approval of ${calls}: approve or deny it from the Jobs view.`);
  }
  if (inputs > 0) parts.push(`The run waits for your answer to ${inputs === 1 ? 'an input request' : `${inputs} input requests`}: answer it from the Jobs view.`);
  return parts.join(' ') || 'The run is paused.';
}
