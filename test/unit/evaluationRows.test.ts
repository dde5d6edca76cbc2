// From a parsed CSV / JSON Lines file to evaluation rows: the expected column guessed by name, the
// answer columns of a results file (named by the results-file contract), rows sent without
// their label, and EvalItems read from a results file.
import assert from 'node:assert/strict';
import { columnsOf, guessAnswerColumns, guessExpectedColumn, itemFromAnswer, itemsFromResults, selectRows } from '../../src/core/evaluationRows';
import type { RunResult } from '../../src/core/model';
import { parseRows } from '../../src/core/rows';

describe('evaluation rows', () => {
  it('guesses the expected column: expected, gold, truth, then label', () => {
    assert.equal(guessExpectedColumn(['text', 'Label']), 'Label');
    assert.equal(guessExpectedColumn(['text', 'label', 'gold']), 'gold', 'a results file has a label answer column');
    assert.equal(guessExpectedColumn(['text']), undefined);
  });

  it('finds the answer columns a results file appended, the most ai_-prefixed label first', () => {
    assert.deepEqual(guessAnswerColumns(['text', 'label', 'ai_label', 'confidence', 'error'], 'label').answer, { label: 'ai_label', confidence: 'confidence', error: 'error' });
    assert.deepEqual(guessAnswerColumns(['text', 'expected', 'label', 'confidence', 'error'], 'expected').answer, { label: 'label', confidence: 'confidence', error: 'error' });
    assert.deepEqual(guessAnswerColumns(['label', 'ai_label', 'confidence', 'ai_ai_label', 'ai_confidence', 'error'], 'label').answer, { label: 'ai_ai_label', confidence: 'ai_confidence', error: 'error' });
    assert.deepEqual(guessAnswerColumns(['text', 'label'], 'label'), { candidates: [] }, 'not a results file: ask');
  });

  it('reads JSON Lines fields in first-seen order', () => {
    assert.deepEqual(columnsOf(parseRows('{"a":1,"label":"x"}\n{"b":2}\n', 'jsonl')), ['a', 'label', 'b']);
  });

  it('sends a row without its label (a single field as its text) and leaves unlabelled rows out', () => {
    const parsed = parseRows('text,region,label\nhello,EU,x\nbye,US,\n', 'csv');
    const selected = selectRows(parsed, 'label');
    assert.deepEqual(selected, { rows: [{ line: 2, expected: 'x', input: { text: 'hello', region: 'EU' } }], unlabelled: 1, unreadable: 0 });
    assert.deepEqual(selectRows(parsed, 'label', ['region']).rows[0]!.input, 'hello');
  });

  it('reads answers, confidences and errors from a results file', () => {
    const parsed = parseRows('{"t":"a","label":"x","ai_label":"x","confidence":0.9,"error":""}\n{"t":"b","label":"y","ai_label":"","confidence":"","error":"boom"}\n', 'jsonl');
    const { items } = itemsFromResults(parsed, 'label', { label: 'ai_label', confidence: 'confidence', error: 'error' });
    assert.deepEqual(items, [
      { line: 1, expected: 'x', predicted: 'x', confidence: 0.9 },
      { line: 2, expected: 'y', error: 'boom' },
    ]);
  });

  it('counts a row cancelled before its answer as missing, not as an error', () => {
    assert.deepEqual(itemFromAnswer({ line: 4, expected: 'x' }, { ok: false, error: { kind: 'cancelled', message: 'not run: cancelled' } }), { line: 4, expected: 'x' });
    assert.deepEqual(itemFromAnswer({ line: 4, expected: 'x' }, { ok: false, error: { kind: 'timeout', message: 'timed out' } }), { line: 4, expected: 'x', error: 'timed out' });
  });

  it('turns a run without a label into an error item', () => {
    const base: Omit<RunResult, 'kind'> = { platform: 'nyckel', function: 'f', predictions: [], raw: {}, durationMs: 1 };
    assert.deepEqual(itemFromAnswer({ line: 3, expected: 'x' }, { ok: true, value: { ...base, kind: 'extraction', output: { a: 1 } } }), { line: 3, expected: 'x', error: 'The function answered without a label.' });
    assert.deepEqual(itemFromAnswer({ line: 3, expected: 'x' }, { ok: true, value: { ...base, kind: 'classification', label: ' x ', confidence: 0.7 } }), { line: 3, expected: 'x', predicted: 'x', confidence: 0.7 });
  });
});
