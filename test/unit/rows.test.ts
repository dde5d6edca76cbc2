import * as assert from 'node:assert/strict';
import type { RunResult } from '../../src/core/model';
import { compactResult, countRecords, failedIndexes, recordFor, recordsToJsonLines, unreadableRecord } from '../../src/core/rowResults';
import { DETECT_LINES, detectFormat, MAX_CSV_COLUMNS, MAX_LINE_LENGTH, parseRows } from '../../src/core/rows';

describe('rows: detecting the format', () => {
  it('takes a first non-empty line that is a JSON object as JSON Lines', () => {
    assert.equal(detectFormat('\n\n{"a": 1}\nnot json\n'), 'jsonl');
  });

  it('takes a comma header as CSV in a .csv file, or when every record has as many fields', () => {
    assert.equal(detectFormat('name,city\nAda,London\n', { fileName: '/w/people.csv' }), 'csv');
    assert.equal(detectFormat('name,city\n', { languageId: 'csv' }), 'csv');
    assert.equal(detectFormat('name,city\nAda,London\n"Lovelace, Ada","London, UK"\n'), 'csv');
    assert.equal(detectFormat('name,city\r\nAda,London\r\n'), 'csv');
  });

  it('takes prose with stray commas as text', () => {
    assert.equal(detectFormat('Hello, world\nSecond line has no comma\n'), 'text');
    assert.equal(detectFormat('Hello, world, again\nTwo, fields\n'), 'text');
    assert.equal(detectFormat('Just one line, with a comma'), 'text');
    assert.equal(detectFormat('plain\nlines\n'), 'text');
    assert.equal(detectFormat(''), 'text');
    assert.equal(detectFormat('["an array", 1]\n'), 'text');
  });
});

describe('rows: parsing', () => {
  it('reads text lines, skipping empty ones without renumbering', () => {
    const { rows } = parseRows('first\n\n   \nsecond  \r\nthird', 'text');
    assert.deepEqual(
      rows.map((r) => [r.line, r.input]),
      [
        [1, 'first'],
        [4, 'second'],
        [5, 'third'],
      ],
    );
  });

  it('numbers lines from where a selection starts', () => {
    const { rows } = parseRows('a\n\nb', 'text', { firstLine: 10 });
    assert.deepEqual(rows.map((r) => r.line), [10, 12]);
  });

  it('handles CRLF and a byte-order mark', () => {
    const { rows } = parseRows('\ufeff{"a":1}\r\n\r\n{"a":2}\r\n', 'jsonl');
    assert.deepEqual(rows.map((r) => [r.line, r.input]), [
      [1, { a: 1 }],
      [3, { a: 2 }],
    ]);
  });

  it('keeps a bad JSON line as an error row at its place, never dropping it', () => {
    const { rows } = parseRows('{"a":1}\n{"a":\n[1,2]\n"just text"\n{"a":3}', 'jsonl');
    assert.equal(rows.length, 5);
    assert.deepEqual(rows.map((r) => r.line), [1, 2, 3, 4, 5]);
    assert.equal(rows[1]!.input, undefined);
    assert.match(rows[1]!.error ?? '', /^Line 2 is not valid JSON/);
    assert.equal(rows[1]!.source, '{"a":');
    assert.match(rows[2]!.error ?? '', /not an object/);
    assert.equal(rows[3]!.input, 'just text');
    assert.deepEqual(rows[4]!.input, { a: 3 });
  });

  it('reads CSV with a header, quoted commas, doubled quotes and line breaks inside quotes', () => {
    const text = [
      'query, region',
      'budget approved,EMEA',
      '"Acme, Inc. wants a demo","NA"',
      '',
      '"She said ""buy""",  "APAC"',
      '"two',
      'lines",LATAM',
      'last,EMEA',
    ].join('\r\n');
    const parsed = parseRows(text, 'csv');
    assert.deepEqual(parsed.columns, ['query', 'region']);
    assert.deepEqual(
      parsed.rows.map((r) => [r.line, r.input]),
      [
        [2, { query: 'budget approved', region: 'EMEA' }],
        [3, { query: 'Acme, Inc. wants a demo', region: 'NA' }],
        [5, { query: 'She said "buy"', region: 'APAC' }],
        [6, { query: 'two\r\nlines', region: 'LATAM' }],
        [8, { query: 'last', region: 'EMEA' }],
      ],
    );
  });

  it('turns a CSV record with the wrong number of fields or an unclosed quote into an error row', () => {
    const { rows } = parseRows('a,b\n1,2\n1,2,3\n4\n"open,5', 'csv');
    assert.deepEqual(rows.map((r) => r.line), [2, 3, 4, 5]);
    assert.match(rows[1]!.error ?? '', /Line 3 has 3 fields; the header has 2/);
    assert.match(rows[2]!.error ?? '', /Line 4 has 1 field;/);
    assert.match(rows[3]!.error ?? '', /never closed/);
    assert.deepEqual(rows[0]!.input, { a: '1', b: '2' });
  });

  it('names empty and repeated CSV columns', () => {
    assert.deepEqual(parseRows('a,,a\n1,2,3', 'csv').columns, ['a', 'column2', 'a_3']);
  });

  it('reads nothing from an empty document', () => {
    for (const format of ['text', 'jsonl', 'csv'] as const) assert.deepEqual(parseRows('\n \n', format).rows, []);
  });
});

describe('rows: hostile input', () => {
  const columnsHeader = (count: number): string => Array.from({ length: count }, (_, i) => `c${i}`).join(',');

  it('detects and refuses an 80,000-column CSV header quickly, with the column cap in words', () => {
    const header = columnsHeader(80_000);
    const row = Array.from({ length: 80_000 }, (_, i) => String(i)).join(',');
    const text = [header, row, row, row].join('\n');
    const started = performance.now();
    const format = detectFormat(text);
    const parsed = parseRows(text, format);
    const ms = performance.now() - started;
    console.log(`      80,000-column header: detect + parse in ${ms.toFixed(1)} ms`);
    assert.equal(format, 'csv');
    assert.equal(detectFormat(text, { fileName: 'wide.csv' }), 'csv');
    assert.deepEqual(parsed.rows, []);
    assert.deepEqual(parsed.columns, []);
    assert.equal(parsed.problem, 'The CSV header has 80,000 columns; at most 1,000 are supported.');
    // It took about 10 s when column names were de-duplicated with a list.
    assert.ok(ms < 2_000, `took ${ms} ms`);
  });

  it('reads a header of exactly the column cap and refuses one more', () => {
    const atCap = parseRows(`${columnsHeader(MAX_CSV_COLUMNS)}\n${'x,'.repeat(MAX_CSV_COLUMNS - 1)}x`, 'csv');
    assert.equal(atCap.problem, undefined);
    assert.equal(atCap.columns!.length, MAX_CSV_COLUMNS);
    assert.equal(Object.keys(atCap.rows[0]!.input as object).length, MAX_CSV_COLUMNS);
    assert.match(parseRows(columnsHeader(MAX_CSV_COLUMNS + 1), 'csv').problem ?? '', /has 1,001 columns; at most 1,000 are supported/);
  });

  it('names many repeated columns in linear time', () => {
    const columns = parseRows(Array(MAX_CSV_COLUMNS).fill('a').join(','), 'csv').columns!;
    assert.equal(new Set(columns).size, MAX_CSV_COLUMNS);
    assert.deepEqual(columns.slice(0, 3), ['a', 'a_2', 'a_3']);
  });

  it('turns a line over the length cap into an error row naming it, in every format, keeping line numbers', () => {
    const long = 'x'.repeat(MAX_LINE_LENGTH + 1);
    for (const format of ['text', 'jsonl'] as const) {
      const first = format === 'text' ? 'first' : '{"a":1}';
      const { rows } = parseRows(`${first}\n\n${long}\n${first}`, format, { firstLine: 10 });
      assert.deepEqual(rows.map((r) => r.line), [10, 12, 13], format);
      assert.equal(rows[1]!.input, undefined);
      assert.equal(rows[1]!.error, 'Line 12 is longer than 1,048,576 characters (1 MiB), the most a row may have; it was not read.');
      assert.ok(rows[1]!.source.length <= 201, 'only the start of the line is kept');
      assert.ok(rows[2]!.input !== undefined);
    }
    const csv = parseRows(`a,b\n1,2\n${long},3\n4,5`, 'csv');
    assert.deepEqual(csv.rows.map((r) => r.line), [2, 3, 4]);
    assert.match(csv.rows[1]!.error ?? '', /^Line 3 is longer than 1,048,576 characters/);
    assert.deepEqual(csv.rows[2]!.input, { a: '4', b: '5' });
    // At the cap a line is still read.
    assert.equal(parseRows('y'.repeat(MAX_LINE_LENGTH), 'text').rows[0]!.error, undefined);
  });

  it('refuses a CSV header over the length cap as a whole', () => {
    const parsed = parseRows(`${'h'.repeat(MAX_LINE_LENGTH)},x\n1,2`, 'csv');
    assert.deepEqual(parsed.rows, []);
    assert.match(parsed.problem ?? '', /^The CSV header \(line 1\) is longer than 1,048,576 characters/);
  });

  it('turns a JSON line nested deeper than 64 levels into an error row', () => {
    const deep = `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`;
    const fine = `${'{"a":'.repeat(64)}1${'}'.repeat(64)}`;
    const { rows } = parseRows(`${deep}\n${fine}`, 'jsonl');
    assert.equal(rows[0]!.error, 'Line 1 is JSON nested deeper than 64 levels.');
    assert.ok(rows[1]!.input !== undefined);
  });

  it('detects from the first lines only, and stays fast on a huge document', () => {
    const withOddLine = (at: number): string => ['a,b', ...Array(at - 2).fill('1,2'), 'three,fields,here', '1,2'].join('\n');
    assert.equal(detectFormat(withOddLine(DETECT_LINES)), 'text');
    assert.equal(detectFormat(withOddLine(DETECT_LINES + 1)), 'csv', 'a line past the first ones is not read');

    const huge = `name,city\n${'z'.repeat(50 * 1024 * 1024)}`;
    const started = performance.now();
    assert.equal(detectFormat(huge), 'text');
    assert.equal(detectFormat(`{"a":${'1'.repeat(20 * 1024 * 1024)}}`), 'jsonl');
    const ms = performance.now() - started;
    assert.ok(ms < 1_000, `took ${ms} ms`);
  });
});

describe('rows: result records', () => {
  const result: RunResult = {
    platform: 'nyckel',
    function: 'function_x',
    kind: 'classification',
    label: 'qualified',
    confidence: 0.9,
    predictions: [],
    durationMs: 12,
    raw: { secret: 'never written' },
  };

  it('writes a compact result without raw, platform, function or empty predictions', () => {
    assert.deepEqual(compactResult(result), { kind: 'classification', label: 'qualified', confidence: 0.9, durationMs: 12 });
  });

  it('writes one line per row in order, with line, input and output or error', () => {
    const records = [
      recordFor(1, 'a', { ok: true, value: result, attempts: 1 }),
      unreadableRecord({ line: 2, source: '{bad', error: 'Line 2 is not valid JSON.' }),
      recordFor(4, 'c', { ok: false, error: { kind: 'server', message: 'Sutro had a server error (503).' }, attempts: 1 }),
      recordFor(5, 'd', { ok: false, error: { kind: 'cancelled', message: 'not run: cancelled' }, attempts: 0 }),
    ];
    const lines = recordsToJsonLines(records).trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.deepEqual(JSON.parse(lines[0]!), { line: 1, input: 'a', output: { kind: 'classification', label: 'qualified', confidence: 0.9, durationMs: 12 } });
    assert.deepEqual(JSON.parse(lines[1]!), { line: 2, source: '{bad', error: { kind: 'invalidInput', message: 'Line 2 is not valid JSON.' } });
    assert.deepEqual(JSON.parse(lines[2]!), { line: 4, input: 'c', error: { kind: 'server', message: 'Sutro had a server error (503).' } });
    assert.deepEqual(failedIndexes(records), [2, 3], 'unreadable lines are not re-run');
    assert.deepEqual(countRecords(records), { total: 4, succeeded: 1, failed: 1, cancelled: 1, unreadable: 1 });
  });
});
