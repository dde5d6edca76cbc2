// Runs one task per row with at most `concurrency` in flight, once each (retries are the
// HttpClient's, per request), reports progress with an estimate of the time left, and stops on
// an AbortSignal. The outcomes come back indexed by row: every row has exactly one, also when
// cancelled midway (rows not run are `cancelled`, "not run: cancelled").
import { setMaxListeners } from 'node:events';
import { isAiFunctionsError, type ErrorKind, messageOf } from './errors';

export interface RowError {
  /** An AiFunctionsError kind, or 'error' for anything else. */
  kind: ErrorKind | 'error';
  message: string;
}

/** `attempts`: 1 when the row's task ran, 0 when it never started (each request in it is sent up to MAX_SENDS times). */
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

export interface RunRowsOptions {
  /** Rows in flight at once (at least 1). */
  concurrency: number;
  signal?: AbortSignal;
  /** After every finished row, and once at the start. */
  onProgress?: (progress: RowProgress) => void;
  /** Monotonic clock in ms. Default `performance.now()`. */
  now?: () => number;
}

export type RowTask<I, O> = (input: I, index: number, signal: AbortSignal) => Promise<O>;

export const NOT_RUN_MESSAGE = 'not run: cancelled';
export const INTERRUPTED_MESSAGE = 'cancelled while running: the platform may or may not have processed it';

export function toRowError(error: unknown): RowError {
  if (isAiFunctionsError(error)) return { kind: error.kind, message: error.message };
  return { kind: 'error', message: messageOf(error) };
}

/** Time left at the pace so far: undefined before the first row finished, 0 when all are. */
export function estimateRemainingMs(done: number, total: number, elapsedMs: number): number | undefined {
  if (done >= total) return 0;
  if (done <= 0 || elapsedMs <= 0) return undefined;
  return Math.round(((total - done) * elapsedMs) / done);
}

const cancelled = <T>(message: string, attempts: number): RowOutcome<T> => ({ ok: false, error: { kind: 'cancelled', message }, attempts });

export function isCancelledOutcome(outcome: RowOutcome<unknown>): boolean {
  return !outcome.ok && outcome.error.kind === 'cancelled';
}

/**
 * Runs `task` once per input; resolves with one outcome per input, in input order. A row is never
 * run twice: the task's requests are sent again only inside the HttpClient, which alone decides
 * what may be retried and sends a request at most MAX_SENDS times (core/http.ts).
 */
export async function runRows<I, O>(inputs: readonly I[], task: RowTask<I, O>, options: RunRowsOptions): Promise<RowOutcome<O>[]> {
  const total = inputs.length;
  const now = options.now ?? (() => performance.now());
  const concurrency = Math.max(1, Math.floor(options.concurrency) || 1);
  const outcomes = new Array<RowOutcome<O> | undefined>(total);

  // Ours, not the caller's, so that many rows may listen to it: it aborts with the caller's.
  const signal = AbortSignal.any(options.signal ? [options.signal] : []);
  // Every row in flight (its requests, its limiter and retry waits) listens to this signal.
  setMaxListeners(10 + 4 * concurrency, signal);

  const started = now();
  let next = 0;
  let done = 0;
  let failed = 0;
  let inFlight = 0;

  const report = (): void => {
    if (!options.onProgress) return;
    const elapsedMs = now() - started;
    options.onProgress({ done, failed, total, inFlight, elapsedMs, etaMs: estimateRemainingMs(done, total, elapsedMs) });
  };

  const runOne = async (index: number): Promise<RowOutcome<O>> => {
    inFlight++;
    try {
      return { ok: true, value: await task(inputs[index]!, index, signal), attempts: 1 };
    } catch (error) {
      if (signal.aborted) return cancelled(INTERRUPTED_MESSAGE, 1);
      return { ok: false, error: toRowError(error), attempts: 1 };
    } finally {
      inFlight--;
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
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  for (let i = 0; i < total; i++) outcomes[i] ??= cancelled(NOT_RUN_MESSAGE, 0);
  return outcomes as RowOutcome<O>[];
}
