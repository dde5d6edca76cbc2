// Evaluate Function… in the real extension host against the Nyckel emulator, whose sentiment
// function answers by keywords (test/emulator/nyckel.ts): a small CSV with known expected labels,
// its report checked against a count by hand, the earlier-results path (nothing sent), the
// scripted command (asks first, opens the Evaluation view) and the public API's argument checks.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationReport } from '../../src/api';
import type { EvalHostMessage } from '../../src/shared/evaluationProtocol';
import type { EvaluationFeature } from '../../src/vscode/evaluate/evaluation';
import { modelsOf, NYCKEL_FUNCTIONS } from '../emulator/nyckel';
import { emulators, setAllKeys, testing } from './environment';
import { answerModals, waitFor } from './helpers';

const INVOKE = /\/v1\/functions\/function_sentiment\/invoke$/;
const FN = { platform: 'nyckel' as const, function: 'function_sentiment' };

/**
 * Line 1 is the header. By the emulator's keywords: love/great/fast → positive, terrible/crashes/
 * broken/refund → negative, no keyword → neutral. Lines 6, 7 and 8 disagree with their label;
 * line 9 has no label (left out).
 */
const REVIEWS = [
  'review,label',
  'I love it,positive', // 2 positive ✓
  'Great and fast,positive', // 3 positive ✓
  'This is terrible,negative', // 4 negative ✓
  'It arrived on Tuesday,neutral', // 5 neutral ✓
  'The app crashes,positive', // 6 negative ✗
  'Nothing to say,negative', // 7 neutral ✗
  'Excellent support,neutral', // 8 positive ✗
  'awful and slow,', // 9 no label
  '"Broken, refund please",negative', // 10 negative ✓
].join('\n');

function checkHandCount(report: EvaluationReport): void {
  const m = report.metrics;
  assert.deepEqual(
    { correct: m.accuracy.correct, scored: m.accuracy.scored, errors: m.accuracy.errors, missing: m.accuracy.missing },
    { correct: 5, scored: 8, errors: 0, missing: 0 },
  );
  assert.equal(report.unlabelled, 1);
  assert.deepEqual(m.matrix, {
    labels: ['negative', 'neutral', 'positive'],
    counts: [
      [2, 1, 0],
      [0, 1, 1],
      [1, 0, 2],
    ],
  });
  assert.deepEqual(
    m.perLabel.map((l) => [l.label, l.support, l.predicted, l.truePositives]),
    [
      ['negative', 3, 3, 2],
      ['neutral', 2, 2, 1],
      ['positive', 3, 3, 2],
    ],
  );
  assert.equal(m.perLabel[1]!.precision, 0.5);
  assert.deepEqual(
    m.disagreements.map((d) => [d.line, d.expected, d.predicted]),
    [
      [6, 'positive', 'negative'],
      [7, 'negative', 'neutral'],
      [8, 'neutral', 'positive'],
    ],
  );
  assert.equal(m.reliability.rows, 8, 'every answer has a confidence');
}

describe('Evaluate Function', function () {
  this.timeout(60_000);
  let dir: string;
  let csv: string;

  before(async () => {
    await emulators();
    await setAllKeys();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-functions-evaluate-'));
    csv = path.join(dir, 'reviews.csv');
    fs.writeFileSync(csv, REVIEWS + '\n');
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the function on the labelled rows of a CSV, without the label, and counts as by hand', async () => {
    const emu = await emulators();
    const before = emu.nyckel.requestsTo(INVOKE).length;
    const api = await setAllKeys();
    const report = await api.evaluate(FN, { file: csv, labelColumn: 'label' });
    checkHandCount(report);
    assert.equal(report.function?.name, 'Review sentiment');
    const sent = emu.nyckel.requestsTo(INVOKE).slice(before).map((r) => (r.parsed as { data: unknown }).data);
    assert.equal(sent.length, 8, 'the unlabelled row is not sent');
    assert.ok(sent.includes('I love it') && sent.includes('Broken, refund please'), 'each row is sent as its text, without its label');
  });

  it('reads an earlier results file without sending anything', async () => {
    const emu = await emulators();
    const results = path.join(dir, 'reviews.results.csv');
    fs.writeFileSync(
      results,
      ['review,label,ai_label,confidence,error', 'a,x,x,0.9,', 'b,x,y,0.8,', 'c,y,,,rate limited', 'd,y,y,0.95,', 'e,,x,0.5,'].join('\n') + '\n',
    );
    // Only the function's invocations count: the views may list functions in the background.
    const before = emu.nyckel.requestsTo(INVOKE).length;
    const report = await (await setAllKeys()).evaluate(null, { file: results, labelColumn: 'label', resultsColumn: 'ai_label' });
    assert.equal(emu.nyckel.requestsTo(INVOKE).length, before, 'nothing sent');
    assert.deepEqual(report.metrics.accuracy, { correct: 2, scored: 3, total: 4, errors: 1, missing: 0, value: 2 / 3 });
    assert.equal(report.unlabelled, 1);
    assert.deepEqual(report.metrics.failures, [{ line: 4, expected: 'y', error: 'rate limited' }]);
    assert.deepEqual(report.metrics.disagreements, [{ line: 3, expected: 'x', predicted: 'y', confidence: 0.8 }]);
  });

  it('evaluates rows given to the API, and checks its arguments', async () => {
    const api = await setAllKeys();
    const report = await api.evaluate(FN, [
      { input: 'I love it', expected: 'positive' },
      { input: 'terrible', expected: 'positive' },
    ]);
    assert.deepEqual([report.metrics.accuracy.correct, report.metrics.accuracy.scored], [1, 2]);
    await assert.rejects(api.evaluate(FN, { file: csv } as never), /evaluate: source is not valid/);
    await assert.rejects(api.evaluate(null, { file: csv, labelColumn: 'label' }), /give a request/);
    await assert.rejects(api.evaluate(FN, { file: csv, labelColumn: 'nope' }), /no column "nope"/);
  });

  it('asks before a scripted command sends rows, then opens the Evaluation view with the report', async () => {
    const modals = answerModals((_message, buttons) => buttons.find((b) => b === 'Evaluate'));
    const t = (await testing()) as unknown as { evaluation: EvaluationFeature };
    let report: EvaluationReport | undefined;
    try {
      report = await vscode.commands.executeCommand<EvaluationReport | undefined>('aiFunctions.evaluateFunction', { file: csv, labelColumn: 'label', ...FN });
    } finally {
      modals.restore();
    }
    assert.equal(modals.asked.length, 1);
    assert.match(modals.asked[0]!, /Send the rows of reviews\.csv to Nyckel, to evaluate Review sentiment against "label"\?/);
    assert.ok(report);
    checkHandCount(report);
    const panel = t.evaluation.lastPanel;
    assert.ok(panel, 'an Evaluation view opened');
    const posted: EvalHostMessage[] = [];
    const listening = panel.onDidPost((message) => posted.push(message));
    try {
      const shown = await waitFor('the report in the view', () => posted.find((m) => m.type === 'report'), 20_000);
      assert.ok(shown.type === 'report');
      assert.equal(shown.report.accuracy.correct, 5);
      assert.equal(shown.report.title, 'Review sentiment on reviews.csv');
      assert.deepEqual(shown.report.matrix?.labels, ['negative', 'neutral', 'positive']);
      assert.ok(!JSON.stringify(shown).includes('nyckel_test_secret'), 'no key reaches the webview');
    } finally {
      listening.dispose();
      panel.dispose();
    }
  });

  it('compares with the same function and another model, and exports the report', async () => {
    const emu = await emulators();
    const modelId = modelsOf(NYCKEL_FUNCTIONS.find((f) => f.id === FN.function)!)[0]!;
    const t = (await testing()) as unknown as { evaluation: EvaluationFeature };
    const report = await (await setAllKeys()).evaluate(FN, { file: csv, labelColumn: 'label' }, { show: true });
    checkHandCount(report);
    const panel = t.evaluation.lastPanel!;
    const posted: EvalHostMessage[] = [];
    const listening = panel.onDidPost((message) => posted.push(message));
    // A person picks "… with another Model ID…" and types the model; then saves the exports.
    const window = vscode.window as unknown as Record<string, unknown>;
    const originals = { showQuickPick: window.showQuickPick, showInputBox: window.showInputBox, showSaveDialog: window.showSaveDialog };
    const offered: string[] = [];
    window.showQuickPick = (items: readonly vscode.QuickPickItem[]) => {
      offered.push(...items.map((i) => i.label));
      return Promise.resolve(items.find((i) => /with another Model ID/.test(i.label)));
    };
    window.showInputBox = () => Promise.resolve(modelId);
    const exported = path.join(dir, 'reviews.evaluation.md');
    window.showSaveDialog = () => Promise.resolve(vscode.Uri.file(exported));
    try {
      const before = emu.nyckel.requestsTo(INVOKE).length;
      await panel.receive({ type: 'compare' });
      const sent = emu.nyckel.requestsTo(INVOKE).slice(before);
      assert.equal(sent.length, 8);
      assert.ok(sent.every((r) => r.query.modelId === modelId), 'every row sent to the other model');
      assert.ok(offered.includes('$(symbol-function) Another function…'));
      const shown = posted.filter((m) => m.type === 'report').pop();
      assert.ok(shown?.type === 'report' && shown.report.comparison);
      assert.equal(shown.report.comparison.title, `Review sentiment (Nyckel) with modelId = ${modelId}`);
      assert.deepEqual([shown.report.comparison.agreed, shown.report.comparison.compared, shown.report.comparison.changes.length], [8, 8, 0], 'the emulator answers the same whatever the model');
      assert.equal(panel.current.report.comparison?.function.options?.modelId, modelId);

      await panel.receive({ type: 'export', format: 'markdown' });
      const markdown = fs.readFileSync(exported, 'utf8');
      assert.match(markdown, /\| negative \| 2 \| 1 \| 0 \|/);
      assert.match(markdown, /Agreement: 100\.0% \(8 of 8 rows\)/);
      // A message the protocol does not allow is refused.
      await panel.receive({ type: 'openLine', line: 0 });
      await panel.receive({ type: 'export', format: 'html' });
      assert.ok(!fs.existsSync(path.join(dir, 'reviews.evaluation.html')));
    } finally {
      Object.assign(window, originals);
      listening.dispose();
      panel.dispose();
    }
  });

  it('sends nothing when the scripted command is declined', async () => {
    const emu = await emulators();
    const before = emu.nyckel.requestsTo(INVOKE).length;
    const declined = answerModals(() => undefined);
    try {
      const result = await vscode.commands.executeCommand('aiFunctions.evaluateFunction', { file: csv, labelColumn: 'label', ...FN });
      assert.equal(result, undefined);
    } finally {
      declined.restore();
    }
    assert.equal(emu.nyckel.requestsTo(INVOKE).length, before);
  });
});
