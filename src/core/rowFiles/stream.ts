// Runs a task for each input of a (possibly endless, possibly async) sequence, at most
// `concurrency` at once, pulling the next input only when there is room: memory holds the rows in
// flight, never the sequence. Each outcome is handed over as soon as the row finishes. The one
// engine that sends rows: file runs, the public API's runRows and the in-memory runRows
// (rowRunner.ts) all go through it.
import { setMaxListeners } from 'node:events';
import { cancelled, INTERRUPTED_MESSAGE, toRowError, type RowOutcome, type RowTask } from '../rowOutcome';

export interface StreamOptions<I, O> {
  concurrency: number;
  /** Stops pulling inputs; rows in flight finish and are handed over. */
  stop?: AbortSignal;
  /** Aborts rows in flight as well (their outcome is `cancelled`). */
  signal?: AbortSignal;
  /** Whether another input may be dispatched (a full reorder buffer says no); asked again after each finished row. */
  room?: () => boolean;
  onOutcome: (index: number, input: I, outcome: RowOutcome<O>) => void;
}

export interface StreamSummary {
  /** Inputs dispatched. */
  dispatched: number;
  /** Whether it ended before the inputs did (stopped, aborted, or no room with nothing in flight). */
  stoppedEarly: boolean;
}

export async function runStream<I, O>(inputs: Iterable<I> | AsyncIterable<I>, task: RowTask<I, O>, options: StreamOptions<I, O>): Promise<StreamSummary> {
  const concurrency = Math.max(1, Math.floor(options.concurrency) || 1);
  // Ours, not the caller's, so that many rows may listen to it: it aborts with the caller's.
  const signal = AbortSignal.any(options.signal ? [options.signal] : []);
  // Every row in flight (its requests, its limiter and retry waits) listens to this signal.
  setMaxListeners(10 + 4 * concurrency, signal);
  const iterator: Iterator<I> | AsyncIterator<I> = Symbol.asyncIterator in inputs ? inputs[Symbol.asyncIterator]() : inputs[Symbol.iterator]();
  const halted = (): boolean => signal.aborted || options.stop?.aborted === true;

  let inFlight = 0;
  let dispatched = 0;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const settled = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));
  const onStop = (): void => wake?.();
  options.stop?.addEventListener('abort', onStop);
  signal.addEventListener('abort', onStop);

  const runOne = async (index: number, input: I): Promise<void> => {
    let outcome: RowOutcome<O>;
    try {
      outcome = { ok: true, value: await task(input, index, signal), attempts: 1 };
    } catch (error) {
      outcome = signal.aborted ? cancelled(INTERRUPTED_MESSAGE, 1) : { ok: false, error: toRowError(error), attempts: 1 };
    }
    try {
      options.onOutcome(index, input, outcome);
    } catch (error) {
      // Recording failed (a full disk): nothing more is sent, and the caller hears why.
      failure ??= { error };
    } finally {
      inFlight--;
      wake?.();
    }
  };

  let stoppedEarly = false;
  let ahead: Promise<IteratorResult<I>> | undefined;
  try {
    for (;;) {
      if (halted() || failure) {
        stoppedEarly = true;
        break;
      }
      if (inFlight >= concurrency || !(options.room?.() ?? true)) {
        if (inFlight === 0) {
          stoppedEarly = true;
          break;
        }
        await settled();
        continue;
      }
      let next: IteratorResult<I>;
      try {
        next = await (ahead ?? iterator.next());
        ahead = undefined;
      } catch (error) {
        // The inputs failed (an unreadable file, a bad row): the rows in flight still finish.
        failure ??= { error };
        break;
      }
      if (next.done) break;
      if (halted()) {
        stoppedEarly = true;
        break;
      }
      inFlight++;
      void runOne(dispatched++, next.value);
      // One input is read ahead while the rows run, so a freed slot is filled at once (reading a
      // file's next chunk would otherwise leave it empty for a turn of the event loop).
      if (!halted() && (options.room?.() ?? true)) {
        ahead = Promise.resolve(iterator.next());
        ahead.catch(() => undefined);
      }
    }
    while (inFlight > 0) await settled();
  } finally {
    options.stop?.removeEventListener('abort', onStop);
    signal.removeEventListener('abort', onStop);
    if (stoppedEarly) await iterator.return?.();
  }
  if (failure) throw failure.error;
  return { dispatched, stoppedEarly };
}
