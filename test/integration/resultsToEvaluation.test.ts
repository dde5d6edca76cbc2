// Issue 13's first "done when", as a new user would do it against the emulators: a 2,000-row CSV
// with a `label` column is run through Run Function on Each Line…, which writes a results CSV
// beside it with the answer columns appended (`ai_label`: the file already has a `label`), and
// Evaluate reads that results file (nothing is sent) into numbers that match a count by hand.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RowsCommandResult } from '../../src/vscode/rows/rowCommands';
import { emulators, setAllKeys } from './environment';
import { answerModals } from './helpers';

const ROWS = 2_000;

/**
 * The Sutro emulator's lead-qualifier answers `qualified` when the query names a buying keyword
 * (pricing, demo, budget…) and `not_qualified` otherwise. Every third row asks for pricing; every
 * tenth row's expected label is the other one (a disagreement), so by hand:
 * predicted qualified = rows i % 3 === 0; wrong = rows i % 10 === 0.
 */
const predicted = (i: number): string => (i % 3 === 0 ? 'qualified' : 'not_qualified');
const other = (label: string): string => (label === 'qualified' ? 'not_qualified' : 'qualified');
const expected = (i: number): string => (i % 10 === 0 ? other(predicted(i)) : predicted(i));
const query = (i: number): string => (i % 3 === 0 ? `Lead ${i} wants pricing for 40 seats, "soon"` : `Lead ${i} is just browsing`);

function leadsCsv(): string {
  const lines = ['query,region,label'];
  for (let i = 0; i < ROWS; i++) lines.push(`"${query(i).replace(/"/g, '""')}",${i % 2 ? 'EMEA' : 'NA'},${expected(i)}`);
  return lines.join('\n') + '\n';
}

describe('Results file to Evaluation (2,000 labelled rows)', function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => {
    await emulators();
    await setAllKeys();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-functions-results-eval-'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs a 2,000-row CSV to a results CSV with the columns appended, and evaluates it to the hand count', async () => {
    const emu = await emulators();
    const source = path.join(dir, 'leads.csv');
    const text = leadsCsv();
    fs.writeFileSync(source, text);
    emu.sutro.clearRequests();

    const modals = answerModals((_message, buttons) => buttons.find((b) => b === 'Run'));
    let result: RowsCommandResult | undefined;
    try {
      result = await vscode.commands.executeCommand<RowsCommandResult | undefined>('aiFunctions.runOnEachLine', {
        platform: 'sutro',
        function: 'lead-qualifier',
        uri: vscode.Uri.file(source),
        mode: 'rows',
        concurrency: 16,
      });
    } finally {
      modals.restore();
    }
    assert.ok(result && result.mode === 'rows', 'a file run');
    assert.equal(emu.sutro.requestsTo('/functions/run', 'POST').length, ROWS, 'each row sent once');

    const resultsPath = path.join(dir, 'leads.results.csv');
    const lines = fs.readFileSync(resultsPath, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'ends with a line break');
    assert.equal(lines.length, ROWS + 1);
    assert.equal(lines[0], 'query,region,label,ai_label,confidence,error');
    const sourceLines = text.split('\n');
    for (let i = 0; i < ROWS; i++) {
      const line = lines[i + 1]!;
      assert.ok(line.startsWith(`${sourceLines[i + 1]},${predicted(i)},`), `line ${i + 2} is the source record with its answer: ${line}`);
      assert.match(line.slice(sourceLines[i + 1]!.length), /^,(not_)?qualified,(0(\.\d+)?|1),$/, `line ${i + 2}: label, confidence, no error`);
    }

    const api = await setAllKeys();
    const runs = () => emu.sutro.requestsTo('/functions/run', 'POST').length;
    const before = runs();
    const report = await api.evaluate(null, { file: resultsPath, labelColumn: 'label', resultsColumn: 'ai_label' });
    assert.equal(runs(), before, 'evaluating a results file runs nothing');

    // By hand: predicted qualified ⇔ i % 3 === 0; wrong ⇔ i % 10 === 0.
    let qq = 0; // expected qualified, predicted qualified
    let qn = 0; // expected qualified, predicted not_qualified
    let nq = 0;
    let nn = 0;
    for (let i = 0; i < ROWS; i++) {
      const e = expected(i);
      const p = predicted(i);
      if (e === 'qualified' && p === 'qualified') qq++;
      else if (e === 'qualified') qn++;
      else if (p === 'qualified') nq++;
      else nn++;
    }
    const m = report.metrics;
    assert.deepEqual({ correct: m.accuracy.correct, scored: m.accuracy.scored, errors: m.accuracy.errors }, { correct: ROWS - ROWS / 10, scored: ROWS, errors: 0 });
    assert.deepEqual(m.matrix, { labels: ['not_qualified', 'qualified'], counts: [[nn, nq], [qn, qq]] });
    assert.equal(m.disagreements.length, ROWS / 10);
    const first = m.disagreements[0]!;
    assert.deepEqual([first.line, first.expected, first.predicted], [2, 'not_qualified', 'qualified']);
    const qualified = m.perLabel.find((l) => l.label === 'qualified')!;
    assert.equal(qualified.precision, qq / (qq + nq));
    assert.equal(qualified.recall, qq / (qq + qn));
  });
});
