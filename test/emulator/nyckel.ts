// Nyckel emulator: OAuth2 client credentials at POST /connect/token, then `Authorization: Bearer`
// on /v1 and /v0.9. Errors are `{message}`. Lists are paged with an RFC 5988 `Link` header whose
// URL is relative. Limits (like the real service): 25 requests per second (sliding 1 s window)
// and 25 in flight on /v1 and /v0.9 (the token endpoint is not limited); over either → 429
// `{"message":"Rate limit exceeded"}` with `Retry-After: 1`.
//
// Capture: an invoke stores its input as a sample unless `capture=false`. A sample with an
// `externalId` is kept once per function and id: a second capture with the same id replaces the
// first. That is an assumption: Nyckel's docs do not say what a repeated externalId does on
// invoke (its sample API answers a duplicate with 409 and `existingSampleId`); the tests that
// rely on it say so. `failAfterCapture: N` makes the first invoke of each of the next N inputs
// run (and capture) and then answer 500, as a server that failed after doing the work; the
// same input sent again is then answered as usual.

import { randomBytes } from 'node:crypto';
import { runEmulatorCli } from './core/cli';
import { classify, hash32, round2, unitHash, words } from './core/deterministic';
import { Emulator, type EmulatorOptions } from './core/emulator';
import { ODD_IDS, type HostileFields } from './core/hostile';
import { isPlainObject, jsonBodyProblem, reply, type ApiRequest, type Reply } from './core/http';
import { knob, Knobs } from './core/knobs';
import type { Limits } from './core/limits';

export interface NyckelLabelDef {
  name: string;
  /** Default: a stable `label_…` id derived from the function id and the name. */
  id?: string;
  description?: string;
  metadata?: Record<string, string>;
  keywords: string[];
}

export interface NyckelFieldDef {
  name: string;
  id?: string;
  type: 'Text' | 'Number';
}

export interface NyckelFunctionDef {
  id: string;
  name: string;
  input: 'Text' | 'Tabular';
  output: 'Classification' | 'Tags';
  labels: NyckelLabelDef[];
  /** Classification: the label when no keyword matches (default: the last label). */
  fallback?: string;
  /** Tabular: the fields. */
  fields?: NyckelFieldDef[];
  /** Valid `modelId`s (default: one stable `model_…` id). */
  models?: string[];
}

export interface NyckelOptions extends EmulatorOptions {
  clientId?: string;
  clientSecret?: string;
  /** Token lifetime in seconds (default 3600). */
  expiresIn?: number;
  functions?: NyckelFunctionDef[];
  /** Page size of lists when `batchSize` is not given (default 2). */
  defaultBatchSize?: number;
  /** Default `{perSecond: 25, inFlight: 25}` on /v1 and /v0.9; null disables. */
  limits?: Limits | null;
  /** Time spent "computing" an accepted request, so in-flight limits can be reached (default 0). */
  processingMs?: number;
}

export const NYCKEL_DEFAULT_CLIENT_ID = 'nyckel_test_client';
export const NYCKEL_DEFAULT_CLIENT_SECRET = 'nyckel_test_secret';

const LIMITED_PATHS = /^\/(v1|v0\.9)\//;

export const NYCKEL_FUNCTIONS: NyckelFunctionDef[] = [
  {
    id: 'function_leadintent',
    name: 'Lead intent',
    input: 'Text',
    output: 'Classification',
    labels: [
      {
        name: 'qualified',
        description: 'Ready for sales follow-up',
        metadata: { crmStage: 'SQL', owner: 'sales' },
        keywords: ['budget', 'budgets', 'demo', 'demos', 'buy', 'buying', 'purchase', 'pricing', 'price', 'quote', 'evaluating', 'evaluate', 'trial', 'contract'],
      },
      { name: 'not_qualified', description: 'Keep nurturing', metadata: { crmStage: 'Nurture', owner: 'marketing' }, keywords: [] },
    ],
    fallback: 'not_qualified',
  },
  {
    id: 'function_sentiment',
    name: 'Review sentiment',
    input: 'Text',
    output: 'Classification',
    labels: [
      { name: 'positive', metadata: { color: 'green' }, keywords: ['love', 'loved', 'great', 'excellent', 'good', 'happy', 'amazing', 'fantastic', 'recommend', 'thanks', 'fast'] },
      { name: 'negative', metadata: { color: 'red' }, keywords: ['hate', 'bad', 'terrible', 'awful', 'broken', 'angry', 'slow', 'refund', 'worst', 'disappointed', 'crash', 'crashes'] },
      { name: 'neutral', metadata: { color: 'gray' }, keywords: [] },
    ],
    fallback: 'neutral',
  },
  {
    id: 'function_tabular',
    name: 'Contact seniority',
    input: 'Tabular',
    output: 'Classification',
    fields: [
      { name: 'title', id: 'field_title', type: 'Text' },
      { name: 'company', id: 'field_company', type: 'Text' },
    ],
    labels: [
      { name: 'decision_maker', keywords: ['vp', 'head', 'director', 'chief', 'cto', 'ceo', 'cfo', 'cio', 'ciso', 'founder', 'owner', 'president'] },
      { name: 'individual_contributor', keywords: [] },
    ],
    fallback: 'individual_contributor',
  },
  {
    id: 'function_tags',
    name: 'Support topics',
    input: 'Text',
    output: 'Tags',
    labels: [
      { name: 'billing', keywords: ['invoice', 'invoices', 'charge', 'charged', 'refund', 'billing', 'payment', 'card', 'price'] },
      { name: 'bug', keywords: ['error', 'crash', 'crashes', 'broken', 'bug', 'fails', 'failing', 'exception'] },
      { name: 'feature_request', keywords: ['feature', 'wish', 'add', 'request', 'support', 'would'] },
      { name: 'account', keywords: ['login', 'password', 'account', 'sso', 'locked', 'email'] },
    ],
  },
  {
    id: 'function_spam',
    name: 'Spam filter',
    input: 'Text',
    output: 'Classification',
    labels: [
      { name: 'spam', keywords: ['free', 'winner', 'prize', 'click', 'offer', 'crypto', 'lottery', 'urgent', 'guaranteed'] },
      { name: 'not_spam', keywords: [] },
    ],
    fallback: 'not_spam',
  },
];

function stableId(prefix: string, seed: string): string {
  const a = hash32(seed).toString(36);
  const b = hash32(`${seed}#`).toString(36);
  return `${prefix}_${(a + b).padEnd(14, '0').slice(0, 14)}`;
}

export function labelIdOf(fn: NyckelFunctionDef, label: NyckelLabelDef): string {
  return label.id ?? stableId('label', `${fn.id}/${label.name}`);
}

export function modelsOf(fn: NyckelFunctionDef): string[] {
  return fn.models ?? [stableId('model', fn.id)];
}

interface Captured {
  functionId: string;
  data: unknown;
  externalId?: string;
  metadata?: unknown;
  labelName: string | null;
  time: number;
}

export class NyckelEmulator extends Emulator {
  readonly name = 'nyckel';
  clientId = NYCKEL_DEFAULT_CLIENT_ID;
  clientSecret = NYCKEL_DEFAULT_CLIENT_SECRET;
  expiresIn = 3600;
  defaultBatchSize = 2;
  processingMs = 0;
  functions: NyckelFunctionDef[] = [];
  /** Issued tokens → expiry (epoch ms). */
  tokens = new Map<string, number>();
  tokenRequests = 0;
  /** Samples captured by invokes (capture was not false): one per function and externalId. */
  captured: Captured[] = [];
  /** Every capture, repeats of an externalId included. */
  captures = 0;
  /** The first invoke of each of the next this many inputs is run and captured, then answered 500 (knob `failAfterCapture`). */
  failAfterCapture = 0;
  /** Inputs (function and data) that `failAfterCapture` has failed once. */
  private failedOnce = new Set<string>();
  /** Entries of the `hugePage` chain being paged (its synthetic `startAfter` ids are valid while set). */
  private hugeItems: number | undefined;

  constructor(private readonly options: NyckelOptions = {}) {
    super(options);
    this.resetState();
  }

  protected resetState(): void {
    const o = this.options;
    this.clientId = o.clientId ?? NYCKEL_DEFAULT_CLIENT_ID;
    this.clientSecret = o.clientSecret ?? NYCKEL_DEFAULT_CLIENT_SECRET;
    this.expiresIn = o.expiresIn ?? 3600;
    this.defaultBatchSize = o.defaultBatchSize ?? 2;
    this.processingMs = o.processingMs ?? 0;
    this.functions = [...(o.functions ?? NYCKEL_FUNCTIONS)];
    this.limits = o.limits === null ? undefined : { perSecond: 25, inFlight: 25, match: LIMITED_PATHS, retryAfter: 1, ...(o.limits ?? {}) };
    this.tokens = new Map();
    this.tokenRequests = 0;
    this.captured = [];
    this.captures = 0;
    this.failAfterCapture = 0;
    this.failedOnce = new Set();
    this.hugeItems = undefined;
  }

  /** Invalidates every issued token: the next API call with one gets 401. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Issues a valid token without going through /connect/token. */
  issueToken(): string {
    const token = `nyk_${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, Date.now() + this.expiresIn * 1000);
    return token;
  }

  /** `configure()` and `GET /__emulator/config`, in the order that lists them (see core/knobs.ts). */
  protected readonly knobs = new Knobs<NyckelEmulator>(
    'Nyckel',
    this,
    {
      clientId: knob.string,
      clientSecret: knob.string,
      expiresIn: knob.number,
      defaultBatchSize: knob.number,
      processingMs: knob.number,
      failAfterCapture: knob.number,
      limits: {
        parse(value) {
          if (value === null) return undefined;
          if (isPlainObject(value)) return { match: LIMITED_PATHS, retryAfter: 1, ...(value as Limits) };
          throw new Error('limits must be an object {perSecond?, inFlight?} or null');
        },
        show: (limits) => (limits ? { ...limits, match: String(limits.match) } : null),
      },
      hostile: knob.boolean,
      functions: knob.array<NyckelFunctionDef>(),
    },
    {
      revokeTokens: (value) => {
        if (value) this.revokeTokens();
      },
    },
  );

  /** Hostile mode: ids and the function's input/output types stay (the client routes by them). */
  protected override readonly hostileFields: HostileFields = {
    text: ['message', 'name', 'description', 'labelName'],
    deep: ['metadata', 'labelMetadata'],
    error: ['message'],
  };

  protected errorBody(_status: number, message: string): unknown {
    return { message };
  }

  protected override wrongShapeBody(): unknown {
    return { message: 'ok' };
  }

  protected override extraStats(): Record<string, unknown> {
    return { tokenRequests: this.tokenRequests, tokensIssued: this.tokens.size, captures: this.captures, samples: this.captured.length };
  }

  // ---- routing

  protected handle(req: ApiRequest): Reply | Promise<Reply> {
    const seg = req.segments;
    if (seg[0] === 'connect' && seg[1] === 'token' && seg.length === 2) {
      if (req.method !== 'POST') return reply.json(405, { message: 'Method not allowed' });
      return this.token(req);
    }
    if (seg[0] !== 'v1' && seg[0] !== 'v0.9') return reply.json(404, { message: 'Not found' });

    const denied = this.authenticate(req);
    if (denied) return denied;
    const answer = (): Reply => this.route(req);
    if (this.processingMs > 0) return this.delay(this.processingMs).then(answer);
    return answer();
  }

  private authenticate(req: ApiRequest): Reply | undefined {
    const header = String(req.headers.authorization ?? '');
    const challenge = { 'www-authenticate': 'Bearer error="invalid_token"' };
    if (!header) return reply.json(401, { message: 'Missing access token: send Authorization: Bearer <token>' }, { 'www-authenticate': 'Bearer' });
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return reply.json(401, { message: 'Invalid authorization header: expected Bearer <token>' }, challenge);
    const expires = this.tokens.get(m[1]);
    if (expires === undefined) return reply.json(401, { message: 'Invalid access token' }, challenge);
    if (Date.now() >= expires) {
      this.tokens.delete(m[1]);
      return reply.json(401, { message: 'Access token expired' }, challenge);
    }
    return undefined;
  }

  private token(req: ApiRequest): Reply {
    this.tokenRequests++;
    if (!req.contentType.includes('application/x-www-form-urlencoded') || !req.form) {
      return reply.json(400, { message: 'The token request must be form-encoded (application/x-www-form-urlencoded)' });
    }
    const form = req.form;
    if (form.grant_type !== 'client_credentials') {
      return reply.json(400, { message: `Unsupported grant_type '${form.grant_type ?? ''}': use client_credentials` });
    }
    let id = form.client_id;
    let secret = form.client_secret;
    const basic = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (basic && id === undefined) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (id !== this.clientId || secret !== this.clientSecret) return reply.json(401, { message: 'Invalid client credentials' });
    return reply.json(200, { access_token: this.issueToken(), token_type: 'Bearer', expires_in: this.expiresIn });
  }

  private route(req: ApiRequest): Reply {
    const [version, collection, id, sub, ...extra] = req.segments;
    const m = req.method;
    if (collection !== 'functions' || extra.length > 0) return reply.json(404, { message: 'Not found' });
    if (version === 'v1' && id === undefined) {
      return m === 'GET'
        ? this.page(req, this.functions.map((f) => this.functionView(f)), '/v1/functions', (id, n) => ({ id, name: `Huge function ${n}`, input: 'Text', output: 'Classification' }))
        : reply.json(405, { message: 'Method not allowed' });
    }
    const fn = this.functions.find((f) => f.id === id);
    if (!fn) return reply.json(404, { message: `Function '${id}' not found` });
    if (version === 'v1' && sub === undefined) return m === 'GET' ? reply.json(200, this.functionView(fn)) : reply.json(405, { message: 'Method not allowed' });
    if (version === 'v1' && sub === 'labels') {
      if (m !== 'GET') return reply.json(405, { message: 'Method not allowed' });
      return this.page(
        req,
        fn.labels.map((l) => ({ id: labelIdOf(fn, l), name: l.name, description: l.description ?? null, metadata: l.metadata ?? {} })),
        `/v1/functions/${fn.id}/labels`,
        (id, n) => ({ id, name: `huge_label_${n}`, description: null, metadata: {} }),
      );
    }
    if (sub === 'invoke') {
      if (m !== 'POST') return reply.json(405, { message: 'Method not allowed' });
      return version === 'v1' ? this.invoke(req, fn) : this.invokeTags(req, fn);
    }
    return reply.json(404, { message: 'Not found' });
  }

  functionView(fn: NyckelFunctionDef): Record<string, unknown> {
    return { id: fn.id, name: fn.name, input: fn.input, output: fn.output };
  }

  /** A page of `items`; `synthetic(id, n)` makes the entries of a `hugePage` chain. */
  private page(req: ApiRequest, items: Record<string, unknown>[], basePath: string, synthetic: (id: string, n: number) => Record<string, unknown>): Reply {
    const rawSize = req.query.get('batchSize');
    let size = this.defaultBatchSize;
    if (rawSize !== null) {
      size = /^\d+$/.test(rawSize) ? Number(rawSize) : NaN;
      if (!(size >= 1 && size <= 1000)) return reply.json(400, { message: 'batchSize must be an integer between 1 and 1000' });
    }
    let start = 0;
    const after = req.query.get('startAfter');
    const hugeAfter = after === null || this.hugeItems === undefined ? undefined : /^\w+_huge_(\d+)$/.exec(after);
    if (hugeAfter) return this.hugeChainPage(Number(hugeAfter[1]), size, basePath, synthetic);
    if (after !== null && after !== '') {
      const i = items.findIndex((it) => it.id === after);
      if (i < 0) return reply.json(400, { message: `Invalid startAfter '${after}'` });
      start = i + 1;
    }
    const huge = this.hugePage(req);
    if (huge !== undefined) {
      this.hugeItems = huge;
      return this.hugeChainPage(0, size, basePath, synthetic);
    }
    const page = items.slice(start, start + size);
    const headers: Record<string, string> = {};
    if (start + size < items.length && page.length) {
      const last = String(page[page.length - 1].id);
      headers.link = `<${basePath}?batchSize=${size}&startAfter=${encodeURIComponent(last)}>; rel="next"`;
    }
    return reply.json(200, this.withOddIds(req, page, 'id', ODD_IDS.filter((id) => id !== '')), headers);
  }

  /** A page of the `hugePage` chain: `hugeItems` synthetic entries after the `done` first ones, `Link` to the next. */
  private hugeChainPage(done: number, size: number, basePath: string, synthetic: (id: string, n: number) => Record<string, unknown>): Reply {
    const total = this.hugeItems ?? 0;
    const prefix = basePath.endsWith('/labels') ? 'label' : 'function';
    const count = Math.max(0, Math.min(size, total - done));
    const page = Array.from({ length: count }, (_, i) => synthetic(`${prefix}_huge_${done + i + 1}`, done + i + 1));
    const headers: Record<string, string> = {};
    if (done + count < total) headers.link = `<${basePath}?batchSize=${size}&startAfter=${prefix}_huge_${done + count}>; rel="next"`;
    return reply.json(200, page, headers);
  }

  private parseBool(req: ApiRequest, name: string): boolean | undefined | Reply {
    const raw = req.query.get(name);
    if (raw === null) return undefined;
    if (/^true$/i.test(raw)) return true;
    if (/^false$/i.test(raw)) return false;
    return reply.json(400, { message: `${name} must be true or false` });
  }

  /** Validates the invoke input; returns the text to classify or an error reply. */
  private inputText(fn: NyckelFunctionDef, body: Record<string, unknown>): string | Reply {
    const data = body.data;
    if (data === undefined || data === null) return reply.json(400, { message: "The 'data' field is required" });
    if (fn.input === 'Text') {
      if (typeof data !== 'string') return reply.json(400, { message: `Function '${fn.id}' takes Text input: 'data' must be a string` });
      return data;
    }
    if (!isPlainObject(data)) return reply.json(400, { message: `Function '${fn.id}' takes Tabular input: 'data' must be an object of field values` });
    const parts: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      const field = fn.fields?.find((f) => f.name === key || f.id === key);
      if (!field) return reply.json(400, { message: `Unknown field '${key}' for function '${fn.id}'` });
      if (field.type === 'Number' && typeof value !== 'number') return reply.json(400, { message: `Field '${field.name}' must be a number` });
      if (field.type === 'Text' && typeof value !== 'string') return reply.json(400, { message: `Field '${field.name}' must be a string` });
      parts.push(String(value));
    }
    return parts.join(' ');
  }

  private invoke(req: ApiRequest, fn: NyckelFunctionDef): Reply {
    if (fn.output === 'Tags') return reply.json(400, { message: `Function '${fn.id}' is a Tags function: invoke it with POST /v0.9/functions/${fn.id}/invoke` });
    const q = req.query;
    let labelCount: number | undefined;
    const rawCount = q.get('labelCount');
    if (rawCount !== null) {
      labelCount = /^\d+$/.test(rawCount) ? Number(rawCount) : NaN;
      if (!(labelCount >= 1 && labelCount <= 2147483647)) return reply.json(400, { message: 'labelCount must be a positive integer' });
    }
    const includeMetadata = this.parseBool(req, 'includeMetadata');
    if (typeof includeMetadata === 'object') return includeMetadata;
    const capture = this.parseBool(req, 'capture');
    if (typeof capture === 'object') return capture;
    const modelId = q.get('modelId');
    if (modelId !== null && !modelsOf(fn).includes(modelId)) return reply.json(400, { message: `Model '${modelId}' not found for function '${fn.id}'` });

    const body = req.json;
    if (!isPlainObject(body)) return reply.json(400, { message: jsonBodyProblem(req) ?? 'The request body must be a JSON object: {"data": …}' });
    if (body.externalId !== undefined && body.externalId !== null && typeof body.externalId !== 'string') return reply.json(400, { message: 'externalId must be a string' });
    if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) return reply.json(400, { message: 'metadata must be an object' });
    const text = this.inputText(fn, body);
    if (typeof text !== 'string') return text;

    const c = classify(text, fn.labels, fn.fallback ?? fn.labels[fn.labels.length - 1]?.name ?? '');
    const labelOf = (name: string): NyckelLabelDef | undefined => fn.labels.find((l) => l.name === name);
    const winner = labelOf(c.label);
    const externalId = q.get('externalId') ?? (body.externalId as string | undefined | null) ?? undefined;
    const out: Record<string, unknown> = {
      labelName: c.label,
      labelId: winner ? labelIdOf(fn, winner) : null,
      confidence: c.confidence,
    };
    if (labelCount !== undefined) {
      out.labelConfidences = c.predictions.slice(0, labelCount).map((p) => {
        const l = labelOf(p.label);
        return { labelName: p.label, labelId: l ? labelIdOf(fn, l) : null, confidence: p.confidence };
      });
    }
    if (includeMetadata === true) out.labelMetadata = winner?.metadata ?? {};
    const deep = this.deepNesting(req);
    if (deep) out.labelMetadata = deep;
    if (externalId !== undefined) out.externalId = externalId;
    if (capture !== false) this.capture({ functionId: fn.id, data: body.data, externalId, metadata: body.metadata, labelName: c.label, time: Date.now() });
    return this.failedAfterWork(fn, body.data) ?? reply.json(200, out);
  }

  private invokeTags(req: ApiRequest, fn: NyckelFunctionDef): Reply {
    if (fn.output !== 'Tags') return reply.json(400, { message: `Function '${fn.id}' is not a Tags function: invoke it with POST /v1/functions/${fn.id}/invoke` });
    const body = req.json;
    if (!isPlainObject(body)) return reply.json(400, { message: jsonBodyProblem(req) ?? 'The request body must be a JSON object: {"data": …}' });
    const text = this.inputText(fn, body);
    if (typeof text !== 'string') return text;
    const tokens = words(text);
    const tags = fn.labels
      .map((l) => {
        const set = new Set(l.keywords);
        const hits = tokens.filter((t) => set.has(t)).length;
        return { labelName: l.name, labelId: labelIdOf(fn, l), confidence: hits ? round2(Math.min(0.99, 0.7 + 0.08 * hits + 0.1 * unitHash(`${l.name}:${text}`))) : 0 };
      })
      .filter((t) => t.confidence > 0)
      .sort((a, b) => b.confidence - a.confidence);
    const deep = tags.length ? this.deepNesting(req) : undefined;
    if (deep) Object.assign(tags[0], { labelMetadata: deep });
    this.capture({ functionId: fn.id, data: body.data, labelName: tags[0]?.labelName ?? null, time: Date.now() });
    return this.failedAfterWork(fn, body.data) ?? reply.json(200, tags);
  }

  /** The 500 of `failAfterCapture`, once the invoke has done its work: for an input's first invoke only. */
  private failedAfterWork(fn: NyckelFunctionDef, data: unknown): Reply | undefined {
    if (this.failAfterCapture <= 0) return undefined;
    const key = `${fn.id} ${JSON.stringify(data)}`;
    if (this.failedOnce.has(key)) return undefined;
    this.failedOnce.add(key);
    this.failAfterCapture--;
    return reply.json(500, { message: 'Internal server error' });
  }

  private capture(sample: Captured): void {
    this.captures++;
    if (sample.externalId !== undefined) {
      const same = this.captured.findIndex((s) => s.functionId === sample.functionId && s.externalId === sample.externalId);
      if (same !== -1) {
        this.captured[same] = sample;
        return;
      }
    }
    this.captured.push(sample);
    if (this.captured.length > 10_000) this.captured.splice(0, this.captured.length - 10_000);
  }
}

export async function startNyckel(options: NyckelOptions = {}): Promise<NyckelEmulator> {
  return new NyckelEmulator(options).start();
}

if (require.main === module) runEmulatorCli('nyckel', startNyckel);
