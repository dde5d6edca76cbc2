// The evaluation metrics against cases counted by hand: a three-label run with an error and a
// missing answer, ties, labels never predicted (or never expected), all errors, and no rows.
import assert from 'node:assert/strict';
import { binOf, compareLabels, compareRuns, confusionMatrix, evaluateItems, reliability, type EvalItem } from '../../src/core/metrics';

const close = (actual: number | undefined, expected: number, what: string): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
};

/** 8 rows: 6 scored (4 correct), 1 error, 1 without an answer; `bird` is never predicted. */
const THREE_LABELS: EvalItem[] = [
  { line: 2, expected: 'cat', predicted: 'cat', confidence: 0.9 },
  { line: 3, expected: 'cat', predicted: 'dog', confidence: 0.8 },
  { line: 4, expected: 'dog', predicted: 'dog', confidence: 0.7 },
  { line: 5, expected: 'dog', predicted: 'dog', confidence: 0.65 },
  { line: 6, expected: 'bird', predicted: 'cat', confidence: 0.55 },
  { line: 7, expected: 'cat', predicted: 'cat', confidence: 0.95 },
  { line: 8, expected: 'dog', error: 'rate limited' },
  { line: 9, expected: 'cat' },
];

describe('metrics', () => {
  describe('a three-label run', () => {
    const m = evaluateItems(THREE_LABELS);

    it('counts accuracy over the scored rows and reports errors and missing answers beside it', () => {
      assert.deepEqual({ ...m.accuracy, value: undefined }, { correct: 4, scored: 6, total: 8, errors: 1, missing: 1, value: undefined });
      close(m.accuracy.value, 4 / 6, 'accuracy');
    });

    it('builds the confusion matrix over the sorted union of labels (rows expected, columns predicted)', () => {
      assert.deepEqual(m.matrix, {
        labels: ['bird', 'cat', 'dog'],
        counts: [
          [0, 1, 0],
          [0, 2, 1],
          [0, 0, 2],
        ],
      });
    });

    it('leaves precision undefined for a label never predicted, and F1 with it', () => {
      const bird = m.perLabel[0]!;
      assert.deepEqual(bird, { label: 'bird', support: 1, predicted: 0, truePositives: 0, precision: undefined, recall: 0, f1: undefined });
      const [, cat, dog] = m.perLabel;
      close(cat!.precision, 2 / 3, 'cat precision');
      close(cat!.recall, 2 / 3, 'cat recall');
      close(cat!.f1, 2 / 3, 'cat F1');
      close(dog!.precision, 2 / 3, 'dog precision');
      close(dog!.recall, 1, 'dog recall');
      close(dog!.f1, 0.8, 'dog F1');
      assert.deepEqual([cat!.support, dog!.support, cat!.predicted, dog!.predicted], [3, 2, 3, 3]);
    });

    it('averages over the labels whose value is defined', () => {
      close(m.macro.precision, 2 / 3, 'macro precision (bird skipped)');
      close(m.macro.recall, (0 + 2 / 3 + 1) / 3, 'macro recall');
      close(m.macro.f1, (2 / 3 + 0.8) / 2, 'macro F1 (bird skipped)');
    });

    it('bins confidences and computes the expected calibration error', () => {
      const bins = m.reliability.bins;
      assert.equal(bins.length, 10);
      assert.equal(m.reliability.rows, 6);
      assert.deepEqual(bins.map((b) => b.count), [0, 0, 0, 0, 0, 1, 1, 1, 1, 2]);
      close(bins[9]!.meanConfidence, 0.925, 'bin 9 mean');
      close(bins[9]!.accuracy, 1, 'bin 9 accuracy');
      assert.equal(bins[8]!.accuracy, 0);
      assert.equal(bins[0]!.meanConfidence, undefined);
      assert.equal(bins[0]!.accuracy, undefined);
      close(m.reliability.ece, (2 * 0.075 + 0.8 + 0.3 + 0.35 + 0.55) / 6, 'ECE');
    });

    it('lists the disagreements and the failures in line order', () => {
      assert.deepEqual(m.disagreements, [
        { line: 3, expected: 'cat', predicted: 'dog', confidence: 0.8 },
        { line: 6, expected: 'bird', predicted: 'cat', confidence: 0.55 },
      ]);
      assert.deepEqual(m.failures, [
        { line: 8, expected: 'dog', error: 'rate limited' },
        { line: 9, expected: 'cat' },
      ]);
    });
  });

  describe('ties', () => {
    it('orders labels by name whatever the counts and the order of the rows', () => {
      const rows: EvalItem[] = [
        { line: 1, expected: 'b', predicted: 'b' },
        { line: 2, expected: 'a', predicted: 'a' },
        { line: 3, expected: 'B', predicted: 'a' },
        { line: 4, expected: 'b', predicted: 'B' },
      ];
      const forward = confusionMatrix(rows);
      assert.deepEqual(forward.labels, ['B', 'a', 'b'], 'code-unit order: upper case first');
      assert.deepEqual(confusionMatrix([...rows].reverse()), forward);
      assert.deepEqual(forward.counts, [
        [0, 1, 0],
        [0, 1, 0],
        [1, 0, 1],
      ]);
      assert.equal(compareLabels('é', 'z'), 1, 'not locale order');
    });

    it('puts equal confidences in one bin, a right and a wrong one making it perfectly calibrated', () => {
      const r = reliability([
        { line: 1, expected: 'x', predicted: 'x', confidence: 0.5 },
        { line: 2, expected: 'x', predicted: 'y', confidence: 0.5 },
      ]);
      assert.equal(r.bins[5]!.count, 2);
      close(r.bins[5]!.accuracy, 0.5, 'accuracy');
      close(r.bins[5]!.meanConfidence, 0.5, 'mean confidence');
      close(r.ece, 0, 'ECE');
    });

    it('gives F1 0 (not undefined) when precision and recall are both 0', () => {
      const m = evaluateItems([
        { line: 1, expected: 'x', predicted: 'y' },
        { line: 2, expected: 'y', predicted: 'x' },
      ]);
      assert.deepEqual(m.perLabel.map((l) => [l.precision, l.recall, l.f1]), [
        [0, 0, 0],
        [0, 0, 0],
      ]);
      assert.equal(m.macro.f1, 0);
    });
  });

  describe('empty classes', () => {
    it('leaves recall undefined for a label only ever predicted', () => {
      const m = evaluateItems([
        { line: 1, expected: 'x', predicted: 'x' },
        { line: 2, expected: 'x', predicted: 'z' },
      ]);
      const z = m.perLabel.find((l) => l.label === 'z')!;
      assert.deepEqual(z, { label: 'z', support: 0, predicted: 1, truePositives: 0, precision: 0, recall: undefined, f1: undefined });
      close(m.macro.recall, 0.5, 'macro recall skips z');
      close(m.macro.precision, 0.5, 'macro precision: x 1, z 0');
    });

    it('leaves labels of failed rows out of the matrix', () => {
      const m = evaluateItems([
        { line: 1, expected: 'x', predicted: 'x' },
        { line: 2, expected: 'never', error: 'boom' },
      ]);
      assert.deepEqual(m.matrix.labels, ['x']);
    });
  });

  it('reports all errors as nothing scored, with every value undefined', () => {
    const m = evaluateItems([
      { line: 1, expected: 'x', error: 'a' },
      { line: 2, expected: 'y', error: 'b', predicted: 'y' },
    ]);
    assert.deepEqual(m.accuracy, { correct: 0, scored: 0, total: 2, errors: 2, missing: 0, value: undefined });
    assert.deepEqual(m.matrix, { labels: [], counts: [] });
    assert.deepEqual(m.macro, { precision: undefined, recall: undefined, f1: undefined });
    assert.equal(m.reliability.ece, undefined);
    assert.deepEqual(m.disagreements, []);
    assert.equal(m.failures.length, 2);
  });

  it('evaluates no rows without failing', () => {
    const m = evaluateItems([]);
    assert.deepEqual(m.accuracy, { correct: 0, scored: 0, total: 0, errors: 0, missing: 0, value: undefined });
    assert.deepEqual(m.perLabel, []);
    assert.equal(m.reliability.rows, 0);
    assert.equal(m.reliability.ece, undefined);
    assert.deepEqual(m.reliability.bins.map((b) => b.count), Array(10).fill(0));
  });

  it('puts bin edges in the upper bin, 1 in the last, and clamps', () => {
    assert.deepEqual([0, 0.1, 0.3, 0.7, 0.99, 1, 1.2, -0.1].map((c) => binOf(c)), [0, 1, 3, 7, 9, 9, 9, 0]);
    assert.equal(reliability([{ line: 1, expected: 'x', predicted: 'x', confidence: Number.NaN }]).rows, 0, 'NaN left out');
  });

  describe('compareRuns', () => {
    const before: EvalItem[] = [
      { line: 1, expected: 'a', predicted: 'a' },
      { line: 2, expected: 'a', predicted: 'b' },
      { line: 3, expected: 'b', predicted: 'b' },
      { line: 4, expected: 'b', error: 'timeout' },
    ];
    const after: EvalItem[] = [
      { line: 1, expected: 'a', predicted: 'a' },
      { line: 2, expected: 'a', predicted: 'a' },
      { line: 3, expected: 'b', predicted: 'a' },
      { line: 4, expected: 'b', predicted: 'b' },
      { line: 5, expected: 'b', predicted: 'b' },
    ];

    it('counts agreement over the rows both runs answered, and lists every changed row', () => {
      const c = compareRuns(before, after);
      assert.equal(c.compared, 3);
      assert.equal(c.agreed, 1);
      close(c.agreement, 1 / 3, 'agreement');
      assert.deepEqual(c.changes, [
        { line: 2, expected: 'a', before: 'b', after: 'a', matches: 'after' },
        { line: 3, expected: 'b', before: 'b', after: 'a', matches: 'before' },
        { line: 4, expected: 'b', after: 'b', matches: 'after' },
      ]);
      assert.deepEqual([c.fixed, c.broken], [2, 1]);
      assert.deepEqual([c.before.correct, c.before.scored, c.after.correct, c.after.scored], [2, 3, 3, 4], 'only the shared lines (5 is left out)');
    });

    it('finds no changes between a run and itself', () => {
      const c = compareRuns(before, before);
      assert.deepEqual([c.changes.length, c.agreement], [0, 1]);
    });
  });
});
