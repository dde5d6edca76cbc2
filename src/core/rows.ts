// Turns a document's text into rows for "Run Function on Each Line…": plain text lines, JSON Lines
// or CSV (a header, then one record per row; RFC 4180 quoting). Empty lines are skipped but never
// renumbered: every row keeps the line number it starts on. A line that cannot be read becomes an
// error row, never a dropped one.
import type { RunInput } from './model';

export const ROW_FORMATS = ['text', 'jsonl', 'csv'] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];

export const FORMAT_NAMES: Record<RowFormat, string> = { text: 'Text', jsonl: 'JSON Lines', csv: 'CSV' };

export interface SourceRow {
  /** 1-based line number in the document where the row starts. */
  line: number;
  /** What the function gets; absent when the line could not be read (see `error`). */
  input?: RunInput;
  /** The row as written (a CSV record spanning lines keeps its line breaks). */
  source: string;
  /** Why the line could not be read. */
  error?: string;
}

export interface ParsedRows {
  format: RowFormat;
  rows: SourceRow[];
  /** CSV: the header's field names. */
  columns?: string[];
}

export interface ParseOptions {
  /** The line number of the text's first line (a selection starting further down). Default 1. */
  firstLine?: number;
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

/** Splits on CRLF, LF and lone CR (as the editor does), without a byte-order mark. */
function lines(text: string, firstLine: number): Line[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r\n|\n|\r/).map((t, i) => ({ text: t, line: firstLine + i }));
}

const isBlank = (text: string): boolean => text.trim() === '';

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The format the text is most likely in: JSON Lines when the first non-empty line is a JSON
 * object; CSV when the first non-empty line has commas and either the file is a CSV file or every
 * record has as many fields as that header (with at least one record after it); text otherwise.
 */
export function detectFormat(text: string, hints: DetectHints = {}): RowFormat {
  const first = lines(text, 1).find((l) => !isBlank(l.text));
  if (!first) return 'text';
  if (parseJsonObject(first.text.trim())) return 'jsonl';
  if (!first.text.includes(',')) return 'text';
  const csvFile = hints.languageId === 'csv' || /\.csv$/i.test(hints.fileName ?? '');
  if (csvFile) return 'csv';
  const records = csvRecords(text, 1);
  if (records.length < 2 || records.some((r) => r.error)) return 'text';
  const width = records[0]!.fields.length;
  return width >= 2 && records.every((r) => r.fields.length === width) ? 'csv' : 'text';
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
      return { format, ...csvRows(text, firstLine) };
  }
}

function textRows(text: string, firstLine: number): SourceRow[] {
  return lines(text, firstLine)
    .filter((l) => !isBlank(l.text))
    .map((l) => ({ line: l.line, input: l.text.trim(), source: l.text }));
}

function jsonRows(text: string, firstLine: number): SourceRow[] {
  return lines(text, firstLine)
    .filter((l) => !isBlank(l.text))
    .map((l): SourceRow => {
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
    });
}

// ---- CSV (RFC 4180, leniently: LF or CRLF, spaces before an opening quote are ignored)

interface CsvRecord {
  line: number;
  fields: string[];
  source: string;
  error?: string;
}

/** Every non-empty record, quoted fields may hold commas, doubled quotes and line breaks. */
function csvRecords(text: string, firstLine: number): CsvRecord[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = firstLine;
  const n = body.length;
  const atLineEnd = (at: number): number => (body[at] === '\r' && body[at + 1] === '\n' ? 2 : body[at] === '\n' || body[at] === '\r' ? 1 : 0);

  while (i < n) {
    const start = i;
    const startLine = line;
    const fields: string[] = [];
    let error: string | undefined;
    // One record: fields until an unquoted line break or the end.
    for (;;) {
      let j = i;
      while (body[j] === ' ' || body[j] === '\t') j++;
      let field = '';
      if (body[j] === '"') {
        j++;
        let closed = false;
        while (j < n) {
          const c = body[j]!;
          if (c === '"') {
            if (body[j + 1] === '"') {
              field += '"';
              j += 2;
              continue;
            }
            closed = true;
            j++;
            break;
          }
          const eol = atLineEnd(j);
          if (eol) {
            line++;
            field += body.slice(j, j + eol);
            j += eol;
            continue;
          }
          field += c;
          j++;
        }
        if (!closed) error ??= `Line ${startLine} has a quoted field that is never closed.`;
        // Anything between the closing quote and the next comma or line end is kept, as written.
        while (j < n && body[j] !== ',' && !atLineEnd(j)) field += body[j++];
      } else {
        j = i;
        while (j < n && body[j] !== ',' && !atLineEnd(j)) field += body[j++];
      }
      fields.push(field);
      i = j;
      if (body[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    const source = body.slice(start, i);
    const eol = atLineEnd(i);
    i += eol;
    if (eol) line++;
    if (fields.length === 1 && isBlank(fields[0]!) && !source.includes('"')) continue; // an empty line
    records.push({ line: startLine, fields, source, ...(error ? { error } : {}) });
  }
  return records;
}

function csvRows(text: string, firstLine: number): { rows: SourceRow[]; columns: string[] } {
  const [header, ...records] = csvRecords(text, firstLine);
  if (!header) return { rows: [], columns: [] };
  const columns: string[] = [];
  header.fields.forEach((raw, i) => {
    const name = raw.trim() || `column${i + 1}`;
    columns.push(columns.includes(name) ? `${name}_${i + 1}` : name);
  });
  const rows = records.map((r): SourceRow => {
    if (r.error) return { line: r.line, source: r.source, error: r.error };
    if (r.fields.length !== columns.length) {
      return {
        line: r.line,
        source: r.source,
        error: `Line ${r.line} has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}; the header has ${columns.length}.`,
      };
    }
    const input: Record<string, unknown> = {};
    columns.forEach((name, k) => (input[name] = r.fields[k]));
    return { line: r.line, input, source: r.source };
  });
  return { rows, columns };
}
