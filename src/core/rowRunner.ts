// Runs one task per row with at most `concurrency` in flight (and through an optional limiter),
// retries a row only when that cannot run it twice, reports progress with an estimate of the time
// left, and stops on an AbortSignal. The outcomes come back indexed by row: every row has exactly
// one, also when cancelled midway (rows not run are `cancelled`, "not run: cancelled").
import { setMaxListeners } from 'node:events';
import { isAiFunctionsError, type ErrorKind } from './errors';

export interface RowError {
  /** An AiFunctionsError kind, or 'error' for anything else. */
  kind: ErrorKind | 'error';
  message: string;
}

export type RowOutcome<T> = { ok: true; value: T; attempts: number } | { ok: false; error: RowError; attempts: number };

export interface RowProgress {
  /** Rows finished with an answer or an error (cancelled rows are not counted). */
  done: number;
  /** Of `done`, those that failed. */
  failed: number;
  total: number;
  inFlight: number;
  elapsedMs: number;
  /** Time left at the pace so far; undefined until a row has finished. */
  etaMs?: number;
}

export interface RowLimiter {
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export interface RowRetryOptions {
  /**
   * The platform's call may be sent again without harm (Nyckel's invoke): lost connections and
   * 502/503/504 are retried too. Otherwise only failures that prove the request was not processed.
   */
  idempotent?: boolean;
  /** Attempts per row, the first included. Default 3. */
  maxAttempts?: number;
  /** Backoff base when the platform names no wait. Default 1000 ms (doubling, with jitter). */
  baseBackoffMs?: number;
  /** Default 15 s. */
  maxBackoffMs?: number;
  /** A longer Retry-After is not waited for: the row fails (it can be re-run later). Default 60 s. */
  maxRetryAfterMs?: number;
}

export interface RunRowsOptions {
  /** Rows in flight at once (at least 1). */
  concurrency: number;
  /** Every attempt goes through it (it may hold an attempt back; cancelling frees it). */
  limiter?: RowLimiter;
  retry?: RowRetryOptions;
  signal?: AbortSignal;
  /** After every finished row, and once at the start. */
  onProgress?: (progress: RowProgress) => void;
  /** Monotonic clock in ms. Default `performance.now()`. */
  now?: () => number;
  /** Rejects when `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

export type RowTask<I, O> = (input: I, index: number, signal: AbortSignal) => Promise<O>;

export const NOT_RUN_MESSAGE = 'not run: cancelled';
export const INTERRUPTED_MESSAGE = 'cancelled while running: the platform may or may not have processed it';

/**
 * Failures before a connection existed: nothing was sent. The same set as core/http.ts's
 * NOT_CONNECTED; the code is on the error's cause (the socket error).
 */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
const IDEMPOTENT_STATUSES = new Set([502, 503, 504]);

function causeCode(error: Error): string | undefined {
  let e: unknown = (error as { cause?: unknown }).cause;
  for (let depth = 0; depth < 3 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Whether a failed row may be sent again: only when the failure proves the platform did not
 * process it (429 'rateLimited'; 503 with Retry-After; a network error before any connection), or
 * when the call is idempotent (then also lost connections and 502/503/504). Never timeouts,
 * refusals, or anything else: the platform may have run it.
 */
export function mayRetryRow(error: unknown, idempotent = false): boolean {
  if (!isAiFunctionsError(error)) return false;
  switch (error.kind) {
    case 'rateLimited':
      return true;
    case 'server':
      return (error.status === 503 && error.retryAfterMs !== undefined) || (idempotent && IDEMPOTENT_STATUSES.has(error.status ?? 0));
    case 'network': {
      const code = causeCode(error);
      return (code !== undefined && NEVER_CONNECTED.has(code)) || idempotent;
    }
    default:
      return false;
  }
}

/** How long to wait before attempt `attempt + 1`, or undefined when the row must not be retried. */
export function rowRetryDelay(error: unknown, attempt: number, options: RowRetryOptions = {}, random: () => number = Math.random): number | undefined {
  const maxAttempts = options.maxAttempts ?? 3;
  if (attempt >= maxAttempts || !mayRetryRow(error, options.idempotent)) return undefined;
  const retryAfter = isAiFunctionsError(error) ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined) return retryAfter > (options.maxRetryAfterMs ?? 60_000) ? undefined : retryAfter;
  const cap = Math.min(options.maxBackoffMs ?? 15_000, (options.baseBackoffMs ?? 1000) * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export function toRowError(error: unknown): RowError {
  if (isAiFunctionsError(error)) return { kind: error.kind, message: error.message };
  return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
}

/** Time left at the pace so far: undefined before the first row finished, 0 when all are. */
export function estimateRemainingMs(done: number, total: number, elapsedMs: number): number | undefined {
  if (done >= total) return 0;
  if (done <= 0 || elapsedMs <= 0) return undefined;
  return Math.round(((total - done) * elapsedMs) / done);
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const cancelled = <T>(message: string, attempts: number): RowOutcome<T> => ({ ok: false, error: { kind: 'cancelled', message }, attempts });

export function isCancelledOutcome(outcome: RowOutcome<unknown>): boolean {
  return !outcome.ok && outcome.error.kind === 'cancelled';
}

/** Runs `task` once per input (retries aside); resolves with one outcome per input, in input order. */
export async function runRows<I, O>(inputs: readonly I[], task: RowTask<I, O>, options: RunRowsOptions): Promise<RowOutcome<O>[]> {
  const total = inputs.length;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const retry = options.retry ?? {};
  const concurrency = Math.max(1, Math.floor(options.concurrency) || 1);
  const outcomes = new Array<RowOutcome<O> | undefined>(total);

  const controller = new AbortController();
  const signal = controller.signal;
  // Every row in flight (its request, its limiter wait, its retry wait) listens to this signal.
  setMaxListeners(10 + 4 * concurrency, signal);
  const stop = (): void => controller.abort();
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });

  const started = now();
  let next = 0;
  let done = 0;
  let failed = 0;
  let inFlight = 0;
  /** After a 429 no row starts before this time: the platform asked everyone to wait. */
  let pauseUntil = -Infinity;

  const report = (): void => {
    if (!options.onProgress) return;
    const elapsedMs = now() - started;
    options.onProgress({ done, failed, total, inFlight, elapsedMs, etaMs: estimateRemainingMs(done, total, elapsedMs) });
  };

  const attempt = (index: number, state: { sent: boolean }): Promise<O> => {
    const call = async (): Promise<O> => {
      if (signal.aborted) throw new Error('aborted');
      state.sent = true;
      inFlight++;
      try {
        return await task(inputs[index]!, index, signal);
      } finally {
        inFlight--;
      }
    };
    return options.limiter ? options.limiter.run(call, signal) : call();
  };

  const runOne = async (index: number): Promise<RowOutcome<O>> => {
    for (let attempts = 1; ; attempts++) {
      try {
        while (pauseUntil > now()) await sleep(pauseUntil - now(), signal);
      } catch {
        return cancelled(NOT_RUN_MESSAGE, attempts - 1);
      }
      const state = { sent: false };
      try {
        return { ok: true, value: await attempt(index, state), attempts };
      } catch (error) {
        if (signal.aborted) return state.sent ? cancelled(INTERRUPTED_MESSAGE, attempts) : cancelled(NOT_RUN_MESSAGE, attempts - 1);
        const delay = rowRetryDelay(error, attempts, retry, random);
        if (delay === undefined) return { ok: false, error: toRowError(error), attempts };
        if (isAiFunctionsError(error) && error.kind === 'rateLimited') pauseUntil = Math.max(pauseUntil, now() + delay);
        try {
          await sleep(delay, signal);
        } catch {
          return cancelled(NOT_RUN_MESSAGE, attempts);
        }
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (!signal.aborted && next < total) {
      const index = next++;
      const outcome = await runOne(index);
      outcomes[index] = outcome;
      if (!isCancelledOutcome(outcome)) {
        done++;
        if (!outcome.ok) failed++;
      }
      report();
    }
  };

  report();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
  for (let i = 0; i < total; i++) outcomes[i] ??= cancelled(NOT_RUN_MESSAGE, 0);
  return outcomes as RowOutcome<O>[];
}
