// Parses Inferable's replies (zod at the boundary) and maps them to the normalized model.
import { parseReply } from '../parseReply';
import type { FunctionInfo, Job, JobStatus } from '../../core/model';
import type { ApprovalRequest, PendingDecision } from '../types';
import type { Generation } from './generation';
import {
  createdRunSchema,
  flatRunSchema,
  jobDetailSchema,
  messageListSchema,
  nestedRunSchema,
  runListSchema,
  serviceListSchema,
  timelineSchema,
  toolListSchema,
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
  /** Current generation: the job asked for a person's approval, */
  approvalRequested?: boolean;
  /** and got it (true), was denied (false), or still waits (undefined). */
  approved?: boolean;
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
  /**
   * What the run waits on a person for: approvals of its jobs (current generation) and input
   * requests (Oct 2024); decided and resolved ones are left out.
   */
  decisions: PendingDecision[];
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
    approvalRequested: job.approvalRequested ?? undefined,
    approved: job.approved ?? undefined,
  };
}

export function toInputRequest(request: InputRequestReply): PendingDecision {
  const fn = [present(request.service), present(request.function)].filter(Boolean).join('.');
  const options = request.presentedOptions ?? request.options ?? undefined;
  return {
    kind: 'input',
    id: request.id,
    type: present(request.type),
    description: present(request.description) ?? (fn ? `Input for ${fn}` : undefined),
    options: options && options.length > 0 ? options : undefined,
  };
}

function isPending(request: InputRequestReply): boolean {
  return request.resolvedAt === null || request.resolvedAt === undefined;
}

/** The jobs that wait for a person's approval (`approvalRequested && approved == null`). */
function approvalsOf(jobs: InferableRunJob[]): ApprovalRequest[] {
  return jobs
    .filter((job) => job.approvalRequested === true && job.approved === undefined)
    .map((job) => ({
      kind: 'approval',
      id: job.id,
      function: job.targetFn,
      description: job.targetFn ? `Approve the call to ${job.targetFn}?` : 'Approve the call?',
    }));
}

/** Pending input requests, then jobs awaiting approval. */
function decisionsOf(jobs: InferableRunJob[], inputRequests: InputRequestReply[] | null | undefined): PendingDecision[] {
  return [...(inputRequests ?? []).filter(isPending).map(toInputRequest), ...approvalsOf(jobs)];
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
  const jobs = (reply.jobs ?? []).map(toRunJob);
  return {
    id: run.id,
    name: present(run.name),
    status: normalizeStatus(run.status),
    result: normalizeResult(run.result),
    summary: normalizeSummary(run.summary),
    failureReason: present(run.failureReason),
    createdAt: isoDate(run.createdAt),
    jobs,
    decisions: decisionsOf(jobs, reply.inputRequests),
    raw: body,
  };
}

/**
 * True when a run reply carries no `inputRequests` list: the flat shape (Oct 2024 contract and
 * current), whose run keeps its jobs, approvals and input requests in the timeline instead.
 */
export function lacksDecisionLists(body: unknown): boolean {
  return typeof body !== 'object' || body === null || !Array.isArray((body as { inputRequests?: unknown }).inputRequests);
}

/** The jobs and pending decisions of `GET /runs/{r}/timeline`. */
export function parseTimeline(body: unknown): Pick<InferableRun, 'jobs' | 'decisions'> {
  const timeline = parse(timelineSchema, body);
  const jobs = (timeline.jobs ?? []).map(toRunJob);
  return { jobs, decisions: decisionsOf(jobs, timeline.inputRequests) };
}

/**
 * The new run's id, and the generation whose reply it is: only the current control plane answers
 * with the run's `status`.
 */
export function parseCreatedRun(body: unknown): { id: string; answeredBy: Generation } {
  const created = parse(createdRunSchema, body);
  return { id: created.id, answeredBy: 'status' in created ? 'current' : 'seed' };
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

/** `GET /clusters/{c}/tools` (current) → one FunctionInfo per tool, id = the tool's name. */
export function parseTools(body: unknown): FunctionInfo[] {
  return parse(toolListSchema, body).map((tool) => {
    const hasSchema = tool.schema !== undefined && tool.schema !== null && tool.schema !== '';
    return {
      platform: PLATFORM,
      id: tool.name,
      name: tool.name,
      description: present(tool.description),
      inputType: hasSchema ? 'JSON schema' : undefined,
      inputFields: hasSchema ? schemaFields(tool.schema!) : undefined,
    };
  });
}

/**
 * The run's text answer from `GET /runs/{r}/messages` (current): the newest `agent` message that
 * has text. The control plane sends the newest first; the order is not relied on.
 */
export function lastAgentText(body: unknown): string | undefined {
  let best: { at: number; id: string; text: string } | undefined;
  for (const message of parse(messageListSchema, body)) {
    const text = message.type === 'agent' ? message.data?.message : undefined;
    if (typeof text !== 'string' || text.trim() === '') continue;
    const at = Date.parse(isoDate(message.createdAt) ?? '');
    const when = Number.isNaN(at) ? -Infinity : at;
    // Ids are ULIDs: among messages of the same millisecond the greater id is the newer.
    if (!best || when > best.at || (when === best.at && message.id > best.id)) best = { at: when, id: message.id, text };
  }
  return best?.text;
}

/**
 * The arguments of a job awaiting approval (`GET /clusters/{c}/jobs/{jobId}`), as compact JSON
 * text. The control plane stores them packed as `{"value": …}` in a JSON string.
 */
export function parseJobArgs(body: unknown): string | undefined {
  const raw = parse(jobDetailSchema, body).targetArgs;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return present(raw);
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && 'value' in value) {
    value = (value as { value: unknown }).value;
  }
  return value === undefined || value === null ? undefined : JSON.stringify(value);
}
