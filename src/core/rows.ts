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
  const sample = cut ? body.slice(0, start + DETECT_CHARS) : body;
  const code = delimiter.charCodeAt(0);
  let width: number | undefined;
  let records = 0;
  for (const record of heldRecords(sample, start, 1, code)) {
    const r = csvRecord(record.text, record.line, 0, code);
    if (!r) continue;
    if (r.line > DETECT_LINES) break;
    // A record cut off by the sample's end says nothing about its width.
    if (cut && record.end >= sample.length) break;
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

/** A file line (or CSV record) as RecordSplitter finds it. */
export interface PhysicalRecord {
  /** Its text without the line break; '' when `tooLong` (see `preview`). */
  text: string;
  /** The line break that ended it: '\n', '\r\n', '\r', or '' at the end of the text. */
  eol: string;
  /** Line breaks inside it (CSV quoted fields). */
  breaks: number;
  /** Its length without the line break, also when `tooLong`. */
  length: number;
  /** Longer than MAX_LINE_LENGTH: only `preview` is kept. */
  tooLong: boolean;
  preview: string;
  /** CSV: it ended inside a quoted field (the end of the text). */
  unclosed: boolean;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteSeen,
  AfterCr,
}

/**
 * Splits text pushed in chunks into physical records: the one place that knows where a record
 * ends, for text held whole and for files read by chunks (rowFiles/source.ts). Quoted fields may
 * hold separators, doubled quotes and line breaks. Each character is looked at once, and only the
 * record being read is held (past MAX_LINE_LENGTH, only its start).
 */
export class RecordSplitter {
  private state = State.FieldStart;
  private parts: string[] = [];
  private held = 0;
  private length = 0;
  private tooLong = false;
  private preview = '';
  private breaks = 0;
  private crInQuotes = false;
  private readonly out: PhysicalRecord[] = [];

  constructor(
    private readonly csv: boolean,
    private readonly delimiter = COMMA,
  ) {}

  /** Feeds a chunk; returns the records it completed. */
  push(chunk: string): PhysicalRecord[] {
    let start = 0;
    const n = chunk.length;
    // Where the next quote, LF and CR are (n: none), found by indexOf and looked for again once passed.
    let nextQuote = -1;
    let nextLf = -1;
    let nextCr = -1;
    for (let i = 0; i < n; i++) {
      if (this.state === State.FieldStart || this.state === State.Unquoted) {
        // Outside quotes, a record ends at the next line break unless a quote opens a field
        // before it: up to whichever comes first, only the field state moves. This keeps a
        // record of 80,000 short fields from being read one field at a time.
        if (nextQuote < i) nextQuote = this.csv ? found(chunk.indexOf('"', i), n) : n;
        if (nextLf < i) nextLf = found(chunk.indexOf('\n', i), n);
        if (nextCr < i) nextCr = found(chunk.indexOf('\r', i), n);
        const stop = Math.min(nextQuote, nextLf, nextCr);
        if (stop > i) {
          this.state = this.stateAfter(chunk, i, stop);
          i = stop;
          if (i === n) break;
        }
      }
      const c = chunk.charCodeAt(i);
      switch (this.state) {
        case State.AfterCr:
          // The record ended at a CR; an LF right after belongs to its line break.
          if (c === LF) {
            this.finish('\r\n');
            start = i + 1;
            continue;
          }
          this.finish('\r');
          start = i;
          this.state = State.FieldStart;
          break;
        case State.Quoted:
          if (c === QUOTE) this.state = State.QuoteSeen;
          else if (c === LF) {
            if (!this.crInQuotes) this.breaks++;
          } else if (c === CR) this.breaks++;
          this.crInQuotes = c === CR;
          continue;
        case State.QuoteSeen:
          if (c === QUOTE) {
            this.state = State.Quoted;
            this.crInQuotes = false;
            continue;
          }
          this.state = State.Unquoted;
          break;
        default:
          break;
      }
      // FieldStart or Unquoted (including the text after a closing quote).
      if (c === LF) {
        this.take(chunk, start, i);
        this.finish('\n');
        start = i + 1;
        this.state = State.FieldStart;
      } else if (c === CR) {
        this.take(chunk, start, i);
        start = i + 1;
        this.state = State.AfterCr;
      } else if (!this.csv) {
        this.state = State.Unquoted;
      } else if (c === this.delimiter) {
        this.state = State.FieldStart;
      } else if (this.state === State.FieldStart) {
        if (c === QUOTE) {
          this.state = State.Quoted;
          this.crInQuotes = false;
        } else if (!(c === SPACE || (c === TAB && this.delimiter !== TAB))) this.state = State.Unquoted;
      }
    }
    if (this.state !== State.AfterCr) this.take(chunk, start, n);
    return this.out.splice(0);
  }

  /**
   * The state after reading `chunk[from, to)` outside quotes, where it holds no quote and no line
   * break: a field has started when something other than blanks follows the last separator.
   */
  private stateAfter(chunk: string, from: number, to: number): State {
    if (!this.csv) return State.Unquoted;
    let k = to - 1;
    for (let c = chunk.charCodeAt(k); k >= from && (c === SPACE || (c === TAB && this.delimiter !== TAB)); c = chunk.charCodeAt(--k));
    if (k < from) return this.state;
    return chunk.charCodeAt(k) === this.delimiter ? State.FieldStart : State.Unquoted;
  }

  /** The end of the text: the record being read, if any. */
  end(): PhysicalRecord[] {
    if (this.state === State.AfterCr) this.finish('\r');
    else if (this.held > 0 || this.tooLong || this.state !== State.FieldStart) this.finish('');
    return this.out.splice(0);
  }

  private take(chunk: string, from: number, to: number): void {
    if (to <= from) return;
    this.length += to - from;
    if (this.tooLong) return;
    if (this.held + (to - from) > MAX_LINE_LENGTH) {
      this.preview = (this.parts.join('') + chunk.slice(from, from + SOURCE_PREVIEW)).slice(0, SOURCE_PREVIEW);
      this.parts = [];
      this.held = 0;
      this.tooLong = true;
      return;
    }
    this.parts.push(chunk.slice(from, to));
    this.held += to - from;
  }

  private finish(eol: string): void {
    const unclosed = this.state === State.Quoted;
    this.out.push({
      text: this.tooLong ? '' : this.parts.join(''),
      eol,
      breaks: this.breaks,
      length: this.length,
      tooLong: this.tooLong,
      preview: this.preview,
      unclosed,
    });
    this.parts = [];
    this.held = 0;
    this.length = 0;
    this.tooLong = false;
    this.preview = '';
    this.breaks = 0;
    this.crInQuotes = false;
    this.state = State.FieldStart;
  }
}

/** An index from indexOf, or `none` when it found nothing. */
const found = (index: number, none: number): number => (index < 0 ? none : index);

/** How much of a text held whole RecordSplitter gets at a time: a reader that stops early splits no further. */
const SPLIT_CHARS = 64 * 1024;

interface HeldRecord {
  /** The whole record, also when it is over MAX_LINE_LENGTH (the text is held anyway). */
  text: string;
  line: number;
  /** Where the record and its line break end in the text. */
  end: number;
}

/** The CSV records of `body` from `from` on, split as a file's are. */
function* heldRecords(body: string, from: number, firstLine: number, delimiter: number): Generator<HeldRecord> {
  const splitter = new RecordSplitter(true, delimiter);
  let line = firstLine;
  let at = from;
  for (let chunk = from; ; chunk += SPLIT_CHARS) {
    const done = chunk >= body.length;
    for (const p of done ? splitter.end() : splitter.push(body.slice(chunk, chunk + SPLIT_CHARS))) {
      const start = at;
      at += p.length + p.eol.length;
      yield { text: body.slice(start, start + p.length), line, end: at };
      line += p.breaks + (p.eol ? 1 : 0);
    }
    if (done) return;
  }
}

/**
 * Reads one record (as RecordSplitter found it) into fields, keeping at most `keep` of them (all
 * are counted); undefined for an empty line. Fields are slices, so a record costs its length.
 */
export function csvRecord(text: string, line: number, keep: number, delimiter = COMMA): CsvRecord | undefined {
  const isFieldEnd = (c: number): boolean => c === delimiter || c === LF || c === CR;
  const n = text.length;
  const fields: string[] = [];
  let count = 0;
  let error: string | undefined;
  let i = 0;
  for (;;) {
    let j = i;
    // Blanks before an opening quote are skipped (a tab only when it does not separate fields).
    while (text.charCodeAt(j) === SPACE || (text.charCodeAt(j) === TAB && delimiter !== TAB)) j++;
    let field: string | undefined;
    if (text.charCodeAt(j) === QUOTE) {
      const from = ++j;
      let doubled = false;
      let closed = false;
      for (; j < n; j++) {
        if (text.charCodeAt(j) !== QUOTE) continue;
        if (text.charCodeAt(j + 1) !== QUOTE) {
          closed = true;
          break;
        }
        doubled = true;
        j++;
      }
      const to = j;
      if (closed) j++;
      else error ??= `Line ${line} has a quoted field that is never closed.`;
      // Anything between the closing quote and the next separator or line end is kept, as written.
      const tail = j;
      while (j < n && !isFieldEnd(text.charCodeAt(j))) j++;
      if (count < keep) {
        const inner = text.slice(from, to);
        field = (doubled ? inner.replaceAll('""', '"') : inner) + text.slice(tail, j);
      }
    } else {
      j = i;
      while (j < n && !isFieldEnd(text.charCodeAt(j))) j++;
      if (count < keep) field = text.slice(i, j);
    }
    if (field !== undefined) fields.push(field);
    count++;
    i = j;
    if (text.charCodeAt(i) === delimiter) {
      i++;
      continue;
    }
    break;
  }
  const source = text.slice(0, i);
  if (count === 1 && isBlank(source)) return undefined; // an empty line
  if (source.length > MAX_LINE_LENGTH) {
    const preview = `${source.slice(0, SOURCE_PREVIEW)}…`;
    return { line, fields: [], count, source: preview, tooLong: true, error: error ?? tooLongMessage(line) };
  }
  return { line, fields, count, source, tooLong: false, ...(error ? { error } : {}) };
}

function csvRows(text: string, firstLine: number, delimiter?: CsvDelimiter): { rows: SourceRow[]; columns: string[]; problem?: string; delimiter: CsvDelimiter } {
  const body = withoutBom(text);
  const sep = delimiter ?? detectDelimiter(body.slice(0, lineAt(body, 0).end));
  const code = sep.charCodeAt(0);
  const rows: SourceRow[] = [];
  let columns: string[] | undefined;
  for (const record of heldRecords(body, 0, firstLine, code)) {
    // One more field than the header is enough to know a record does not fit.
    const r = csvRecord(record.text, record.line, columns ? columns.length + 1 : MAX_CSV_COLUMNS, code);
    if (!r) continue;
    if (columns) {
      rows.push(csvRow(r, columns));
      continue;
    }
    const checked = csvHeader(r);
    if ('problem' in checked) return { rows: [], columns: [], problem: checked.problem, delimiter: sep };
    columns = checked.columns;
  }
  return { rows, columns: columns ?? [], delimiter: sep };
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
