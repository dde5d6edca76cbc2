import * as assert from 'node:assert/strict';
import type { RunResult } from '../../src/core/model';
import { compactResult, countRecords, failedIndexes, recordFor, recordsToJsonLines, unreadableRecord } from '../../src/core/rowResults';
import { detectFormat, parseRows } from '../../src/core/rows';

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
