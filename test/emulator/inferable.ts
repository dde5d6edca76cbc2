// Inferable emulator (the Oct–Nov 2024 API of the seed: runs with `message` + `result.schema`,
// `{run, jobs, inputRequests}` on GET run, input requests answered with POST).
// Auth: `authorization: <key>` (bare) or `Bearer <key>`; a missing/unknown key → 401 with an
// EMPTY body; another scheme → 401 `{error:{message:"Invalid authorization scheme"}}`.
// Unknown cluster / run / input request → 404 `{message}`; bad bodies/queries → 400 `{error:{message}}`.
//
// A run's outcome is driven by its message (case-insensitive, deterministic):
//   "fail"          → failed, failureReason "No tools found, …", result null, summary null
//   "approve"/"ask…" → paused with an input request (type "approval") until answered, then
//                     running for one step, then done (answer no/deny/reject → result null)
//   "summary only"  → done with result null and a summary
//   otherwise       → done with a result built from result.schema (null without a schema)
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

export interface InferableOptions extends EmulatorOptions {
  keys?: string[];
  clusterId?: string;
  runStepMs?: number;
  runShape?: 'nested' | 'flat';
  runCount?: number;
  services?: InferableServiceDef[];
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

type RunStatus = 'pending' | 'running' | 'paused' | 'done' | 'failed';
type RunKind = 'result' | 'fail' | 'input' | 'summary';

interface InferableRun {
  id: string;
  name: string;
  message: string;
  schema?: Record<string, unknown>;
  attachedFunctions: string[] | null;
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
  answer?: string;
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
  });

  protected errorBody(status: number, message: string): unknown {
    if (status === 401 && !this.hostile) return undefined;
    return { error: { message } };
  }

  /**
   * Hostile mode: run statuses, ids, input request types and the caller's own metadata and
   * attached functions stay; the status of a run's jobs (free text) does not.
   */
  protected override readonly hostileFields: HostileFields = {
    text: ['message', 'name', 'description', 'summary', 'failureReason', 'targetFn', 'service', 'function', 'jobs.status'],
    deep: ['result', 'presentedOptions', 'options', 'requestArgs'],
    error: ['message'],
    skip: ['schema', 'config', 'metadata', 'attachedFunctions'],
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

  private makeRun(p: {
    name: string;
    message: string;
    schema?: Record<string, unknown>;
    attachedFunctions: string[] | null;
    metadata: Record<string, string> | null;
    createdMs: number;
    t0: number;
  }): InferableRun {
    const target = this.resolveTarget(p.attachedFunctions);
    const lower = p.message.toLowerCase();
    let kind: RunKind = 'result';
    const ask = /\bask/.test(lower);
    if (lower.includes('fail') || !target) kind = 'fail';
    else if (lower.includes('approve') || ask) kind = 'input';
    else if (lower.includes('summary only')) kind = 'summary';
    return {
      id: this.ulid(),
      name: p.name,
      message: p.message,
      schema: p.schema,
      attachedFunctions: p.attachedFunctions,
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
    };
  }

  /** Creates a run as POST /runs does; returns it. */
  createRun(message: string, options: { schema?: Record<string, unknown>; attachedFunctions?: string[]; name?: string; metadata?: Record<string, string> } = {}): InferableRun {
    const now = Date.now();
    const run = this.makeRun({
      name: options.name ?? (message.length > 40 ? `${message.slice(0, 39)}…` : message),
      message,
      schema: options.schema,
      attachedFunctions: options.attachedFunctions ?? null,
      metadata: options.metadata ?? null,
      createdMs: now,
      t0: now,
    });
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
    if (run.kind === 'input' && run.answeredAt !== undefined) return now < run.answeredAt + step ? 'running' : 'done';
    if (now < run.t0 + step) return 'pending';
    if (now < run.t0 + 2 * step) return 'running';
    return run.kind === 'fail' ? 'failed' : run.kind === 'input' ? 'paused' : 'done';
  }

  private outcome(run: InferableRun, status: RunStatus): { result: unknown; summary: string | null; failureReason: string | null } {
    if (status === 'failed') return { result: null, summary: null, failureReason: NO_TOOLS_REASON };
    if (status !== 'done') return { result: null, summary: null, failureReason: null };
    const fn = `${run.target.service}.${run.target.fn}`;
    if (run.kind === 'summary') return { result: null, summary: `Summary: handled "${run.message}" with ${fn}; no structured result was requested.`, failureReason: null };
    if (run.kind === 'input' && /^\s*(no|deny|denied|reject|rejected)\b/i.test(run.answer ?? '')) {
      return { result: null, summary: `The call to ${fn} was not approved, so no changes were made.`, failureReason: null };
    }
    const result = run.schema ? valueForSchema(run.schema) : null;
    const summary = run.kind === 'input' ? `Done after your input ("${run.answer ?? ''}"), using ${fn}.` : run.schema ? 'I found the following items' : `Completed "${run.message}" using ${fn}.`;
    return { result, summary, failureReason: null };
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

  // ---- routing

  protected handle(req: ApiRequest): Reply {
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
