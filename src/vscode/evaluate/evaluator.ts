// Evaluate, the part the command and the public API share: from a file (or rows) and the column of
// expected labels to an EvaluationReport, either by running a function (through the
// EvaluationRunner seam) or by reading the answer columns of an earlier results file.
import type * as vscode from 'vscode';
import { AiFunctionsError } from '../../core/errors';
import { buildReport, withComparison, type EvaluatedFunction, type EvaluationReport } from '../../core/evaluationReport';
import { guessAnswerColumns, itemsFromResults, selectRows, type AnswerColumns, type LabelledRow } from '../../core/evaluationRows';
import type { EvalItem } from '../../core/metrics';
import type { RowProgress } from '../../core/rowRunner';
import type { EvaluationRunner } from './evaluationRunner';
import { readSource, type EvaluationSource } from './evaluationSource';

/** What an evaluation keeps to compare with another run and to open rows: its rows and its file. */
export interface Evaluation {
  report: EvaluationReport;
  /** The labelled rows (for Compare with…: the same rows, run again). */
  rows: LabelledRow[];
  file?: vscode.Uri;
  /** The evaluated file's name, for titles. */
  name: string;
}

export interface RunControls {
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (progress: RowProgress) => void;
}

export class Evaluator {
  constructor(private readonly runner: EvaluationRunner) {}

  /** Reads an earlier results file's answers: nothing is run. */
  readResults(source: EvaluationSource, labelColumn: string, answer: AnswerColumns): Evaluation {
    checkColumn(source, labelColumn);
    checkColumn(source, answer.label);
    if (answer.label === labelColumn) throw new AiFunctionsError('invalidInput', 'The expected labels and the answers must be two different columns.');
    const { items, unlabelled, unreadable } = itemsFromResults(source.parsed, labelColumn, answer);
    const omit = [answer.label, answer.confidence, answer.error].filter((c): c is string => c !== undefined);
    return {
      report: buildReport({ file: source.uri.fsPath, labelColumn, resultsColumn: answer.label, unlabelled, unreadable, items }),
      rows: selectRows(source.parsed, labelColumn, omit).rows,
      file: source.uri,
      name: source.name,
    };
  }

  /** Runs `fn` over the labelled rows of a file. */
  async runFile(source: EvaluationSource, labelColumn: string, fn: EvaluatedFunction, controls: RunControls): Promise<Evaluation> {
    checkColumn(source, labelColumn);
    const selection = selectRows(source.parsed, labelColumn);
    if (selection.rows.length === 0) throw new AiFunctionsError('invalidInput', `No row of ${source.name} has an expected label in "${labelColumn}".`);
    const items = await this.run(fn, selection.rows, controls, source.uri, labelColumn);
    return {
      report: buildReport({ file: source.uri.fsPath, labelColumn, function: fn, unlabelled: selection.unlabelled, unreadable: selection.unreadable, items }),
      rows: selection.rows,
      file: source.uri,
      name: source.name,
    };
  }

  /** Runs `fn` over rows given directly (the public API); row i is "line" i + 1. */
  async runRows(rows: LabelledRow[], unlabelled: number, fn: EvaluatedFunction, controls: RunControls): Promise<Evaluation> {
    const items = await this.run(fn, rows, controls);
    return { report: buildReport({ function: fn, unlabelled, unreadable: 0, items }), rows, name: 'rows' };
  }

  /** The same rows through another function (or other options): the report gains a comparison. */
  async compare(evaluation: Evaluation, fn: EvaluatedFunction, controls: RunControls): Promise<Evaluation> {
    const items = await this.run(fn, evaluation.rows, controls, evaluation.file, evaluation.report.labelColumn);
    return { ...evaluation, report: withComparison(evaluation.report, fn, items) };
  }

  private async run(fn: EvaluatedFunction, rows: readonly LabelledRow[], controls: RunControls, file?: vscode.Uri, labelColumn?: string): Promise<EvalItem[]> {
    const output = await this.runner.run({ fn, file, labelColumn, rows, ...controls });
    if ('items' in output) return output.items;
    // A results file (the streaming runner): read its answer columns back.
    const results = await readSource(output.resultsFile);
    const label = labelColumn ?? 'expected';
    const answer = output.answer ?? guessAnswerColumns(results.columns, label).answer;
    if (!answer) throw new AiFunctionsError('invalidInput', `${results.name} has no answer column to read.`);
    return itemsFromResults(results.parsed, label, answer).items;
  }
}

function checkColumn(source: EvaluationSource, column: string): void {
  if (!source.columns.includes(column)) {
    throw new AiFunctionsError('invalidInput', `${source.name} has no column "${column}" (it has ${source.columns.slice(0, 20).map((c) => `"${c}"`).join(', ')}).`);
  }
}

