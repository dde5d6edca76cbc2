// From a parsed CSV or JSON Lines file to what Evaluate needs: the columns to choose the expected
// label from, the answer columns of an earlier results file (named by the issue 13 results-file
// contract: `label`, `confidence`, `error`, each prefixed `ai_` as often as it took to be unique),
// the rows to run (without the expected label: the function must not see the answer) and the
// EvalItems. Pure: no I/O, no vscode.
import type { RunInput, RunResult } from './model';
import type { EvalItem } from './metrics';
import type { ParsedRows, SourceRow } from './rows';

/** Column names preselected as the expected label, best first. */
const EXPECTED_NAMES = ['expected', 'gold', 'truth', 'label'];

/** JSON Lines rows read for field names (fields may differ per row). */
const FIELD_SCAN_ROWS = 1_000;

export interface AnswerColumns {
  label: string;
  confidence?: string;
  error?: string;
}

/** A row to run, or a row that is left out (and why). */
export interface LabelledRow {
  line: number;
  expected: string;
  /** What the function gets: the row without the expected column. */
  input: RunInput;
}

export interface RowSelection {
  rows: LabelledRow[];
  /** Rows whose expected label is empty or absent: not evaluated. */
  unlabelled: number;
  /** Lines that could not be read at all. */
  unreadable: number;
}

/** CSV: the header; JSON Lines: the fields of the first rows, in first-seen order. */
export function columnsOf(parsed: ParsedRows): string[] {
  if (parsed.columns) return [...parsed.columns];
  const seen = new Set<string>();
  for (const row of parsed.rows.slice(0, FIELD_SCAN_ROWS)) {
    if (row.input && typeof row.input === 'object') for (const key of Object.keys(row.input)) seen.add(key);
  }
  return [...seen];
}

/** The column most likely to hold the expected label (by name), if any. */
export function guessExpectedColumn(columns: readonly string[]): string | undefined {
  for (const name of EXPECTED_NAMES) {
    const found = columns.find((c) => c.trim().toLowerCase() === name);
    if (found !== undefined) return found;
  }
  return undefined;
}

const ANSWER = /^(?:ai_)*label$/;
const prefixOf = (name: string): number => /^(?:ai_)*/.exec(name)![0].length;

/**
 * The answer columns of a results file, when the file says which they are: the `label`-like
 * columns other than the expected one, the one with the longest `ai_` prefix (added last) when
 * there are several. `ambiguous` lists the candidates when more than one has that prefix length,
 * or when none has a prefix but the expected column is not the only label column (the caller asks).
 */
export function guessAnswerColumns(columns: readonly string[], expected: string): { answer?: AnswerColumns; candidates: string[] } {
  const candidates = columns.filter((c) => c !== expected && ANSWER.test(c));
  if (candidates.length === 0) return { candidates };
  const longest = Math.max(...candidates.map(prefixOf));
  const best = candidates.filter((c) => prefixOf(c) === longest);
  if (best.length > 1) return { candidates };
  return { answer: answerColumnsAt(columns, best[0]!), candidates };
}

/** The answer columns that start at `label`: the first `confidence` and `error` columns after it. */
export function answerColumnsAt(columns: readonly string[], label: string): AnswerColumns {
  const from = columns.indexOf(label);
  const after = from < 0 ? [] : columns.slice(from + 1);
  const confidence = after.find((c) => /^(?:ai_)*confidence$/.test(c));
  const error = after.find((c) => /^(?:ai_)*error$/.test(c));
  const out: AnswerColumns = { label };
  if (confidence !== undefined) out.confidence = confidence;
  if (error !== undefined) out.error = error;
  return out;
}

/** A field's value as label text: strings trimmed, numbers and booleans as written, others none. */
export function cellText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function fieldsOf(row: SourceRow): Record<string, unknown> | undefined {
  return row.input && typeof row.input === 'object' ? row.input : undefined;
}

/**
 * The rows to run: each labelled row without its expected column (and without `omit`, e.g. the
 * answer columns of an earlier run). A row left with a single field is sent as that field's text,
 * which is what a text function takes.
 */
export function selectRows(parsed: ParsedRows, expected: string, omit: readonly string[] = []): RowSelection {
  const rows: LabelledRow[] = [];
  const counts = labelledRows(parsed, expected, ({ line, label, fields }) => {
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) if (key !== expected && !omit.includes(key)) rest[key] = value;
    const keys = Object.keys(rest);
    const input: RunInput = keys.length === 1 && typeof rest[keys[0]!] === 'string' ? (rest[keys[0]!] as string) : rest;
    rows.push({ line, expected: label, input });
  });
  return { rows, ...counts };
}

/** EvalItems from an earlier results file: nothing is run. */
export function itemsFromResults(parsed: ParsedRows, expected: string, answer: AnswerColumns): { items: EvalItem[]; unlabelled: number; unreadable: number } {
  const items: EvalItem[] = [];
  const counts = labelledRows(parsed, expected, ({ line, label, fields }) => {
    const item: EvalItem = { line, expected: label };
    const error = answer.error === undefined ? undefined : cellText(fields[answer.error]);
    if (error !== undefined) item.error = error;
    const predicted = cellText(fields[answer.label]);
    if (predicted !== undefined && error === undefined) item.predicted = predicted;
    const confidence = answer.confidence === undefined ? undefined : confidenceOf(fields[answer.confidence]);
    if (confidence !== undefined && item.predicted !== undefined) item.confidence = confidence;
    items.push(item);
  });
  return { items, ...counts };
}

/** Hands each row with an expected label to `each`; counts the rows left out, and why. */
function labelledRows(
  parsed: ParsedRows,
  expected: string,
  each: (row: { line: number; label: string; fields: Record<string, unknown> }) => void,
): { unlabelled: number; unreadable: number } {
  let unlabelled = 0;
  let unreadable = 0;
  for (const row of parsed.rows) {
    const fields = fieldsOf(row);
    if (!fields) {
      unreadable += 1;
      continue;
    }
    const label = cellText(fields[expected]);
    if (label === undefined) unlabelled += 1;
    else each({ line: row.line, label, fields });
  }
  return { unlabelled, unreadable };
}

function confidenceOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The outcome of running one labelled row, as the row runner reports it. */
export type RowAnswer = { ok: true; value: RunResult } | { ok: false; error: { kind?: string; message: string } };

/**
 * An EvalItem from a run's answer: its label, or an error when it failed or gave no label. A row
 * cancelled before it was answered has neither (it counts as missing, not as the function's failure).
 */
export function itemFromAnswer(row: Pick<LabelledRow, 'line' | 'expected'>, answer: RowAnswer): EvalItem {
  const item: EvalItem = { line: row.line, expected: row.expected };
  if (!answer.ok) {
    if (answer.error.kind !== 'cancelled') item.error = answer.error.message;
    return item;
  }
  const label = cellText(answer.value.label) ?? (typeof answer.value.output === 'string' ? cellText(answer.value.output) : undefined);
  if (label === undefined) {
    item.error = 'The function answered without a label.';
    return item;
  }
  item.predicted = label;
  if (typeof answer.value.confidence === 'number' && Number.isFinite(answer.value.confidence)) item.confidence = answer.value.confidence;
  return item;
}
