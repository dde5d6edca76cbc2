// Turns a document's text into rows for "Run Function on Each Line…": plain text lines, JSON Lines
// or CSV (a header, then one record per row; RFC 4180 quoting). Empty lines are skipped but never
// renumbered: every row keeps the line number it starts on. A line that cannot be read becomes an
// error row, never a dropped one.
//
// The text may be hostile (any file can be opened), so the work is linear in its length and
// bounded per row: lines, records and columns have caps, and hitting one is said in words.
import { formatCount } from './format';
import { jsonNestedDeeperThan, MAX_JSON_DEPTH } from './http';
import type { RunInput } from './model';

export const ROW_FORMATS = ['text', 'jsonl', 'csv'] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];

export const FORMAT_NAMES: Record<RowFormat, string> = { text: 'Text', jsonl: 'JSON Lines', csv: 'CSV' };

/**
 * The most CSV columns read. Each column becomes a field of every row's input; far past what a
 * function takes, and it keeps a header of many thousand commas from costing per-column work.
 */
export const MAX_CSV_COLUMNS = 1_000;

/**
 * The longest line (or CSV record) read, in characters: 1 MiB. A row is sent to a platform as one
 * request; a longer one is not a sensible input and would be held and shown whole.
 */
export const MAX_LINE_LENGTH = 1024 * 1024;

/** How many lines from the first non-empty one `detectFormat` reads when the name does not say CSV. */
export const DETECT_LINES = 50;

/** Characters `detectFormat` reads for CSV records at most: room for a few of the longest lines. */
const DETECT_CHARS = 4 * MAX_LINE_LENGTH;

/** How much of a row over MAX_LINE_LENGTH is kept as its `source`. */
export const SOURCE_PREVIEW = 200;

export interface SourceRow {
  /** 1-based line number in the document where the row starts. */
  line: number;
  /** What the function gets; absent when the line could not be read (see `error`). */
  input?: RunInput;
  /**
   * The row as written (a CSV record spanning lines keeps its line breaks). For a row longer
   * than MAX_LINE_LENGTH, only its first characters followed by `…`.
   */
  source: string;
  /** Why the line could not be read. */
  error?: string;
}

export interface ParsedRows {
  format: RowFormat;
  rows: SourceRow[];
  /** CSV: the header's field names. */
  columns?: string[];
  /** CSV: the field separator read. */
  delimiter?: CsvDelimiter;
  /**
   * Why the text cannot be read as `format` at all, in one sentence to show the user; `rows` is
   * then empty. So far only CSV: a header with more than MAX_CSV_COLUMNS columns, or one longer
   * than MAX_LINE_LENGTH.
   */
  problem?: string;
}

export interface ParseOptions {
  /** The line number of the text's first line (a selection starting further down). Default 1. */
  firstLine?: number;
  /** CSV: the field separator; default the one `detectDelimiter` finds in the first line. */
  delimiter?: CsvDelimiter;
}

/** The CSV field separators recognized: comma, semicolon (spreadsheets in many locales) and tab. */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/**
 * The separator of a CSV header line: the one of `,` `;` and tab that occurs most outside quotes
 * (a comma on a tie, and when there is none). Linear in the line.
 */
export function detectDelimiter(line: string): CsvDelimiter {
  const counts = [0, 0, 0];
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted) {
      if (c === COMMA) counts[0]!++;
      else if (c === SEMICOLON) counts[1]!++;
      else if (c === TAB) counts[2]!++;
    }
  }
  let best = 0;
  for (let k = 1; k < 3; k++) if (counts[k]! > counts[best]!) best = k;
  return CSV_DELIMITERS[best]!;
}

export interface DetectHints {
  /** The document's file name or path (a `.csv` name makes a comma header enough). */
  fileName?: string;
  languageId?: string;
}

interface Line {
  text: string;
  line: number;
}

const LINE_BREAK = /\r\n|\n|\r/g;

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Splits on CRLF, LF and lone CR (as the editor does), without a byte-order mark. */
function lines(text: string, firstLine: number): Line[] {
  return withoutBom(text)
    .split(LINE_BREAK)
    .map((t, i) => ({ text: t, line: firstLine + i }));
}

/** Where the line starting at `from` ends (before its break), and where the next one starts. */
function lineAt(body: string, from: number): { end: number; next: number } {
  LINE_BREAK.lastIndex = from;
  const m = LINE_BREAK.exec(body);
  return m ? { end: m.index, next: m.index + m[0].length } : { end: body.length, next: body.length + 1 };
}

export const isBlank = (text: string): boolean => text.trim() === '';

export const tooLongMessage = (line: number): string =>
  `Line ${line} is longer than ${formatCount(MAX_LINE_LENGTH)} characters (1 MiB), the most a row may have; it was not read.`;

/** An error row for a line over MAX_LINE_LENGTH, keeping only the start of it. */
export function tooLongRow(line: number, text: string): SourceRow {
  return { line, source: `${text.slice(0, SOURCE_PREVIEW)}…`, error: tooLongMessage(line) };
}

/**
 * The format the text is most likely in: JSON Lines when the first non-empty line is a JSON
 * object; CSV when the first non-empty line has commas and either the file is a CSV file or the
 * records in the DETECT_LINES lines from there (at least one after the header) all have as many
 * fields as that header; text otherwise. Reads no more of the text than that.
 */
export function detectFormat(text: string, hints: DetectHints = {}): RowFormat {
  const body = withoutBom(text);
  let start = 0;
  let first: { end: number; next: number } | undefined;
  while (start <= body.length) {
    const at = lineAt(body, start);
    if (!isBlank(body.slice(start, at.end))) {
      first = at;
      break;
    }
    start = at.next;
  }
  if (!first) return 'text';
  const firstText = body.slice(start, first.end);
  if (isJsonObjectLine(firstText)) return 'jsonl';
  const delimiter = detectDelimiter(firstText);
  if (!firstText.includes(delimiter)) return 'text';
  const csvFile = hints.languageId === 'csv' || hints.languageId === 'tsv' || /\.(csv|tsv)$/i.test(hints.fileName ?? '');
  if (csvFile) return 'csv';

  const cut = start + DETECT_CHARS < body.length;
  const reader = new CsvReader(cut ? body.slice(0, start + DETECT_CHARS) : body, 1, start, delimiter.charCodeAt(0));
  let width: number | undefined;
  let records = 0;
  for (let r = reader.next(0); r && r.line <= DETECT_LINES; r = reader.next(0)) {
    // A record cut off by the sample's end says nothing about its width.
    if (cut && reader.atEnd()) break;
    if (r.error) return 'text';
    width ??= r.count;
    if (r.count !== width) return 'text';
    records++;
  }
  return records >= 2 && width !== undefined && width >= 2 ? 'csv' : 'text';
}

/** Whether a line is one JSON object; one too long to read counts when it looks like one. */
function isJsonObjectLine(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return false;
  if (t.length > MAX_LINE_LENGTH) return true;
  try {
    const value: unknown = JSON.parse(t);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Parses `text` as `format`, one row per non-empty line (CSV: per record after the header). */
export function parseRows(text: string, format: RowFormat, options: ParseOptions = {}): ParsedRows {
  const firstLine = options.firstLine ?? 1;
  switch (format) {
    case 'text':
      return { format, rows: textRows(text, firstLine) };
    case 'jsonl':
      return { format, rows: jsonRows(text, firstLine) };
    case 'csv':
      return { format, ...csvRows(text, firstLine, options.delimiter) };
  }
}

function textRows(text: string, firstLine: number): SourceRow[] {
  const rows: SourceRow[] = [];
  for (const l of lines(text, firstLine)) {
    if (isBlank(l.text)) continue;
    rows.push(l.text.length > MAX_LINE_LENGTH ? tooLongRow(l.line, l.text) : { line: l.line, input: l.text.trim(), source: l.text });
  }
  return rows;
}

function jsonRows(text: string, firstLine: number): SourceRow[] {
  const rows: SourceRow[] = [];
  for (const l of lines(text, firstLine)) {
    if (isBlank(l.text)) continue;
    rows.push(l.text.length > MAX_LINE_LENGTH ? tooLongRow(l.line, l.text) : jsonRow(l));
  }
  return rows;
}

export function jsonRow(l: { text: string; line: number }): SourceRow {
  // JSON.parse copes with any depth, but whatever walks the value later (the request's
  // JSON.stringify, the panel) recurses and would run out of stack.
  if (jsonNestedDeeperThan(l.text, MAX_JSON_DEPTH)) {
    return { line: l.line, source: l.text, error: `Line ${l.line} is JSON nested deeper than ${MAX_JSON_DEPTH} levels.` };
  }
  let value: unknown;
  try {
    value = JSON.parse(l.text);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/[.\s]+$/, '') : 'invalid JSON';
    return { line: l.line, source: l.text, error: `Line ${l.line} is not valid JSON (${why}).` };
  }
  if (typeof value === 'string') return { line: l.line, input: value, source: l.text };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { line: l.line, input: value as Record<string, unknown>, source: l.text };
  }
  return { line: l.line, source: l.text, error: `Line ${l.line} is JSON but not an object or a string.` };
}

// ---- CSV (RFC 4180, leniently: LF or CRLF, spaces before an opening quote are ignored; the
// separator may be a comma, a semicolon or a tab)

export interface CsvRecord {
  line: number;
  /** The first fields, as many as were asked for. */
  fields: string[];
  /** How many fields the record has. */
  count: number;
  /** Only the start of it when `tooLong`. */
  source: string;
  /** Longer than MAX_LINE_LENGTH: its fields are not kept. */
  tooLong: boolean;
  error?: string;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Reads non-empty records one at a time. Quoted fields may hold commas, doubled quotes and line
 * breaks. Each character is looked at once and fields are slices, so a record costs its length.
 */
export class CsvReader {
  private i: number;
  private line: number;

  constructor(
    private readonly body: string,
    firstLine: number,
    from = 0,
    private readonly delimiter = COMMA,
  ) {
    this.i = from;
    this.line = firstLine;
  }

  /** The line the next record starts on (or would). */
  get nextLine(): number {
    return this.line;
  }

  /** Whether everything has been read. */
  atEnd(): boolean {
    return this.i >= this.body.length;
  }

  /** The next non-empty record, keeping at most `keep` of its fields (all are counted). */
  next(keep: number): CsvRecord | undefined {
    const { body, delimiter } = this;
    const isFieldEnd = (c: number): boolean => c === delimiter || c === LF || c === CR;
    const n = body.length;
    while (this.i < n) {
      const start = this.i;
      const startLine = this.line;
      const fields: string[] = [];
      let count = 0;
      let error: string | undefined;
      let i = this.i;
      // One record: fields until an unquoted line break or the end.
      for (;;) {
        let j = i;
        // Blanks before an opening quote are skipped (a tab only when it does not separate fields).
        while (body.charCodeAt(j) === SPACE || (body.charCodeAt(j) === TAB && delimiter !== TAB)) j++;
        let field: string | undefined;
        if (body.charCodeAt(j) === QUOTE) {
          const from = ++j;
          let doubled = false;
          let closed = false;
          for (; j < n; j++) {
            const c = body.charCodeAt(j);
            if (c === QUOTE) {
              if (body.charCodeAt(j + 1) !== QUOTE) {
                closed = true;
                break;
              }
              doubled = true;
              j++;
            } else if (c === LF || (c === CR && body.charCodeAt(j + 1) !== LF)) {
              this.line++;
            }
          }
          const to = j;
          if (closed) j++;
          else error ??= `Line ${startLine} has a quoted field that is never closed.`;
          // Anything between the closing quote and the next comma or line end is kept, as written.
          const tail = j;
          while (j < n && !isFieldEnd(body.charCodeAt(j))) j++;
          if (count < keep) {
            const inner = body.slice(from, to);
            field = (doubled ? inner.replaceAll('""', '"') : inner) + body.slice(tail, j);
          }
        } else {
          j = i;
          while (j < n && !isFieldEnd(body.charCodeAt(j))) j++;
          if (count < keep) field = body.slice(i, j);
        }
        if (field !== undefined) fields.push(field);
        count++;
        i = j;
        if (body.charCodeAt(i) === delimiter) {
          i++;
          continue;
        }
        break;
      }
      const source = body.slice(start, i);
      if (i < n) {
        i += body.charCodeAt(i) === CR && body.charCodeAt(i + 1) === LF ? 2 : 1;
        this.line++;
      }
      this.i = i;
      if (count === 1 && isBlank(source)) continue; // an empty line
      if (source.length > MAX_LINE_LENGTH) {
        const preview = `${source.slice(0, SOURCE_PREVIEW)}…`;
        return { line: startLine, fields: [], count, source: preview, tooLong: true, error: error ?? tooLongMessage(startLine) };
      }
      return { line: startLine, fields, count, source, tooLong: false, ...(error ? { error } : {}) };
    }
    return undefined;
  }
}

function csvRows(text: string, firstLine: number, delimiter?: CsvDelimiter): { rows: SourceRow[]; columns: string[]; problem?: string; delimiter: CsvDelimiter } {
  const body = withoutBom(text);
  const sep = delimiter ?? detectDelimiter(body.slice(0, lineAt(body, 0).end));
  const reader = new CsvReader(body, firstLine, 0, sep.charCodeAt(0));
  const header = reader.next(MAX_CSV_COLUMNS);
  if (!header) return { rows: [], columns: [], delimiter: sep };
  const checked = csvHeader(header);
  if ('problem' in checked) return { rows: [], columns: [], problem: checked.problem, delimiter: sep };
  const { columns } = checked;
  const rows: SourceRow[] = [];
  // One more field than the header is enough to know a record does not fit.
  for (let r = reader.next(columns.length + 1); r; r = reader.next(columns.length + 1)) rows.push(csvRow(r, columns));
  return { rows, columns, delimiter: sep };
}

/** The header's column names (empty ones named, repeated ones made unique), or why it cannot be one. */
export function csvHeader(header: CsvRecord): { columns: string[] } | { problem: string } {
  if (header.count > MAX_CSV_COLUMNS) {
    return { problem: `The CSV header has ${formatCount(header.count)} columns; at most ${formatCount(MAX_CSV_COLUMNS)} are supported.` };
  }
  if (header.tooLong) {
    return { problem: `The CSV header (line ${header.line}) is longer than ${formatCount(MAX_LINE_LENGTH)} characters (1 MiB).` };
  }
  const columns: string[] = [];
  const used = new Set<string>();
  header.fields.forEach((raw, i) => {
    const name = raw.trim() || `column${i + 1}`;
    const unique = used.has(name) ? `${name}_${i + 1}` : name;
    used.add(unique);
    columns.push(unique);
  });
  return { columns };
}

/** A record after the header as a row (read with `columns.length + 1` fields kept). */
export function csvRow(r: CsvRecord, columns: readonly string[]): SourceRow {
  if (r.error) return { line: r.line, source: r.source, error: r.error };
  if (r.count !== columns.length) {
    return {
      line: r.line,
      source: r.source,
      error: `Line ${r.line} has ${formatCount(r.count)} field${r.count === 1 ? '' : 's'}; the header has ${formatCount(columns.length)}.`,
    };
  }
  const input: Record<string, unknown> = {};
  columns.forEach((name, k) => (input[name] = r.fields[k]));
  return { line: r.line, input, source: r.source };
}
