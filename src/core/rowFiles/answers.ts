// A finished row's answer and the columns it fills in a results file. The columns are fixed once
// per run (from the first answer) so every line of the file has the same ones: `label`,
// `confidence`, `error` for a classification; one per output field then `error` for an
// extraction; `output`, `error` otherwise. A name taken by an input column gets `ai_` in front.
import type { RowError } from '../rowOutcome';
import type { CompactResult } from '../rowResults';

export const RESULTS_FORMATS = ['csv', 'jsonl', 'records'] as const;
/** csv and jsonl: the input's shape with answer columns added; records: `{line, output?, error?, input?, source?}` per row. */
export type ResultsFormat = (typeof RESULTS_FORMATS)[number];

export const RESULTS_FORMAT_NAMES: Record<ResultsFormat, string> = { csv: 'CSV', jsonl: 'JSON Lines', records: 'JSON Lines records' };

/** What a finished row left: the function's result, or values read back from a results file, or an error. */
export interface Answer {
  result?: CompactResult;
  /** Answer values by field name, as an earlier results file holds them (Re-run Failed Rows keeps them). */
  values?: Record<string, unknown>;
  error?: RowError;
}

export type LayoutKind = 'classification' | 'fields' | 'output';

export interface AnswerLayout {
  kind: LayoutKind;
  /** The answer's fields (label, confidence; or the output's fields; or output), without error. */
  fields: string[];
  /** The column names: one per field, then the error column; unique against the input's names. */
  columns: string[];
}

export const ERROR_FIELD = 'error';

/** The first name of `name`, `ai_name`, `ai_ai_name`… that neither the input nor an earlier answer column uses. */
function unique(name: string, taken: Set<string>): string {
  let out = name;
  while (taken.has(out)) out = `ai_${out}`;
  taken.add(out);
  return out;
}

/** The layout a run takes from its first answer (`undefined`: no row succeeded). */
export function layoutFor(result: CompactResult | undefined, inputNames: readonly string[]): AnswerLayout {
  let kind: LayoutKind;
  let fields: string[];
  if (result?.kind === 'classification') {
    kind = 'classification';
    fields = ['label', 'confidence'];
  } else if (result && isPlainObject(result.output) && Object.keys(result.output).length > 0) {
    kind = 'fields';
    fields = Object.keys(result.output);
  } else {
    kind = 'output';
    fields = ['output'];
  }
  const taken = new Set(inputNames);
  const columns = [...fields, ERROR_FIELD].map((f) => unique(f, taken));
  return { kind, fields, columns };
}

/** The values of an answer, one per field of the layout, then the error message ('' when none). */
export function answerCells(answer: Answer, layout: AnswerLayout): unknown[] {
  const error = answer.error?.message ?? '';
  if (answer.values) return [...layout.fields.map((f) => answer.values![f]), error];
  const result = answer.result;
  if (!result) return [...layout.fields.map(() => undefined), error];
  switch (layout.kind) {
    case 'classification':
      return [result.label, result.confidence, error];
    case 'fields': {
      const output = isPlainObject(result.output) ? result.output : {};
      return [...layout.fields.map((f) => output[f]), error];
    }
    case 'output':
      return [result.output ?? result.label ?? result.summary, error];
  }
}

/** The answer as named values (the column names of the layout, error included). */
export function answerObject(answer: Answer, layout: AnswerLayout): Record<string, unknown> {
  const cells = answerCells(answer, layout);
  const out: Record<string, unknown> = {};
  layout.columns.forEach((name, k) => (out[name] = cells[k] ?? null));
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
