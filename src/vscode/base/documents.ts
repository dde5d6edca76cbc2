// Read-only documents (job details, results, raw replies) on the extension's own URI scheme.
import { Disposable } from './disposable';
import * as vscode from 'vscode';
import { inert } from '../../core/untrusted';

export const DOCUMENT_SCHEME = 'ai-functions';

export class ReadOnlyDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(DOCUMENT_SCHEME, this));
  }

  /**
   * Shows `content` in a read-only editor whose tab reads `title`. `key` identifies the document
   * (e.g. `sutro/job/42`) so opening it again updates the same tab.
   */
  async show(
    key: string,
    title: string,
    content: string,
    options: { language?: string; preview?: boolean; viewColumn?: vscode.ViewColumn } = {},
  ): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({ scheme: DOCUMENT_SCHEME, path: `/${key}/${safeFileName(title)}` });
    const existed = this.contents.has(uri.toString());
    this.contents.set(uri.toString(), content);
    if (existed) this.changed.fire(uri);
    let document = await vscode.workspace.openTextDocument(uri);
    if (options.language && document.languageId !== options.language) {
      document = await vscode.languages.setTextDocumentLanguage(document, options.language);
    }
    return vscode.window.showTextDocument(document, { preview: options.preview ?? true, viewColumn: options.viewColumn });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '// This document is no longer available. Open it again from the AI Functions view.\n';
  }

  override dispose(): void {
    super.dispose();
    this.contents.clear();
  }
}

export function prettyJson(value: unknown): string {
  const tabSize = vscode.workspace.getConfiguration('editor').get<number>('tabSize', 2);
  return `${JSON.stringify(value, null, tabSize)}\n`;
}

export function jsonLines(rows: readonly unknown[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
}

/** Titles hold job and function names: inert, and without characters a file name cannot have. */
function safeFileName(title: string): string {
  return inert(title, 120).replace(/[\\/:*?"<>|]/g, '_');
}
