// Waits for an Inferable run by polling `GET /runs/{r}` (the platform has no push channel a
// VS Code extension can use): the interval backs off from `pollIntervalMs` by ×1.5 up to
// `maxPollIntervalMs`, the whole wait is bounded, and an AbortSignal stops it at once.
import { setTimeout as delay } from 'node:timers/promises';
import { AiFunctionsError, cancelledError, formatSeconds, isAiFunctionsError } from '../../core/errors';
import type { Logger } from '../../core/log';
import type { InferableRun } from './mapping';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface WaitOptions {
  signal?: AbortSignal;
  /** The longest the whole wait may take. */
  timeoutMs: number;
  /** Called with the run each time its status changes (and with the first reply). */
  onStatus?: (run: InferableRun) => void;
}

export interface PollTiming {
  firstIntervalMs: number;
  maxIntervalMs: number;
  now: () => number;
  sleep: Sleep;
  logger: Logger;
}

const BACKOFF_FACTOR = 1.5;

/** Statuses after which the run is still being worked on, so the wait goes on. */
const IN_PROGRESS = new Set<string | null>([null, 'pending', 'running']);

/** The wait ends on `done`, `failed`, `paused` (it needs an answer) and any status not documented. */
export function stopsWaiting(status: string | null): boolean {
  return !IN_PROGRESS.has(status);
}

export function nextInterval(current: number, max: number): number {
  return Math.min(Math.round(current * BACKOFF_FACTOR), max);
}

export const realSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal });

function stillGoing(run: InferableRun | undefined, runId: string, timeoutMs: number): AiFunctionsError {
  const state = run?.status ? `still ${run.status}` : 'not finished';
  return new AiFunctionsError(
    'timeout',
    `Inferable run ${runId} is ${state} after ${formatSeconds(timeoutMs)}. It keeps going on the platform; open it later from the Jobs view to see its result.`,
    { platform: 'inferable' },
  );
}

/**
 * Polls `getRun` until the run stops waiting or `timeoutMs` passes. Cancelling only stops the
 * wait: the run itself is left alone on the platform.
 */
export async function waitForRun(
  runId: string,
  getRun: (signal: AbortSignal) => Promise<InferableRun>,
  options: WaitOptions,
  timing: PollTiming,
): Promise<InferableRun> {
  const { signal, timeoutMs, onStatus } = options;
  const { now, sleep, logger } = timing;
  if (signal?.aborted) throw cancelledError('inferable');

  // One signal for the caller's cancellation and the deadline, so a request or a sleep in
  // progress ends the moment either happens.
  const deadline = AbortSignal.timeout(timeoutMs);
  const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;

  const started = now();
  let interval = timing.firstIntervalMs;
  let last: InferableRun | undefined;
  try {
    for (;;) {
      const run = await getRun(stop);
      if (run.status !== last?.status) onStatus?.(run);
      last = run;
      if (stopsWaiting(run.status)) return run;

      const left = timeoutMs - (now() - started);
      if (left <= 0) throw stillGoing(run, runId, timeoutMs);
      const wait = Math.min(interval, left);
      logger.debug(`Inferable run ${runId} is ${run.status ?? 'not started'}; next check in ${wait} ms`);
      await sleep(wait, stop);
      if (stop.aborted) throw cancelledError('inferable');
      interval = nextInterval(interval, timing.maxIntervalMs);
    }
  } catch (e) {
    if (signal?.aborted) throw cancelledError('inferable');
    if (deadline.aborted && (!isAiFunctionsError(e) || e.kind === 'cancelled')) throw stillGoing(last, runId, timeoutMs);
    throw e;
  }
}
