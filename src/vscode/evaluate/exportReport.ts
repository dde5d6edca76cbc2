// Export Markdown / Export CSV: asks where (beside the evaluated file by default), writes the
// report there and opens it.
import * as vscode from 'vscode';
import { reportToCsv, reportToMarkdown } from '../../core/evaluationReport';
import type { Evaluation } from './evaluator';

export async function exportEvaluation(evaluation: Evaluation, format: 'markdown' | 'csv'): Promise<vscode.Uri | undefined> {
  const extension = format === 'markdown' ? 'md' : 'csv';
  const base = evaluation.name.replace(/\.[^.]+$/, '');
  const folder = evaluation.file ? vscode.Uri.joinPath(evaluation.file, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
  const suggested = folder ? vscode.Uri.joinPath(folder, `${base}.evaluation.${extension}`) : undefined;
  const target = await vscode.window.showSaveDialog({
    title: format === 'markdown' ? 'Export the evaluation as Markdown' : 'Export the evaluation as CSV',
    saveLabel: 'Export',
    filters: format === 'markdown' ? { Markdown: ['md'] } : { CSV: ['csv'] },
    ...(suggested ? { defaultUri: suggested } : {}),
  });
  if (!target) return undefined;
  const text = format === 'markdown' ? reportToMarkdown(evaluation.report) : reportToCsv(evaluation.report);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(target, { preview: false });
  return target;
}
