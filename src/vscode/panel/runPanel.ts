// The run panel (a webview): pick a function, edit the input, run, read the result.
// The host owns everything that matters (keys, runs, results, recent runs); the webview only
// shows what it is posted and asks through the typed, validated protocol in
// src/shared/panelProtocol.ts.
// This controller owns the panel's life and its messages; the work is done by the modules beside it.
import { messageOf } from '../../core/errors';
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { PlatformId } from '../../core/model';
import type { ReadOnlyDocuments } from '../base/documents';
import type { PanelHandoffs } from '../run';
import type { RecentFunctions } from '../run';
import type { RunService } from '../run';
import type { CredentialStore } from '../keys';
import type { FunctionsNode, FunctionsTreeProvider } from '../functions';
import { newNonce } from '../base/webviewHtml';
import { renderPanelHtml } from './html';
import { InsertTarget, usableEditor } from './insertTarget';
import { PanelFunctions } from './panelFunctions';
import { PanelRunner } from './panelRunner';
import { formPrefill, openingPrefill, recentRunPrefill } from './prefill';
import {
  hostMessageSchema,
  panelStateSchema,
  parseWebviewMessage,
  type HostMessage,
  type PanelState,
  type Prefill,
  type WebviewMessage,
} from '../../shared/panelProtocol';
import { RecentRuns } from './recentRuns';
import { ResultActions } from './resultActions';
import { RunHistory, newRunId } from './runHistory';
import { cap } from '../../shared/text';
import { VIEW_TYPE } from './viewType';

export interface RunPanelDeps {
  extensionUri: vscode.Uri;
  runs: RunService;
  functions: FunctionsTreeProvider;
  credentials: CredentialStore;
  recent: RecentFunctions;
  documents: ReadOnlyDocuments;
  /** Where recent runs are kept across restarts (globalState). */
  state: vscode.Memento;
  /** Answers Classify Selection hands over (by id). */
  handoffs: PanelHandoffs;
  log: Logger;
}

/** What can open the panel prefilled: a function and an input, or a Classify hover's handoff id. */
export type OpenRunPanelArgs = { platform?: PlatformId; function?: string; input?: string } | { handoff: string };

/** A hidden webview is torn down, so messages wait for its next `ready`; this many at most. */
const MAX_QUEUED_MESSAGES = 200;
const NOT_RECENT_ANYMORE = 'That run is no longer in the recent runs.';

export class RunPanelController implements vscode.Disposable {
  static readonly viewType = VIEW_TYPE;
  readonly recentRuns: RecentRuns;
  private readonly history: RunHistory;
  private readonly functions: PanelFunctions;
  private readonly target = new InsertTarget();
  private readonly resultActions: ResultActions;
  private readonly runner: PanelRunner;
  private panel?: vscode.WebviewPanel;
  private panelSubscriptions: vscode.Disposable[] = [];
  private ready = false;
  private queue: HostMessage[] = [];
  /** The state the serializer restored, handed to the webview with `init`. */
  private restoredState?: PanelState;
  private pendingPrefill?: Prefill;
  private readonly listeners = new Set<(message: HostMessage) => void>();

  constructor(readonly deps: RunPanelDeps) {
    const post = (message: HostMessage) => this.post(message);
    this.recentRuns = new RecentRuns(deps.state);
    this.history = new RunHistory(this.recentRuns, post);
    this.functions = new PanelFunctions(deps);
    this.resultActions = new ResultActions({
      history: this.history,
      documents: deps.documents,
      target: this.target,
      notify: (level, text) => this.post({ type: 'notice', level, text }),
    });
    this.runner = new PanelRunner({
      runs: deps.runs,
      credentials: deps.credentials,
      functions: this.functions,
      history: this.history,
      post,
      setTitle: (platform, fn) => this.updateTitle(platform, fn),
    });
  }

  /**
   * The listeners the panel needs while loaded. The commands and the serializer are registered
   * at activation by LazyRunPanel, which loads this module on first use.
   */
  listen(): vscode.Disposable[] {
    this.target.remember(vscode.window.activeTextEditor);
    return [
      vscode.window.onDidChangeActiveTextEditor((editor) => this.target.remember(editor)),
      vscode.window.onDidChangeTextEditorSelection((event) => this.target.remember(event.textEditor)),
      this.deps.credentials.onDidChange(() => void this.postPlatforms(true)),
    ];
  }

  /** The open panel, if any. */
  get currentPanel(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  /** The webview said `ready` and has not been hidden (or reloaded) since. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Calls `listener` with every message the host posts (validated; before it reaches the webview). */
  onDidPostMessage(listener: (message: HostMessage) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  /**
   * Opens (or reveals) the panel. `args`: a Functions-view node, `{platform, function, input?,
   * result?}`, or nothing (then the active editor's selection is the input).
   */
  async open(args?: OpenRunPanelArgs | FunctionsNode, focus?: 'function' | 'input'): Promise<void> {
    const editor = usableEditor(vscode.window.activeTextEditor);
    this.target.openFrom(editor);
    const prefill = openingPrefill(args, editor, focus, { log: this.deps.log, functions: this.functions, history: this.history, handoffs: this.deps.handoffs });
    if (this.panel) {
      this.panel.reveal(undefined, false);
      this.post({ type: 'prefill', prefill });
      this.post({ type: 'insertTarget', label: this.target.label() });
    } else {
      // Beside the editor it was opened from, so the selection stays in view.
      const column = editor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'AI Functions', { viewColumn: column, preserveFocus: false }, this.webviewOptions());
      this.attach(panel, undefined, prefill);
    }
    if (prefill.platform !== undefined || prefill.function !== undefined) this.updateTitle(prefill.platform, prefill.function);
  }

  /** What the serializer calls after a reload: adopt the panel and hand its saved state back. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    let restored: PanelState | undefined;
    if (state !== undefined && state !== null) {
      const parsed = panelStateSchema.safeParse(state);
      if (parsed.success) restored = parsed.data;
      else this.deps.log.warn('Run panel: the saved panel state did not match its shape; starting empty.');
    }
    if (this.panel && this.panel !== panel) {
      // A panel opened by a command before the restore ran: keep that one.
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.attach(panel, restored);
    this.updateTitle(restored?.form.platform, restored?.form.function);
  }

  /** Handles one message from the webview. Returns false when it was rejected (and logged). */
  async handleMessage(data: unknown): Promise<boolean> {
    const parsed = parseWebviewMessage(data);
    if (!parsed.ok) {
      this.deps.log.warn(`Run panel: rejected a message from the webview (${parsed.reason}).`);
      return false;
    }
    try {
      await this.dispatch(parsed.message);
    } catch (error) {
      this.deps.log.error(`Run panel: ${parsed.message.type} failed: ${messageOf(error)}`);
      this.post({ type: 'notice', level: 'error', text: cap(messageOf(error), 300) });
    }
    return true;
  }

  private async dispatch(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.onReady();
      case 'run':
        return this.runner.run(message.runId, message.form);
      case 'cancel':
        return this.runner.cancel(message.runId);
      case 'select':
        return this.updateTitle(message.platform, message.function);
      case 'copyResult':
        return this.resultActions.copy(message.runId);
      case 'insertResult':
        return this.resultActions.insert(message.runId);
      case 'openRaw':
        return this.resultActions.openRaw(message.runId);
      case 'decide':
        return this.runner.decide(message.runId, message.decisionId, message.approved);
      case 'openRecent':
        return this.openRecent(message.id);
      case 'rerun':
        return this.rerun(message.id);
      case 'clearRecentRuns':
        return this.history.clear();
      case 'setApiKey':
        await vscode.commands.executeCommand('aiFunctions.setApiKey', { platform: message.platform });
        return this.postPlatforms(true);
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:aifn.ai-functions');
        return;
      case 'showLog':
        await vscode.commands.executeCommand('aiFunctions.showLog');
        return;
      case 'refreshFunctions':
        await this.deps.functions.refresh(message.platform);
        return this.postPlatforms(false);
      case 'log': {
        const line = `Run panel (webview): ${message.message.replace(/[\r\n]+/g, ' ')}`;
        if (message.level === 'error') this.deps.log.error(line);
        else if (message.level === 'warn') this.deps.log.warn(line);
        else this.deps.log.info(line);
        return;
      }
    }
  }

  // ---- the panel's life

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      enableFindWidget: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'dist')],
    };
  }

  private attach(panel: vscode.WebviewPanel, state?: PanelState, prefill?: Prefill): void {
    this.detach();
    this.panel = panel;
    this.restoredState = state;
    this.pendingPrefill = prefill;
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'activity-bar.svg');
    panel.webview.html = this.html(panel.webview);
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((data: unknown) => void this.handleMessage(data)),
      panel.onDidChangeViewState(() => {
        // Hidden webviews are torn down (retainContextWhenHidden is off): wait for the next `ready`.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        if (this.panel === panel) this.detach();
      }),
    ];
  }

  private detach(): void {
    for (const subscription of this.panelSubscriptions) subscription.dispose();
    this.panelSubscriptions = [];
    this.panel = undefined;
    this.ready = false;
    this.queue = [];
  }

  /** The panel's HTML for this webview (a fresh nonce each time). */
  html(webview: vscode.Webview): string {
    const uri = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, ...segments)).toString();
    return renderPanelHtml({
      cspSource: webview.cspSource,
      nonce: newNonce(),
      scriptUri: uri('dist', 'webview.js'),
      appScriptUri: uri('dist', 'panelApp.js'),
      styleUri: uri('dist', 'runPanel.css'),
    });
  }

  private async onReady(): Promise<void> {
    const platforms = await this.functions.platformEntries(false);
    const init: HostMessage = {
      type: 'init',
      platforms,
      recentRuns: this.recentRuns.summaries(),
      insertTarget: this.target.label(),
    };
    if (this.restoredState) init.state = this.restoredState;
    if (this.pendingPrefill) init.prefill = this.pendingPrefill;
    const running = this.runner.running;
    if (running) init.running = running;
    this.pendingPrefill = undefined;
    this.restoredState = undefined;
    const queued = this.queue;
    this.queue = [];
    this.ready = true;
    this.post(init);
    for (const message of queued) this.deliver(message);
    // The first paint used what was loaded; now list the rest.
    if (platforms.some((p) => p.loading)) void this.postPlatforms(false);
  }

  /** Validates and posts a message; until the webview is ready it waits in a queue. */
  private post(message: HostMessage): void {
    const checked = hostMessageSchema.safeParse(message);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      this.deps.log.error(`Run panel: did not post an invalid "${message.type}" message (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}).`);
      return;
    }
    for (const listener of this.listeners) listener(checked.data);
    if (!this.panel) return;
    if (!this.ready) {
      this.queue.push(checked.data);
      if (this.queue.length > MAX_QUEUED_MESSAGES) this.queue.shift();
      return;
    }
    this.deliver(checked.data);
  }

  private deliver(message: HostMessage): void {
    void this.panel?.webview.postMessage(message).then(undefined, (error: unknown) => {
      this.deps.log.warn(`Run panel: could not post "${message.type}": ${messageOf(error)}`);
    });
  }

  /** Posts the platform list; a list still loading is posted again once loaded. */
  private async postPlatforms(load: boolean): Promise<void> {
    if (!this.panel) return;
    const platforms = await this.functions.platformEntries(load);
    this.post({ type: 'platforms', platforms });
    if (!load && platforms.some((p) => p.loading)) {
      this.post({ type: 'platforms', platforms: await this.functions.platformEntries(true) });
    }
  }

  private updateTitle(platform: PlatformId | undefined, fn: string | undefined): void {
    if (!this.panel) return;
    let name: string;
    const descriptor = platform && this.functions.descriptor(platform);
    if (descriptor && fn === '' && descriptor.functions.platformChooses) name = `${descriptor.displayName} (auto)`;
    else if (fn) name = this.functions.info(platform, fn)?.name ?? fn;
    else name = 'Run Panel';
    this.panel.title = `AI Functions: ${cap(name, 60)}`;
  }

  // ---- recent runs

  private openRecent(id: string): void {
    const run = this.history.recent(id);
    if (!run) {
      this.post({ type: 'notice', level: 'error', text: NOT_RECENT_ANYMORE });
      return;
    }
    this.updateTitle(run.form.platform, run.form.function);
    this.post({ type: 'prefill', prefill: recentRunPrefill(run) });
  }

  private async rerun(id: string): Promise<void> {
    const run = this.history.recent(id);
    if (!run || run.inputTruncated) {
      this.post({ type: 'notice', level: 'error', text: run ? 'That input was too large to keep; paste it again to run it.' : NOT_RECENT_ANYMORE });
      return;
    }
    this.post({ type: 'prefill', prefill: formPrefill(run.form) });
    await this.runner.run(newRunId(), run.form);
  }

  dispose(): void {
    this.runner.dispose();
    this.panel?.dispose();
    this.detach();
    this.listeners.clear();
  }
}
