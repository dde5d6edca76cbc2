// Reads the file to evaluate: a CSV file (with a header) or JSON Lines, from the editor's copy
// when it is open (unsaved edits count), parsed by core/rows.ts so every row keeps its line.
import * as vscode from 'vscode';
import { AiFunctionsError } from '../../core/errors';
import { columnsOf } from '../../core/evaluationRows';
import { detectFormat, parseRows, type ParsedRows } from '../../core/rows';

export interface EvaluationSource {
  uri: vscode.Uri;
  /** The file's name, for titles. */
  name: string;
  parsed: ParsedRows;
  columns: string[];
}

export function isEvaluable(uri: vscode.Uri): boolean {
  return /\.(csv|jsonl|ndjson)$/i.test(uri.path);
}

export function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1) || uri.toString(true);
}

export async function readSource(uri: vscode.Uri): Promise<EvaluationSource> {
  const document = await vscode.workspace.openTextDocument(uri);
  const text = document.getText();
  const format = detectFormat(text, { fileName: document.fileName, languageId: document.languageId });
  const name = fileName(uri);
  if (format === 'text') {
    throw new AiFunctionsError('invalidInput', `${name} is neither CSV with a header nor JSON Lines: Evaluate needs a column of expected labels.`);
  }
  const parsed = parseRows(text, format);
  if (parsed.problem) throw new AiFunctionsError('invalidInput', parsed.problem);
  const columns = columnsOf(parsed);
  if (columns.length === 0) throw new AiFunctionsError('invalidInput', `${name} has no columns to read expected labels from.`);
  return { uri, name, parsed, columns };
}
