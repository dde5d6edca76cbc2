// Reads a rows file as a stream of items, in file order, without holding the file: chunks come
// from node:fs, a record may span chunks (and, in CSV, lines), and only the record being read is
// held (at most MAX_LINE_LENGTH characters; past that only its start is kept and it becomes an
// error row, as in core/rows.ts). Every line of the file belongs to exactly one item, and each item
// keeps its text verbatim with its line break, so a writer can copy the file line for line.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  CsvReader,
  csvHeader,
  csvRow,
  detectDelimiter,
  detectFormat,
  type DetectHints,
  isBlank,
  jsonRow,
  MAX_LINE_LENGTH,
  SOURCE_PREVIEW,
  tooLongMessage,
  type CsvDelimiter,
  type RowFormat,
  type SourceRow,
} from '../rows';

/** A file line (or CSV record) as written. */
interface Physical {
  /** Its text without the line break; '' when `tooLong` (see `preview`). */
  text: string;
  /** The line break that ended it: '\n', '\r\n', '\r', or '' at the end of the file. */
  eol: string;
  /** Line breaks inside it (CSV quoted fields). */
  breaks: number;
  /** Longer than MAX_LINE_LENGTH: only `preview` is kept. */
  tooLong: boolean;
  preview: string;
  /** CSV: it ended inside a quoted field (the end of the file). */
  unclosed: boolean;
}

export type SourceItem =
  | { type: 'header'; line: number; raw: string; eol: string; columns: string[]; bom: boolean }
  /** An empty line (or, in CSV, one before the header): copied as it is. */
  | { type: 'blank'; line: number; raw: string; eol: string }
  | {
      type: 'row';
      /** 0-based among the file's rows (readable or not): stable while the file is unchanged. */
      index: number;
      row: SourceRow;
      /** The record as written, without its line break; '' for a record over the length cap. */
      raw: string;
      eol: string;
      /** How many file lines it spans (1 unless a CSV field holds line breaks). */
      lines: number;
    }
  /** Why the file cannot be read as its format at all (a CSV header over the caps); nothing follows. */
  | { type: 'problem'; message: string };

export interface SourceOptions {
  format: RowFormat;
  delimiter?: CsvDelimiter;
  /** Characters per chunk read (tests use small ones to cross chunk boundaries). */
  chunkChars?: number;
  signal?: AbortSignal;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteSeen,
  AfterCr,
}

/**
 * Splits text pushed in chunks into physical records. In CSV mode it follows the same rules as
 * CsvReader (core/rows.ts) for where a record ends, so each record it yields parses alone exactly
 * as it would inside the whole text. Each character is looked at once.
 */
export class RecordSplitter {
  private state = State.FieldStart;
  private parts: string[] = [];
  private held = 0;
  private tooLong = false;
  private preview = '';
  private breaks = 0;
  private crInQuotes = false;
  private readonly out: Physical[] = [];

  constructor(
    private readonly csv: boolean,
    private readonly delimiter = 0x2c,
  ) {}

  /** Feeds a chunk; returns the records it completed. */
  push(chunk: string): Physical[] {
    let start = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
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

  /** The end of the text: the record being read, if any. */
  end(): Physical[] {
    if (this.state === State.AfterCr) this.finish('\r');
    else if (this.held > 0 || this.tooLong || this.state !== State.FieldStart) this.finish('');
    return this.out.splice(0);
  }

  private take(chunk: string, from: number, to: number): void {
    if (to <= from) return;
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
      tooLong: this.tooLong,
      preview: this.preview,
      unclosed,
    });
    this.parts = [];
    this.held = 0;
    this.tooLong = false;
    this.preview = '';
    this.breaks = 0;
    this.crInQuotes = false;
    this.state = State.FieldStart;
  }
}

/** Turns physical records into items: a header first in CSV, then rows and blank lines. */
export class ItemReader {
  private line = 1;
  private index = 0;
  private columns: string[] | undefined;
  private stopped = false;
  private firstRecord = true;
  private readonly delimiterCode: number;

  constructor(
    private readonly format: RowFormat,
    private readonly delimiter: CsvDelimiter = ',',
  ) {
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  read(records: Physical[]): SourceItem[] {
    const items: SourceItem[] = [];
    for (const p of records) {
      if (this.stopped) break;
      const line = this.line;
      this.line += p.breaks + (p.eol ? 1 : 0);
      const bom = this.firstRecord && p.text.charCodeAt(0) === 0xfeff;
      this.firstRecord = false;
      const text = bom ? p.text.slice(1) : p.text;
      if (!p.tooLong && isBlank(text) && (this.format !== 'csv' || !text.includes(this.delimiter))) {
        items.push({ type: 'blank', line, raw: p.text, eol: p.eol });
        continue;
      }
      if (this.format === 'csv' && !this.columns) {
        const header = p.tooLong
          ? { line, fields: [], count: 1, source: '', tooLong: true }
          : new CsvReader(text, line, 0, this.delimiterCode).next(1_001);
        if (!header) continue;
        const checked = csvHeader(header);
        if ('problem' in checked) {
          this.stopped = true;
          items.push({ type: 'problem', message: checked.problem });
          break;
        }
        this.columns = checked.columns;
        items.push({ type: 'header', line, raw: p.text, eol: p.eol, columns: checked.columns, bom });
        continue;
      }
      const lines = p.breaks + 1;
      const index = this.index++;
      if (p.tooLong) {
        const error = p.unclosed ? `Line ${line} has a quoted field that is never closed.` : tooLongMessage(line);
        items.push({ type: 'row', index, row: { line, source: `${p.preview}…`, error }, raw: '', eol: p.eol, lines });
        continue;
      }
      items.push({ type: 'row', index, row: this.row(text, line), raw: p.text, eol: p.eol, lines });
    }
    return items;
  }

  private row(text: string, line: number): SourceRow {
    switch (this.format) {
      case 'text':
        return { line, input: text.trim(), source: text };
      case 'jsonl':
        return jsonRow({ text, line });
      case 'csv': {
        const columns = this.columns!;
        const record = new CsvReader(text, line, 0, this.delimiterCode).next(columns.length + 1);
        return record ? csvRow(record, columns) : { line, source: text, error: `Line ${line} could not be read.` };
      }
    }
  }
}

/** The file's items, in order, read by chunks. */
export async function* readSource(path: string, options: SourceOptions): AsyncGenerator<SourceItem> {
  const csv = options.format === 'csv';
  const delimiter = options.delimiter ?? ',';
  const splitter = new RecordSplitter(csv, delimiter.charCodeAt(0));
  const reader = new ItemReader(options.format, delimiter);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: options.chunkChars ?? 64 * 1024, signal: options.signal });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      for (const item of reader.read(splitter.push(chunk))) {
        yield item;
        if (item.type === 'problem') return;
      }
    }
    for (const item of reader.read(splitter.end())) yield item;
  } finally {
    stream.destroy();
  }
}

/** How many rows the file has (readable or not), by streaming it. */
export async function countSourceRows(path: string, options: SourceOptions): Promise<{ rows: number; readable: number; problem?: string }> {
  let rows = 0;
  let readable = 0;
  for await (const item of readSource(path, options)) {
    if (item.type === 'problem') return { rows: 0, readable: 0, problem: item.message };
    if (item.type === 'row') {
      rows++;
      if (item.row.input !== undefined) readable++;
    }
  }
  return { rows, readable };
}

/** The format of a file (and its CSV separator) from its first bytes, as core/rows.ts detects it. */
export async function detectFileFormat(path: string, hints: DetectHints = {}): Promise<{ format: RowFormat; delimiter: CsvDelimiter }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    const text = new TextDecoder('utf-8').decode(buffer.subarray(0, bytesRead));
    const format = detectFormat(text, { fileName: path, ...hints });
    const firstLine = text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/).find((l) => !isBlank(l)) ?? '';
    return { format, delimiter: detectDelimiter(firstLine) };
  } finally {
    await handle.close();
  }
}

/** What detectFileFormat reads: enough for detectFormat's sample of lines. */
const HEAD_BYTES = 1024 * 1024;
