// Reads a rows file as a stream of items, in file order, without holding the file: chunks come
// from node:fs, a record may span chunks (and, in CSV, lines), and only the record being read is
// held (at most MAX_LINE_LENGTH characters; past that only its start is kept and it becomes an
// error row). Records are split by RecordSplitter (core/rows.ts), which also splits a document's
// text, so the two agree on where records end. Every line of the file belongs to exactly one item,
// and each item keeps its text verbatim with its line break, so a writer can copy the file line
// for line.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  csvHeader,
  csvRecord,
  csvRow,
  detectDelimiter,
  detectFormat,
  type DetectHints,
  isBlank,
  jsonRow,
  RecordSplitter,
  tooLongMessage,
  type CsvDelimiter,
  type PhysicalRecord,
  type RowFormat,
  type SourceRow,
} from '../rows';

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

  read(records: PhysicalRecord[]): SourceItem[] {
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
          : csvRecord(text, line, 1_001, this.delimiterCode);
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
        const record = csvRecord(text, line, columns.length + 1, this.delimiterCode);
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
