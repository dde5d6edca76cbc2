// One Evaluation view (a webview panel): shows an evaluation's report, opens a disagreement's row
// in the evaluated file, and hands Compare with… and the exports to the feature. The webview only
// shows what it is posted and asks through src/shared/evaluationProtocol.ts; both directions are
// validated here.
import * as vscode from 'vscode';
import { messageOf } from '../../core/errors';
import type { Logger } from '../../core/log';
import { isCancellation } from '../base/notify';
import { evalHostMessageSchema, parseEvalWebviewMessage, type EvalHostMessage, type EvalWebviewMessage } from '../../shared/evaluationProtocol';
import { cap } from '../../shared/text';
import { newNonce } from '../base/webviewHtml';
import { renderEvaluationHtml } from './evaluationHtml';
import type { Evaluation } from './evaluator';
import type { ReportView } from '../../shared/evaluationProtocol';

export const EVALUATION_VIEW_TYPE = 'aiFunctions.evaluation';

export interface EvaluationPanelDeps {
  extensionUri: vscode.Uri;
  log: Logger;
  view(evaluation: Evaluation): ReportView;
  /** Runs the rows again (asks what with); resolves with the evaluation compared, or undefined. */
  compare(evaluation: Evaluation, signal: AbortSignal): Promise<Evaluation | undefined>;
  export(evaluation: Evaluation, format: 'markdown' | 'csv'): Promise<void>;
  disposed(panel: EvaluationPanel): void;
}

export class EvaluationPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly lines: Set<number>;
  private busy = false;
  private readonly aborter = new AbortController();
  private readonly listeners = new Set<(message: EvalHostMessage) => void>();

  constructor(
    private evaluation: Evaluation,
    private readonly deps: EvaluationPanelDeps,
  ) {
    this.lines = new Set(evaluation.report.items.map((item) => item.line));
    this.panel = vscode.window.createWebviewPanel(EVALUATION_VIEW_TYPE, cap(`Evaluation: ${evaluation.name}`, 100), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      enableFindWidget: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'dist'), vscode.Uri.joinPath(deps.extensionUri, 'media')],
    });
    const webview = this.panel.webview;
    const uri = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, ...segments)).toString();
    webview.html = renderEvaluationHtml({ cspSource: webview.cspSource, nonce: newNonce(), scriptUri: uri('dist', 'evaluation.js'), styleUri: uri('media', 'evaluation.css') });
    this.subscriptions.push(
      webview.onDidReceiveMessage((data: unknown) => void this.receive(data)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  get current(): Evaluation {
    return this.evaluation;
  }

  /** Calls `listener` with every message posted to the webview (the integration tests read them). */
  onDidPost(listener: (message: EvalHostMessage) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.aborter.signal.aborted) return;
    this.aborter.abort();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.panel.dispose();
    this.deps.disposed(this);
  }

  private post(message: EvalHostMessage): void {
    const checked = evalHostMessageSchema.safeParse(message);
    if (!checked.success) {
      this.deps.log.warn(`Evaluation view: did not post an invalid ${message.type} message (${checked.error.issues[0]?.message ?? 'invalid'}).`);
      return;
    }
    for (const listener of this.listeners) listener(checked.data);
    void this.panel.webview.postMessage(checked.data);
  }

  private postReport(): void {
    this.post({ type: 'report', report: this.deps.view(this.evaluation) });
  }

  /** Handles what the webview posted (validated first; the integration tests post through here too). */
  async receive(data: unknown): Promise<void> {
    const parsed = parseEvalWebviewMessage(data);
    if (!parsed.ok) {
      this.deps.log.warn(`Evaluation view: rejected a message from the webview (${parsed.reason}).`);
      return;
    }
    const message: EvalWebviewMessage = parsed.message;
    switch (message.type) {
      case 'ready':
        this.postReport();
        return;
      case 'log':
        this.deps.log[message.level](`Evaluation view: ${message.message}`);
        return;
      case 'openLine':
        return this.openLine(message.line);
      case 'compare':
        return this.whileBusy('Comparing…', async () => {
          const compared = await this.deps.compare(this.evaluation, this.aborter.signal);
          if (compared) {
            this.evaluation = compared;
            this.postReport();
          }
        });
      case 'export':
        return this.whileBusy('Exporting…', () => this.deps.export(this.evaluation, message.format));
    }
  }

  /** Opens the evaluated file (never another) at one of its evaluated lines (never another). */
  private async openLine(line: number): Promise<void> {
    const file = this.evaluation.file;
    if (!file || !this.lines.has(line)) {
      this.deps.log.warn(`Evaluation view: refused to open line ${line}, which is not an evaluated row.`);
      return;
    }
    const document = await vscode.workspace.openTextDocument(file);
    if (line > document.lineCount) {
      this.post({ type: 'notice', level: 'warning', text: `${this.evaluation.name} has no line ${line} any more: it changed since the evaluation.` });
      return;
    }
    const range = document.lineAt(line - 1).range;
    await vscode.window.showTextDocument(document, { selection: range, viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  private async whileBusy(text: string, body: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.post({ type: 'busy', text });
    try {
      await body();
    } catch (error) {
      if (isCancellation(error)) return;
      this.post({ type: 'notice', level: 'error', text: cap(messageOf(error), 1000) });
      this.deps.log.warn(`Evaluation view: ${text} failed: ${messageOf(error)}`);
    } finally {
      this.busy = false;
      this.post({ type: 'busy', text: null });
    }
  }
}
