// From Sutro's parsed replies to the normalized model.
import type * as z from 'zod/mini';
import type { Job, JobStatus, Prediction, RunResult, Usage } from '../../core/model';
import type {
  classificationReplySchema,
  deploymentReplySchema,
  extractionReplySchema,
  jobSchema,
  usageSchema,
} from './schemas';

type SutroJob = z.infer<typeof jobSchema>;
type SutroUsage = z.infer<typeof usageSchema>;

/**
 * Sutro's statuses: current `QUEUED, STARTING, RUNNING, SUCCEEDED, CANCELLING, CANCELLED, FAILED,
 * UNKNOWN` (SDK `sutro/interfaces.py` JobStatus); the legacy docs list lowercase `pending,
 * submitted, …`. Compared case-insensitively.
 *
 * STARTING is running: the job has left the queue and is being given its workers.
 * CANCELLING is running too, although the SDK counts it as terminal (its `await_job_completion`
 * stops waiting there): the job has not stopped yet and rows may still be processed and billed.
 * Kept unfinished, the Jobs view goes on watching it, shows it with its raw status, and tells the
 * user when it is really CANCELLED; taken as terminal, it would stay "cancelling" until a refresh
 * and the "finished" notification would come before the job had finished.
 */
const STATUSES: Record<string, JobStatus> = {
  QUEUED: 'queued',
  PENDING: 'queued',
  SUBMITTED: 'queued',
  STARTING: 'running',
  RUNNING: 'running',
  CANCELLING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

export function normalizeStatus(raw: string | null | undefined): JobStatus {
  return (raw && STATUSES[raw.trim().toUpperCase()]) || 'unknown';
}

/** `failure_reason` is `{message, additional_context?}` in the docs; a bare string is accepted too. */
export function failureMessage(reason: string | { message?: string | null } | null | undefined): string | undefined {
  if (reason === null || reason === undefined) return undefined;
  const message = typeof reason === 'string' ? reason : reason.message;
  return message ? message : undefined;
}

function defined<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

export function toJob(job: SutroJob): Job {
  const rawStatus = job.status ?? '';
  return {
    platform: 'sutro',
    id: job.job_id,
    status: normalizeStatus(rawStatus),
    rawStatus,
    name: defined(job.name),
    model: defined(job.model),
    createdAt: defined(job.datetime_created),
    startedAt: defined(job.datetime_started),
    completedAt: defined(job.datetime_completed),
    inputTokens: defined(job.input_tokens),
    outputTokens: defined(job.output_tokens),
    cost: defined(job.job_cost),
    costEstimate: defined(job.cost_estimate),
    rows: defined(job.num_rows),
    failureReason: failureMessage(job.failure_reason),
    raw: job,
  };
}

export function toUsage(usage: SutroUsage): Usage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: defined(usage.input_tokens),
    outputTokens: defined(usage.output_tokens),
    costUsd: defined(usage.cost_usd),
  };
}

function byConfidence(predictions: Prediction[]): Prediction[] {
  return [...predictions].sort((a, b) => b.confidence - a.confidence);
}

interface RunContext {
  function: string;
  durationMs: number;
  raw: unknown;
}

export function fromClassification(reply: z.infer<typeof classificationReplySchema>, ctx: RunContext): RunResult {
  return {
    platform: 'sutro',
    function: ctx.function,
    kind: 'classification',
    label: reply.response,
    confidence: reply.confidence,
    predictions: byConfidence(reply.predictions.map((p) => ({ label: p.label, confidence: p.confidence }))),
    rationale: defined(reply.rationale),
    usage: toUsage(reply.usage),
    durationMs: ctx.durationMs,
    raw: ctx.raw,
  };
}

export function fromExtraction(reply: z.infer<typeof extractionReplySchema>, ctx: RunContext): RunResult {
  return {
    platform: 'sutro',
    function: ctx.function,
    kind: 'extraction',
    confidence: reply.confidence,
    predictions: [],
    output: reply.output,
    rationale: reply.rationale,
    usage: toUsage(reply.usage),
    durationMs: ctx.durationMs,
    raw: ctx.raw,
  };
}

/** A deployment answers one shape: a string output is a label, anything else structured output. */
export function fromDeployment(reply: z.infer<typeof deploymentReplySchema>, ctx: RunContext): RunResult {
  const confidence = defined(reply.confidence);
  const common = {
    platform: 'sutro' as const,
    function: ctx.function,
    confidence,
    rationale: defined(reply.rationale),
    usage: toUsage(reply.usage),
    durationMs: ctx.durationMs,
    raw: ctx.raw,
  };
  if (typeof reply.output === 'string') {
    const predictions = confidence === undefined ? [] : [{ label: reply.output, confidence }];
    return { ...common, kind: 'classification', label: reply.output, predictions };
  }
  return { ...common, kind: 'extraction', output: reply.output, predictions: [] };
}

/** A value from a Parquet file as JSON can hold it: int64 as a number when exact, else as text. */
function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}

/** The columns a results artifact may name its outputs by (the SDK renames `outputs` to `inference_result`). */
const OUTPUT_COLUMNS = ['outputs', 'output', 'inference_result'];

/**
 * A row of a job's results file: `{input?, output, …other columns}`, the shape of job-results
 * rows, with the other columns (ids, confidence_score) kept beside them.
 */
export function fromParquetRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('inputs' in row) out.input = parseOutput(jsonValue(row.inputs));
  const outputColumn = OUTPUT_COLUMNS.find((c) => c in row);
  if (outputColumn) out.output = parseOutput(jsonValue(row[outputColumn]));
  for (const [key, value] of Object.entries(row)) {
    if (key !== 'inputs' && key !== outputColumn) out[key] = jsonValue(value);
  }
  return out;
}

/**
 * A batch job's output: Functions with structured output return each row as a JSON string, which
 * is parsed. Other strings (labels, text) stay strings, even when they would parse as a number.
 */
export function parseOutput(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!(text.startsWith('{') && text.endsWith('}')) && !(text.startsWith('[') && text.endsWith(']'))) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}
