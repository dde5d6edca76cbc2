// The questions Evaluate Function… asks, in order: which file, which column holds the expected
// label, and whether to run a function or read an earlier results file's answers (and which
// column holds them when the file does not say).
import * as vscode from 'vscode';
import { guessAnswerColumns, guessExpectedColumn, answerColumnsAt, type AnswerColumns } from '../../core/evaluationRows';
import { isEvaluable, fileName, type EvaluationSource } from './evaluationSource';

const TITLE = 'Evaluate Function';

/** The menu's file, else the active editor's (when CSV or JSON Lines), else one the user opens. */
export async function chooseFile(arg: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  if (arg) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isEvaluable(active)) return active;
  const picked = await vscode.window.showOpenDialog({
    title: `${TITLE}: a CSV or JSON Lines file with the expected labels`,
    canSelectMany: false,
    openLabel: 'Evaluate',
    filters: { 'CSV or JSON Lines': ['csv', 'jsonl', 'ndjson'] },
  });
  return picked?.[0];
}

/** The column of expected labels: `label`, `expected`, `gold` or `truth` is offered first. */
export async function chooseLabelColumn(source: EvaluationSource): Promise<string | undefined> {
  const guess = guessExpectedColumn(source.columns);
  const ordered = guess === undefined ? source.columns : [guess, ...source.columns.filter((c) => c !== guess)];
  const items = ordered.map((column) => ({ label: column, description: column === guess ? 'looks like the expected labels' : undefined }));
  const picked = await pick(items, `${TITLE}: ${source.name}`, 'The column that holds the expected label');
  return picked?.label;
}

export type EvaluationMode = 'run' | 'results';

export async function chooseMode(source: EvaluationSource, labelColumn: string): Promise<EvaluationMode | undefined> {
  const answers = guessAnswerColumns(source.columns, labelColumn);
  const items: (vscode.QuickPickItem & { mode: EvaluationMode })[] = [
    { label: '$(play) Run a function on these rows', detail: 'Each row is sent without its expected label; the answers are compared with it.', mode: 'run' },
    {
      label: '$(file) Read an earlier results file',
      detail: answers.answer ? `Compare the column "${answers.answer.label}" with "${labelColumn}"; nothing is run.` : 'Compare an answer column of this file with the expected labels; nothing is run.',
      mode: 'results',
    },
  ];
  // A results file (it has an answer column) is most likely read, not run again.
  if (answers.answer) items.reverse();
  return (await pick(items, `${TITLE}: ${fileName(source.uri)}`, 'Where the answers come from'))?.mode;
}

/** The answer columns of a results file; asks when the file does not say which they are. */
export async function chooseAnswerColumns(source: EvaluationSource, labelColumn: string): Promise<AnswerColumns | undefined> {
  const { answer, candidates } = guessAnswerColumns(source.columns, labelColumn);
  if (answer) return answer;
  const others = source.columns.filter((c) => c !== labelColumn);
  const ordered = [...candidates, ...others.filter((c) => !candidates.includes(c))];
  const picked = await pick(
    ordered.map((column) => ({ label: column, description: candidates.includes(column) ? 'an answer column' : undefined })),
    `${TITLE}: ${source.name}`,
    'The column that holds the function’s answers',
  );
  return picked && answerColumnsAt(source.columns, picked.label);
}

function pick<T extends vscode.QuickPickItem>(items: T[], title: string, placeHolder: string): Thenable<T | undefined> {
  return vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true, matchOnDescription: true });
}
