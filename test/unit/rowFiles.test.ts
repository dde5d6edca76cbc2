import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunInput, RunResult } from '../../src/core/model';
import { detectDelimiter, detectFormat, parseRows, type CsvDelimiter, type RowFormat } from '../../src/core/rows';
import { layoutFor } from '../../src/core/rowFiles/answers';
import { runFile } from '../../src/core/rowFiles/fileRun';
import { Journal, readJournal } from '../../src/core/rowFiles/journal';
import { estimate } from '../../src/core/rowFiles/estimate';
import { appendFileSync } from 'node:fs';
import { ManifestStore, type RunManifest } from '../../src/core/rowFiles/manifest';
import { ReorderBuffer } from '../../src/core/rowFiles/reorder';
import { readResults } from '../../src/core/rowFiles/results';
import { readSource, type SourceItem } from '../../src/core/rowFiles/source';
import { csvCell, ResultsWriter } from '../../src/core/rowFiles/writer';
import { runStream } from '../../src/core/rowFiles/stream';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rowfiles-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function items(path: string, format: RowFormat, chunkChars: number, delimiter?: CsvDelimiter): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of readSource(path, { format, chunkChars, delimiter })) out.push(item);
  return out;
}

const CSV = [
  'name,"note, with comma",city',
  'Ada,"said ""hi""",London',
  '',
  'Bob,"two\nlines",Paris',
  '  "spaced" ,x,y',
  'bad,"never closed',
].join('\r\n');

describe('rowFiles: streaming the source', () => {
  it('reads CSV across every chunk boundary exactly as the whole text is parsed', async () => {
    const path = file('a.csv', CSV);
    const whole = parseRows(CSV, 'csv');
    for (const chunk of [1, 2, 3, 5, 7, 64 * 1024]) {
      const got = await items(path, 'csv', chunk);
      const rows = got.flatMap((i) => (i.type === 'row' ? [i.row] : []));
      assert.deepEqual(rows, whole.rows, `chunks of ${chunk}`);
      assert.deepEqual(got[0]?.type === 'header' && got[0].columns, whole.columns);
      // Every line belongs to one item, verbatim.
      assert.equal(got.map((i) => (i.type === 'problem' ? '' : i.raw + i.eol)).join(''), CSV, `verbatim in chunks of ${chunk}`);
    }
  });

  it('reads text and JSON Lines across chunks, keeping blank lines and line numbers, with lone CRs', async () => {
    const text = 'one\r\n\rtwo\n{"a":1}\n\n  three  ';
    const path = file('a.txt', text);
    for (const chunk of [1, 2, 3, 100]) {
      const got = await items(path, 'text', chunk);
      assert.deepEqual(
        got.map((i) => (i.type === 'row' ? [i.row.line, i.row.input] : [i.type])),
        parseRows(text, 'text').rows.map((r) => [r.line, r.input]).flatMap((r, k) => (k === 0 ? [r, ['blank']] : k === 2 ? [r, ['blank']] : [r])),
      );
      const json = await items(path, 'jsonl', chunk);
      assert.deepEqual(
        json.flatMap((i) => (i.type === 'row' ? [i.row] : [])),
        parseRows(text, 'jsonl').rows,
      );
    }
  });

  it('detects ; and tab separators and reads them', async () => {
    assert.equal(detectDelimiter('a;b;"c,d"'), ';');
    assert.equal(detectDelimiter('a\tb\tc,d'), '\t');
    assert.equal(detectDelimiter('a,b'), ',');
    assert.equal(detectFormat('name;city\nAda;London\nBob;Paris\n'), 'csv');
    assert.deepEqual(parseRows('name;city\nAda;"Lon;don"\n', 'csv').rows[0]?.input, { name: 'Ada', city: 'Lon;don' });
    const path = file('a.tsv', 'name\tcity\nAda\tLondon\n\t\n');
    const got = await items(path, 'csv', 3, '\t');
    assert.deepEqual(got[1]?.type === 'row' && got[1].row.input, { name: 'Ada', city: 'London' });
    assert.equal(got[2]?.type, 'row', 'a line of tabs is a record of empty fields');
  });

  it('keeps a record over the length cap as an error row without holding it', async () => {
    const long = 'x'.repeat(1024 * 1024 + 10);
    const path = file('big.txt', `a\n${long}\nb\n`);
    const got = await items(path, 'text', 64 * 1024);
    assert.deepEqual(got.map((i) => i.type === 'row' && [i.row.line, i.row.input, i.row.error?.slice(0, 6)]), [
      [1, 'a', undefined],
      [2, undefined, 'Line 2'],
      [3, 'b', undefined],
    ]);
  });
});

describe('rowFiles: writing results', () => {
  const classification = (label: string, confidence: number) => ({ result: { kind: 'classification' as const, label, confidence, durationMs: 1 } });

  it('quotes CSV cells that need it, and defuses spreadsheet formulas', () => {
    assert.equal(csvCell('a,b', ','), '"a,b"');
    assert.equal(csvCell('a;b', ','), 'a;b');
    assert.equal(csvCell('a;b', ';'), '"a;b"');
    assert.equal(csvCell('say "x"', ','), '"say ""x"""');
    assert.equal(csvCell('two\nlines', '\t'), '"two\nlines"');
    assert.equal(csvCell(0.25, ','), '0.25');
    assert.equal(csvCell(undefined, ','), '');
    assert.equal(csvCell('=HYPERLINK("x")', ','), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('-3', ','), '-3');
  });

  it('names answer columns after the input’s, with ai_ on a collision', () => {
    assert.deepEqual(layoutFor({ kind: 'classification', durationMs: 1 }, ['text', 'label']).columns, ['ai_label', 'confidence', 'error']);
    assert.deepEqual(layoutFor({ kind: 'classification', durationMs: 1 }, ['label', 'ai_label', 'error']).columns, ['ai_ai_label', 'confidence', 'ai_error']);
    const extraction = layoutFor({ kind: 'extraction', output: { company: 'x', seats: 3 }, durationMs: 1 }, ['company']);
    assert.deepEqual([extraction.kind, extraction.fields, extraction.columns], ['fields', ['company', 'seats'], ['ai_company', 'seats', 'error']]);
    assert.deepEqual(layoutFor(undefined, []).columns, ['output', 'error']);
  });

  it('appends the answer to each CSV record verbatim, keeping the separator, line breaks and line numbers', async () => {
    const source = 'text;label\r\n"a;b";x\r\n\r\n"multi\r\nline";y\r\n';
    const path = file('s.csv', source);
    const got = await items(path, 'csv', 4, ';');
    const layout = layoutFor({ kind: 'classification', durationMs: 1 }, ['text', 'label']);
    const writer = new ResultsWriter({ source: 'csv', results: 'csv', delimiter: ';' }, layout);
    const out = got.map((item) => writer.item(item, item.type === 'row' && item.index === 0 ? classification('spam', 0.9) : { error: { kind: 'server', message: 'boom; again' } })).join('');
    assert.equal(out, 'text;label;ai_label;confidence;error\r\n"a;b";x;spam;0.9;\r\n\r\n"multi\r\nline";y;;;"boom; again"\r\n');
    assert.equal(out.split('\r\n').length, source.split('\r\n').length, 'line for line');
  });

  it('adds answer fields to JSON Lines objects, line for line, and keeps records as today', async () => {
    const path = file('s.jsonl', '{"q":"a"}\n\n"just text"\n{bad\n');
    const got = await items(path, 'jsonl', 3);
    const layout = layoutFor({ kind: 'classification', durationMs: 1 }, ['q']);
    const writer = new ResultsWriter({ source: 'jsonl', results: 'jsonl', delimiter: ',' }, layout);
    const out = got.map((item) => writer.item(item, classification('ok', 1))).join('');
    const lines = out.split('\n');
    assert.deepEqual(JSON.parse(lines[0]!), { q: 'a', label: 'ok', confidence: 1, error: '' });
    assert.equal(lines[1], '');
    assert.deepEqual(JSON.parse(lines[2]!), { text: 'just text', label: 'ok', confidence: 1, error: '' });
    assert.match(JSON.parse(lines[3]!).error, /^Line 4 is not valid JSON/);
    const records = new ResultsWriter({ source: 'jsonl', results: 'records', delimiter: ',' }, layout);
    assert.deepEqual(JSON.parse(records.item(got[0]!, classification('ok', 1))), { line: 1, output: { kind: 'classification', label: 'ok', confidence: 1, durationMs: 1 }, input: { q: 'a' } });
  });

  it('keeps extraction fields the first answer did not have, in JSON Lines', async () => {
    const path = file('e.jsonl', '{"company":"given"}\n');
    const [item] = await items(path, 'jsonl', 100);
    const layout = layoutFor({ kind: 'extraction', output: { company: 'x' }, durationMs: 1 }, ['company']);
    const writer = new ResultsWriter({ source: 'jsonl', results: 'jsonl', delimiter: ',' }, layout);
    const line = writer.item(item!, { result: { kind: 'extraction', output: { company: 'Acme', seats: 40 }, durationMs: 1 } });
    assert.deepEqual(JSON.parse(line), { company: 'given', ai_company: 'Acme', error: '', seats: 40 });
  });

  it('gives text lines a two-column CSV', async () => {
    const path = file('s.txt', 'hello, world\n\nbye\n');
    const got = await items(path, 'text', 100);
    const writer = new ResultsWriter({ source: 'text', results: 'csv', delimiter: ',' }, layoutFor({ kind: 'classification', durationMs: 1 }, ['text']));
    assert.equal(writer.preamble() + got.map((i) => writer.item(i, classification('a', 0.5))).join(''), 'text,label,confidence,error\n"hello, world",a,0.5,\nbye,a,0.5,\n');
  });
});

describe('rowFiles: the reorder buffer and the stream', () => {
  it('hands items out in order, holding those that come early', () => {
    const buffer = new ReorderBuffer<string>(5);
    buffer.put(7, 'c');
    buffer.put(6, 'b');
    assert.deepEqual(buffer.take(), []);
    buffer.put(5, 'a');
    assert.deepEqual(buffer.take(), ['a', 'b', 'c']);
    assert.equal(buffer.head, 8);
    assert.throws(() => buffer.put(6, 'again'));
  });

  it('pulls inputs only while there is room (one ahead), and never runs more than the concurrency', async () => {
    let pulled = 0;
    function* inputs() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield i;
      }
    }
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await runStream(
      inputs(),
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        assert.ok(pulled - seen.length <= 5, 'at most one input read ahead of the rows in flight');
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        inFlight--;
        return i;
      },
      { concurrency: 4, onOutcome: (_i, input) => seen.push(input) },
    );
    assert.equal(most, 4);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('rowFiles: a file run, stopped and resumed', () => {
  const ROWS = 300;
  const csvSource = (): string => ['id,label', ...Array.from({ length: ROWS }, (_, i) => (i % 97 === 50 ? '' : `${i},"expected ${i % 3}"`))].join('\n') + '\n';

  function manifestOf(source: string, results: string): RunManifest {
    return {
      version: 1,
      id: 'run1',
      fn: { platform: 'nyckel', id: 'f', name: 'f' },
      concurrency: 8,
      source: { path: source, size: 0, mtimeMs: 0, format: 'csv', delimiter: ',' },
      results: { path: results, format: 'csv' },
      counts: { total: ROWS - 3, done: 0, failed: 0, unreadable: 0 },
      state: 'running',
      startedAt: 0,
      updatedAt: 0,
    };
  }

  const result = (input: RunInput): RunResult => {
    const id = Number((input as Record<string, string>).id);
    return { platform: 'nyckel', function: 'f', kind: 'classification', label: `L${id % 3}`, confidence: 0.5, predictions: [], durationMs: 1, raw: {} };
  };

  it('runs every row once; a stop keeps every finished row, and a resume sends none of them again', async () => {
    const source = file('leads.csv', csvSource());
    const results = join(dir, 'leads.results.csv');
    const store = new ManifestStore(join(dir, 'runs'));
    const sent = new Map<string, number>();
    const stop = new AbortController();
    const task = async (input: RunInput): Promise<RunResult> => {
      const id = (input as Record<string, string>).id!;
      sent.set(id, (sent.get(id) ?? 0) + 1);
      if (sent.size === 120) stop.abort();
      // Out of order on purpose: later rows sometimes finish first.
      await new Promise((r) => setTimeout(r, Number(id) % 4));
      if (id === '7') throw new Error('boom');
      return result(input);
    };
    const first = await runFile({ manifest: manifestOf(source, results), store, mode: 'fresh', task, concurrency: 8, stop: stop.signal, window: 16, chunkChars: 100 });
    assert.equal(first.complete, false);
    assert.equal(store.get('run1')?.state, 'stopped');
    const provisional = readFileSync(results, 'utf8').split('\n');
    const finishedIds = [...sent.keys()];
    for (const id of finishedIds) assert.ok(provisional.some((l) => l.startsWith(`${id},`)), `row ${id} is in the file`);
    const journal = await readJournal(store.journalPath('run1'));
    assert.ok(journal.checkpoint.rows > 0 && journal.layout);

    // A reload: a fresh engine reads the manifest and the journal from disk.
    const second = await runFile({ manifest: store.get('run1')!, store, mode: 'resume', task, concurrency: 8, window: 16, chunkChars: 64 });
    assert.equal(second.complete, true);
    assert.deepEqual([...sent.entries()].filter(([, n]) => n > 1), [], 'no row sent twice');
    assert.equal(sent.size, ROWS - 3, 'no row lost');
    const out = readFileSync(results, 'utf8');
    const src = csvSource();
    assert.equal(out.split('\n').length, src.split('\n').length, 'line for line');
    out.split('\n').forEach((line, k) => {
      const s = src.split('\n')[k]!;
      if (k === 0) assert.equal(line, `${s},ai_label,confidence,error`);
      else if (s === '') assert.equal(line, '');
      else if (s.startsWith('7,')) assert.equal(line, `${s},,,boom`);
      else assert.equal(line, `${s},L${Number(s.split(',')[0]) % 3},0.5,`);
    });
    const m = store.get('run1')!;
    assert.equal(m.state, 'done');
    assert.deepEqual(m.counts, { total: ROWS - 3, done: ROWS - 3, failed: 1, unreadable: 0 });

    const back: string[] = [];
    for await (const row of readResults(m)) back.push(`${row.index}:${String(row.answer.values?.label ?? '')}:${row.answer.error?.message ?? ''}`);
    assert.equal(back.length, ROWS - 3);
    assert.equal(back[7], '7::boom');
    assert.equal(back[8], '8:L2:');
  });

  it('refuses to resume when the source changed', async () => {
    const source = file('leads.csv', csvSource());
    const store = new ManifestStore(join(dir, 'runs'));
    const stop = new AbortController();
    stop.abort();
    await runFile({ manifest: manifestOf(source, join(dir, 'r.csv')), store, mode: 'fresh', task: async (i) => result(i), concurrency: 2, stop: stop.signal });
    writeFileSync(source, csvSource() + '999,x\n');
    await assert.rejects(runFile({ manifest: store.get('run1')!, store, mode: 'resume', task: async (i) => result(i), concurrency: 2 }), /has changed since the run started/);
  });
});

describe('rowFiles: the journal and the estimate', () => {
  it('keeps only the rows past the last checkpoint, the layout, and ignores a torn last line', async () => {
    const path = join(dir, 'j.journal');
    const journal = new Journal(path, true);
    journal.layout({ kind: 'classification', fields: ['label', 'confidence'], columns: ['label', 'confidence', 'error'] });
    journal.finished(1, { error: { kind: 'server', message: 'x' } });
    journal.finished(0, { values: { label: 'a' } });
    journal.checkpoint({ items: 3, rows: 2, bytes: 40, done: 2, failed: 1 });
    journal.finished(3, { values: { label: 'c' } });
    journal.close();
    appendFileSync(path, '{"i":2,"a":{"val');
    const state = await readJournal(path);
    assert.deepEqual(state.checkpoint, { items: 3, rows: 2, bytes: 40, done: 2, failed: 1 });
    assert.deepEqual([...state.finished.keys()], [3]);
    assert.deepEqual(state.layout?.columns, ['label', 'confidence', 'error']);
    assert.deepEqual((await readJournal(join(dir, 'missing'))).finished.size, 0);
  });

  it('estimates time from recent latency over the concurrency, and cost only when reported', () => {
    assert.deepEqual(estimate(1000, 10, { medianMs: 500 }), { time: 'about 50s' });
    assert.deepEqual(estimate(1000, 10, { medianMs: 500, costUsd: 0.002 }), { time: 'about 50s', cost: 'about $2.00' });
    assert.match(estimate(10, 4, {}).time, /first rows/);
  });
});
