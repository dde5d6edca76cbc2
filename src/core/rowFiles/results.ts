// Reads a results file back, row by row, streaming: the answer of each row in the layout its
// manifest names. Re-run Failed Rows keeps the rows that succeeded; the Evaluation view reads
// labels and confidences from it.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RowError } from '../rowOutcome';
import type { CompactResult } from '../rowResults';
import { isPlainObject, type Answer } from './answers';
import type { RunManifest } from './manifest';
import { readSource } from './source';

export interface ResultRow {
  /** 0-based among the rows, as in the source. */
  index: number;
  /** The line of the results file the row starts on. */
  line: number;
  /** The row's input as the results file holds it (CSV: every column, answers included). */
  input?: unknown;
  answer: Answer;
  /** The row could not be read from the source (it was never sent). */
  unreadable: boolean;
}

/** The rows of the results file at `path` (default the manifest's), in order. */
export async function* readResults(manifest: RunManifest, path = manifest.results.path): AsyncGenerator<ResultRow> {
  if (manifest.results.format === 'records') {
    yield* readRecords(path);
    return;
  }
  const layout = manifest.layout;
  const fields = layout?.fields ?? [];
  const columns = layout?.columns ?? ['error'];
  const errorColumn = columns[columns.length - 1]!;
  const format = manifest.results.format === 'csv' ? 'csv' : 'jsonl';
  let index = 0;
  for await (const item of readSource(path, { format, delimiter: manifest.source.delimiter })) {
    if (item.type !== 'row') continue;
    const input = item.row.input;
    const object = isPlainObject(input) ? input : {};
    const values: Record<string, unknown> = {};
    fields.forEach((f, k) => (values[f] = object[columns[k]!]));
    const message = object[errorColumn];
    const error: RowError | undefined = typeof message === 'string' && message !== '' ? { kind: 'error', message } : undefined;
    const unreadable = input === undefined || (error !== undefined && fields.every((f) => values[f] === undefined || values[f] === '' || values[f] === null) && isUnreadMessage(message));
    yield { index: index++, line: item.row.line, input, answer: error ? { values, error } : { values }, unreadable };
  }
}

/** The messages core/rows.ts gives a line it cannot read all start with "Line N". */
function isUnreadMessage(message: unknown): boolean {
  return typeof message === 'string' && /^Line \d+ /.test(message);
}

async function* readRecords(path: string): AsyncGenerator<ResultRow> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    let index = 0;
    let line = 0;
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line++;
      if (!text.trim()) continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch {
        record = {};
      }
      const r = isPlainObject(record) ? record : {};
      // The kind is kept as written: it only says whether the row failed.
      const error = isPlainObject(r.error) && typeof r.error.message === 'string' ? ({ kind: String(r.error.kind ?? 'error'), message: r.error.message } as RowError) : undefined;
      const answer: Answer = error ? { error } : isPlainObject(r.output) ? { result: r.output as unknown as CompactResult } : {};
      yield { index: index++, line, input: r.input, answer, unreadable: r.input === undefined };
    }
  } finally {
    stream.destroy();
  }
}
