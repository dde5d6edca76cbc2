// What the result card's buttons do: copy the result as JSON, insert it into the editor the panel
// was opened from, open the platform's raw reply.
import * as vscode from 'vscode';
import { prettyJson, type ReadOnlyDocuments } from '../base/documents';
import { baseName, type InsertTarget } from './insertTarget';
import { insertionText, type ResultView } from '../../shared/panelProtocol';
import type { RunHistory, StoredResult } from './runHistory';
import { cap } from '../../shared/text';

export type Notify = (level: 'info' | 'error', text: string) => void;

export interface ResultActionsDeps {
  history: RunHistory;
  documents: ReadOnlyDocuments;
  target: InsertTarget;
  notify: Notify;
}

export class ResultActions {
  constructor(private readonly deps: ResultActionsDeps) {}

  async copy(runId: string): Promise<void> {
    const stored = this.find(runId);
    if (!stored) return;
    // The name is the panel's label for the function, not part of what the platform answered.
    const result: Partial<ResultView> = { ...stored.view };
    delete result.functionName;
    await vscode.env.clipboard.writeText(prettyJson(result));
    this.deps.notify('info', 'Copied the result as JSON.');
  }

  async openRaw(runId: string): Promise<void> {
    const stored = this.find(runId);
    if (!stored) return;
    const name = stored.view.functionName ?? (stored.view.function || 'run');
    const content = stored.raw !== undefined ? prettyJson(stored.raw) : prettyJson(stored.view);
    // Beside: in the panel's own column it would hide the panel.
    await this.deps.documents.show(`${stored.view.platform}/run/${runId}`, `${name} raw.json`, content, {
      language: 'json',
      preview: true,
      viewColumn: vscode.ViewColumn.Beside,
    });
  }

  /** Inserts the result in the target editor: at the cursor, or below the selection. */
  async insert(runId: string): Promise<void> {
    const stored = this.find(runId);
    if (!stored) return;
    const target = this.deps.target.current();
    if (!target) {
      this.deps.notify('error', 'Open an editor first: the result is inserted where its cursor is.');
      return;
    }
    // A visible editor's selection is newer than the one remembered.
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.uri.toString());
    let document: vscode.TextDocument;
    try {
      document = visible?.document ?? (await vscode.workspace.openTextDocument(target.uri));
    } catch {
      this.deps.notify('error', 'The editor the panel was opened from is closed.');
      return;
    }
    const { position, text } = placeInsertion(document, visible?.selection ?? target.selection, insertionText(stored.view));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, position, text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      this.deps.notify('error', 'The editor did not accept the text (is it read-only?).');
      return;
    }
    this.deps.notify('info', `Inserted into ${cap(baseName(document.uri), 200)}.`);
  }

  private find(runId: string): StoredResult | undefined {
    const stored = this.deps.history.result(runId);
    if (!stored) this.deps.notify('error', 'That result is no longer available: run the function again.');
    return stored;
  }
}

/** Where `body` goes and how, in the document's own line endings: at the cursor, or below the selection. */
function placeInsertion(document: vscode.TextDocument, selection: vscode.Selection, body: string): { position: vscode.Position; text: string } {
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const text = body.replace(/\r?\n/g, eol);
  if (selection.isEmpty) return { position: document.validatePosition(selection.active), text };
  if (selection.end.character === 0 && selection.end.line > selection.start.line) {
    // Whole lines were selected: the result goes on its own line after them.
    return { position: document.validatePosition(selection.end), text: `${text}${eol}` };
  }
  return { position: document.lineAt(Math.min(selection.end.line, document.lineCount - 1)).range.end, text: `${eol}${text}` };
}
