// Parses Inferable's replies (zod at the boundary) and maps them to the normalized model.
import { parseReply } from '../parseReply';
import type { FunctionInfo, Job, JobStatus } from '../../core/model';
import type { InputRequest } from '../types';
import {
  createdRunSchema,
  flatRunSchema,
  nestedRunSchema,
  runListSchema,
  serviceListSchema,
  timelineSchema,
  type FlatRunReply,
  type InputRequestReply,
  type RunJobReply,
} from './schemas';
import type * as z from 'zod/mini';

/** The documented run statuses. Others are kept as sent. */
export type InferableRunStatus = 'pending' | 'running' | 'paused' | 'done' | 'failed';

export interface InferableRunJob {
  id: string;
  status: string | null;
  targetFn?: string;
  service?: string;
  resultType?: string;
  createdAt?: string;
}

/** One run, whichever reply shape it came in. */
export interface InferableRun {
  id: string;
  name?: string;
  /** `null` until the control plane picks the run up. */
  status: InferableRunStatus | (string & {}) | null;
  /** The structured result, or null when the run produced only a summary. */
  result: unknown;
  summary?: string;
  failureReason?: string;
  createdAt?: string;
  jobs: InferableRunJob[];
  /** The input requests still waiting for an answer (resolved ones are left out). */
  inputRequests: InputRequest[];
  /** The parsed reply. */
  raw: unknown;
}

const PLATFORM = 'inferable';

function parse<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  return parseReply(PLATFORM, schema, body);
}

function present(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

function isoDate(value: string | number | null | undefined): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value).toISOString() : undefined;
  return present(value);
}

/**
 * The seed's own example uses `"status": "success"` for a finished run while its status table
 * says `done`; both mean the run completed.
 */
function normalizeStatus(status: string | null): string | null {
  return status === 'success' ? 'done' : status;
}

/**
 * The 2024 contract types the flat reply's `result` as a string holding JSON; the seed and the
 * current API send the value itself. A string that parses to an object or array is unwrapped.
 */
function normalizeResult(result: unknown): unknown {
  if (result === undefined) return null;
  if (typeof result !== 'string') return result;
  const t = result.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return result;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return result;
  }
}

/** The seed's failure example carries `"summary": "null"`: a serialized null, not a summary. */
function normalizeSummary(summary: string | null | undefined): string | undefined {
  return summary === 'null' ? undefined : present(summary);
}

function toRunJob(job: RunJobReply): InferableRunJob {
  return {
    id: job.id,
    status: job.status,
    targetFn: present(job.targetFn),
    service: present(job.service),
    resultType: present(job.resultType),
    createdAt: isoDate(job.createdAt),
  };
}

export function toInputRequest(request: InputRequestReply): InputRequest {
  const fn = [present(request.service), present(request.function)].filter(Boolean).join('.');
  const options = request.presentedOptions ?? request.options ?? undefined;
  return {
    id: request.id,
    type: present(request.type),
    description: present(request.description) ?? (fn ? `Input for ${fn}` : undefined),
    options: options && options.length > 0 ? options : undefined,
  };
}

function isPending(request: InputRequestReply): boolean {
  return request.resolvedAt === null || request.resolvedAt === undefined;
}

/** `GET /clusters/{c}/runs/{r}` in either documented shape. */
export function parseRun(body: unknown): InferableRun {
  const nested = typeof body === 'object' && body !== null && !Array.isArray(body) && 'run' in body;
  let run: FlatRunReply;
  let reply: Pick<FlatRunReply, 'jobs' | 'inputRequests'>;
  if (nested) {
    const parsed = parse(nestedRunSchema, body);
    run = parsed.run;
    reply = parsed;
  } else {
    run = reply = parse(flatRunSchema, body);
  }
  return {
    id: run.id,
    name: present(run.name),
    status: normalizeStatus(run.status),
    result: normalizeResult(run.result),
    summary: normalizeSummary(run.summary),
    failureReason: present(run.failureReason),
    createdAt: isoDate(run.createdAt),
    jobs: (reply.jobs ?? []).map(toRunJob),
    inputRequests: (reply.inputRequests ?? []).filter(isPending).map(toInputRequest),
    raw: body,
  };
}

/**
 * True when a run reply carries no `inputRequests` list: the flat shape, whose run keeps its
 * input requests in the timeline instead.
 */
export function lacksInputRequests(body: unknown): boolean {
  return typeof body !== 'object' || body === null || !Array.isArray((body as { inputRequests?: unknown }).inputRequests);
}

/** The jobs and pending input requests of `GET /runs/{r}/timeline`. */
export function parseTimeline(body: unknown): Pick<InferableRun, 'jobs' | 'inputRequests'> {
  const timeline = parse(timelineSchema, body);
  return {
    jobs: (timeline.jobs ?? []).map(toRunJob),
    inputRequests: (timeline.inputRequests ?? []).filter(isPending).map(toInputRequest),
  };
}

export function parseCreatedRun(body: unknown): string {
  return parse(createdRunSchema, body).id;
}

const JOB_STATUS: Record<string, JobStatus> = {
  pending: 'queued',
  running: 'running',
  paused: 'paused',
  done: 'succeeded',
  success: 'succeeded',
  failed: 'failed',
};

export function toJobStatus(status: string | null): JobStatus {
  return (status !== null && JOB_STATUS[status]) || 'unknown';
}

/** A run shown as a job (Jobs view, `getJob`). */
export function runToJob(run: InferableRun): Job {
  return {
    platform: PLATFORM,
    id: run.id,
    status: toJobStatus(run.status),
    rawStatus: run.status ?? 'none',
    name: run.name,
    createdAt: run.createdAt,
    failureReason: run.failureReason,
    raw: run.raw,
  };
}

/** `GET /clusters/{c}/runs` → jobs, in the order the platform sent them. */
export function parseRunList(body: unknown): Job[] {
  return parse(runListSchema, body).map((run) => ({
    platform: PLATFORM,
    id: run.id,
    status: toJobStatus(run.status),
    rawStatus: run.status ?? 'none',
    name: present(run.name),
    createdAt: isoDate(run.createdAt),
    failureReason: present(run.failureReason),
    raw: run,
  }));
}

/** The top-level property names of a JSON schema (sent as an object or as a JSON string). */
function schemaFields(schema: string | Record<string, unknown>): string[] | undefined {
  let value: unknown = schema;
  if (typeof schema === 'string') {
    try {
      value = JSON.parse(schema) as unknown;
    } catch {
      return undefined;
    }
  }
  const properties = (value as { properties?: unknown } | null)?.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  const names = Object.keys(properties);
  return names.length > 0 ? names : undefined;
}

/** `GET /clusters/{c}/services` → one FunctionInfo per service function, id `service.function`. */
export function parseServices(body: unknown): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  for (const service of parse(serviceListSchema, body)) {
    for (const fn of service.functions ?? []) {
      const id = `${service.name}.${fn.name}`;
      const hasSchema = fn.schema !== undefined && fn.schema !== null && fn.schema !== '';
      out.push({
        platform: PLATFORM,
        id,
        name: id,
        description: present(fn.description),
        inputType: hasSchema ? 'JSON schema' : undefined,
        inputFields: hasSchema ? schemaFields(fn.schema!) : undefined,
      });
    }
  }
  return out;
}

/**
 * The 2024 create-run contract names attached functions `<SERVICE>_<FUNCTION>`
 * ("An array of attached functions (Keys should be service in the format <SERVICE>_<FUNCTION>)"),
 * while the functions list (and this extension) names them `service.function`.
 */
export function attachedFunctionKey(functionId: string): string {
  const dot = functionId.indexOf('.');
  return dot === -1 ? functionId : `${functionId.slice(0, dot)}_${functionId.slice(dot + 1)}`;
}
