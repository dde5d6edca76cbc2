// The shared framework of the platform emulators: a loopback HTTP server (node:http only) with
// request recording, fault injection, optional rate limits, statistics and the `/__emulator/`
// control endpoints. Each platform emulator extends `Emulator` and implements `handle()`.
//
// Per API request, in this order:
//   1. record it (control requests under /__emulator/ are never recorded nor counted);
//   2. pick at most one fault: `unavailable`, then the counted faults in the order hang, drop,
//      rateLimit, serverError, malformed, wrongShape, largeBody, then `random`. Only the fault
//      that fires is decremented, so several counted faults fire one after another;
//   3. if no fault fired, apply the emulator's own limits (Nyckel: 25/s and 25 in flight);
//   4. wait the configured latency (it delays every answer, faults and 429s included);
//   5. answer: the fault, or the platform handler's reply (auth, validation, state).
//
// Hostile-server mode, for the security tests (helpers and snippets in hostile.ts):
//   `hostile: true` — an emulator option (start-up), a config knob (`emu.sutro.configure({hostile:
//      true})`, `POST /__emulator/config {"hostile":true}`) and the CLI flag `--hostile`; `reset()`
//      restores the start-up value (off unless started hostile). While on, every API reply keeps
//      its platform's shape but each human-readable text field (messages, error details, failure
//      reasons, names, descriptions, labels, rationales, summaries, results, input requests, …;
//      each platform lists its fields in `hostileFields`) gets `HOSTILE_TEXT` appended: command:
//      and https links, HTML, markdown, codicon syntax, a U+202E bidi override, newlines. What
//      drives a client stays valid: ids, Sutro job statuses, Inferable run statuses, Nyckel
//      input/output types, schemas. In error replies (the platform's 4xx/5xx, the fault knobs'
//      and the limits' errors; an empty error body, Inferable's 401, gets the platform's error
//      body) the message field becomes the message followed by ~1,000 characters that echo the
//      caller's credential (Authorization value, its token, a Basic or form client_secret), whole
//      and cut (`cutCredential`: at most 20 characters, then '…'), with copies straddling
//      characters 80 and 300, and `HOSTILE_TEXT`. Headers, control replies, the 413 for a too
//      large body and the answering faults' bodies (malformed, wrongShape, largeBody) stay as
//      they are.
//   Shaping faults: counted faults (`count`, `match`, `method` as above) that do not answer a
//   request themselves: the platform takes one when it builds a successful reply of a matching
//   endpoint (after auth and validation), so only such replies use up the count. They work with
//   or without `hostile`, are recorded as the request's `fault` (and in stats.faulted), and are
//   cleared like the others:
//   `deepNesting {count, depth = 10000}` — the next run/result replies carry a value nested
//      `depth` levels (`{"a":{"a":…"end"…}}`, still valid JSON): Sutro runs (`output`) and
//      job-results (`outputs[0]`), Nyckel invokes (`labelMetadata`; of the first tag on v0.9),
//      Inferable GET run of a done run (`result`);
//   `hugePage {count, items = 20000}` — the next listing holds `items` synthetic entries: Sutro
//      list-jobs (no next_cursor) and Inferable runs in one page, limit ignored; Inferable
//      services gain a service of `items` functions; Nyckel functions/labels become a chain of
//      `Link: rel="next"` pages of batchSize (`items: 1e9` is endless; reset ends it);
//   `oddIds {count}` — the next listing starts with entries whose ids are `ODD_IDS` ('.', '..',
//      '', '../../x', ids with '/', '?', '#', '%', '\'; Nyckel leaves out '', its schema needs one
//      character): Sutro list-jobs, Nyckel functions/labels, Inferable runs.

import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { credentialsOf, deepNestingPlaceholder, expandDeepNesting, ODD_IDS, poisonBody, type HostileFields } from './hostile';

// ------------------------------------------------------------------------------------------------
// Types

export type Query = Record<string, string | string[]>;

export interface RecordedRequest {
  /** Sequence number since the emulator started (or was reset); use with `?since=`. */
  index: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Query;
  headers: IncomingHttpHeaders;
  /** Raw body ('' when `recordBodies` is false). */
  body: string;
  /** Parsed body when it was JSON or form-encoded (undefined when `recordBodies` is false). */
  parsed?: unknown;
  /** Epoch milliseconds when the request arrived. */
  time: number;
  /** Status answered (undefined while pending, 0 when the socket was dropped or hung). */
  status?: number;
  /** The fault that answered it, if any ('rateLimit', 'drop', 'random:503', 'limit', …). */
  fault?: string;
}

export interface ApiRequest {
  method: string;
  path: string;
  /** Path segments, URI-decoded, without empty ones. */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  contentType: string;
  body: string;
  /** Parsed JSON body; undefined when absent or not JSON (see `jsonError`). */
  json: unknown;
  /** True when a body was sent as JSON but could not be parsed. */
  jsonError: boolean;
  /** Parsed form body when the content type is application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  raw: IncomingMessage;
}

export interface Reply {
  status: number;
  /** Serialized as JSON unless `text` is given. */
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string | number>;
}

export const reply = {
  json(status: number, body: unknown, headers?: Record<string, string | number>): Reply {
    return { status, json: body, headers };
  },
  empty(status: number, headers?: Record<string, string | number>): Reply {
    return { status, headers };
  },
  text(status: number, text: string, contentType = 'text/plain; charset=utf-8'): Reply {
    return { status, text, contentType };
  },
};

export type Match = string | RegExp;

export interface CountedFaultSpec {
  /** How many matching requests get the fault (default 1). */
  count?: number;
  /** Only requests whose path matches this regex (string or RegExp). */
  match?: Match;
  /** Only requests with this method. */
  method?: string;
}

export interface FaultSpec {
  /** Added before answering every API request. */
  latencyMs?: number;
  latency?: { ms: number; match?: Match };
  rateLimit?: CountedFaultSpec & { retryAfter?: number | string };
  serverError?: CountedFaultSpec & { status?: number; retryAfter?: number | string };
  drop?: CountedFaultSpec;
  malformed?: CountedFaultSpec;
  wrongShape?: CountedFaultSpec;
  hang?: CountedFaultSpec;
  largeBody?: CountedFaultSpec & { bytes: number };
  /** Shaping: the next run/result replies carry a value nested `depth` levels (default 10,000). */
  deepNesting?: CountedFaultSpec & { depth?: number };
  /** Shaping: the next listing holds `items` synthetic entries (default 20,000). */
  hugePage?: CountedFaultSpec & { items?: number };
  /** Shaping: the next listing starts with entries whose ids are `ODD_IDS`. */
  oddIds?: CountedFaultSpec;
  /** Seeded, deterministic: per matching request one draw picks a fault by these probabilities. */
  random?: {
    seed: number;
    rates: Partial<Record<'429' | '500' | '502' | '503' | '504' | 'drop' | 'malformed', number>>;
    retryAfter?: number | string;
    match?: Match;
  };
  /** Every API request gets 503 until cleared. */
  unavailable?: boolean;
}

export interface FaultControl {
  /** Merges these knobs into the current ones (a knob given again replaces the earlier one). */
  set(spec: FaultSpec): void;
  /** Removes every fault. */
  clear(): void;
  /** The current knobs, with the remaining counts. */
  get(): FaultSpec;
}

export interface Limits {
  perSecond?: number;
  inFlight?: number;
  /** Only requests whose path matches are limited (default: all API requests). */
  match?: Match;
  /** Retry-After header value for limit rejections (default 1). */
  retryAfter?: number | string;
}

export interface WindowStats {
  total: number;
  maxInFlight: number;
  maxPerSecond: number;
}

export interface EmulatorStats extends WindowStats {
  inFlight: number;
  /** Requests that passed the faults and the emulator's limits (what a real server would serve). */
  accepted: WindowStats;
  /** Requests refused by the emulator's own limits (429). */
  limited: number;
  /** Requests answered by an injected fault. */
  faulted: number;
  [extra: string]: unknown;
}

export interface EmulatorOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  host?: string;
  /** Keep request bodies in `requests` (default true). */
  recordBodies?: boolean;
  /** Keep at most this many recorded requests; past it the oldest 10% are dropped (default 100,000). */
  maxRecorded?: number;
  /** Hostile-server mode from the start (see the header comment; default false). */
  hostile?: boolean;
}

// ------------------------------------------------------------------------------------------------
// Small shared helpers (deterministic text functions used by the platform emulators)

/** FNV-1a 32-bit hash. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic number in [0, 1) from a string. */
export function unitHash(text: string): number {
  return hash32(text) / 0x100000000;
}

/** Mulberry32: a small seeded PRNG returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

export interface KeywordLabel {
  name: string;
  keywords: string[];
}

export interface Classification {
  label: string;
  confidence: number;
  /** Every label, sorted by confidence (descending); confidences sum to 1. */
  predictions: { label: string; confidence: number }[];
  /** The keywords of the winning label found in the text. */
  matched: string[];
}

/**
 * Deterministic keyword classifier: the label with the most keyword hits wins (ties: the first
 * listed); no hits → `fallback`. A keyword right after "no" or "not" is no hit ("no budget").
 * Confidence depends on the hits and a hash of the text.
 */
const keywordSets = new WeakMap<KeywordLabel, Set<string>>();

export function classify(text: string, labels: KeywordLabel[], fallback: string): Classification {
  const tokens = words(text);
  let best: KeywordLabel | undefined;
  let bestHits: string[] = [];
  for (const label of labels) {
    let set = keywordSets.get(label);
    if (!set) keywordSets.set(label, (set = new Set(label.keywords.map((k) => k.toLowerCase()))));
    const hits = tokens.filter((t, i) => set.has(t) && tokens[i - 1] !== 'no' && tokens[i - 1] !== 'not');
    if (hits.length > bestHits.length) {
      best = label;
      bestHits = hits;
    }
  }
  const h = unitHash(text);
  const label = best ? best.name : fallback;
  const confidence = best
    ? round2(Math.min(0.98, 0.84 + 0.04 * (bestHits.length - 1) + 0.08 * h))
    : round2(0.6 + 0.3 * h);
  const others = labels.map((l) => l.name).filter((n) => n !== label);
  const predictions = [{ label, confidence }];
  let rest = round2(1 - confidence);
  const n = others.length;
  const weightSum = (n * (n + 1)) / 2;
  others.forEach((name, i) => {
    const c = i === n - 1 ? rest : round2(((1 - confidence) * (n - i)) / weightSum);
    rest = round2(rest - c);
    predictions.push({ label: name, confidence: Math.max(0, c) });
  });
  predictions.sort((a, b) => b.confidence - a.confidence);
  return { label, confidence, predictions, matched: [...new Set(bestHits)] };
}

/** Why a request body could not be read as JSON, if it could not. */
export function jsonBodyProblem(req: ApiRequest): string | undefined {
  if (req.jsonError) return 'The request body is not valid JSON';
  if (req.body.length > 0 && req.json === undefined) return `Expected Content-Type: application/json (got ${req.contentType || 'none'})`;
  if (req.body.length === 0) return 'The request body is empty; expected a JSON object';
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toRegExp(match: Match | undefined): RegExp | undefined {
  if (match === undefined || match === '') return undefined;
  return match instanceof RegExp ? match : new RegExp(match);
}

function parseQuery(search: string): { params: URLSearchParams; object: Query } {
  const params = new URLSearchParams(search);
  const object: Query = {};
  for (const [k, v] of params) {
    const prev = object[k];
    if (prev === undefined) object[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else object[k] = [prev, v];
  }
  return { params, object };
}

/** Counts events in a sliding one-second window. */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  count(now: number): number {
    const times = this.times;
    while (this.head < times.length && times[this.head] <= now - 1000) this.head++;
    if (this.head > 4096 && this.head * 2 > times.length) {
      this.times = times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  add(now: number): number {
    this.times.push(now);
    return this.count(now);
  }

  clear(): void {
    this.times = [];
    this.head = 0;
  }
}

class Meter {
  total = 0;
  inFlight = 0;
  maxInFlight = 0;
  maxPerSecond = 0;
  readonly window = new SlidingWindow();

  enter(now: number): void {
    this.total++;
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    const perSecond = this.window.add(now);
    if (perSecond > this.maxPerSecond) this.maxPerSecond = perSecond;
  }

  leave(): void {
    this.inFlight--;
  }

  resetStats(): void {
    this.total = 0;
    this.maxInFlight = this.inFlight;
    this.maxPerSecond = 0;
    this.window.clear();
  }

  snapshot(): WindowStats {
    return { total: this.total, maxInFlight: this.maxInFlight, maxPerSecond: this.maxPerSecond };
  }
}

// ------------------------------------------------------------------------------------------------
// Faults

const COUNTED = ['hang', 'drop', 'rateLimit', 'serverError', 'malformed', 'wrongShape', 'largeBody'] as const;
/** Counted faults that shape a platform's reply instead of answering (see `Emulator.takeShaping`). */
const SHAPING = ['deepNesting', 'hugePage', 'oddIds'] as const;
type CountedKind = (typeof COUNTED)[number] | ShapingKind;
export type ShapingKind = (typeof SHAPING)[number];

interface ActiveCounted {
  spec: Record<string, unknown>;
  remaining: number;
  match?: RegExp;
  method?: string;
}

type Decision =
  | { kind: 'hang' | 'drop' | 'malformed' | 'wrongShape'; name: string }
  | { kind: 'status'; name: string; status: number; message: string; retryAfter?: number | string }
  | { kind: 'largeBody'; name: string; bytes: number };

const STATUS_MESSAGES: Record<number, string> = {
  429: 'Rate limit exceeded',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

class Faults implements FaultControl {
  latencyMs = 0;
  latency?: { ms: number; match?: RegExp };
  unavailable = false;
  counted = new Map<CountedKind, ActiveCounted>();
  random?: { spec: NonNullable<FaultSpec['random']>; next: () => number; match?: RegExp };

  set(spec: FaultSpec): void {
    if (!isPlainObject(spec as unknown)) throw new Error('faults must be an object');
    if (spec.latencyMs !== undefined) this.latencyMs = Number(spec.latencyMs) || 0;
    if (spec.latency !== undefined) {
      this.latency = spec.latency ? { ms: Number(spec.latency.ms) || 0, match: toRegExp(spec.latency.match) } : undefined;
    }
    if (spec.unavailable !== undefined) this.unavailable = Boolean(spec.unavailable);
    for (const kind of [...COUNTED, ...SHAPING]) {
      const value = spec[kind] as (CountedFaultSpec & Record<string, unknown>) | null | undefined;
      if (value === undefined) continue;
      if (value === null) {
        this.counted.delete(kind);
        continue;
      }
      if (!isPlainObject(value)) throw new Error(`${kind} must be an object`);
      const count = value.count === undefined ? 1 : Number(value.count);
      if (!Number.isFinite(count) || count < 0) throw new Error(`${kind}.count must be a number >= 0`);
      if (kind === 'largeBody' && !(Number(value.bytes) >= 0)) throw new Error('largeBody.bytes is required');
      if (kind === 'deepNesting' && value.depth !== undefined && !(Number(value.depth) >= 1)) throw new Error('deepNesting.depth must be a number >= 1');
      if (kind === 'hugePage' && value.items !== undefined && !(Number(value.items) >= 0)) throw new Error('hugePage.items must be a number >= 0');
      this.counted.set(kind, {
        spec: { ...value },
        remaining: count,
        match: toRegExp(value.match),
        method: typeof value.method === 'string' ? value.method.toUpperCase() : undefined,
      });
    }
    if (spec.random !== undefined) {
      if (spec.random === null) this.random = undefined;
      else {
        if (!isPlainObject(spec.random) || !isPlainObject(spec.random.rates)) throw new Error('random needs {seed, rates}');
        this.random = { spec: { ...spec.random }, next: prng(Number(spec.random.seed) || 0), match: toRegExp(spec.random.match) };
      }
    }
  }

  clear(): void {
    this.latencyMs = 0;
    this.latency = undefined;
    this.unavailable = false;
    this.counted.clear();
    this.random = undefined;
  }

  get(): FaultSpec {
    const out: Record<string, unknown> = {};
    if (this.latencyMs) out.latencyMs = this.latencyMs;
    if (this.latency) out.latency = { ms: this.latency.ms, match: this.latency.match?.source };
    if (this.unavailable) out.unavailable = true;
    for (const [kind, active] of this.counted) {
      out[kind] = { ...active.spec, match: active.match?.source, count: active.remaining };
    }
    if (this.random) out.random = { ...this.random.spec, match: this.random.match?.source };
    return out as FaultSpec;
  }

  latencyFor(path: string): number {
    let ms = this.latencyMs;
    if (this.latency && (!this.latency.match || this.latency.match.test(path))) ms += this.latency.ms;
    return ms;
  }

  /** Uses up one of a shaping fault that matches; its knobs, or undefined. */
  take(kind: ShapingKind, method: string, path: string): Record<string, unknown> | undefined {
    const active = this.counted.get(kind);
    if (!active || active.remaining <= 0) return undefined;
    if (active.match && !active.match.test(path)) return undefined;
    if (active.method && active.method !== method) return undefined;
    active.remaining--;
    return active.spec;
  }

  decide(method: string, path: string): Decision | undefined {
    if (this.unavailable) return { kind: 'status', name: 'unavailable', status: 503, message: STATUS_MESSAGES[503] };
    if (this.counted.size > 0) {
      for (const kind of COUNTED) {
        const active = this.counted.get(kind);
        if (!active || active.remaining <= 0) continue;
        if (active.match && !active.match.test(path)) continue;
        if (active.method && active.method !== method) continue;
        active.remaining--;
        const s = active.spec;
        switch (kind) {
          case 'rateLimit':
            return { kind: 'status', name: kind, status: 429, message: STATUS_MESSAGES[429], retryAfter: (s.retryAfter as number | string | undefined) ?? 1 };
          case 'serverError': {
            const status = Number(s.status ?? 503);
            return { kind: 'status', name: kind, status, message: STATUS_MESSAGES[status] ?? 'Server error', retryAfter: s.retryAfter as number | string | undefined };
          }
          case 'largeBody':
            return { kind: 'largeBody', name: kind, bytes: Number(s.bytes) };
          default:
            return { kind, name: kind };
        }
      }
    }
    const random = this.random;
    if (random && (!random.match || random.match.test(path))) {
      const r = random.next();
      let acc = 0;
      for (const [key, rate] of Object.entries(random.spec.rates)) {
        acc += Number(rate) || 0;
        if (r >= acc) continue;
        const name = `random:${key}`;
        if (key === 'drop') return { kind: 'drop', name };
        if (key === 'malformed') return { kind: 'malformed', name };
        const status = Number(key);
        return {
          kind: 'status',
          name,
          status,
          message: STATUS_MESSAGES[status] ?? 'Server error',
          retryAfter: status === 429 ? (random.spec.retryAfter ?? 1) : random.spec.retryAfter,
        };
      }
    }
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------------
// The server

const CONTROL_PREFIX = '/__emulator/';
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MALFORMED_BODY = '{"status": "ok", "data": [{"label": "qualif';

export abstract class Emulator {
  /** Platform name, for messages. */
  abstract readonly name: string;
  url = '';
  port: number;
  readonly host: string;
  /** Every API request received (control requests excluded). */
  requests: RecordedRequest[] = [];
  readonly faults: FaultControl;
  /** The emulator's own limits (none by default; Nyckel sets 25/s and 25 in flight). */
  limits: Limits | undefined;
  /** Hostile-server mode (see the header comment); `reset()` restores the start-up value. */
  hostile: boolean;

  protected recordBodies: boolean;
  protected maxRecorded: number;
  private readonly faultState = new Faults();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextIndex = 0;
  private readonly all = new Meter();
  private readonly accepted = new Meter();
  /** Accepted requests that fall under `limits` (what the limits count). */
  private readonly limitedScope = new Meter();
  private limited = 0;
  private faulted = 0;
  private largeBodyCache: { bytes: number; text: string } | undefined;
  private readonly startHostile: boolean;
  /** The record of each request being answered, for the shaping faults. */
  private readonly recordOf = new WeakMap<IncomingMessage, RecordedRequest>();
  /** Requests whose reply holds a `deepNesting` placeholder. */
  private readonly deepReplies = new WeakSet<RecordedRequest>();

  constructor(options: EmulatorOptions = {}) {
    this.port = options.port ?? 0;
    this.host = options.host ?? '127.0.0.1';
    this.recordBodies = options.recordBodies ?? true;
    this.maxRecorded = options.maxRecorded ?? 100_000;
    this.faults = this.faultState;
    this.hostile = this.startHostile = options.hostile ?? false;
  }

  // ---- what a platform implements

  /** Answers an API request that passed the faults and limits. */
  protected abstract handle(req: ApiRequest): Reply | Promise<Reply>;
  /** The platform's error body for a status and message (e.g. `{detail}`, `{message}`). */
  protected abstract errorBody(status: number, message: string, path: string): unknown;
  /** Restores the seeded state and the knobs given at start. */
  protected abstract resetState(): void;
  /** Applies platform knobs from `POST /__emulator/config`. Throws on bad values. */
  abstract configure(config: Record<string, unknown>): void;
  /** The current platform knobs (`GET /__emulator/config`). */
  abstract config(): Record<string, unknown>;
  /** Extra statistics (merged into `stats()`). */
  protected extraStats(): Record<string, unknown> {
    return {};
  }
  /** A 200 JSON body that lacks the fields a client requires (the `wrongShape` fault). */
  protected wrongShapeBody(_path: string): unknown {
    return { unexpected: true };
  }
  /** The reply fields hostile mode rewrites (see hostile.ts). */
  protected readonly hostileFields: HostileFields = { text: ['message'], error: ['message'] };

  // ---- lifecycle

  /** Starts listening (again, on the same port, after `stop()`). Resolves once the URL is known. */
  async start(): Promise<this> {
    if (this.server) return this;
    const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 30_000;
    server.headersTimeout = 60_000;
    server.requestTimeout = 0;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://${this.host}:${this.port}`;
    return this;
  }

  /** Stops listening and destroys open sockets (hung requests included). State is kept. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Same as `close()`: the server really stops (connections are refused) until `start()`. */
  stop(): Promise<void> {
    return this.close();
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Back to the start: seeded state, start-up knobs, no faults, no recorded requests, zero stats. */
  reset(): void {
    this.hostile = this.startHostile;
    this.faultState.clear();
    this.requests = [];
    this.nextIndex = 0;
    this.resetStats();
    this.resetState();
  }

  clearRequests(): void {
    this.requests = [];
  }

  resetStats(): void {
    this.all.resetStats();
    this.accepted.resetStats();
    this.limitedScope.resetStats();
    this.limited = 0;
    this.faulted = 0;
  }

  stats(): EmulatorStats {
    return {
      ...this.all.snapshot(),
      inFlight: this.all.inFlight,
      accepted: this.accepted.snapshot(),
      limited: this.limited,
      faulted: this.faulted,
      ...this.extraStats(),
    };
  }

  /** Recorded requests whose path matches (string = exact path, or a RegExp). */
  requestsTo(path: string | RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter(
      (r) => (typeof path === 'string' ? r.path === path : path.test(r.path)) && (!method || r.method === method),
    );
  }

  /** A setTimeout that `close()` cancels. */
  protected delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  protected error(status: number, message: string, path = '', headers?: Record<string, string | number>): Reply {
    return { status, json: this.errorBody(status, message, path), headers };
  }

  // ---- shaping faults (see the header comment); a platform calls these for a successful reply

  /** Uses up one of a shaping fault that matches the request, marking the request; its knobs, or undefined. */
  protected takeShaping(kind: ShapingKind, req: ApiRequest): Record<string, unknown> | undefined {
    const spec = this.faultState.take(kind, req.method, req.path);
    if (!spec) return undefined;
    const record = this.recordOf.get(req.raw);
    if (record && !record.fault) {
      record.fault = kind;
      this.faulted++;
    }
    return spec;
  }

  /** `deepNesting`: the placeholder to put where the deeply nested value goes, or undefined. */
  protected deepNesting(req: ApiRequest): string | undefined {
    const spec = this.takeShaping('deepNesting', req);
    if (!spec) return undefined;
    const record = this.recordOf.get(req.raw);
    if (record) this.deepReplies.add(record);
    return deepNestingPlaceholder(Number(spec.depth ?? 10_000));
  }

  /** `hugePage` (Sutro, Inferable): how many synthetic entries the listing holds, or undefined. */
  protected hugePage(req: ApiRequest): number | undefined {
    const spec = this.takeShaping('hugePage', req);
    return spec ? Number(spec.items ?? 20_000) : undefined;
  }

  /** `oddIds`: `items` preceded by copies of its first entry whose `idKey` is each odd id (unchanged when empty). */
  protected withOddIds<T extends Record<string, unknown>>(req: ApiRequest, items: T[], idKey: string, ids: readonly string[] = ODD_IDS): T[] {
    if (items.length === 0 || !this.takeShaping('oddIds', req)) return items;
    return [...ids.map((id) => ({ ...items[0], [idKey]: id })), ...items];
  }

  /** The reply as sent: hostile text and credential echoes when `hostile`, deep values expanded. */
  private finish(r: Reply, req: IncomingMessage, form: Record<string, string> | undefined, record: RecordedRequest): Reply {
    let out = r;
    if (this.hostile && out.text === undefined) {
      const isError = out.status >= 400;
      let json = out.json;
      if (json === undefined && isError) json = this.errorBody(out.status, STATUS_CODES[out.status] ?? 'Error', record.path);
      if (json !== undefined) {
        out = { ...out, json: poisonBody(json, this.hostileFields, isError ? { credentials: credentialsOf(req.headers.authorization, form) } : undefined) };
      }
    }
    if (out.json !== undefined && this.deepReplies.has(record)) {
      out = { ...out, json: undefined, text: expandDeepNesting(JSON.stringify(out.json)), contentType: out.contentType ?? 'application/json; charset=utf-8' };
    }
    return out;
  }

  // ---- request handling

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        this.send(res, this.error(413, 'Request body too large'));
        return;
      }
      const body = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      try {
        this.dispatch(req, res, body);
      } catch (err) {
        this.send(res, this.error(500, `Emulator error: ${(err as Error).message}`));
      }
    });
    req.on('error', () => res.destroy());
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const search = q < 0 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';
    const { params, object } = parseQuery(search);
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();

    let json: unknown;
    let jsonError = false;
    let form: Record<string, string> | undefined;
    if (body.length > 0) {
      if (contentType.includes('application/x-www-form-urlencoded')) {
        form = Object.fromEntries(new URLSearchParams(body));
      } else if (contentType === '' || contentType.includes('json')) {
        try {
          json = JSON.parse(body);
        } catch {
          jsonError = true;
        }
      }
    }

    if (path.startsWith(CONTROL_PREFIX)) {
      this.send(res, this.control(method, path.slice(CONTROL_PREFIX.length), params, json, jsonError));
      return;
    }

    const now = Date.now();
    this.all.enter(now);
    let accepted = false;
    let inScope = false;
    res.once('close', () => {
      this.all.leave();
      if (accepted) this.accepted.leave();
      if (inScope) this.limitedScope.leave();
    });

    const record: RecordedRequest = {
      index: this.nextIndex++,
      method,
      path,
      query: object,
      headers: req.headers,
      body: this.recordBodies ? body : '',
      parsed: this.recordBodies ? (form ?? json) : undefined,
      time: now,
    };
    this.requests.push(record);
    this.recordOf.set(req, record);
    if (this.requests.length > this.maxRecorded) this.requests.splice(0, this.requests.length - Math.floor(this.maxRecorded * 0.9));

    const decision = this.faultState.decide(method, path);
    let limitReply: Reply | undefined;
    if (decision) {
      this.faulted++;
      record.fault = decision.name;
    } else {
      const limit = this.checkLimits(path, now);
      if (limit === 'over') {
        this.limited++;
        record.fault = 'limit';
        limitReply = this.error(429, STATUS_MESSAGES[429], path, { 'retry-after': String(this.limits?.retryAfter ?? 1) });
      } else {
        accepted = true;
        this.accepted.enter(now);
        if (limit === 'ok') {
          inScope = true;
          this.limitedScope.enter(now);
        }
      }
    }

    const answer = (): void => {
      if (res.destroyed || res.writableEnded) return;
      if (decision) {
        this.answerFault(req, res, record, decision, path, form);
        return;
      }
      if (limitReply) {
        record.status = limitReply.status;
        this.send(res, this.finish(limitReply, req, form, record));
        return;
      }
      const segments = path
        .split('/')
        .filter((s) => s.length > 0)
        .map((s) => {
          try {
            return decodeURIComponent(s);
          } catch {
            return s;
          }
        });
      const apiReq: ApiRequest = { method, path, segments, query: params, headers: req.headers, contentType, body, json, jsonError, form, raw: req };
      let result: Reply | Promise<Reply>;
      try {
        result = this.handle(apiReq);
      } catch (err) {
        result = this.error(500, `Emulator error: ${(err as Error).message}`, path);
      }
      if (result instanceof Promise) {
        result.then(
          (r) => {
            record.status = r.status;
            this.send(res, this.finish(r, req, form, record));
          },
          (err: Error) => {
            record.status = 500;
            this.send(res, this.finish(this.error(500, `Emulator error: ${err.message}`, path), req, form, record));
          },
        );
      } else {
        record.status = result.status;
        this.send(res, this.finish(result, req, form, record));
      }
    };

    const latency = this.faultState.latencyFor(path);
    if (latency > 0) void this.delay(latency).then(answer);
    else answer();
  }

  /** 'none' = not under the limits, 'ok' = within them, 'over' = refuse with 429. */
  private checkLimits(path: string, now: number): 'none' | 'ok' | 'over' {
    const limits = this.limits;
    if (!limits) return 'none';
    const match = toRegExp(limits.match);
    if (match && !match.test(path)) return 'none';
    const over =
      (limits.inFlight !== undefined && this.limitedScope.inFlight >= limits.inFlight) ||
      (limits.perSecond !== undefined && this.limitedScope.window.count(now) >= limits.perSecond);
    return over ? 'over' : 'ok';
  }

  private answerFault(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, decision: Decision, path: string, form: Record<string, string> | undefined): void {
    switch (decision.kind) {
      case 'hang':
        record.status = 0;
        return; // never answered; close() destroys the socket
      case 'drop':
        record.status = 0;
        req.socket.destroy();
        return;
      case 'malformed':
        record.status = 200;
        this.send(res, { status: 200, text: MALFORMED_BODY, contentType: 'application/json' });
        return;
      case 'wrongShape':
        record.status = 200;
        this.send(res, { status: 200, json: this.wrongShapeBody(path) });
        return;
      case 'largeBody':
        record.status = 200;
        this.send(res, { status: 200, text: this.largeBody(decision.bytes), contentType: 'application/json' });
        return;
      case 'status': {
        record.status = decision.status;
        const headers: Record<string, string> = {};
        if (decision.retryAfter !== undefined) headers['retry-after'] = String(decision.retryAfter);
        this.send(res, this.finish(this.error(decision.status, decision.message, path, headers), req, form, record));
        return;
      }
    }
  }

  private largeBody(bytes: number): string {
    if (this.largeBodyCache?.bytes === bytes) return this.largeBodyCache.text;
    const overhead = '{"padding":""}'.length;
    const text = `{"padding":"${'x'.repeat(Math.max(0, bytes - overhead))}"}`;
    this.largeBodyCache = { bytes, text };
    return text;
  }

  private send(res: ServerResponse, r: Reply): void {
    if (res.destroyed || res.writableEnded) return;
    const headers: Record<string, string | number> = {};
    let payload: string | undefined;
    if (r.text !== undefined) {
      payload = r.text;
      headers['content-type'] = r.contentType ?? 'text/plain; charset=utf-8';
    } else if (r.json !== undefined) {
      payload = JSON.stringify(r.json);
      headers['content-type'] = r.contentType ?? 'application/json; charset=utf-8';
    }
    headers['content-length'] = payload === undefined ? 0 : Buffer.byteLength(payload);
    if (r.headers) Object.assign(headers, r.headers);
    res.writeHead(r.status, headers);
    res.end(payload);
  }

  // ---- /__emulator/ control endpoints (no auth, never recorded)

  private control(method: string, what: string, query: URLSearchParams, json: unknown, jsonError: boolean): Reply {
    const bad = (message: string): Reply => reply.json(400, { error: message });
    const body = (): Record<string, unknown> | undefined => (jsonError || json === undefined ? {} : isPlainObject(json) ? json : undefined);
    try {
      switch (`${method} ${what}`) {
        case 'GET requests': {
          const since = Number(query.get('since') ?? 0) || 0;
          return reply.json(200, since > 0 ? this.requests.filter((r) => r.index >= since) : this.requests);
        }
        case 'DELETE requests':
          this.clearRequests();
          return reply.empty(204);
        case 'GET faults':
          return reply.json(200, this.faults.get());
        case 'POST faults': {
          const spec = body();
          if (!spec || jsonError) return bad('Expected a JSON object of fault knobs');
          this.faults.set(spec as FaultSpec);
          return reply.empty(204);
        }
        case 'DELETE faults':
          this.faults.clear();
          return reply.empty(204);
        case 'POST reset':
          this.reset();
          return reply.empty(204);
        case 'GET stats':
          return reply.json(200, this.stats());
        case 'DELETE stats':
          this.resetStats();
          return reply.empty(204);
        case 'GET config':
          return reply.json(200, this.config());
        case 'POST config': {
          const cfg = body();
          if (!cfg || jsonError) return bad('Expected a JSON object of config knobs');
          this.configure(cfg);
          return reply.empty(204);
        }
        default:
          return reply.json(404, { error: `Unknown control endpoint ${method} /__emulator/${what}` });
      }
    } catch (err) {
      return bad((err as Error).message);
    }
  }
}

/** Parses `--port N` from argv (for the CLIs). */
export function portFromArgv(argv: string[]): number | undefined {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--port='))?.slice('--port='.length);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port ${raw}`);
  return port;
}

/** True when argv has `--hostile` (hostile-server mode from the start, for the CLIs). */
export function hostileFromArgv(argv: string[]): boolean {
  return argv.includes('--hostile');
}

/** Runs emulators until SIGINT/SIGTERM, printing one JSON line of their URLs. */
export function runUntilSignal(urls: Record<string, string>, close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify(urls)}\n`);
  const stop = (): void => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
