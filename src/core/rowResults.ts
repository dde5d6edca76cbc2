// The results of a many-rows run as records: one per source row, in source order, each with its
// line number, its input, and the function's output or the error (kind and message only, never a
// key or the platform's raw reply). Written as JSON Lines.
import type { RunInput, RunResult } from './model';
import type { RowError, RowOutcome } from './rowOutcome';
import type { SourceRow } from './rows';

/** A RunResult without what every row shares (platform, function) and without `raw`. */
export type CompactResult = Omit<RunResult, 'platform' | 'function' | 'raw' | 'predictions'> & {
  predictions?: RunResult['predictions'];
};

export interface RowRecord {
  line: number;
  /** What was (or will be) sent; absent when the line could not be read. */
  input?: RunInput;
  /** The line as written, only when it could not be read. */
  source?: string;
  output?: CompactResult;
  error?: RowError;
}

export function compactResult(result: RunResult): CompactResult {
  const compact: Partial<RunResult> = { ...result };
  delete compact.platform;
  delete compact.function;
  delete compact.raw;
  if (result.predictions.length === 0) delete compact.predictions;
  for (const key of Object.keys(compact) as (keyof RunResult)[]) if (compact[key] === undefined) delete compact[key];
  return compact as CompactResult;
}

/** The record of a row that could not be read (it is never sent). */
export function unreadableRecord(row: SourceRow): RowRecord {
  return { line: row.line, source: row.source, error: { kind: 'invalidInput', message: row.error ?? `Line ${row.line} could not be read.` } };
}

/** The answer comes before the input, so a results line shows its label without scrolling. */
export function recordFor(line: number, input: RunInput, outcome: RowOutcome<RunResult>): RowRecord {
  return outcome.ok ? { line, output: compactResult(outcome.value), input } : { line, error: outcome.error, input };
}

/** Records for rows whose input was read and that have an error: the ones worth running again. */
export function failedIndexes(records: readonly RowRecord[]): number[] {
  const out: number[] = [];
  records.forEach((record, i) => {
    if (record.error && record.input !== undefined) out.push(i);
  });
  return out;
}

export interface RecordCounts {
  total: number;
  succeeded: number;
  failed: number;
  /** Not run, or stopped while running, because the user cancelled. */
  cancelled: number;
  /** Lines that could not be read (never sent). */
  unreadable: number;
}

export function countRecords(records: readonly RowRecord[]): RecordCounts {
  const counts: RecordCounts = { total: records.length, succeeded: 0, failed: 0, cancelled: 0, unreadable: 0 };
  for (const record of records) {
    if (!record.error) counts.succeeded++;
    else if (record.input === undefined) counts.unreadable++;
    else if (record.error.kind === 'cancelled') counts.cancelled++;
    else counts.failed++;
  }
  return counts;
}

export function recordsToJsonLines(records: readonly RowRecord[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + (records.length > 0 ? '\n' : '');
}
