// Turns source items and their answers into the text of a results file, in one of three formats.
// CSV from CSV and JSON Lines from JSON Lines keep line alignment: results line N holds what is on
// source line N (the record copied verbatim, the answer columns appended; blank lines stay blank).
import type { CsvDelimiter, RowFormat } from '../rows';
import { unreadableRecord, compactResult, type RowRecord } from '../rowResults';
import type { RunResult } from '../model';
import { answerCells, answerObject, isPlainObject, type Answer, type AnswerLayout, type ResultsFormat } from './answers';
import type { SourceItem } from './source';

export interface WriterShape {
  source: RowFormat;
  results: ResultsFormat;
  delimiter: CsvDelimiter;
}

/** Which results formats an input format can give. */
export function resultsFormatsFor(source: RowFormat): ResultsFormat[] {
  return source === 'jsonl' ? ['jsonl', 'records'] : ['csv', 'jsonl', 'records'];
}

/** The results format in the input's shape. */
export function defaultResultsFormat(source: RowFormat): ResultsFormat {
  return source === 'jsonl' ? 'jsonl' : source === 'csv' ? 'csv' : 'jsonl';
}

/** The file name extension of a results format. */
export function resultsExtension(shape: Pick<WriterShape, 'results' | 'delimiter'>): string {
  if (shape.results !== 'csv') return 'jsonl';
  return shape.delimiter === '\t' ? 'tsv' : 'csv';
}

/**
 * One CSV field. Quoted when it holds the separator, a quote or a line break. Text that a
 * spreadsheet would run as a formula (= + - @ first, not a number) gets a leading `'`: the
 * values come from a platform, and a results file is made to be opened in one.
 */
export function csvCell(value: unknown, delimiter: CsvDelimiter): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  if (typeof value === 'string' && /^[=+\-@]/.test(text) && !/^[+-]?\d/.test(text)) text = `'${text}`;
  if (text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r')) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/**
 * The input names the answer columns must not collide with: the CSV header, the first JSON
 * object's fields, or `text` for text lines.
 */
export function inputNamesOf(item: SourceItem | undefined, source: RowFormat): string[] {
  if (item?.type === 'header') return item.columns;
  if (source === 'text') return ['text'];
  if (item?.type === 'row' && isPlainObject(item.row.input)) return Object.keys(item.row.input);
  return [];
}

export class ResultsWriter {
  constructor(
    private readonly shape: WriterShape,
    private readonly layout: AnswerLayout,
  ) {}

  /** What starts the file before any item: the header of CSV made from text or JSON Lines. */
  preamble(): string {
    const { shape } = this;
    if (shape.results !== 'csv' || shape.source === 'csv') return '';
    return [csvCell('text', shape.delimiter), ...this.layout.columns.map((c) => csvCell(c, shape.delimiter))].join(shape.delimiter) + '\n';
  }

  /** The text an item becomes (it may be ''). A row takes its answer. */
  item(item: SourceItem, answer?: Answer): string {
    const { shape } = this;
    switch (item.type) {
      case 'problem':
        return '';
      case 'header':
        if (shape.results !== 'csv') return '';
        return (item.bom ? '\ufeff' : '') + item.raw.replace(/^\ufeff/, '') + this.joinCells(this.layout.columns) + item.eol;
      case 'blank':
        return this.aligned() ? item.raw + item.eol : '';
      case 'row':
        return this.row(item, answer ?? {});
    }
  }

  /** Whether results lines match source lines one to one. */
  private aligned(): boolean {
    return (this.shape.results === 'csv' && this.shape.source === 'csv') || (this.shape.results === 'jsonl' && this.shape.source === 'jsonl');
  }

  private joinCells(values: readonly unknown[]): string {
    const d = this.shape.delimiter;
    return values.map((v) => d + csvCell(v, d)).join('');
  }

  private row(item: Extract<SourceItem, { type: 'row' }>, answer: Answer): string {
    const { shape, layout } = this;
    const { row } = item;
    const readError: Answer = row.input === undefined ? { error: unreadableRecord(row).error } : answer;
    // A record over the length cap was not kept: its lines are kept, empty.
    const pad = item.lines > 1 && item.raw === '' ? (item.eol || '\n').repeat(item.lines - 1) : '';
    const eol = item.eol || '\n';
    switch (shape.results) {
      case 'records':
        return JSON.stringify(recordOf(item, answer)) + '\n';
      case 'jsonl': {
        const base = isPlainObject(row.input) ? row.input : row.input !== undefined ? { text: row.input } : {};
        const line = JSON.stringify({ ...base, ...answerObject(readError, layout), ...extraFields(readError, layout, base) });
        return shape.source === 'jsonl' ? line + eol : line + '\n';
      }
      case 'csv':
        if (shape.source === 'csv') return item.raw + this.joinCells(answerCells(readError, layout)) + pad + eol;
        return csvCell(typeof row.input === 'string' ? row.input : row.source, shape.delimiter) + this.joinCells(answerCells(readError, layout)) + '\n';
    }
  }
}

/** The `records` line of a row: today's JSON Lines record. */
export function recordOf(item: Extract<SourceItem, { type: 'row' }>, answer: Answer): RowRecord {
  const { row } = item;
  if (row.input === undefined) return unreadableRecord(row);
  if (answer.error) return { line: row.line, error: answer.error, input: row.input };
  const output = answer.result ?? (answer.values as RowRecord['output']);
  return output ? { line: row.line, output, input: row.input } : { line: row.line, input: row.input };
}

/** The answer of a successful run, as the journal keeps it (without the platform's raw reply). */
export function answerOfResult(result: RunResult): Answer {
  return { result: compactResult(result) };
}

/**
 * Output fields a later row has that the layout (fixed by the first answer) has no column for:
 * JSON Lines has room for them, so none is dropped (named like the columns, `ai_` on a collision).
 */
function extraFields(answer: Answer, layout: AnswerLayout, input: Record<string, unknown>): Record<string, unknown> {
  const output = answer.result?.output;
  if (layout.kind !== 'fields' || !isPlainObject(output)) return {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(output)) {
    if (layout.fields.includes(key)) continue;
    let name = key;
    while (name in input || layout.columns.includes(name)) name = `ai_${name}`;
    extra[name] = value;
  }
  return extra;
}
