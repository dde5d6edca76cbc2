// Inferable emulator: the two generations of the control plane's API, chosen with the
// `generation` knob ('seed' by default).
//
// 'seed' — the Oct–Nov 2024 API of the seed (sdk-node contract, github.com/inferablehq/inferable
// @4385c1f3 `sdk-node/src/contract.ts`): runs with `message` + `result.schema`, `{run, jobs,
// inputRequests}` on GET run, input requests answered with POST, functions from `/services`.
// Auth: `authorization: <key>` (bare) or `Bearer <key>`; a missing/unknown key → 401 with an
// EMPTY body; another scheme → 401 `{error:{message:"Invalid authorization scheme"}}`.
// Unknown cluster / run / input request → 404 `{message}`; bad bodies/queries → 400 `{error:{message}}`.
//
// 'current' — the control plane as published at github.com/inferablehq/inferable @c67acb81
// (2025-07-05): `control-plane/src/modules/contract.ts` (shapes), `control-plane/src/modules/
// router/index.ts` (handlers), `control-plane/src/modules/auth/auth.ts` (auth),
// `control-plane/src/bootstrap.ts` (error bodies), `control-plane/src/modules/runs/messages.ts`
// (messages, newest first) and `control-plane/src/modules/jobs/jobs.ts` (`submitApproval`):
//   POST /clusters/{c}/runs {initialPrompt?, resultSchema?, tools?, name?, id?, …} → 201 {id,
//     status, result}; unknown fields (the seed's `message`, `result`) are dropped, so a run sent
//     `message` only has no prompt and stays `pending` for ever; `tools: []` → 400 {message};
//     a resultSchema whose `type` is not "object" → 400 {message}; a known client `id` → that run.
//   GET /clusters/{c}/runs/{r} → flat {id, userId, type, status, failureReason, test, feedback…,
//     context, authContext, result (object|null), tools}; the list has no failureReason.
//   GET /clusters/{c}/runs/{r}/timeline → {messages, activity, jobs:[{id, status, targetFn,
//     resultType, createdAt, approved, approvalRequested}], run:{…}} (no inputRequests).
//   GET /clusters/{c}/runs/{r}/messages?after&limit=10..50&waitTime=0..20 → newest first
//     [{id, type: human|agent|invocation-result, data, createdAt, pending, metadata}]; the final
//     agent message is {done: true, result, message: <the text answer>}.
//   GET /clusters/{c}/tools → [{name, description, schema (JSON string), config, shouldExpire,
//     lastPingAt, createdAt}]; /services and /input-requests are gone (Fastify's 404 {message:
//     "Route GET:/… not found", error: "Not Found", statusCode: 404}).
//   GET /clusters/{c}/jobs/{jobId} → {id, status, targetFn, executingMachineId, targetArgs
//     (packed `{"value": …}` JSON text), result, resultType, createdAt, approved, approvalRequested}.
//   POST /clusters/{c}/jobs/{jobId}/approval {approved: boolean} → 204 (once decided, again is a
//     no-op 204); unknown job → 404 {message: "Job not found"}.
//   Errors go through the global handler: {error: {message, docsLink?}}. A 401 comes from the auth
//   hook's AuthenticationError, so it carries {error: {message, docsLink:
//   "https://docs.inferable.ai/pages/auth"}} (the contract's `401: z.undefined()` is not what the
//   source sends); a key of another cluster → 401 "API Key does not have access to this cluster".
//   A paused run waits for the approval of its job (`approvalRequested && approved == null`).
//
// A run's outcome is driven by its message (case-insensitive, deterministic):
//   "fail"          → failed, failureReason "No tools found, …", result null, summary null
//   "approve"/"ask…" → paused until answered — seed: an input request (type "approval"); current:
//                     its job awaits approval — then running for one step, then done (answer
//                     no/deny/reject, or `approved: false` → result null)
//   "approve twice" → current: once its job is approved, the run calls its tool again (a new job)
//                     and pauses for that approval too (running for one step in between)
//   "summary only"  → done with result null and a summary (current: the final agent message)
//   otherwise       → done with a result built from the schema (null without a schema)
// Timing (computed from the clock, no timers): pending for `runStepMs`, running for `runStepMs`,
// then done / failed / paused.

import { runEmulatorCli } from './core/cli';
import { prng } from './core/deterministic';
import { Emulator, type EmulatorOptions } from './core/emulator';
import type { HostileFields } from './core/hostile';
import { isPlainObject, jsonBodyProblem, reply, type ApiRequest, type Reply } from './core/http';
import { knob, Knobs } from './core/knobs';

export interface InferableFunctionDef {
  name: string;
  description?: string;
  /** JSON schema of the input, sent as a JSON string (as the API does). */
  schema?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export interface InferableServiceDef {
  name: string;
  description?: string;
  functions: InferableFunctionDef[];
}

/** A tool of the current generation (`GET /clusters/{c}/tools`). */
export interface InferableToolDef {
  name: string;
  description?: string;
  /** JSON schema of the input, sent as a JSON string (as the API does). */
  schema?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Which API the emulator speaks: the seed's Oct 2024 API, or the current control plane's. */
export type InferableGeneration = 'seed' | 'current';

export interface InferableOptions extends EmulatorOptions {
  keys?: string[];
  clusterId?: string;
  runStepMs?: number;
  /** Seed generation only: the GET run reply's shape. */
  runShape?: 'nested' | 'flat';
  runCount?: number;
  /** Seed generation: `/services`. */
  services?: InferableServiceDef[];
  /** Default 'seed'. */
  generation?: InferableGeneration;
  /** Current generation: `/tools` (default: the services' functions, by function name). */
  tools?: InferableToolDef[];
}

export const INFERABLE_DEFAULT_KEY = 'sk_inf_emulator';
export const INFERABLE_DEFAULT_CLUSTER = 'clu_emulator';
export const NO_TOOLS_REASON =
  'No tools found, which means no services are available to execute this function. At least one service must be available.';

export const INFERABLE_SERVICES: InferableServiceDef[] = [
  {
    name: 'default',
    description: 'Inventory tools',
    functions: [
      {
        name: 'searchInventory',
        description: 'Search the inventory by item name',
        schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
      },
      {
        name: 'getInventoryItem',
        description: 'Get one inventory item by id',
        schema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      },
    ],
  },
  {
    name: 'crm',
    description: 'CRM tools',
    functions: [
      {
        name: 'lookupLead',
        description: 'Find a lead by company or email',
        schema: { type: 'object', properties: { company: { type: 'string' }, email: { type: 'string' } } },
      },
      {
        name: 'updateLead',
        description: 'Update the stage of a lead (needs approval)',
        schema: { type: 'object', properties: { leadId: { type: 'string' }, stage: { type: 'string' } }, required: ['leadId', 'stage'] },
        config: { requiresApproval: true },
      },
    ],
  },
];

/** The current generation's tools: the seed's service functions, named as tools are (flat). */
export const INFERABLE_TOOLS: InferableToolDef[] = INFERABLE_SERVICES.flatMap((service) =>
  service.functions.map((fn) => ({ name: fn.name, description: fn.description, schema: fn.schema })),
);

/** Where a current-generation 401 points (`AuthenticationError`'s default docsLink). */
export const INFERABLE_AUTH_DOCS = 'https://docs.inferable.ai/pages/auth';
export const NOT_APPROVED_MESSAGE = 'This call was denied by the user.';

type RunStatus = 'pending' | 'running' | 'paused' | 'done' | 'failed';
/** `idle`: a current-generation run created without a prompt; nothing ever starts it. */
type RunKind = 'result' | 'fail' | 'input' | 'summary' | 'idle';

interface InferableRun {
  id: string;
  name: string;
  message: string;
  schema?: Record<string, unknown>;
  attachedFunctions: string[] | null;
  /** Current generation: the tools the run was given (null: all of them). */
  tools: string[] | null;
  metadata: Record<string, string> | null;
  userId: string | null;
  test: boolean;
  feedbackScore: number | null;
  feedbackComment: string | null;
  createdMs: number;
  /** Start of the status progression. */
  t0: number;
  kind: RunKind;
  ask: boolean;
  target: { service: string; fn: string };
  jobId: string;
  inputRequestId: string;
  answeredAt?: number;
  /** Seed: the input sent; current: 'approve' or 'deny'. */
  answer?: string;
  /** Current generation: the approval's answer. */
  approved?: boolean;
  /** Current generation: approvals the run still asks for, this one included ("approve twice": 2). */
  approvalsLeft?: number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID_BASE_TIME = Date.parse('2024-11-04T09:00:00.000Z');
const SEED_BASE_TIME = Date.parse('2024-11-01T08:00:00.000Z');
const ITEM_NAMES = ['Sonic Screwdriver', 'Towel', 'Babel Fish', 'Improbability Drive', 'Flux Capacitor'];
const NUMBERS = [10, 5, 3, 8, 13];
const SEED_SCHEMA = {
  type: 'array',
  items: { type: 'object', properties: { name: { type: 'string' }, qty: { type: 'number' } } },
};
const SEEDED_MESSAGES: [string, string][] = [
  ['Inventory status', 'What does our inventory look like?'],
  ['Lead follow-up', 'Find the leads from Acme Labs and list their stage'],
  ['Stock check', 'How many towels are left?'],
  ['Weekly digest', 'Give me a summary only of last week’s orders'],
  ['Broken integration', 'This run should fail: the ERP service is down'],
];

/** Builds a value matching a JSON schema (deterministic). */
export function valueForSchema(schema: unknown, key = '', index = 0, depth = 0): unknown {
  if (!isPlainObject(schema) || depth > 8) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[index % schema.enum.length];
  if ('default' in schema) return schema.default;
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[k];
    if (Array.isArray(options) && options.length) {
      const pick = options.find((o) => !(isPlainObject(o) && o.type === 'null')) ?? options[0];
      return valueForSchema(pick, key, index, depth + 1);
    }
  }
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
  if (type === undefined) type = isPlainObject(schema.properties) ? 'object' : schema.items !== undefined ? 'array' : 'string';
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = isPlainObject(schema.properties) ? schema.properties : {};
      for (const [k, sub] of Object.entries(props)) out[k] = valueForSchema(sub, k, index, depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 2;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : 5;
      const n = Math.max(0, Math.min(Math.max(min, 2), max, 5));
      return Array.from({ length: n }, (_, i) => valueForSchema(schema.items ?? {}, key, i, depth + 1));
    }
    case 'integer':
      return NUMBERS[index % NUMBERS.length];
    case 'number':
      return /price|cost|amount|score|ratio|confidence/i.test(key) ? [0.75, 0.5, 0.25][index % 3] : NUMBERS[index % NUMBERS.length];
    case 'boolean':
      return index % 2 === 0;
    case 'null':
      return null;
    default: {
      if (schema.format === 'date-time') return new Date(SEED_BASE_TIME + index * 86_400_000).toISOString();
      if (schema.format === 'date') return new Date(SEED_BASE_TIME + index * 86_400_000).toISOString().slice(0, 10);
      if (schema.format === 'email' || /email/i.test(key)) return `contact${index + 1}@example.com`;
      if (/name|item|title/i.test(key) || key === '') return ITEM_NAMES[index % ITEM_NAMES.length];
      return `${key} ${index + 1}`;
    }
  }
}

export class InferableEmulator extends Emulator {
  readonly name = 'inferable';
  keys: string[] = [];
  clusterId = INFERABLE_DEFAULT_CLUSTER;
  runStepMs = 600;
  runShape: 'nested' | 'flat' = 'nested';
  services: InferableServiceDef[] = [];
  generation: InferableGeneration = 'seed';
  tools: InferableToolDef[] = [];
  /** Runs, newest first. */
  runs: InferableRun[] = [];
  private runById = new Map<string, InferableRun>();
  private _runCount = 12;
  private idClock = ID_BASE_TIME;
  private random = prng(42);

  constructor(private readonly options: InferableOptions = {}) {
    super(options);
    this.resetState();
  }

  get runCount(): number {
    return this._runCount;
  }

  /** Setting it re-seeds the runs (created runs are dropped). */
  set runCount(n: number) {
    if (!Number.isInteger(n) || n < 0) throw new Error('runCount must be an integer >= 0');
    this._runCount = n;
    this.seedRuns();
  }

  protected resetState(): void {
    const o = this.options;
    this.keys = [...(o.keys ?? [INFERABLE_DEFAULT_KEY])];
    this.clusterId = o.clusterId ?? INFERABLE_DEFAULT_CLUSTER;
    this.runStepMs = o.runStepMs ?? 600;
    this.runShape = o.runShape ?? 'nested';
    this.services = o.services ?? INFERABLE_SERVICES;
    this.generation = o.generation ?? 'seed';
    this.tools = o.tools ?? INFERABLE_TOOLS;
    this._runCount = o.runCount ?? 12;
    this.seedRuns();
  }

  /** `configure()` and `GET /__emulator/config`, in the order that lists them (see core/knobs.ts). */
  protected readonly knobs = new Knobs<InferableEmulator>('Inferable', this, {
    keys: knob.strings,
    clusterId: knob.string,
    runStepMs: knob.number,
    runShape: knob.oneOf('nested', 'flat'),
    runCount: knob.seedCount,
    hostile: knob.boolean,
    services: knob.array<InferableServiceDef>(),
    generation: knob.oneOf('seed', 'current'),
    tools: knob.array<InferableToolDef>(),
  });

  protected errorBody(status: number, message: string): unknown {
    if (this.generation === 'current') return status === 401 ? { error: { message, docsLink: INFERABLE_AUTH_DOCS } } : { error: { message } };
    if (status === 401 && !this.hostile) return undefined;
    return { error: { message } };
  }

  /**
   * Hostile mode: run statuses, ids, input request types and the caller's own metadata and
   * attached functions stay; the status of a run's jobs (free text) does not.
   */
  protected override readonly hostileFields: HostileFields = {
    text: ['message', 'name', 'description', 'summary', 'failureReason', 'targetFn', 'service', 'function', 'jobs.status', 'toolName', 'reasoning'],
    deep: ['result', 'presentedOptions', 'options', 'requestArgs', 'targetArgs'],
    error: ['message', 'docsLink'],
    skip: ['schema', 'config', 'metadata', 'attachedFunctions', 'tools', 'input'],
  };

  protected override wrongShapeBody(): unknown {
    return { ok: true };
  }

  // ---- ids and seeding

  private ulid(): string {
    let ms = this.idClock;
    this.idClock += 1000 + Math.floor(this.random() * 1000);
    let time = '';
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[ms % 32] + time;
      ms = Math.floor(ms / 32);
    }
    let rand = '';
    for (let i = 0; i < 16; i++) rand += CROCKFORD[Math.floor(this.random() * 32)];
    return time + rand;
  }

  private seedRuns(): void {
    this.idClock = ID_BASE_TIME;
    this.random = prng(42);
    const now = Date.now();
    const count = this._runCount;
    const runs: InferableRun[] = [];
    for (let i = 1; i <= count; i++) {
      const fromNewest = count - i;
      const [name, message] = SEEDED_MESSAGES[i % SEEDED_MESSAGES.length];
      let kind: RunKind = 'result';
      let t0 = 0; // long finished
      if (fromNewest === 0) t0 = now - this.runStepMs; // running now, done one step after start/reset
      else if (fromNewest === 1) kind = 'input'; // paused, waiting for an answer
      else if (/fail/i.test(message)) kind = 'fail';
      else if (/summary only/i.test(message)) kind = 'summary';
      const run = this.makeRun({
        name: fromNewest === 1 ? 'Stage update' : name,
        message: fromNewest === 1 ? 'Move Acme Labs to the negotiation stage (approve first)' : message,
        schema: kind === 'result' ? SEED_SCHEMA : undefined,
        attachedFunctions: fromNewest === 1 ? ['crm_updateLead'] : null,
        metadata: null,
        // Relative to start/reset, so the demo's runs read "3h ago", not years.
        createdMs: now - (fromNewest * 3_600_000 + 5 * 60_000),
        t0,
      });
      run.kind = kind;
      run.userId = i % 3 === 0 ? null : 'user_emulator';
      run.test = i % 6 === 0;
      run.feedbackScore = kind === 'result' && i % 4 === 1 ? 1 : null;
      runs.unshift(run);
    }
    this.runs = runs;
    this.runById = new Map(runs.map((r) => [r.id, r]));
  }

  private resolveTarget(attached: string[] | null): { service: string; fn: string } | undefined {
    const all = this.services.flatMap((s) => s.functions.map((f) => ({ service: s.name, fn: f.name })));
    if (!attached || attached.length === 0) return all[0] ?? undefined;
    for (const a of attached) {
      const found = all.find((t) => a === `${t.service}.${t.fn}` || a === `${t.service}_${t.fn}` || a === t.fn);
      if (found) return found;
    }
    // Hostile mode: the client builds these from the poisoned names it listed.
    if (this.hostile) return all.find((t) => attached.some((a) => a.startsWith(t.service) && a.includes(t.fn)));
    return undefined;
  }

  /** Current generation: the tool a run calls (the first one, when it was given none). */
  private resolveTool(tools: string[] | null): { service: string; fn: string } | undefined {
    const all = this.tools.map((t) => ({ service: '', fn: t.name }));
    if (!tools || tools.length === 0) return all[0];
    const found = all.find((t) => tools.includes(t.fn));
    if (found) return found;
    // Hostile mode: the client sends back the poisoned names it listed.
    if (this.hostile) return all.find((t) => tools.some((name) => name.startsWith(t.fn)));
    return undefined;
  }

  private makeRun(p: {
    name: string;
    message: string;
    schema?: Record<string, unknown>;
    attachedFunctions: string[] | null;
    /** Current generation: resolve the target among the tools (the seed's services otherwise). */
    tools?: string[] | null;
    metadata: Record<string, string> | null;
    createdMs: number;
    t0: number;
  }): InferableRun {
    const target = p.tools !== undefined ? this.resolveTool(p.tools) : this.resolveTarget(p.attachedFunctions);
    const lower = p.message.toLowerCase();
    let kind: RunKind = 'result';
    const ask = /\bask/.test(lower);
    if (p.tools !== undefined && p.message.trim() === '') kind = 'idle';
    else if (lower.includes('fail') || !target) kind = 'fail';
    else if (lower.includes('approve') || ask) kind = 'input';
    else if (lower.includes('summary only')) kind = 'summary';
    return {
      id: this.ulid(),
      name: p.name,
      message: p.message,
      schema: p.schema,
      attachedFunctions: p.attachedFunctions,
      tools: p.tools ?? null,
      metadata: p.metadata,
      userId: null,
      test: false,
      feedbackScore: null,
      feedbackComment: null,
      createdMs: p.createdMs,
      t0: p.t0,
      kind,
      ask: ask && !lower.includes('approve'),
      target: target ?? { service: 'default', fn: 'unknown' },
      jobId: this.ulid(),
      inputRequestId: this.ulid(),
      approvalsLeft: /\bapprove twice\b/.test(lower) ? 2 : 1,
    };
  }

  /**
   * Creates a run as POST /runs does, in the current `generation`; returns it. Current generation:
   * `message` is the initialPrompt (empty: the run never starts), `tools` the tools it may call.
   */
  createRun(
    message: string,
    options: { schema?: Record<string, unknown>; attachedFunctions?: string[]; tools?: string[]; name?: string; metadata?: Record<string, string>; id?: string } = {},
  ): InferableRun {
    const now = Date.now();
    const current = this.generation === 'current';
    const run = this.makeRun({
      name: options.name ?? (message.length > 40 ? `${message.slice(0, 39)}…` : message || 'Untitled run'),
      message,
      schema: options.schema,
      attachedFunctions: options.attachedFunctions ?? null,
      tools: current ? (options.tools ?? null) : undefined,
      metadata: options.metadata ?? null,
      createdMs: now,
      t0: now,
    });
    if (options.id) run.id = options.id;
    run.userId = 'user_emulator';
    this.runs.unshift(run);
    this.runById.set(run.id, run);
    return run;
  }

  getRun(id: string): InferableRun | undefined {
    return this.runById.get(id);
  }

  // ---- run state

  private pausedAt(run: InferableRun): number {
    return run.t0 + 2 * this.runStepMs;
  }

  statusOf(run: InferableRun, now = Date.now()): RunStatus {
    const step = this.runStepMs;
    if (run.kind === 'idle') return 'pending';
    if (run.kind === 'input' && run.answeredAt !== undefined) return now < run.answeredAt + step ? 'running' : 'done';
    if (now < run.t0 + step) return 'pending';
    if (now < run.t0 + 2 * step) return 'running';
    return run.kind === 'fail' ? 'failed' : run.kind === 'input' ? 'paused' : 'done';
  }

  private outcome(run: InferableRun, status: RunStatus): { result: unknown; summary: string | null; failureReason: string | null } {
    if (status === 'failed') return { result: null, summary: null, failureReason: NO_TOOLS_REASON };
    if (status !== 'done') return { result: null, summary: null, failureReason: null };
    const fn = this.fnName(run);
    if (run.kind === 'summary') return { result: null, summary: `Summary: handled "${run.message}" with ${fn}; no structured result was requested.`, failureReason: null };
    if (run.kind === 'input' && /^\s*(no|deny|denied|reject|rejected)\b/i.test(run.answer ?? '')) {
      return { result: null, summary: `The call to ${fn} was not approved, so no changes were made.`, failureReason: null };
    }
    const result = run.schema ? valueForSchema(run.schema) : null;
    const afterInput = this.generation === 'current' ? `Done after your approval, using ${fn}.` : `Done after your input ("${run.answer ?? ''}"), using ${fn}.`;
    const summary = run.kind === 'input' ? afterInput : run.schema ? 'I found the following items' : `Completed "${run.message}" using ${fn}.`;
    return { result, summary, failureReason: null };
  }

  /** The function a run calls as the generation names it: `service.function`, or the tool's name. */
  private fnName(run: InferableRun): string {
    return this.generation === 'current' || !run.target.service ? run.target.fn : `${run.target.service}.${run.target.fn}`;
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  private jobsView(run: InferableRun, status: RunStatus): Record<string, unknown>[] {
    if (run.kind === 'fail' || status === 'pending') return [];
    const denied = run.kind === 'input' && status === 'done' && /^\s*(no|deny|denied|reject|rejected)\b/i.test(run.answer ?? '');
    const jobStatus = status === 'done' ? 'success' : status === 'paused' ? 'pending' : 'running';
    return [
      {
        id: run.jobId,
        status: jobStatus,
        targetFn: run.target.fn,
        service: run.target.service,
        resultType: status === 'done' ? (denied ? 'rejection' : 'resolution') : null,
        createdAt: this.iso(Math.max(run.createdMs, run.t0 + this.runStepMs)),
      },
    ];
  }

  private inputRequestsView(run: InferableRun, status: RunStatus): Record<string, unknown>[] {
    if (run.kind !== 'input' || (status !== 'paused' && run.answeredAt === undefined)) return [];
    return [this.inputRequestView(run)];
  }

  private inputRequestView(run: InferableRun): Record<string, unknown> {
    const fn = `${run.target.service}.${run.target.fn}`;
    const view: Record<string, unknown> = {
      id: run.inputRequestId,
      type: 'approval',
      requestArgs: JSON.stringify({ message: run.message }),
      resolvedAt: run.answeredAt === undefined ? null : this.iso(run.answeredAt),
      createdAt: this.iso(Math.max(run.createdMs, this.pausedAt(run))),
      service: run.target.service,
      function: run.target.fn,
      description: run.ask ? `The agent needs more information before calling ${fn}: which region should it use?` : `Approve the call to ${fn}?`,
    };
    if (!run.ask) view.presentedOptions = ['approve', 'deny'];
    return view;
  }

  private runObject(run: InferableRun, status: RunStatus): Record<string, unknown> {
    const o = this.outcome(run, status);
    return {
      id: run.id,
      name: run.name,
      status,
      summary: o.summary,
      result: o.result,
      failureReason: o.failureReason,
      attachedFunctions: run.attachedFunctions,
      createdAt: this.iso(run.createdMs),
      userId: run.userId,
      jobHandle: null,
      test: run.test,
      feedbackComment: run.feedbackComment,
      feedbackScore: run.feedbackScore,
      metadata: run.metadata,
    };
  }

  /** The GET run body in the current `runShape`. */
  runView(run: InferableRun, now = Date.now()): Record<string, unknown> {
    const status = this.statusOf(run, now);
    if (this.runShape === 'flat') return this.runObject(run, status);
    return { run: this.runObject(run, status), jobs: this.jobsView(run, status), inputRequests: this.inputRequestsView(run, status) };
  }

  // ---- current generation: views

  /** Whether the run's job waits for a person's approval (current generation). */
  private awaitsApproval(run: InferableRun, status: RunStatus): boolean {
    return run.kind === 'input' && status === 'paused' && run.approved === undefined;
  }

  /** The current generation's job of a run: one call of its tool, once the run is running. */
  private currentJob(run: InferableRun, status: RunStatus): Record<string, unknown> | undefined {
    if (run.kind === 'fail' || run.kind === 'idle' || status === 'pending') return undefined;
    const decided = run.kind === 'input' && run.approved !== undefined;
    const denied = decided && run.approved === false;
    let jobStatus = 'running';
    let resultType: string | null = null;
    if (this.awaitsApproval(run, status)) {
      jobStatus = 'interrupted';
      resultType = 'interrupt';
    } else if (denied || status === 'done') {
      jobStatus = 'success';
      resultType = denied ? 'rejection' : 'resolution';
    }
    return {
      id: run.jobId,
      status: jobStatus,
      targetFn: run.target.fn,
      resultType,
      createdAt: this.iso(Math.max(run.createdMs, run.t0 + this.runStepMs)),
      approved: run.kind === 'input' ? (run.approved ?? null) : null,
      approvalRequested: run.kind === 'input',
    };
  }

  /** The call's arguments, from the tool's input schema (deterministic). */
  private jobArgs(run: InferableRun): unknown {
    const tool = this.tools.find((t) => t.name === run.target.fn);
    const args = tool?.schema ? valueForSchema(tool.schema) : {};
    return isPlainObject(args) ? args : { input: args };
  }

  /** `GET /clusters/{c}/jobs/{jobId}`. */
  private jobDetail(run: InferableRun, status: RunStatus): Record<string, unknown> | undefined {
    const job = this.currentJob(run, status);
    if (!job) return undefined;
    const denied = run.approved === false;
    const result = job.status === 'success' ? JSON.stringify({ value: denied ? { message: NOT_APPROVED_MESSAGE } : { ok: true } }) : null;
    return {
      ...job,
      executingMachineId: job.status === 'running' ? 'machine_emulator' : null,
      targetArgs: JSON.stringify({ value: this.jobArgs(run) }),
      result,
    };
  }

  /** The run's messages, oldest first (the messages endpoint sends them newest first). */
  private currentMessages(run: InferableRun, status: RunStatus, now: number): Record<string, unknown>[] {
    if (run.kind === 'idle') return [];
    const message = (n: number, type: string, data: Record<string, unknown>, at: number): Record<string, unknown> => ({
      id: `${run.id}-m${n}`,
      type,
      data,
      createdAt: this.iso(Math.max(run.createdMs, Math.min(at, now))),
      pending: false,
      metadata: null,
    });
    const out = [message(1, 'human', { message: run.message }, run.createdMs)];
    const job = this.currentJob(run, status);
    if (!job) return out;
    const tool = run.target.fn;
    out.push(message(2, 'agent', { invocations: [{ id: run.jobId, toolName: tool, reasoning: `Calling ${tool} to answer the request.`, input: this.jobArgs(run) }] }, run.t0 + this.runStepMs));
    if (job.status === 'success') {
      const denied = run.approved === false;
      const at = run.answeredAt ?? run.t0 + 2 * this.runStepMs;
      out.push(message(3, 'invocation-result', { id: run.jobId, toolName: tool, resultType: denied ? 'rejection' : 'resolution', result: denied ? { message: NOT_APPROVED_MESSAGE } : { ok: true } }, at));
    }
    if (status === 'done') {
      const o = this.outcome(run, status);
      const data: Record<string, unknown> = { done: true, message: o.summary ?? '' };
      if (isPlainObject(o.result)) data.result = o.result;
      const at = run.answeredAt !== undefined ? run.answeredAt + this.runStepMs : run.t0 + 2 * this.runStepMs;
      out.push(message(4, 'agent', data, at));
    }
    return out;
  }

  /** The flat run of `GET /clusters/{c}/runs/{r}` (current). */
  private currentRun(run: InferableRun, status: RunStatus): Record<string, unknown> {
    const o = this.outcome(run, status);
    return {
      id: run.id,
      userId: run.userId,
      type: 'multi-step',
      status,
      failureReason: o.failureReason,
      test: run.test,
      feedbackComment: run.feedbackComment,
      feedbackScore: run.feedbackScore,
      context: null,
      authContext: null,
      result: isPlainObject(o.result) ? o.result : null,
      tools: run.tools,
    };
  }

  private currentTimeline(run: InferableRun, now: number): Record<string, unknown> {
    const status = this.statusOf(run, now);
    const job = this.currentJob(run, status);
    const flat = this.currentRun(run, status);
    delete flat.type;
    return {
      messages: this.currentMessages(run, status, now),
      activity: [],
      jobs: job ? [job] : [],
      run: { ...flat, name: run.name, systemPrompt: null, interactive: true, workflowExecutionId: null, workflowVersion: null, workflowName: null },
    };
  }

  // ---- routing

  protected handle(req: ApiRequest): Reply {
    if (this.generation === 'current') return this.handleCurrent(req);
    const header = String(req.headers.authorization ?? '').trim();
    if (!header) return reply.empty(401);
    let key = header;
    const space = header.search(/\s/);
    if (space >= 0) {
      if (header.slice(0, space).toLowerCase() !== 'bearer') return reply.json(401, { error: { message: 'Invalid authorization scheme' } });
      key = header.slice(space).trim();
    }
    if (!this.keys.includes(key)) return reply.empty(401);

    const [clusters, clusterId, collection, runId, sub, subId, ...extra] = req.segments;
    const m = req.method;
    const notFound = (): Reply => reply.json(404, { error: { message: `Route ${m}:${req.path} not found` } });
    const notAllowed = (): Reply => reply.json(405, { error: { message: `Method ${m} not allowed on ${req.path}` } });
    if (clusters !== 'clusters' || clusterId === undefined || extra.length > 0) return notFound();
    if (clusterId !== this.clusterId) return reply.json(404, { message: 'Cluster not found' });

    if (collection === undefined) {
      return m === 'GET' ? reply.json(200, { id: this.clusterId, name: 'Emulator cluster', description: 'Served by the AI Functions test emulator', createdAt: this.iso(SEED_BASE_TIME), debug: false }) : notAllowed();
    }
    if (collection === 'services' && runId === undefined) {
      if (m !== 'GET') return notAllowed();
      const services = this.services.map((s) => ({
        name: s.name,
        description: s.description,
        functions: s.functions.map((f) => ({ name: f.name, description: f.description, schema: f.schema ? JSON.stringify(f.schema) : undefined, config: f.config })),
      }));
      const huge = this.hugePage(req);
      if (huge !== undefined) {
        const schema = JSON.stringify({ type: 'object', properties: { query: { type: 'string' } } });
        services.push({ name: 'huge', description: 'Synthetic functions', functions: Array.from({ length: huge }, (_, i) => ({ name: `hugeFunction${i + 1}`, description: `Synthetic function ${i + 1}`, schema, config: undefined })) });
      }
      return reply.json(200, services);
    }
    if (collection !== 'runs') return notFound();
    if (runId === undefined) {
      if (m === 'GET') return this.listRuns(req);
      if (m === 'POST') return this.postRun(req);
      return notAllowed();
    }
    const run = this.runById.get(runId);
    if (!run) return reply.json(404, { message: 'Run not found' });
    const now = Date.now();
    if (sub === undefined) {
      if (m === 'GET') return reply.json(200, this.runReply(req, run, now));
      if (m === 'DELETE') {
        this.runs = this.runs.filter((r) => r !== run);
        this.runById.delete(run.id);
        return reply.empty(204);
      }
      return notAllowed();
    }
    if (sub === 'timeline' && subId === undefined) return m === 'GET' ? reply.json(200, this.timeline(run, now)) : notAllowed();
    if (sub === 'feedback' && subId === undefined) return m === 'POST' ? this.feedback(req, run) : notAllowed();
    if (sub === 'input-requests' && subId !== undefined) {
      const status = this.statusOf(run, now);
      const visible = run.kind === 'input' && subId === run.inputRequestId && (status === 'paused' || run.answeredAt !== undefined);
      if (!visible) return reply.json(404, { message: 'Input request not found' });
      if (m === 'GET') return reply.json(200, { ...this.inputRequestView(run), runId: run.id, clusterId: this.clusterId, options: run.ask ? undefined : ['approve', 'deny'] });
      if (m !== 'POST') return notAllowed();
      const body = req.json;
      if (req.jsonError || !isPlainObject(body) || typeof body.input !== 'string') return reply.json(400, { error: { message: 'Body must be {"input": string}' } });
      if (run.answeredAt !== undefined) return reply.json(400, { error: { message: 'Input request has already been resolved' } });
      run.answeredAt = now;
      run.answer = body.input;
      return reply.empty(204);
    }
    return notFound();
  }

  // ---- current generation: routing

  private handleCurrent(req: ApiRequest): Reply {
    const denied = (message: string): Reply => reply.json(401, { error: { message, docsLink: INFERABLE_AUTH_DOCS } });
    const header = String(req.headers.authorization ?? '').trim();
    if (!header) return denied('No authorization token found');
    let key = header;
    const parts = header.split(' ');
    if (parts.length > 1) {
      if (parts[0]!.toLowerCase() !== 'bearer') return denied('Invalid authorization scheme');
      key = parts[1]!;
    }
    if (!this.keys.includes(key)) return denied('Auth not extracted from request');

    const [clusters, clusterId, collection, id, sub, ...extra] = req.segments;
    const m = req.method;
    // Fastify's own answer for a route it does not have (no error handler is involved).
    const noRoute = (): Reply => reply.json(404, { message: `Route ${m}:${req.path} not found`, error: 'Not Found', statusCode: 404 });
    const bad = (message: string): Reply => reply.json(400, { error: { message } });
    if (clusters !== 'clusters' || clusterId === undefined || extra.length > 0) return noRoute();
    if (clusterId !== this.clusterId) return denied('API Key does not have access to this cluster');
    const now = Date.now();

    if (collection === undefined) {
      if (m !== 'GET') return noRoute();
      return reply.json(200, { id: this.clusterId, name: 'Emulator cluster', description: 'Served by the AI Functions test emulator', createdAt: this.iso(SEED_BASE_TIME), debug: false, isDemo: false });
    }
    if (collection === 'tools' && id === undefined) return m === 'GET' ? this.listTools(req) : noRoute();
    if (collection === 'jobs' && id !== undefined) {
      const run = this.runs.find((r) => r.jobId === id);
      const status = run ? this.statusOf(run, now) : 'pending';
      const detail = run ? this.jobDetail(run, status) : undefined;
      if (sub === undefined) {
        if (m !== 'GET') return noRoute();
        return detail ? reply.json(200, detail) : reply.json(404, { message: 'Job not found' });
      }
      if (sub !== 'approval' || m !== 'POST') return noRoute();
      const body = req.json;
      if (!isPlainObject(body) || typeof body.approved !== 'boolean') return bad(jsonBodyProblem(req) ?? 'Body must be {"approved": boolean}');
      if (!run || !detail) return reply.json(404, { message: 'Job not found' });
      // `submitApproval` changes only a job that asked and was not decided: again is a no-op.
      if (this.awaitsApproval(run, status)) {
        if (body.approved && (run.approvalsLeft ?? 1) > 1) {
          // Approved, and the run asks again: it runs for one step, then its next job awaits approval.
          run.approvalsLeft = (run.approvalsLeft ?? 1) - 1;
          run.jobId = this.ulid();
          run.t0 = now - this.runStepMs;
        } else {
          run.approved = body.approved;
          run.answeredAt = now;
          run.answer = body.approved ? 'approve' : 'deny';
        }
      }
      return reply.empty(204);
    }
    if (collection !== 'runs') return noRoute();
    if (id === undefined) {
      if (m === 'GET') return this.listRuns(req);
      if (m === 'POST') return this.postCurrentRun(req);
      return noRoute();
    }
    const run = this.runById.get(id);
    if (sub === undefined) {
      if (m !== 'GET' && m !== 'DELETE') return noRoute();
      if (!run) return reply.json(404, { error: { message: 'Run not found' } });
      if (m === 'DELETE') {
        this.runs = this.runs.filter((r) => r !== run);
        this.runById.delete(run.id);
        return reply.empty(204);
      }
      const status = this.statusOf(run, now);
      const view = this.currentRun(run, status);
      const deep = status === 'done' ? this.deepNesting(req) : undefined;
      return reply.json(200, deep ? { ...view, result: deep } : view);
    }
    if (sub === 'timeline') {
      if (m !== 'GET') return noRoute();
      return run ? reply.json(200, this.currentTimeline(run, now)) : reply.empty(404);
    }
    if (sub === 'messages') {
      if (m !== 'GET') return noRoute();
      if (!run) return reply.json(404, { error: { message: 'Run not found' } });
      return this.listMessages(req, run, now);
    }
    if (sub === 'feedback') return m === 'POST' ? (run ? this.feedback(req, run) : reply.empty(404)) : noRoute();
    return noRoute();
  }

  private listTools(req: ApiRequest): Reply {
    const createdAt = this.iso(SEED_BASE_TIME);
    const tool = (t: InferableToolDef): Record<string, unknown> => ({
      name: t.name,
      description: t.description ?? null,
      schema: t.schema ? JSON.stringify(t.schema) : null,
      config: t.config ?? null,
      shouldExpire: false,
      lastPingAt: this.iso(Math.max(SEED_BASE_TIME, Date.now() - 30_000)),
      createdAt,
    });
    const tools = this.tools.map(tool);
    const huge = this.hugePage(req);
    if (huge !== undefined) {
      const schema = { type: 'object', properties: { query: { type: 'string' } } };
      for (let i = 1; i <= huge; i++) tools.push(tool({ name: `hugeTool${i}`, description: `Synthetic tool ${i}`, schema }));
    }
    return reply.json(200, tools);
  }

  /** `?after=<id>&limit=10..50&waitTime=0..20` → newest first (no long-poll: the emulator answers at once). */
  private listMessages(req: ApiRequest, run: InferableRun, now: number): Reply {
    const number = (name: string, min: number, max: number, fallback: number): number | undefined => {
      const raw = req.query.get(name);
      if (raw === null) return fallback;
      const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
      return n >= min && n <= max ? n : undefined;
    };
    const limit = number('limit', 10, 50, 50);
    if (limit === undefined) return reply.json(400, { error: { message: 'limit must be a number between 10 and 50' } });
    if (number('waitTime', 0, 20, 0) === undefined) return reply.json(400, { error: { message: 'waitTime must be a number between 0 and 20' } });
    const after = req.query.get('after') ?? '0';
    const messages = this.currentMessages(run, this.statusOf(run, now), now).filter((msg) => String(msg.id) > after);
    return reply.json(200, messages.reverse().slice(0, limit));
  }

  private postCurrentRun(req: ApiRequest): Reply {
    const body = req.json;
    const bad = (message: string): Reply => reply.json(400, { error: { message } });
    // What the handler itself refuses comes as the contract's 400 {message}.
    const refused = (message: string): Reply => reply.json(400, { message });
    if (!isPlainObject(body)) return bad(jsonBodyProblem(req) ?? 'Body must be a JSON object');
    if (body.id !== undefined && (typeof body.id !== 'string' || !/^[0-9A-Za-z-_.]{4,128}$/.test(body.id))) {
      return bad('Run ID must contain only alphanumeric characters, dashes, underscores, and periods. Must be between 4 and 128 characters long.');
    }
    for (const field of ['initialPrompt', 'systemPrompt', 'name'] as const) {
      if (body[field] !== undefined && typeof body[field] !== 'string') return bad(`${field} must be a string`);
    }
    if (body.resultSchema !== undefined && !isPlainObject(body.resultSchema)) return bad('resultSchema must be an object');
    if (body.tools !== undefined && (!Array.isArray(body.tools) || !body.tools.every((t) => typeof t === 'string'))) return bad('tools must be an array of strings');
    if (body.attachedFunctions !== undefined) {
      const ok = Array.isArray(body.attachedFunctions) && body.attachedFunctions.every((f) => isPlainObject(f) && typeof f.service === 'string' && typeof f.function === 'string');
      if (!ok) return bad('attachedFunctions must be an array of {service, function}');
    }
    if (Array.isArray(body.attachedFunctions) && body.attachedFunctions.length === 0) return refused('attachedFunctions cannot be an empty array');
    if (Array.isArray(body.tools) && body.tools.length === 0) return refused('tools cannot be an empty array');
    const schema = body.resultSchema as Record<string, unknown> | undefined;
    if (schema && 'type' in schema && schema.type !== 'object') return refused('resultSchema must be an object');

    const existing = typeof body.id === 'string' ? this.runById.get(body.id) : undefined;
    const run =
      existing ??
      this.createRun(typeof body.initialPrompt === 'string' ? body.initialPrompt : '', {
        schema,
        tools: (body.tools as string[] | undefined) ?? (body.attachedFunctions as { function: string }[] | undefined)?.map((f) => f.function),
        name: body.name as string | undefined,
        id: body.id as string | undefined,
      });
    const status = this.statusOf(run, Date.now());
    const result = this.outcome(run, status).result;
    return reply.json(201, { id: run.id, status, result: isPlainObject(result) ? result : null });
  }

  /** GET run, with the `deepNesting` fault in the result of a done run. */
  private runReply(req: ApiRequest, run: InferableRun, now: number): Record<string, unknown> {
    const view = this.runView(run, now);
    if (this.statusOf(run, now) !== 'done') return view;
    const deep = this.deepNesting(req);
    if (!deep) return view;
    if (this.runShape === 'flat') return { ...view, result: deep };
    return { ...view, run: { ...(view.run as Record<string, unknown>), result: deep } };
  }

  private listRuns(req: ApiRequest): Reply {
    const raw = req.query.get('limit');
    let limit = 50;
    if (raw !== null) {
      limit = /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!(limit >= 10 && limit <= 50)) return reply.json(400, { error: { message: 'limit must be a number between 10 and 50' } });
    }
    const userId = req.query.get('userId');
    const test = req.query.get('test');
    const now = Date.now();
    const out: Record<string, unknown>[] = [];
    for (const run of this.runs) {
      if (out.length >= limit) break;
      if (userId !== null && run.userId !== userId) continue;
      if (test !== null && String(run.test) !== test) continue;
      out.push({ id: run.id, name: run.name, userId: run.userId, createdAt: this.iso(run.createdMs), status: this.statusOf(run, now), test: run.test, feedbackScore: run.feedbackScore });
    }
    const huge = this.hugePage(req);
    if (huge !== undefined) {
      const createdAt = this.iso(SEED_BASE_TIME);
      const runs = Array.from({ length: huge }, (_, i) => ({ id: `huge-run-${i + 1}`, name: `Synthetic run ${i + 1}`, userId: 'user_emulator', createdAt, status: 'done', test: false, feedbackScore: null }));
      return reply.json(200, this.withOddIds(req, runs, 'id'));
    }
    return reply.json(200, this.withOddIds(req, out, 'id'));
  }

  private postRun(req: ApiRequest): Reply {
    const body = req.json;
    const bad = (message: string): Reply => reply.json(400, { error: { message } });
    if (!isPlainObject(body)) return bad(jsonBodyProblem(req) ?? 'Body must be a JSON object');
    if (typeof body.message !== 'string' || body.message.trim() === '') return bad('message is required and must be a non-empty string');
    let schema: Record<string, unknown> | undefined;
    if (body.result !== undefined && body.result !== null) {
      if (!isPlainObject(body.result)) return bad('result must be an object: {"schema": {...}}');
      if (body.result.schema !== undefined) {
        if (!isPlainObject(body.result.schema)) return bad('result.schema must be a JSON schema object');
        schema = body.result.schema;
      }
    }
    if (body.attachedFunctions !== undefined && (!Array.isArray(body.attachedFunctions) || !body.attachedFunctions.every((f) => typeof f === 'string'))) {
      return bad('attachedFunctions must be an array of strings');
    }
    if (body.name !== undefined && typeof body.name !== 'string') return bad('name must be a string');
    if (body.metadata !== undefined && (!isPlainObject(body.metadata) || !Object.values(body.metadata).every((v) => typeof v === 'string'))) {
      return bad('metadata must be an object of strings');
    }
    const run = this.createRun(body.message, {
      schema,
      attachedFunctions: body.attachedFunctions as string[] | undefined,
      name: body.name as string | undefined,
      metadata: body.metadata as Record<string, string> | undefined,
    });
    return reply.json(201, { id: run.id });
  }

  private feedback(req: ApiRequest, run: InferableRun): Reply {
    const body = req.json;
    if (req.jsonError || !isPlainObject(body)) return reply.json(400, { error: { message: 'Body must be {comment, score}' } });
    const score = body.score;
    if (score !== null && (typeof score !== 'number' || score < 0 || score > 1)) return reply.json(400, { error: { message: 'score must be a number between 0 and 1, or null' } });
    run.feedbackScore = score as number | null;
    run.feedbackComment = typeof body.comment === 'string' ? body.comment : null;
    return reply.empty(204);
  }

  private timeline(run: InferableRun, now: number): Record<string, unknown> {
    const status = this.statusOf(run, now);
    const o = this.outcome(run, status);
    const messages: Record<string, unknown>[] = [
      { id: `${run.id}-m1`, type: 'human', data: { message: run.message }, createdAt: this.iso(run.createdMs), pending: false, displayableContext: null },
    ];
    if (status === 'done') {
      messages.push({ id: `${run.id}-m2`, type: 'agent', data: { done: true, message: o.summary, result: o.result }, createdAt: this.iso(Math.max(run.createdMs, now)), pending: false, displayableContext: null });
    }
    return {
      messages,
      activity: [],
      jobs: this.jobsView(run, status),
      inputRequests: this.inputRequestsView(run, status),
      run: {
        id: run.id,
        userId: run.userId,
        status,
        failureReason: o.failureReason,
        test: run.test,
        feedbackComment: run.feedbackComment,
        feedbackScore: run.feedbackScore,
        attachedFunctions: run.attachedFunctions,
        name: run.name,
      },
      blobs: [],
    };
  }
}

export async function startInferable(options: InferableOptions = {}): Promise<InferableEmulator> {
  return new InferableEmulator(options).start();
}

if (require.main === module) runEmulatorCli('inferable', startInferable);
