// What a row run hands back for each row, shared by the streaming engine (rowFiles/stream.ts),
// the in-memory runner over it (rowRunner.ts) and the code that shows or records outcomes.
import { isAiFunctionsError, type ErrorKind, messageOf } from './errors';

export interface RowError {
  /** An AiFunctionsError kind, or 'error' for anything else. */
  kind: ErrorKind | 'error';
  message: string;
}

/** `attempts`: 1 when the row's task ran, 0 when it never started (each request in it is sent up to MAX_SENDS times). */
export type RowOutcome<T> = { ok: true; value: T; attempts: number } | { ok: false; error: RowError; attempts: number };

export type RowTask<I, O> = (input: I, index: number, signal: AbortSignal) => Promise<O>;

export const NOT_RUN_MESSAGE = 'not run: cancelled';
export const INTERRUPTED_MESSAGE = 'cancelled while running: the platform may or may not have processed it';

export function toRowError(error: unknown): RowError {
  if (isAiFunctionsError(error)) return { kind: error.kind, message: error.message };
  return { kind: 'error', message: messageOf(error) };
}

export const cancelled = <T>(message: string, attempts: number): RowOutcome<T> => ({ ok: false, error: { kind: 'cancelled', message }, attempts });

export function isCancelledOutcome(outcome: RowOutcome<unknown>): boolean {
  return !outcome.ok && outcome.error.kind === 'cancelled';
}
