// The one shared HTTP client: keep-alive pools per origin, timeouts, a response size cap,
// retries with backoff (the only place anything is sent again), cancellation, proxies, and typed
// errors. Platform clients get it through their constructors. undici is loaded on the first
// request, and its proxy agent only for a request that goes through a proxy, so importing this
// module costs nothing.
import type { Dispatcher, Pool } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import {
  addressSetting,
  AiFunctionsError,
  cancelledError,
  configurationError,
  errorFromResponse,
  isAiFunctionsError,
  networkError,
  platformName,
  redactSecrets,
  responseNotJson,
  responseTooDeep,
  responseTooLarge,
  timeoutError,
  type ErrorContext,
} from './errors';
import { FileSink } from './fileSink';
import type { RateLimiter } from './limiter';
import type { Logger } from './log';
import type { PlatformId } from './model';
import { hasEnvProxy, proxyConfigured, type ProxyRoute, type ProxySettings } from './proxy';
import type { ProxyAgents } from './proxyAgents';

export interface HttpTimeouts {
  /** TCP + TLS connect. */
  connectMs: number;
  /** From sending the request to the response headers; also the longest pause inside a body. */
  firstByteMs: number;
  /** One attempt from start to the last body byte. */
  totalMs: number;
}

export interface HttpClientOptions {
  logger: Logger;
  /** Read on every request, so changed settings apply at once. */
  timeouts: () => HttpTimeouts;
  /** Default 10 MiB. */
  maxResponseBytes?: number;
  /** Retries after the first send: fewer than the default MAX_SENDS - 1 (tests), never more. */
  maxRetries?: number;
  /** A longer Retry-After is not waited for: the request fails at once. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Backoff base; exponential with full jitter, capped at 8 s. Default 250 ms. */
  baseBackoffMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Wall clock in ms (durations and Retry-After dates). */
  now?: () => number;
  /**
   * The user's proxy settings (VS Code's `http.proxy`, `http.noProxy`, `http.proxyStrictSSL`,
   * `http.proxyAuthorization`, from user settings), read on every request. Without a proxy in
   * them, the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables decide. See core/proxy.ts.
   */
  proxy?: () => ProxySettings | undefined;
}

/**
 * When a request may be sent again:
 * - 'idempotent' (default for GET, PUT, DELETE): after connection failures, 502/503/504/524 and 429.
 * - 'notProcessed' (default for POST): only when the request cannot have been processed.
 */
export type RetryPolicy = 'idempotent' | 'notProcessed';

export interface HttpRequest {
  platform: PlatformId;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Absolute URL. */
  url: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** e.g. Authorization. Never logged. */
  headers?: Record<string, string>;
  /** JSON body (sets content-type). */
  json?: unknown;
  /** x-www-form-urlencoded body. */
  form?: Record<string, string>;
  signal?: AbortSignal;
  retry?: RetryPolicy;
  /**
   * Statuses also sent again under 'idempotent', besides 502/503/504: a platform whose docs ask
   * clients to retry them (Nyckel: 500). Ignored under 'notProcessed', where a 5xx may mean the
   * request ran. Sent again with the same backoff, or after the Retry-After given.
   */
  retryStatuses?: readonly number[];
  /**
   * The platform's rate limiter: every send takes a slot of its own, so a retry is counted again
   * and never waits inside a slot. A 429 makes it hold back every send for the wait.
   */
  limiter?: RateLimiter;
  /** Sends go ahead of those waiting in the limiter (a token request every queued call needs). */
  urgent?: boolean;
  /**
   * Called once on a 401: headers with a renewed credential (Nyckel's access token). The request
   * is then sent again, within MAX_SENDS: a 401 proves nothing was processed.
   */
  renewAuthorization?: () => Promise<Record<string, string>>;
  maxResponseBytes?: number;
  /** 'json' (default): parsed JSON, undefined when empty. 'text': the body as a string. */
  responseType?: 'json' | 'text';
  /**
   * A 2xx body is written to this file as it arrives (truncating it), never held in memory; the
   * response's body is then undefined. `maxResponseBytes` caps the file. An error reply is read
   * as usual. The caller removes the file when the request fails.
   */
  saveTo?: string;
  /** What the request is about, for messages ("could not find <subject>"). */
  subject?: string;
  /** The setting holding this URL's base, for network messages (default: the platform's main URL setting). */
  setting?: string;
  /** What the platform calls its credentials, for a 401 (default "API key"). */
  credentials?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON (undefined for an empty body), or a string for responseType 'text'. */
  body: unknown;
  /** All sends and waits. */
  durationMs: number;
  /** Times the request was sent (1 to MAX_SENDS). */
  attempts: number;
}

const MiB = 1024 * 1024;
/** Every origin's pool, direct or through a proxy. */
const POOL_OPTIONS = { connections: 64, pipelining: 1, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 };
/**
 * The deepest JSON reply accepted. Documented replies are a few levels deep; much deeper ones
 * would only exhaust the stack of whatever walks them later (zod, JSON.stringify, the panel).
 */
export const MAX_JSON_DEPTH = 64;
const MAX_BACKOFF_MS = 8_000;

/**
 * The most times one request is sent, retries included: a row or a run reaches the platform at
 * most this often, whatever fails. Retrying happens in HttpClient.request and nowhere else (not
 * in the row runner, the adapters or the limiter), so retries never multiply. Four sends ride out
 * a 429 or two and a brief 5xx without hammering a platform that is already throttling us.
 */
export const MAX_SENDS = 4;

/*
 * Retry policy. A failed send is sent again, at most MAX_SENDS sends in all, only when:
 *
 * - Any policy: 429 and 503-with-Retry-After, after the wait the server asked for (backoff when
 *   a 429 names none). The server said it did not process the request. A wait above
 *   maxRetryAfterMs is not slept: the request fails at once (429 → 'rateLimited' with
 *   retryAfterMs). With a limiter, a 429 makes the limiter hold back every send for the wait
 *   (the platform throttles the account, not one request) and the request queues again.
 * - Any policy: failures before a connection existed (ECONNREFUSED, EAI_AGAIN, ENETUNREACH,
 *   EHOSTUNREACH), with backoff: nothing was sent.
 * - Any policy: one 401, at once, when the request can renew its credential.
 * - 'idempotent' only: a lost connection (ECONNRESET, EPIPE, ETIMEDOUT, socket closed) and
 *   502/503/504, with backoff (or the Retry-After given). For 'notProcessed' these, and 500,
 *   fail at once: the server may have run the request. So a Sutro function run or an Inferable
 *   run is never created twice.
 * - 'idempotent' only: 524, Cloudflare's "the origin did not answer in time". The origin got the
 *   request and may still be running it, so it is sent again only when doing so twice is harmless
 *   (Sutro's SDK does the same: every call but Function runs and batch submissions).
 * - Never: timeouts (waiting again would multiply the user's timeout), cancellation, other statuses.
 * After the last send the last error is thrown.
 */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const IDEMPOTENT_STATUSES = new Set([502, 503, 504, 524]);

/**
 * Whether a failed send may be sent again under `policy` (the 401 renewal aside). `alsoStatuses`:
 * the request's `retryStatuses`, sent again under 'idempotent' only.
 */
export function mayResend(error: AiFunctionsError, policy: RetryPolicy, alsoStatuses?: readonly number[]): boolean {
  switch (error.kind) {
    case 'rateLimited':
      return true;
    case 'server':
      return (
        (error.status === 503 && error.retryAfterMs !== undefined) ||
        (policy === 'idempotent' && (IDEMPOTENT_STATUSES.has(error.status ?? 0) || !!alsoStatuses?.includes(error.status ?? 0)))
      );
    case 'network': {
      // The socket error is the cause (see toError).
      const code = errorCode(error.cause);
      return code !== undefined && (NOT_CONNECTED.has(code) || (policy === 'idempotent' && CONNECTION_LOST.has(code)));
    }
    default:
      return false;
  }
}

/** What dist/undici.js holds (UNDICI_BUNDLES in esbuild.mjs): Pool, none of the rest of undici. */
type Undici = Pick<typeof import('undici'), 'Pool'>;
let undiciModule: Undici | undefined;

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal });
}

/** What one attempt produced: a complete reply (any status). */
interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}

/** Collects one response through undici's dispatch API (no stream objects on the hot path). */
class Exchange implements Dispatcher.DispatchHandler {
  timer: NodeJS.Timeout | undefined;
  reply: RawReply | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private stopReason: AiFunctionsError | undefined;
  private settled = false;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private signal: AbortSignal | undefined;
  private onAbort: (() => void) | undefined;
  /** Where a 2xx body goes when the request saves to a file (HttpRequest.saveTo). */
  private sink: FileSink | undefined;

  constructor(
    private readonly platform: PlatformId,
    private readonly cap: number,
    private readonly resolve: (reply: RawReply) => void,
    private readonly reject: (e: unknown) => void,
    private readonly saveTo?: string,
  ) {}

  listen(signal: AbortSignal): void {
    this.signal = signal;
    this.onAbort = () => this.stop(cancelledError(this.platform));
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.stopReason) controller.abort(this.stopReason);
    else this.controller = controller;
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: informational, the real reply follows
    this.status = statusCode;
    this.headers = headers;
    const length = headers['content-length'];
    if (length !== undefined && Number(length) > this.cap) this.stop(responseTooLarge(this.platform, this.cap));
    else if (this.saveTo !== undefined && statusCode < 300) this.sink = new FileSink(this.saveTo, (e) => this.stop(saveFailed(this.platform, e)));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.cap) this.stop(responseTooLarge(this.platform, this.cap));
    else if (this.sink) this.sink.write(chunk, controller);
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    if (this.sink) {
      // Delivered once the file is complete on disk; the reply holds no bytes.
      const sink = this.sink;
      this.finish();
      this.reply = { status: this.status, headers: this.headers, bytes: Buffer.alloc(0) };
      sink.close().then(
        () => process.nextTick(deliverAfterSocketRelease, this),
        (e: Error) => this.reject(saveFailed(this.platform, e)),
      );
      return;
    }
    this.finish();
    const { chunks } = this;
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.size);
    this.reply = { status: this.status, headers: this.headers, bytes };
    // With pipelining 1, undici makes a socket reusable only in a setImmediate after the reply
    // ends (to notice servers that close despite keep-alive). Handing the reply over after that
    // lets the caller's next request reuse this socket instead of opening another one.
    process.nextTick(deliverAfterSocketRelease, this);
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    if (this.settled) return;
    this.finish();
    this.sink?.destroy();
    this.reject(error);
  }

  /** Aborts the exchange from our side (timeout, cancellation, size cap). */
  stop(error: AiFunctionsError): void {
    if (this.settled) return;
    this.finish();
    this.sink?.destroy();
    this.stopReason = error;
    this.controller?.abort(error);
    this.reject(error);
  }

  deliver(): void {
    this.resolve(this.reply!);
  }

  private finish(): void {
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.onAbort) this.signal!.removeEventListener('abort', this.onAbort);
  }
}

/** A reply that could not be written to its file (HttpRequest.saveTo): the disk, not the platform. */
function saveFailed(platform: PlatformId, e: Error): AiFunctionsError {
  const code = errorCode(e) ?? e.message;
  return new AiFunctionsError('invalidResponse', `Could not save the ${platformName(platform)} download to a file: ${code}.`, { platform, cause: e });
}

function deliverAfterSocketRelease(exchange: Exchange): void {
  setImmediate(deliver, exchange);
}

function deliver(exchange: Exchange): void {
  exchange.deliver();
}

function onTotalTimeout(exchange: Exchange, platform: PlatformId, ms: number): void {
  exchange.stop(timeoutError(platform, ms, 'total'));
}

function errorCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; errors?: Array<{ code?: unknown }>; cause?: { code?: unknown } };
  const code = err?.code ?? err?.errors?.[0]?.code ?? err?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  for (const key in headers) {
    const v = headers[key];
    if (Array.isArray(v)) headers[key] = v.join(', ');
  }
  return headers as Record<string, string>;
}

function appendQuery(url: string, query: HttpRequest['query']): string {
  let qs = '';
  for (const key in query) {
    const v = query[key];
    if (v === undefined) continue;
    qs += `${qs ? '&' : ''}${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`;
  }
  if (!qs) return url;
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  return `${base}${base.includes('?') ? '&' : '?'}${qs}`;
}

/**
 * Header and form values that must never appear in a message. A header is taken word by word:
 * the whole value would add its scheme ("Bearer e…") to what is redacted as the start of a secret.
 */
function secretsOf(req: HttpRequest): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    if (/authorization|key|token|secret|cookie/i.test(name)) out.push(...value.split(/\s+/));
  }
  for (const [name, value] of Object.entries(req.form ?? {})) {
    // client_id too: half of Nyckel's credential pair (this also covers the failure's log line).
    if (/secret|password|key|token|client_?id/i.test(name)) out.push(value);
  }
  return out;
}

export class HttpClient {
  private readonly logger: Logger;
  private readonly maxResponseBytes: number;
  private readonly maxSends: number;
  private readonly maxRetryAfterMs: number;
  private readonly baseBackoffMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private pools = new Map<string, Pool>();
  /**
   * Loaded with the first request a proxy is configured for: one agent per proxy, each with a
   * pool per origin. (`declare`: no field until then.)
   */
  private declare proxies: ProxyAgents | undefined;
  /** Whether the environment names a proxy, read at the first request. (`declare`: no field until then.) */
  private declare envProxy: boolean | undefined;
  private poolConnectMs = -1;
  private closed = false;
  /**
   * Tests only: send loopback requests through a configured proxy too (the emulators are on
   * loopback). Loopback is never proxied otherwise; no setting reaches this.
   */
  proxyLoopback = false;

  constructor(private readonly options: HttpClientOptions) {
    this.logger = options.logger;
    this.maxResponseBytes = options.maxResponseBytes ?? 10 * MiB;
    this.maxSends = Math.min(MAX_SENDS, (options.maxRetries ?? MAX_SENDS - 1) + 1);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.baseBackoffMs = options.baseBackoffMs ?? 250;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /**
   * Loads undici now, if it is not loaded yet, instead of at the first request: for a caller about
   * to make one that is waiting for something else meanwhile (see platforms/adapterLoader.ts).
   */
  loadUndici(): void {
    // require, not import(): the bundle loads undici from its own file (dist/undici.js, Pool
    // only), and a dynamic import of a CommonJS bundle would only expose `default`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
    undiciModule ??= require('undici') as Undici;
  }

  /**
   * Sends a request, and sends it again as its policy allows, at most MAX_SENDS times in all.
   * Throws AiFunctionsError for non-2xx and every failure.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const { platform, method, signal } = req;
    if (signal?.aborted || this.closed) throw cancelledError(platform);
    this.loadUndici();
    if (signal?.aborted) throw cancelledError(platform);

    let url: URL;
    try {
      url = new URL(req.query ? appendQuery(req.url, req.query) : req.url);
    } catch {
      const setting = req.setting ?? addressSetting(platform);
      throw configurationError(`The ${platformName(platform)} address is not a valid URL. Check the ${setting} setting.`, platform);
    }
    const origin = url.origin;
    const path = url.pathname + url.search;
    const policy: RetryPolicy = req.retry ?? (method === 'POST' ? 'notProcessed' : 'idempotent');
    const context: ErrorContext = { subject: req.subject, setting: req.setting, credentials: req.credentials };
    const route = this.route(url);

    let body: string | undefined;
    let headers = req.headers;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers = { ...headers, 'content-type': 'application/json' };
    } else if (req.form) {
      body = new URLSearchParams(req.form).toString();
      headers = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };
    }
    const cap = req.maxResponseBytes ?? this.maxResponseBytes;
    const started = this.now();
    /** The request as last sent: its headers name the secrets to keep out of messages. */
    let sent = req;
    let renewed = false;

    for (let attempt = 1; ; attempt++) {
      const timeouts = this.options.timeouts();
      let attemptStart = this.now();
      let reply: RawReply | undefined;
      let error: AiFunctionsError | undefined;
      const sendOnce = (): Promise<RawReply> => {
        // The limiter may have held the send back while the user cancelled or the client closed.
        if (signal?.aborted || this.closed) return Promise.reject(cancelledError(platform));
        attemptStart = this.now();
        const dispatcher = route ? this.proxies!.agent(route, timeouts.connectMs) : this.pool(origin, timeouts.connectMs);
        return this.send(dispatcher, platform, cap, timeouts.totalMs, signal, {
          origin,
          path,
          method,
          // A proxy agent adds a Host header to the headers it is given: it gets a copy.
          headers: route ? { ...headers } : headers,
          body,
          headersTimeout: timeouts.firstByteMs,
          bodyTimeout: timeouts.firstByteMs,
        }, req.saveTo);
      };
      try {
        reply = await (req.limiter ? req.limiter.run(sendOnce, signal, { first: req.urgent }) : sendOnce());
      } catch (e) {
        const direct = () => this.toError(e, platform, origin, timeouts, context);
        error = route ? this.proxies!.error(e, platform, origin, route, timeouts.connectMs, direct) : direct();
        this.logger.debug(`${method} ${url.pathname} ${errorCode(e) ?? error.kind} ${this.now() - attemptStart}ms attempt=${attempt}`);
      }

      if (reply) {
        const { status } = reply;
        this.logger.debug(`${method} ${url.pathname} ${status} ${this.now() - attemptStart}ms attempt=${attempt}`);
        if (status >= 200 && status < 300) {
          try {
            return {
              status,
              headers: flattenHeaders(reply.headers),
              body: req.saveTo === undefined ? decode(platform, reply.bytes, req.responseType, status, () => secretsOf(sent)) : undefined,
              durationMs: this.now() - started,
              attempts: attempt,
            };
          } catch (e) {
            throw this.fail(sent, url.pathname, e as AiFunctionsError);
          }
        }
        context.now = this.now();
        context.secrets ??= secretsOf(sent);
        error = errorFromResponse(platform, status, decodeLoose(reply.bytes), reply.headers, context);
        if (status === 401 && req.renewAuthorization && !renewed && attempt < this.maxSends) {
          renewed = true;
          const fresh = await req.renewAuthorization();
          headers = { ...headers, ...fresh };
          sent = { ...req, headers: { ...req.headers, ...fresh } };
          context.secrets = undefined;
          continue;
        }
      }

      const waitMs = attempt < this.maxSends ? this.resendWait(error!, policy, attempt, req.retryStatuses) : undefined;
      if (waitMs === undefined) throw this.fail(sent, url.pathname, error!);
      if (req.limiter && error!.kind === 'rateLimited') {
        // The limiter does the waiting, for every send to the platform; this one queues again.
        req.limiter.holdOff(waitMs);
      } else {
        try {
          await this.sleep(waitMs, signal);
        } catch {
          throw cancelledError(platform);
        }
      }
      if (signal?.aborted || this.closed) throw cancelledError(platform);
    }
  }

  /** Destroys every pooled connection; later requests fail as cancelled. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all([...pools.map((p) => p.destroy()), this.proxies?.closeAll(true)]);
  }

  /**
   * The proxy for this request, if any. The settings are read each time, so changes apply at
   * once; core/proxyAgents.ts (and undici's ProxyAgent) load only when a proxy is configured.
   */
  private route(url: URL): ProxyRoute | undefined {
    const settings = this.options.proxy?.();
    const env = process.env;
    // Asked by every request, so cheap: is any proxy configured at all? (The environment's
    // variables are read once, at the first request: reading four costs about 2 µs.)
    if (!proxyConfigured(settings, () => (this.envProxy ??= hasEnvProxy(env)))) return undefined;
    // require, not import(): see undici above. The bundle loads it from dist/undici-proxy.js.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a proxy is configured, on purpose
    this.proxies ??= new (require('./proxyAgents') as typeof import('./proxyAgents')).ProxyAgents(this.logger, AiFunctionsError, POOL_OPTIONS);
    return this.proxies.route(url, settings, env, this.proxyLoopback);
  }

  private pool(origin: string, connectMs: number): Pool {
    if (connectMs !== this.poolConnectMs) {
      // The connect timeout is a pool option: start fresh pools, let the old ones finish.
      for (const old of this.pools.values()) void old.close().catch(() => undefined);
      this.pools.clear();
      this.poolConnectMs = connectMs;
    }
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new undiciModule!.Pool(origin, { ...POOL_OPTIONS, connectTimeout: connectMs });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  private send(
    dispatcher: Dispatcher,
    platform: PlatformId,
    cap: number,
    totalMs: number,
    signal: AbortSignal | undefined,
    options: Dispatcher.DispatchOptions,
    saveTo?: string,
  ): Promise<RawReply> {
    return new Promise<RawReply>((resolve, reject) => {
      const exchange = new Exchange(platform, cap, resolve, reject, saveTo);
      if (totalMs > 0 && totalMs < 2 ** 31) exchange.timer = setTimeout(onTotalTimeout, totalMs, exchange, platform, totalMs);
      if (signal) exchange.listen(signal);
      dispatcher.dispatch(options, exchange);
    });
  }

  /** The final error: secrets removed, logged once. */
  private fail(req: HttpRequest, pathname: string, error: AiFunctionsError): AiFunctionsError {
    redactSecrets(error, secretsOf(req));
    if (error.kind !== 'cancelled') this.logger.warn(`${req.method} ${pathname} failed: ${error.message}`);
    return error;
  }

  /** How long to wait before sending again after `error`, or undefined when it must not be sent again. */
  private resendWait(error: AiFunctionsError, policy: RetryPolicy, attempt: number, alsoStatuses?: readonly number[]): number | undefined {
    if (!mayResend(error, policy, alsoStatuses)) return undefined;
    const waitMs = error.retryAfterMs ?? this.backoff(attempt);
    return waitMs > this.maxRetryAfterMs ? undefined : waitMs;
  }

  private backoff(attempt: number): number {
    return Math.floor(this.random() * Math.min(MAX_BACKOFF_MS, this.baseBackoffMs * 2 ** (attempt - 1)));
  }

  private toError(e: unknown, platform: PlatformId, origin: string, t: HttpTimeouts, context: ErrorContext): AiFunctionsError {
    if (isAiFunctionsError(e)) return e;
    const code = errorCode(e) ?? 'unknown error';
    switch (code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return timeoutError(platform, t.connectMs, 'connect', e);
      case 'UND_ERR_HEADERS_TIMEOUT':
        return timeoutError(platform, t.firstByteMs, 'firstByte', e);
      case 'UND_ERR_BODY_TIMEOUT':
        return timeoutError(platform, t.firstByteMs, 'body', e);
      case 'UND_ERR_ABORTED':
      case 'UND_ERR_CLOSED':
      case 'UND_ERR_DESTROYED':
        return cancelledError(platform);
      case 'UND_ERR_INVALID_ARG':
      case 'UND_ERR_NOT_SUPPORTED': {
        // undici names the bad header, never its value.
        const detail = (e as Error).message.replace(/[.\s]+$/, '');
        return new AiFunctionsError('configuration', `The request to ${platformName(platform)} could not be sent: ${detail}.`, {
          platform,
          cause: e,
        });
      }
      default:
        return networkError(platform, origin, code, context, e);
    }
  }
}

/** A 2xx body: JSON (undefined when empty) or text. */
function decode(
  platform: PlatformId,
  bytes: Buffer,
  type: HttpRequest['responseType'],
  status: number,
  secrets: () => readonly string[],
): unknown {
  if (type === 'text') return bytes.toString('utf8');
  if (bytes.length === 0) return undefined;
  const text = utf8(bytes);
  if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) throw responseTooDeep(platform, MAX_JSON_DEPTH, status);
  try {
    return JSON.parse(text);
  } catch {
    throw responseNotJson(platform, text, status, secrets());
  }
}

/** An error body: JSON if it parses, else text. */
function decodeLoose(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  const text = utf8(bytes);
  // Too deep to be a real error body; the status alone makes the message.
  if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether JSON text opens more than `maxDepth` arrays and objects inside one another. One pass
 * without recursion, so any depth is measured without touching the stack; brackets inside
 * strings do not count. Text that is not JSON gets an answer too, which JSON.parse then refuses.
 */
export function jsonNestedDeeperThan(text: string, maxDepth: number): boolean {
  if (text.length <= maxDepth) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** UTF-8 text without a byte-order mark. */
function utf8(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
