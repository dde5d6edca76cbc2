// Sutro emulator, written from the Python SDK: github sutro-sh/sutro 0.1.64, commit da8cde12
// (`sutro/sdk.py`: do_request, run_function, cancel_job, get_job_results, results_download_url,
// download_job_results; `sutro/validation.py`: DIRECT_TENSOR_FACTORY_API_ERROR; `tests/test_sdk.py`
// TestRunFunction; `tests/test_configuration.py`). Where the docs and the SDK disagree, the SDK wins.
//
// Two API generations, chosen per test with the `generation` knob:
//   'shared' (the default, the seed's behaviour): both on one server —
//     legacy (centralized) root paths:  POST /functions/run {name, input_data}, GET /list-jobs, …
//     deployment paths under /v1:       POST /v1/functions/{name}/run {input}, GET /v1/list-jobs, …
//   'deployment': this server is one single-tenant deployment. Only `/v1/...` is served; the old
//     root paths answer 410 with the SDK's DIRECT_TENSOR_FACTORY_API_ERROR (as a retired shared
//     host does). Every /v1 error is `{detail, code, request_id}`. Keys are issued per deployment:
//     `keys` are this deployment's, any other key gets 401 `invalid_api_key` (start a second
//     emulator with other keys for "another deployment"). job-cancel takes GET only (the SDK's
//     method). Submitted jobs go QUEUED → STARTING → RUNNING → SUCCEEDED, and the second newest
//     seeded job is STARTING instead of QUEUED.
//   Both: `GET /v1/jobs/{id}/results-url?format=parquet&include_inputs=…` answers
//     `{job_id, format, artifact:{bucket, key, filename, size_bytes}, urls:{get, head}}`; the URLs
//     are presigned-style links on this server (`/presigned/…?X-Amz-Signature=…`) that serve a real
//     Parquet file (columns `inputs` as JSON text when asked, `outputs`), with ETag, HEAD and Range,
//     and refuse a request that also carries an Authorization header (as S3 does).
// Auth: `Authorization: Key <key>`. Errors are FastAPI style `{detail}` (plus `code` on function
// runs, and `request_id` on /v1 function runs); fetch-job/job-status/cancel 404 is `{message}`.
//
// Results: `resultsLagPolls` N makes job-results answer 409 `results_not_ready` to the first N
// requests for each job after it SUCCEEDED (the SDK retries 20 times, 5 s apart);
// `resultsPaddingBytes` adds that many bytes (`results.padding`) to every job-results reply, to
// make it larger than a client's reply cap.
//
// Job timing (no timers; status is computed from the clock):
//   seeded RUNNING jobs become SUCCEEDED `jobStepMs` after start/reset; seeded QUEUED jobs become
//   RUNNING after one step and SUCCEEDED after two. A job submitted with batch-inference is QUEUED,
//   RUNNING after `jobStepMs`, SUCCEEDED after 2 × `jobStepMs`. Cancelling a QUEUED/RUNNING job
//   makes it CANCELLING at once and CANCELLED `cancelDelayMs` later (default 250 ms).

import { runEmulatorCli } from './core/cli';
import { classify, round2, unitHash, type KeywordLabel } from './core/deterministic';
import { Emulator, type EmulatorOptions } from './core/emulator';
import type { HostileFields } from './core/hostile';
import { isPlainObject, jsonBodyProblem, reply, type ApiRequest, type Reply } from './core/http';
import { knob, Knobs } from './core/knobs';

export interface SutroFunctionDef {
  name: string;
  kind: 'classification' | 'structured';
  /** Input fields, in declared order; all are required. */
  inputFields: string[];
  /** Classification: labels with their keywords (first with most hits wins). */
  labels?: KeywordLabel[];
  /** Classification: label when no keyword matches. */
  fallback?: string;
  /** Structured: output fields (company, segment and region are derived from the text; others ''). */
  outputFields?: string[];
  model: string;
  modelSource: string;
  systemPrompt: string;
  /** false → real-time runs answer 409 no_runnable_prompt (the client should fall back to batch). */
  realtime?: boolean;
}

export interface SutroOptions extends EmulatorOptions {
  keys?: string[];
  functions?: SutroFunctionDef[];
  jobCount?: number;
  jobStepMs?: number;
  cancelDelayMs?: number;
  /** After a job succeeds, job-results answers 409 "not ready" for this long (default 0). */
  resultsDelayMs?: number;
  lowercaseStatuses?: boolean;
  retired?: boolean;
  /** 'shared' (default): both generations, as the seed had it; 'deployment': one deployment, /v1 only. */
  generation?: SutroGeneration;
  /** job-results answers "not ready" to the first N requests per job after SUCCEEDED (default 0). */
  resultsLagPolls?: number;
  /** Extra bytes in every job-results reply (default 0). */
  resultsPaddingBytes?: number;
}

export const SUTRO_DEFAULT_KEY = 'sk_test_emulator';

/** The SDK's DIRECT_TENSOR_FACTORY_API_ERROR, word for word: the SDK matches a 410's detail to it. */
export const RETIRED_MESSAGE =
  "Direct Sutro Batch API access is no longer supported by the Sutro SDK. Upgrade the sutro package, then set SUTRO_API_URL to your Sutro single-tenant deployment URL and use an API key from that deployment's API Keys panel.";

export type SutroGeneration = 'shared' | 'deployment';

export const SUTRO_FUNCTIONS: SutroFunctionDef[] = [
  {
    name: 'lead-qualifier',
    kind: 'classification',
    inputFields: ['query', 'region'],
    labels: [
      {
        name: 'qualified',
        keywords: ['budget', 'budgets', 'demo', 'demos', 'buy', 'buying', 'purchase', 'pricing', 'price', 'quote', 'evaluating', 'evaluate', 'trial', 'contract'],
      },
      { name: 'not_qualified', keywords: [] },
    ],
    fallback: 'not_qualified',
    model: 'qwen-3-14b',
    modelSource: 'sutro',
    systemPrompt: 'Return one lead qualification label.',
  },
  {
    name: 'lead-extractor',
    kind: 'structured',
    inputFields: ['text'],
    outputFields: ['company', 'segment', 'region'],
    model: 'qwen-3-14b',
    modelSource: 'sutro',
    systemPrompt: 'Extract the requested lead fields.',
  },
  {
    name: 'sentiment',
    kind: 'classification',
    inputFields: ['text'],
    labels: [
      { name: 'positive', keywords: ['love', 'loved', 'great', 'excellent', 'good', 'happy', 'amazing', 'fantastic', 'recommend', 'thanks', 'fast'] },
      { name: 'negative', keywords: ['hate', 'bad', 'terrible', 'awful', 'broken', 'angry', 'slow', 'refund', 'worst', 'disappointed', 'crash', 'crashes'] },
      { name: 'neutral', keywords: [] },
    ],
    fallback: 'neutral',
    model: 'llama-3.1-8b',
    modelSource: 'sutro',
    systemPrompt: 'Classify the sentiment of the text as positive, negative or neutral.',
  },
];

const SAMPLE_TEXTS = [
  'Find cybersecurity leaders evaluating AI vendors.',
  'Acme Labs wants a demo of the analytics suite next week; budget approved.',
  'Just browsing, sent by a friend.',
  'Northwind Systems asked for pricing for 40 seats in Singapore.',
  'Please unsubscribe me from this list.',
  'Globex Corp is evaluating a contract for their retail stores in Germany.',
  'I love the new dashboard, great work!',
  'The export is broken again and support is slow.',
  'Initech Software in Toronto is ready to buy before the end of the quarter.',
  'Student project, no budget, just curious.',
  'Umbrella Health needs a quote for their hospitals across APAC.',
  'What time does the webinar start?',
];
const REGIONS = ['APAC', 'EMEA', 'NA', 'LATAM'];

type JobStatus = 'QUEUED' | 'STARTING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLING' | 'CANCELLED';
type JobInput = Record<string, unknown> | string;

interface SutroJob {
  seq: number;
  id: string;
  model: string;
  name: string | null;
  description: string | null;
  priority: number;
  createdMs: number;
  datasetId: string | null;
  numRows: number;
  /** Inputs of a submitted job; seeded jobs generate theirs from `seq`. */
  inputs?: JobInput[];
  steps: { at: number; status: JobStatus }[];
  failure?: string;
  jsonSchema: Record<string, unknown> | null;
  systemPrompt: string | null;
  samplingParams: Record<string, unknown>;
  costEstimate: number;
  /** Submitted with `cost_estimate: true`: nothing is run, only the estimate is worked out. */
  costEstimateOnly?: boolean;
}

const TERMINAL: JobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

function byName(functions: SutroFunctionDef[]): Map<string, SutroFunctionDef> {
  return new Map(functions.map((f) => [f.name, f]));
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function pad(n: number): string {
  return String(n).padStart(5, '0');
}

function inputText(input: JobInput): string {
  if (typeof input === 'string') return input;
  return Object.values(input)
    .filter((v) => v !== null && v !== undefined)
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    .join(' ');
}

const COMPANY_SUFFIX = /\b((?:[A-Z][\w&-]*\s+){0,3}(?:Inc\.?|Labs|Corp\.?|Corporation|Ltd\.?|LLC|GmbH|Systems|Technologies|Software|Group|Health|AI))\b/;
const SEGMENTS: [RegExp, string][] = [
  [/\banalytics?\b/i, 'B2B analytics'],
  [/\b(cyber)?security\b/i, 'Cybersecurity'],
  [/\b(health|hospitals?|clinic)\b/i, 'Healthcare'],
  [/\b(retail|stores?|e-?commerce)\b/i, 'Retail'],
  [/\b(bank|fintech|finance|insurance)\b/i, 'Financial services'],
  [/\b(ai|vendors?|software|saas)\b/i, 'Software'],
];
const REGION_WORDS: [RegExp, string][] = [
  [/\b(APAC|Asia|Singapore|Japan|Australia|India|China)\b/i, 'APAC'],
  [/\b(EMEA|Europe|Germany|France|UK|London|Berlin|Africa)\b/i, 'EMEA'],
  [/\b(NA|USA?|United States|America|Canada|Toronto|New York)\b/, 'NA'],
  [/\b(LATAM|Brazil|Mexico|Argentina|Chile)\b/i, 'LATAM'],
];

/** Deterministic structured extraction (company, segment, region) from free text. */
export function extractLead(text: string): { company: string; segment: string; region: string; found: number } {
  const company = COMPANY_SUFFIX.exec(text)?.[1]?.trim() ?? 'Unknown';
  const segment = SEGMENTS.find(([re]) => re.test(text))?.[1] ?? 'General';
  const region = REGION_WORDS.find(([re]) => re.test(text))?.[1] ?? 'Unknown';
  const found = [company !== 'Unknown', segment !== 'General', region !== 'Unknown'].filter(Boolean).length;
  return { company, segment, region, found };
}

export interface SutroRunOutcome {
  kind: 'classification' | 'structured';
  label?: string;
  output?: Record<string, unknown>;
  confidence: number;
  predictions?: { label: string; confidence: number }[];
  rationale: string;
  inputTokens: number;
  outputTokens: number;
}

/** Runs a function on input fields (deterministic). */
export function runSutroFunction(fn: SutroFunctionDef, input: JobInput): SutroRunOutcome {
  const text = inputText(input);
  const inputTokens = Math.ceil(text.length / 4) + Math.ceil(fn.systemPrompt.length / 4) + 120;
  if (fn.kind === 'classification') {
    const c = classify(text, fn.labels ?? [], fn.fallback ?? fn.labels?.[fn.labels.length - 1]?.name ?? 'unknown');
    const rationale = c.matched.length
      ? `The text mentions ${c.matched.map((m) => `"${m}"`).join(', ')}, which indicates ${c.label}.`
      : `No signals for the other labels were found, so the text is ${c.label}.`;
    return { kind: 'classification', label: c.label, confidence: c.confidence, predictions: c.predictions, rationale, inputTokens, outputTokens: 30 + (c.matched.length * 6) };
  }
  const lead = extractLead(text);
  const output: Record<string, unknown> = {};
  for (const field of fn.outputFields ?? []) {
    output[field] = field === 'company' ? lead.company : field === 'segment' ? lead.segment : field === 'region' ? lead.region : '';
  }
  const confidence = round2(0.5 + 0.1 * lead.found + 0.05 * unitHash(text));
  const rationale =
    lead.found === 3
      ? 'The requested company, segment, and region are present in the input.'
      : `${lead.found} of the 3 requested fields were found in the input; the others are "Unknown" or "General".`;
  return { kind: 'structured', output, confidence, rationale, inputTokens, outputTokens: 20 + JSON.stringify(output).length / 4 };
}

export class SutroEmulator extends Emulator {
  readonly name = 'sutro';
  keys: string[] = [];
  functions = new Map<string, SutroFunctionDef>();
  jobStepMs = 1500;
  cancelDelayMs = 250;
  resultsDelayMs = 0;
  lowercaseStatuses = false;
  retired = false;
  resultsLagPolls = 0;
  resultsPaddingBytes = 0;
  /** Jobs, newest first. */
  jobs: SutroJob[] = [];
  private jobById = new Map<string, SutroJob>();
  private _jobCount = 25;
  private nextSeq = 1;
  private nextRequestId = 1;
  private startedAt = Date.now();
  private _generation: SutroGeneration = 'shared';
  /** Per job: job-results requests answered "not ready" since it succeeded. */
  private readonly lagServed = new Map<string, number>();
  /** Presigned tokens → the artifact they open. */
  private readonly artifacts = new Map<string, { key: string; bytes: Buffer; etag: string }>();
  private nextArtifact = 1;

  constructor(private readonly options: SutroOptions = {}) {
    super(options);
    this.resetState();
  }

  get jobCount(): number {
    return this._jobCount;
  }

  get generation(): SutroGeneration {
    return this._generation;
  }

  /** Setting it re-seeds the jobs (the second newest is STARTING on a deployment). */
  set generation(g: SutroGeneration) {
    if (g !== 'shared' && g !== 'deployment') throw new Error("generation must be 'shared' or 'deployment'");
    this._generation = g;
    this.seedJobs();
  }

  /** Setting it re-seeds the jobs (submitted jobs are dropped). */
  set jobCount(n: number) {
    if (!Number.isInteger(n) || n < 0) throw new Error('jobCount must be an integer >= 0');
    this._jobCount = n;
    this.seedJobs();
  }

  protected resetState(): void {
    const o = this.options;
    this.keys = [...(o.keys ?? [SUTRO_DEFAULT_KEY])];
    this.functions = byName(o.functions ?? SUTRO_FUNCTIONS);
    this.jobStepMs = o.jobStepMs ?? 1500;
    this.cancelDelayMs = o.cancelDelayMs ?? 250;
    this.resultsDelayMs = o.resultsDelayMs ?? 0;
    this.lowercaseStatuses = o.lowercaseStatuses ?? false;
    this.retired = o.retired ?? false;
    this.resultsLagPolls = o.resultsLagPolls ?? 0;
    this.resultsPaddingBytes = o.resultsPaddingBytes ?? 0;
    this.nextRequestId = 1;
    this.lagServed.clear();
    this.artifacts.clear();
    this._generation = o.generation ?? 'shared';
    this._jobCount = o.jobCount ?? 25;
    this.seedJobs();
  }

  /** `configure()` and `GET /__emulator/config`, in the order that lists them (see core/knobs.ts). */
  protected readonly knobs = new Knobs<SutroEmulator>('Sutro', this, {
    keys: knob.strings,
    jobCount: knob.seedCount,
    jobStepMs: knob.number,
    cancelDelayMs: knob.number,
    resultsDelayMs: knob.number,
    lowercaseStatuses: knob.boolean,
    retired: knob.boolean,
    generation: { ...knob.oneOf<SutroGeneration>('shared', 'deployment'), last: true },
    resultsLagPolls: knob.number,
    resultsPaddingBytes: knob.number,
    hostile: knob.boolean,
    functions: {
      parse: (value, key) => byName(knob.array<SutroFunctionDef>('function definitions').parse(value, key)),
      show: (functions) => [...functions.values()],
    },
  });

  /** Hostile mode: job statuses and ids stay as they are (the client's state machine reads them). */
  protected override readonly hostileFields: HostileFields = {
    text: ['detail', 'message', 'name', 'description', 'model', 'system_prompt', 'rationale', 'response', 'label'],
    deep: ['output', 'outputs'],
    error: ['detail', 'message'],
    skip: ['json_schema', 'sampling_params', 'inputs'],
  };

  protected errorBody(status: number, message: string, path: string): unknown {
    const deployment = this._generation === 'deployment' && path.startsWith('/v1/');
    if (status === 401 && !deployment) return { detail: message };
    const code = {
      401: 'invalid_api_key',
      404: 'not_found',
      409: 'conflict',
      410: 'retired',
      422: 'invalid_input',
      429: 'rate_limited',
      500: 'internal_error',
      502: 'provider_error',
      503: 'unavailable',
      504: 'timeout',
      524: 'timeout',
    }[status];
    const body: Record<string, unknown> = { detail: message };
    if (code) body.code = code;
    // The shared API's legacy run (`/functions/run`) sent no request id; a deployment sends one with every error.
    if (deployment || /^\/v1\/functions\//.test(path)) body.request_id = this.requestId();
    return body;
  }

  /** A deployment's error: `{detail, code, request_id}` (the shared generation keeps its own bodies). */
  private fail(status: number, detail: string, code: string, shared: unknown = { detail }): Reply {
    if (this._generation !== 'deployment') return reply.json(status, shared);
    return reply.json(status, { detail, code, request_id: this.requestId() });
  }

  protected override wrongShapeBody(): unknown {
    return { message: 'ok' };
  }

  // ---- jobs

  private seedJobs(): void {
    this.startedAt = Date.now();
    const names = [...this.functions.keys()];
    const count = this._jobCount;
    const jobs: SutroJob[] = [];
    for (let seq = count; seq >= 1; seq--) {
      const model = names.length ? names[(seq - 1) % names.length] : 'unknown';
      const fn = this.functions.get(model);
      // Relative to start/reset, so the demo's jobs read "10m ago", not years.
      const createdMs = this.startedAt - 10 * 60_000 - (count - seq) * 37 * 60_000;
      const numRows = ((seq * 37) % 120) + 3;
      const fromNewest = count - seq;
      const steps: SutroJob['steps'] = [];
      let failure: string | undefined;
      const started = createdMs + 20_000 + (seq % 7) * 1000;
      const finished = started + numRows * 450;
      if (fromNewest === 0 || fromNewest === 2) {
        steps.push({ at: createdMs, status: 'QUEUED' }, { at: started, status: 'RUNNING' }, { at: this.startedAt + this.jobStepMs, status: 'SUCCEEDED' });
      } else if (fromNewest === 1) {
        steps.push({ at: createdMs, status: 'QUEUED' });
        // A deployment has this one STARTING: out of the queue, not yet running.
        if (this._generation === 'deployment') steps.push({ at: started, status: 'STARTING' });
        steps.push({ at: this.startedAt + this.jobStepMs, status: 'RUNNING' }, { at: this.startedAt + 2 * this.jobStepMs, status: 'SUCCEEDED' });
      } else if (seq % 10 === 7) {
        steps.push({ at: createdMs, status: 'QUEUED' }, { at: started, status: 'RUNNING' }, { at: finished, status: 'FAILED' });
        failure = seq % 20 === 7 ? `Row ${(seq % numRows) + 1} exceeded the model's context window` : 'Quota exceeded for priority 0 jobs';
      } else if (seq % 20 === 19) {
        steps.push({ at: createdMs, status: 'QUEUED' }, { at: started, status: 'RUNNING' }, { at: finished - 5000, status: 'CANCELLING' }, { at: finished, status: 'CANCELLED' });
      } else {
        steps.push({ at: createdMs, status: 'QUEUED' }, { at: started, status: 'RUNNING' }, { at: finished, status: 'SUCCEEDED' });
      }
      jobs.push({
        seq,
        id: `job-${pad(seq)}`,
        model,
        name: seq % 9 === 4 ? null : `${fn?.kind === 'structured' ? 'Lead extraction' : model === 'sentiment' ? 'Review sentiment' : 'Lead qualification'} #${seq}`,
        description: seq % 3 === 0 ? `Nightly batch ${seq} from the CRM export` : null,
        priority: seq % 5 === 0 ? 1 : 0,
        createdMs,
        datasetId: seq % 4 === 0 ? `dataset-${pad(seq)}` : null,
        numRows,
        steps,
        failure,
        jsonSchema: fn?.kind === 'structured' ? this.schemaFor(fn) : null,
        systemPrompt: fn?.systemPrompt ?? null,
        samplingParams: { temperature: 0, top_p: 1, max_tokens: 512 },
        costEstimate: Math.round(numRows * 0.0004 * 1e4) / 1e4,
      });
    }
    this.jobs = jobs;
    this.jobById = new Map(jobs.map((j) => [j.id, j]));
    this.nextSeq = count + 1;
  }

  private schemaFor(fn: SutroFunctionDef): Record<string, unknown> {
    const properties: Record<string, unknown> = {};
    for (const f of fn.outputFields ?? []) properties[f] = { type: 'string' };
    return { type: 'object', properties, required: fn.outputFields ?? [] };
  }

  private statusAt(job: SutroJob, now: number): { status: JobStatus; startedMs?: number; completedMs?: number; statusMs: number } {
    let current = job.steps[0];
    let startedMs: number | undefined;
    for (const step of job.steps) {
      if (step.at > now) break;
      current = step;
      if (step.status === 'RUNNING' && startedMs === undefined) startedMs = step.at;
    }
    const completedMs = TERMINAL.includes(current.status) ? current.at : undefined;
    return { status: current.status, startedMs, completedMs, statusMs: current.at };
  }

  private fmt(status: JobStatus): string {
    return this.lowercaseStatuses ? status.toLowerCase() : status;
  }

  /** The Job object as the API returns it. */
  jobView(job: SutroJob, now = Date.now()): Record<string, unknown> {
    const s = this.statusAt(job, now);
    const done = s.status === 'SUCCEEDED';
    const partial = s.status === 'FAILED' || s.status === 'CANCELLED' ? 0.5 : done ? 1 : 0;
    const inTok = partial ? Math.round(job.numRows * 64 * partial) : null;
    const outTok = partial ? Math.round(job.numRows * 9 * partial) : null;
    return {
      job_id: job.id,
      status: this.fmt(s.status),
      model: job.model,
      system_prompt: job.systemPrompt,
      job_priority: job.priority,
      datetime_created: new Date(job.createdMs).toISOString(),
      datetime_started: isoOrNull(s.startedMs),
      datetime_completed: isoOrNull(s.completedMs),
      json_schema: job.jsonSchema,
      sampling_params: job.samplingParams,
      name: job.name,
      description: job.description,
      dataset_id: job.datasetId,
      input_tokens: inTok,
      output_tokens: outTok,
      job_cost: inTok !== null && outTok !== null ? Math.round(inTok * 0.15 + outTok * 0.6) / 1e6 : null,
      num_rows: job.numRows,
      failure_reason: s.status === 'FAILED' && job.failure ? { message: job.failure } : null,
      cost_estimate: job.costEstimate,
      run_type: 'FULL',
    };
  }

  private jobInputs(job: SutroJob): JobInput[] {
    if (job.inputs) return job.inputs;
    const fn = this.functions.get(job.model);
    const fields = fn?.inputFields ?? ['text'];
    const inputs: JobInput[] = [];
    for (let r = 0; r < job.numRows; r++) {
      const text = SAMPLE_TEXTS[(job.seq * 7 + r) % SAMPLE_TEXTS.length];
      const row: Record<string, unknown> = {};
      fields.forEach((f, i) => {
        row[f] = i === 0 ? text : f === 'region' ? REGIONS[(job.seq + r) % REGIONS.length] : `${f} ${r + 1}`;
      });
      inputs.push(row);
    }
    return inputs;
  }

  /** Deterministic results of a job: label strings, or JSON strings for structured functions. */
  jobOutputs(job: SutroJob): string[] {
    const fn = this.functions.get(job.model);
    return this.jobInputs(job).map((input) => {
      if (!fn) return 'unknown';
      const out = runSutroFunction(fn, input);
      return out.kind === 'classification' ? (out.label as string) : JSON.stringify(out.output);
    });
  }

  /** Adds a job at the front, as batch-inference does. Returns its id. */
  submitJob(
    model: string,
    inputs: JobInput[],
    extra: {
      name?: string | null;
      description?: string | null;
      priority?: number;
      jsonSchema?: Record<string, unknown> | null;
      systemPrompt?: string | null;
      samplingParams?: Record<string, unknown>;
      /** `cost_estimate: true`: the job only works out `cost_estimate` (sutro-sh/sutro sdk.py at 98a913a, `_run_one_batch_inference`). */
      costEstimateOnly?: boolean;
    } = {},
  ): string {
    const now = Date.now();
    const seq = this.nextSeq++;
    const fn = this.functions.get(model);
    const job: SutroJob = {
      seq,
      id: `job-${pad(seq)}`,
      model,
      name: extra.name ?? null,
      description: extra.description ?? null,
      priority: extra.priority ?? 0,
      createdMs: now,
      datasetId: null,
      numRows: inputs.length,
      inputs,
      steps: [
        { at: now, status: 'QUEUED' },
        ...(this._generation === 'deployment' ? [{ at: now + this.jobStepMs / 2, status: 'STARTING' as const }] : []),
        { at: now + this.jobStepMs, status: 'RUNNING' },
        { at: now + 2 * this.jobStepMs, status: 'SUCCEEDED' },
      ],
      jsonSchema: extra.jsonSchema ?? (fn?.kind === 'structured' ? this.schemaFor(fn) : null),
      systemPrompt: extra.systemPrompt ?? fn?.systemPrompt ?? null,
      samplingParams: extra.samplingParams ?? { temperature: 0, top_p: 1, max_tokens: 512 },
      costEstimate: Math.round(inputs.length * 0.0004 * 1e4) / 1e4,
      costEstimateOnly: extra.costEstimateOnly ?? false,
    };
    this.jobs.unshift(job);
    this.jobById.set(job.id, job);
    return job.id;
  }

  getJob(id: string): SutroJob | undefined {
    return this.jobById.get(id);
  }

  private requestId(): string {
    return `rt_${(this.nextRequestId++).toString(16).padStart(24, '0')}`;
  }

  // ---- routing

  protected handle(req: ApiRequest): Reply | Promise<Reply> {
    const seg = req.segments;
    // A presigned link carries its own signature, never the key.
    if (seg[0] === 'presigned') return this.presigned(req);
    const v1 = seg[0] === 'v1';
    const rest = v1 ? seg.slice(1) : seg;
    const deployment = this._generation === 'deployment';
    if (!v1 && (this.retired || deployment)) return this.fail(410, RETIRED_MESSAGE, 'retired');

    const auth = String(req.headers.authorization ?? '');
    const m = /^Key\s+(\S+)\s*$/.exec(auth);
    // A deployment knows only the keys it issued: another deployment's key is refused like any other.
    if (!m || !this.keys.includes(m[1])) {
      return this.fail(401, deployment ? 'Invalid API key: it was not issued by this deployment' : 'Invalid or missing API key', 'invalid_api_key', {
        detail: 'Invalid or missing API key',
      });
    }

    const route = rest.join('/');
    const method = req.method;
    const allow = (methods: string[], fn: () => Reply): Reply =>
      methods.includes(method) ? fn() : reply.json(405, { detail: 'Method Not Allowed' }, { allow: methods.join(', ') });

    if (!v1 && route === 'functions/run') return allow(['POST'], () => this.runLegacy(req));
    if (v1 && rest.length === 3 && rest[0] === 'functions' && rest[2] === 'run') return allow(['POST'], () => this.runV1(req, rest[1]));
    if (route === 'list-jobs') return allow(['GET'], () => this.listJobs(req));
    if (rest.length === 2 && rest[0] === 'jobs') return allow(['GET'], () => this.fetchJob(rest[1]));
    if (rest.length === 2 && rest[0] === 'job-status') return allow(['GET'], () => this.jobStatus(rest[1]));
    if (route === 'job-results') return allow(['POST'], () => this.jobResults(req));
    if (rest.length === 2 && rest[0] === 'job-cancel') return allow(deployment ? ['GET'] : ['GET', 'POST'], () => this.cancel(rest[1]));
    if (v1 && rest.length === 3 && rest[0] === 'jobs' && rest[2] === 'results-url') {
      return req.method === 'GET' ? this.resultsUrl(req, rest[1]) : reply.json(405, { detail: 'Method Not Allowed' }, { allow: 'GET' });
    }
    if (route === 'batch-inference') return allow(['POST'], () => this.batchInference(req));
    if (route === 'try-authentication') return allow(['GET'], () => reply.json(200, { authenticated: true }));
    if (route === 'auth/check') {
      return allow(['GET'], () => reply.json(200, { principal: { type: 'api_key', customer_id: 'cust_emulator', key_prefix: m[1].slice(0, 8) } }));
    }
    return this.fail(404, 'Not Found', 'not_found');
  }

  private invalid(detail: string, requestId?: string): Reply {
    const body: Record<string, unknown> = { detail, code: 'invalid_input' };
    if (requestId) body.request_id = requestId;
    return reply.json(422, body);
  }

  private runLegacy(req: ApiRequest): Reply {
    const body = req.json;
    if (!isPlainObject(body)) return this.invalid(jsonBodyProblem(req) ?? 'Request body must be a JSON object with name and input_data');
    if (typeof body.name !== 'string' || body.name === '') return this.invalid('Field required: name');
    if (body.input_data === undefined) return this.invalid('Field required: input_data');
    if (!isPlainObject(body.input_data)) return this.invalid('input_data must be an object');
    const fn = this.functions.get(body.name);
    if (!fn) return reply.json(404, { detail: `Function '${body.name}' not found`, code: 'function_not_found' });
    if (fn.realtime === false) return reply.json(409, { detail: `Function '${fn.name}' cannot run in real time; use the Batch API`, code: 'no_runnable_prompt' });
    const input = body.input_data;
    const missing = fn.inputFields.filter((f) => input[f] === undefined || input[f] === null);
    if (missing.length) return this.invalid(`Missing required input field(s): ${missing.join(', ')}`);
    const known: Record<string, unknown> = {};
    for (const f of fn.inputFields) known[f] = input[f];
    const out = runSutroFunction(fn, known);
    const usage = { input_tokens: out.inputTokens, output_tokens: Math.round(out.outputTokens), system_prompt: fn.systemPrompt };
    const deep = this.deepNesting(req);
    if (out.kind === 'classification') {
      const body: Record<string, unknown> = { response: out.label, confidence: out.confidence, predictions: out.predictions, rationale: out.rationale, usage };
      if (deep) body.output = deep;
      return reply.json(200, body);
    }
    return reply.json(200, { output: deep ?? out.output, rationale: out.rationale, confidence: out.confidence, usage });
  }

  private runV1(req: ApiRequest, name: string): Reply {
    const requestId = this.requestId();
    const body = req.json;
    if (!isPlainObject(body)) return this.invalid(jsonBodyProblem(req) ?? 'Request body must be a JSON object with an input field', requestId);
    const fn = this.functions.get(name);
    if (!fn) return reply.json(404, { detail: `Function '${name}' not found`, code: 'function_not_found', request_id: requestId });
    if (fn.realtime === false) {
      return reply.json(409, { detail: `Function '${fn.name}' has no runnable prompt for real-time runs; use batch`, code: 'no_runnable_prompt', request_id: requestId });
    }
    let input: Record<string, unknown>;
    if (typeof body.input === 'string') {
      if (fn.inputFields.length !== 1) {
        return this.invalid(`Function '${fn.name}' has ${fn.inputFields.length} input fields (${fn.inputFields.join(', ')}); send input as an object`, requestId);
      }
      input = { [fn.inputFields[0]]: body.input };
    } else if (isPlainObject(body.input)) {
      input = body.input;
    } else {
      return this.invalid(body.input === undefined ? 'Field required: input' : 'input must be an object or a string', requestId);
    }
    const missing = fn.inputFields.filter((f) => input[f] === undefined || input[f] === null);
    if (missing.length) return this.invalid(`Missing required input field(s): ${missing.join(', ')}`, requestId);
    const unknown = Object.keys(input).filter((k) => !fn.inputFields.includes(k));
    if (unknown.length) return this.invalid(`Unknown input field(s): ${unknown.join(', ')}`, requestId);
    const out = runSutroFunction(fn, input);
    const outputTokens = Math.round(out.outputTokens);
    return reply.json(200, {
      request_id: requestId,
      function: { name: fn.name, model: fn.model, model_source: fn.modelSource },
      output: this.deepNesting(req) ?? (out.kind === 'classification' ? out.label : out.output),
      confidence: out.confidence,
      usage: { input_tokens: out.inputTokens, output_tokens: outputTokens, cost_usd: Math.round((out.inputTokens * 0.15 + outputTokens * 0.6) / 1e6 * 1e8) / 1e8 },
    });
  }

  private listJobs(req: ApiRequest): Reply {
    const now = Date.now();
    const rawLimit = req.query.get('limit');
    if (rawLimit === null) return reply.json(200, { message: 'Jobs retrieved', jobs: this.shapeJobs(req, this.jobs, now).jobs });
    const limit = /^\d+$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= 100)) return reply.json(422, { detail: 'limit must be an integer between 1 and 100' });
    let start = 0;
    const cursor = req.query.get('cursor');
    if (cursor !== null && cursor !== '') {
      const after = decodeCursor(cursor);
      if (after === undefined) return reply.json(400, { detail: 'Invalid cursor' });
      start = this.firstBelow(after);
    }
    const page = this.jobs.slice(start, start + limit);
    const more = start + limit < this.jobs.length;
    const { jobs, huge } = this.shapeJobs(req, page, now);
    return reply.json(200, {
      jobs,
      next_cursor: more && page.length && !huge ? encodeCursor(page[page.length - 1].seq) : null,
    });
  }

  /** The job views of a listing, with the `hugePage` (all synthetic, no next page) and `oddIds` faults. */
  private shapeJobs(req: ApiRequest, page: SutroJob[], now: number): { jobs: Record<string, unknown>[]; huge: boolean } {
    let views = page.map((j) => this.jobView(j, now));
    const huge = this.jobs.length ? this.hugePage(req) : undefined;
    if (huge !== undefined) {
      views = Array.from({ length: huge }, (_, i) => ({ ...this.jobView(this.jobs[i % this.jobs.length], now), job_id: `job-huge-${pad(i + 1)}` }));
    }
    return { jobs: this.withOddIds(req, views, 'job_id'), huge: huge !== undefined };
  }

  /** Index of the first job (newest first, seq descending) whose seq is below `seq`. */
  private firstBelow(seq: number): number {
    let lo = 0;
    let hi = this.jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.jobs[mid].seq < seq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private fetchJob(id: string): Reply {
    const job = this.jobById.get(id);
    if (!job) return this.fail(404, 'Job not found', 'not_found', { message: 'Job not found' });
    return reply.json(200, { job: this.jobView(job) });
  }

  private jobStatus(id: string): Reply {
    const job = this.jobById.get(id);
    if (!job) return this.fail(404, 'Job not found', 'not_found', { message: 'Job not found' });
    const s = this.statusAt(job, Date.now());
    return reply.json(200, {
      message: 'Job status retrieved',
      job_status: { [job.id]: this.fmt(s.status) },
      metadata: s.status === 'FAILED' && job.failure ? { failure_reason: { message: job.failure } } : null,
    });
  }

  private jobResults(req: ApiRequest): Reply {
    const body = req.json;
    if (req.jsonError || !isPlainObject(body) || typeof body.job_id !== 'string') return this.fail(422, 'Field required: job_id', 'invalid_input');
    const job = this.jobById.get(body.job_id);
    if (!job) return this.fail(404, 'Job not found', 'not_found');
    const now = Date.now();
    const s = this.statusAt(job, now);
    if (s.status !== 'SUCCEEDED') {
      return this.fail(409, `Job ${job.id} is ${this.fmt(s.status)}; results are only available for SUCCEEDED jobs`, 'job_not_succeeded');
    }
    const notReady = `Results for job ${job.id} are not ready yet; retry shortly`;
    if (now < s.statusMs + this.resultsDelayMs) return this.fail(409, notReady, 'results_not_ready');
    const served = this.lagServed.get(job.id) ?? 0;
    if (served < this.resultsLagPolls) {
      this.lagServed.set(job.id, served + 1);
      return this.fail(409, notReady, 'results_not_ready');
    }
    const outputs: unknown[] = this.jobOutputs(job);
    const deep = this.deepNesting(req);
    if (deep) outputs[0] = deep;
    const results: Record<string, unknown> = { outputs };
    if (body.include_inputs === true) results.inputs = this.jobInputs(job);
    if (this.resultsPaddingBytes > 0) results.padding = 'x'.repeat(this.resultsPaddingBytes);
    return reply.json(200, { results });
  }

  /** `GET jobs/{id}/results-url`: presigned links to one Parquet artifact of the job's results. */
  private async resultsUrl(req: ApiRequest, id: string): Promise<Reply> {
    const job = this.jobById.get(id);
    if (!job) return this.fail(404, 'Job not found', 'not_found', { detail: 'Job not found' });
    const s = this.statusAt(job, Date.now());
    if (s.status !== 'SUCCEEDED') {
      return this.fail(409, `Job ${job.id} is ${this.fmt(s.status)}; results are only available for SUCCEEDED jobs`, 'job_not_succeeded');
    }
    if (req.query.get('format') !== null && req.query.get('format') !== 'parquet') return this.fail(422, 'format must be parquet', 'invalid_input');
    const seconds = Number(req.query.get('expires_in_seconds') ?? 3600);
    if (!(Number.isInteger(seconds) && seconds >= 1 && seconds <= 7 * 24 * 3600)) return this.fail(422, 'expires_in_seconds must be 1 to 604800', 'invalid_input');
    const includeInputs = req.query.get('include_inputs') === 'true';
    const bytes = await this.parquetOf(job, includeInputs);
    const token = `a${(this.nextArtifact++).toString(16).padStart(8, '0')}`;
    const filename = `${job.id}-results.parquet`;
    const key = `results/${job.id}/${token}/${filename}`;
    this.artifacts.set(token, { key, bytes, etag: `"${token}-${bytes.length}"` });
    const link = `${this.url}/presigned/${token}/${filename}?X-Amz-Expires=${seconds}&X-Amz-Signature=${signatureOf(token)}`;
    return reply.json(200, {
      job_id: job.id,
      format: 'parquet',
      artifact: { bucket: 'sutro-emulator-results', key, filename, size_bytes: bytes.length },
      urls: { get: link, head: link },
    });
  }

  /** The job's results as a Parquet file: `inputs` (JSON text, when asked) and `outputs`. */
  private async parquetOf(job: SutroJob, includeInputs: boolean): Promise<Buffer> {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const columnData = [];
    if (includeInputs) columnData.push({ name: 'inputs', data: this.jobInputs(job).map((i) => JSON.stringify(i)), type: 'STRING' as const });
    columnData.push({ name: 'outputs', data: this.jobOutputs(job), type: 'STRING' as const });
    return Buffer.from(parquetWriteBuffer({ columnData }));
  }

  /** A presigned link: GET or HEAD, the signature in the query, no Authorization header, Range served. */
  private presigned(req: ApiRequest): Reply {
    const [, token] = req.segments;
    const artifact = token === undefined ? undefined : this.artifacts.get(token);
    if (!artifact || req.query.get('X-Amz-Signature') !== signatureOf(token!)) return reply.text(403, 'SignatureDoesNotMatch', 'application/xml');
    if (req.headers.authorization !== undefined) return reply.text(400, 'InvalidArgument: Only one auth mechanism allowed', 'application/xml');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply.text(405, 'MethodNotAllowed', 'application/xml');
    const { bytes, etag } = artifact;
    const headers = { etag, 'accept-ranges': 'bytes' };
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
      if (start > end) return { status: 416, text: 'InvalidRange', contentType: 'application/xml', headers: { 'content-range': `bytes */${bytes.length}` } };
      return { status: 206, bytes: bytes.subarray(start, end + 1), headers: { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}` } };
    }
    return { status: 200, bytes, headers };
  }

  private cancel(id: string): Reply {
    const job = this.jobById.get(id);
    if (!job) return this.fail(404, 'Job not found', 'not_found', { message: 'Job not found' });
    const now = Date.now();
    const s = this.statusAt(job, now);
    if (s.status === 'CANCELLING') return reply.json(200, { cancelled: false, message: `Job ${job.id} is already being cancelled` });
    if (TERMINAL.includes(s.status)) return reply.json(200, { cancelled: false, message: `Job ${job.id} is already ${this.fmt(s.status)} and cannot be cancelled` });
    job.steps = job.steps.filter((st) => st.at <= now);
    job.steps.push({ at: now, status: 'CANCELLING' }, { at: now + this.cancelDelayMs, status: 'CANCELLED' });
    return reply.json(200, { cancelled: true, message: `Job ${job.id} is being cancelled` });
  }

  private batchInference(req: ApiRequest): Reply {
    const body = req.json;
    if (!isPlainObject(body)) return reply.json(422, { detail: jsonBodyProblem(req) ?? 'Request body must be a JSON object' });
    if (typeof body.model !== 'string') return reply.json(422, { detail: 'Field required: model' });
    const fn = this.functions.get(body.model);
    if (!fn) return reply.json(422, { detail: `Unknown model or Function '${body.model}'` });
    if (typeof body.inputs === 'string') return reply.json(422, { detail: 'Remote datasets (CSV/Parquet URLs) are not supported by the emulator; send inputs as an array' });
    if (!Array.isArray(body.inputs) || body.inputs.length === 0) return reply.json(422, { detail: 'inputs must be a non-empty array' });
    if (!body.inputs.every((i) => typeof i === 'string' || isPlainObject(i))) return reply.json(422, { detail: 'Each input must be a string or an object of input fields' });
    if (body.name !== undefined && body.name !== null && (typeof body.name !== 'string' || body.name.length > 45)) return reply.json(422, { detail: 'name must be a string of at most 45 characters' });
    if (body.description !== undefined && body.description !== null && (typeof body.description !== 'string' || body.description.length > 512)) {
      return reply.json(422, { detail: 'description must be a string of at most 512 characters' });
    }
    if (body.job_priority !== undefined && body.job_priority !== 0 && body.job_priority !== 1) return reply.json(422, { detail: 'job_priority must be 0 or 1' });
    const id = this.submitJob(fn.name, body.inputs as JobInput[], {
      name: (body.name as string | undefined) ?? null,
      description: (body.description as string | undefined) ?? null,
      priority: (body.job_priority as number | undefined) ?? 0,
      jsonSchema: isPlainObject(body.json_schema) ? body.json_schema : undefined,
      systemPrompt: typeof body.system_prompt === 'string' ? body.system_prompt : undefined,
      samplingParams: isPlainObject(body.sampling_params) ? body.sampling_params : undefined,
      costEstimateOnly: body.cost_estimate === true,
    });
    return reply.json(200, { results: id });
  }
}

/** The emulator's stand-in for a presigned URL's signature. */
function signatureOf(token: string): string {
  return Buffer.from(`sig:${token}`, 'utf8').toString('hex');
}

function encodeCursor(seq: number): string {
  return Buffer.from(`job-${pad(seq)}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(cursor)) return undefined;
  const m = /^job-(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

export async function startSutro(options: SutroOptions = {}): Promise<SutroEmulator> {
  return new SutroEmulator(options).start();
}

if (require.main === module) runEmulatorCli('sutro', startSutro);
