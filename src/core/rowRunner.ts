// Runs one task per row of an array with at most `concurrency` in flight, once each (retries are
// the HttpClient's, per request), reports progress with an estimate of the time left, and stops on
// an AbortSignal. The outcomes come back indexed by row: every row has exactly one, also when
// cancelled midway (rows not run are `cancelled`, "not run: cancelled"). The rows are sent by
// runStream (rowFiles/stream.ts), so that a selection and a file are run by the same engine.
import { cancelled, isCancelledOutcome, NOT_RUN_MESSAGE, type RowOutcome, type RowTask } from './rowOutcome';
import { runStream } from './rowFiles/stream';

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

/** Time left at the pace so far: undefined before the first row finished, 0 when all are. */
export function estimateRemainingMs(done: number, total: number, elapsedMs: number): number | undefined {
  if (done >= total) return 0;
  if (done <= 0 || elapsedMs <= 0) return undefined;
  return Math.round(((total - done) * elapsedMs) / done);
}

/**
 * Runs `task` once per input; resolves with one outcome per input, in input order. A row is never
 * run twice: the task's requests are sent again only inside the HttpClient, which alone decides
 * what may be retried and sends a request at most MAX_SENDS times (core/http.ts).
 */
export async function runRows<I, O>(inputs: readonly I[], task: RowTask<I, O>, options: RunRowsOptions): Promise<RowOutcome<O>[]> {
  const total = inputs.length;
  const now = options.now ?? (() => performance.now());
  const outcomes = new Array<RowOutcome<O> | undefined>(total);

  const started = now();
  let done = 0;
  let failed = 0;
  // Counted around the task, not by runStream: a finished row is out of the count when its
  // outcome is reported.
  let inFlight = 0;

  const report = (): void => {
    if (!options.onProgress) return;
    const elapsedMs = now() - started;
    options.onProgress({ done, failed, total, inFlight, elapsedMs, etaMs: estimateRemainingMs(done, total, elapsedMs) });
  };

  const counted: RowTask<I, O> = async (input, index, signal) => {
    inFlight++;
    try {
      return await task(input, index, signal);
    } finally {
      inFlight--;
    }
  };

  report();
  await runStream(inputs, counted, {
    concurrency: options.concurrency,
    signal: options.signal,
    onOutcome: (index, _input, outcome) => {
      outcomes[index] = outcome;
      if (!isCancelledOutcome(outcome)) {
        done++;
        if (!outcome.ok) failed++;
      }
      report();
    },
  });
  for (let i = 0; i < total; i++) outcomes[i] ??= cancelled(NOT_RUN_MESSAGE, 0);
  return outcomes as RowOutcome<O>[];
}
