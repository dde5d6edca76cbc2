// The run panel (a webview): pick a function, edit the input, run, read the result.
// The host owns everything that matters (keys, runs, results, recent runs); the webview only
// shows what it is posted and asks through the typed, validated protocol in ./protocol.ts.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import { isAiFunctionsError, AiFunctionsError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { PLATFORM_IDS, PLATFORM_NAMES, type FunctionInfo, type PlatformId, type RunResult } from '../../core/model';
import { DOCUMENT_SCHEME, prettyJson, type ReadOnlyDocuments } from '../documents';
import { guarded } from '../notify';
import type { RecentFunctions } from '../recentFunctions';
import type { RunService } from '../runService';
import type { CredentialStore } from '../secrets';
import type { FunctionsNode, FunctionsTreeProvider } from '../views/functionsTree';
import { newNonce, renderPanelHtml } from './html';
import {
  PLATFORM_TRAITS,
  VIEW_TYPE,
  insertionText,
  panelStateSchema,
  parseWebviewMessage,
  hostMessageSchema,
  toResultView,
  MAX_INPUT_CHARS,
  type ErrorAction,
  type HostMessage,
  type PanelError,
  type PanelFunction,
  type PanelState,
  type PlatformEntry,
  type Prefill,
  type ResultView,
  type RunForm,
  type WebviewMessage,
} from './protocol';
import { RecentRuns } from './recentRuns';
import { buildRunRequest, detectInputMode, fieldsFromJson } from './runInput';

export interface RunPanelDeps {
  extensionUri: vscode.Uri;
  runs: RunService;
  functions: FunctionsTreeProvider;
  credentials: CredentialStore;
  recent: RecentFunctions;
  documents: ReadOnlyDocuments;
  /** Where recent runs are kept across restarts (globalState). */
  state: vscode.Memento;
  log: Logger;
}

/** What can open the panel prefilled: a tree node's function, a Classify hover's result, … */
export interface OpenRunPanelArgs {
  platform?: PlatformId;
  function?: string;
  input?: string;
  result?: RunResult;
}

const platformId = z.enum(PLATFORM_IDS);

/** A Functions-view node (the inline "Run…" button). */
const treeNodeArg = z.object({
  kind: z.literal('function'),
  platform: platformId,
  fn: z.object({ id: z.string().check(z.maxLength(500)), name: z.optional(z.string()), inputFields: z.optional(z.array(z.string())) }),
});

/** `{platform, function, input?, result?}`, e.g. from Classify Selection's "Open in Run Panel" link. */
const openArgs = z.object({
  platform: z.optional(platformId),
  function: z.optional(z.string().check(z.maxLength(500))),
  input: z.optional(z.string().check(z.maxLength(MAX_INPUT_CHARS))),
  result: z.optional(z.unknown()),
});

/** A RunResult as it arrives through a command argument (checked before it is shown). */
const runResultArg = z.object({
  platform: platformId,
  function: z.string(),
  kind: z.enum(['classification', 'extraction', 'run']),
  label: z.optional(z.string()),
  confidence: z.optional(z.number()),
  predictions: z.array(z.object({ label: z.string(), confidence: z.number() })),
  output: z.optional(z.unknown()),
  rationale: z.optional(z.string()),
  summary: z.optional(z.string()),
  status: z.optional(z.string()),
  runId: z.optional(z.string()),
  usage: z.optional(z.object({ inputTokens: z.optional(z.number()), outputTokens: z.optional(z.number()), costUsd: z.optional(z.number()) })),
  durationMs: z.number(),
  raw: z.optional(z.unknown()),
});

interface StoredResult {
  view: ResultView;
  raw?: unknown;
}

interface InsertTarget {
  uri: vscode.Uri;
  selection: vscode.Selection;
}

const MAX_KEPT_RESULTS = 100;
const MAX_QUEUED_MESSAGES = 200;

export class RunPanelController implements vscode.Disposable {
  static readonly viewType = VIEW_TYPE;
  readonly recentRuns: RecentRuns;
  private panel?: vscode.WebviewPanel;
  private panelSubscriptions: vscode.Disposable[] = [];
  private ready = false;
  private queue: HostMessage[] = [];
  /** The state the serializer restored, handed to the webview with `init`. */
  private restoredState?: PanelState;
  private pendingPrefill?: Prefill;
  private active?: { runId: string; platform: PlatformId; function: string; cts: vscode.CancellationTokenSource };
  private readonly results = new Map<string, StoredResult>();
  private target?: InsertTarget;
  private lastEditor?: InsertTarget;
  private readonly listeners = new Set<(message: HostMessage) => void>();

  constructor(readonly deps: RunPanelDeps) {
    this.recentRuns = new RecentRuns(deps.state);
  }

  register(): vscode.Disposable[] {
    const command = <A extends unknown[]>(id: string, body: (...args: A) => Promise<unknown>) =>
      vscode.commands.registerCommand(id, guarded(this.deps.log, body));
    this.rememberEditor(vscode.window.activeTextEditor);
    return [
      command('aiFunctions.openRunPanel', (args?: unknown) => this.open(args as OpenRunPanelArgs | undefined)),
      command('aiFunctions.runOnSelection', () => this.open(undefined, 'function')),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state: unknown) => this.restore(panel, state),
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.rememberEditor(editor)),
      vscode.window.onDidChangeTextEditorSelection((event) => this.rememberEditor(event.textEditor)),
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
    if (editor) this.target = { uri: editor.document.uri, selection: editor.selection };
    else if (!this.target) this.target = this.lastEditor;

    const prefill = await this.prefillFrom(args, editor);
    if (focus) prefill.focus = focus;
    else if (!prefill.focus) prefill.focus = prefill.function === undefined && prefill.platform === undefined ? 'function' : 'input';

    if (this.panel) {
      this.panel.reveal(undefined, false);
      this.post({ type: 'prefill', prefill });
      this.post({ type: 'insertTarget', label: this.targetLabel() });
    } else {
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
      this.deps.log.error(`Run panel: ${parsed.message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
      this.post({ type: 'notice', level: 'error', text: cap(error instanceof Error ? error.message : String(error), 300) });
    }
    return true;
  }

  private async dispatch(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.onReady();
      case 'run':
        return this.run(message.runId, message.form);
      case 'cancel':
        if (this.active?.runId === message.runId) this.active.cts.cancel();
        return;
      case 'select':
        this.updateTitle(message.platform, message.function);
        return;
      case 'copyResult':
        return this.copyResult(message.runId);
      case 'insertResult':
        return this.insertResult(message.runId);
      case 'openRaw':
        return this.openRaw(message.runId);
      case 'openRecent':
        return this.openRecent(message.id);
      case 'rerun':
        return this.rerun(message.id);
      case 'clearRecentRuns':
        await this.recentRuns.clear();
        this.post({ type: 'recentRuns', runs: this.recentRuns.summaries() });
        return;
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
      localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'dist'), vscode.Uri.joinPath(this.deps.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel, state?: PanelState, prefill?: Prefill): void {
    this.detach();
    this.panel = panel;
    this.ready = false;
    this.queue = [];
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
      styleUri: uri('media', 'runPanel.css'),
      codiconsUri: uri('dist', 'codicons', 'codicon.css'),
    });
  }

  private async onReady(): Promise<void> {
    const platforms = await this.platformEntries(false);
    const init: HostMessage = {
      type: 'init',
      platforms,
      recentRuns: this.recentRuns.summaries(),
      insertTarget: this.targetLabel(),
    };
    if (this.restoredState) init.state = this.restoredState;
    if (this.pendingPrefill) init.prefill = this.pendingPrefill;
    if (this.active) init.running = { runId: this.active.runId, platform: this.active.platform, function: this.active.function };
    this.pendingPrefill = undefined;
    this.restoredState = undefined;
    const queued = this.queue;
    this.queue = [];
    this.ready = true;
    this.post(init);
    for (const message of queued) this.deliver(message);
    // Fill in the lists that were not loaded yet.
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
      this.deps.log.warn(`Run panel: could not post "${message.type}": ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private updateTitle(platform: PlatformId | undefined, fn: string | undefined): void {
    if (!this.panel) return;
    let name: string;
    if (platform && fn === '' && PLATFORM_TRAITS[platform].autoFunction) name = `${PLATFORM_NAMES[platform]} (auto)`;
    else if (fn) name = this.functionInfo(platform, fn)?.name ?? fn;
    else name = 'Run Panel';
    this.panel.title = `AI Functions: ${cap(name, 60)}`;
  }

  // ---- opening

  private async prefillFrom(args: unknown, editor: vscode.TextEditor | undefined): Promise<Prefill> {
    const prefill: Prefill = {};
    const node = treeNodeArg.safeParse(args);
    let input: string | undefined;
    if (node.success) {
      prefill.platform = node.data.platform;
      prefill.function = node.data.fn.id;
    } else if (args !== undefined && args !== null) {
      const parsed = openArgs.safeParse(args);
      if (!parsed.success) {
        this.deps.log.warn('Run panel: ignored open arguments that are not a function node or {platform, function, input, result}.');
      } else {
        const { platform, function: fn, input: given, result } = parsed.data;
        if (platform) prefill.platform = platform;
        if (fn !== undefined) prefill.function = fn;
        input = given;
        if (result !== undefined) {
          const shown = this.adoptResult(result, parsed.data);
          if (shown) {
            prefill.result = shown;
            prefill.platform ??= shown.view.platform;
            prefill.function ??= shown.view.function;
          }
        }
      }
    }
    if (input === undefined && editor && !editor.selection.isEmpty) {
      const selected = editor.document.getText(editor.selection);
      if (selected.length <= MAX_INPUT_CHARS) input = selected;
    }
    if (input !== undefined) this.fillInput(prefill, input);
    return prefill;
  }

  /** Puts the input in the form as text or JSON (or into a Sutro function's fields). */
  private fillInput(prefill: Prefill, input: string): void {
    const mode = detectInputMode(input);
    prefill.input = input;
    prefill.inputMode = mode;
    const fields = this.functionInfo(prefill.platform, prefill.function)?.inputFields;
    if (prefill.platform === 'sutro' && fields && fields.length > 0) {
      const values = mode === 'json' ? fieldsFromJson(input, fields) : { ...Object.fromEntries(fields.map((f) => [f, ''])), [fields[0]!]: input };
      if (values) {
        prefill.fields = values;
        prefill.inputMode = 'fields';
      }
    }
  }

  /** A result handed over by another command: kept (and listed as a recent run) so its actions work. */
  private adoptResult(result: unknown, args: { input?: string }): { runId: string; view: ResultView } | undefined {
    const parsed = runResultArg.safeParse(result);
    if (!parsed.success) {
      this.deps.log.warn('Run panel: ignored a result argument that is not a RunResult.');
      return undefined;
    }
    const runResult = parsed.data as RunResult;
    const runId = newRunId();
    const view = toResultView(runResult, this.functionInfo(runResult.platform, runResult.function)?.name);
    this.keep(runId, { view, raw: runResult.raw });
    if (args.input !== undefined && args.input.trim() !== '') {
      const mode = detectInputMode(args.input);
      const form: RunForm = { platform: runResult.platform, function: runResult.function, inputMode: mode, input: args.input, fields: {}, options: {} };
      void this.recentRuns
        .add({ id: runId, form, functionName: view.functionName ?? runResult.function, result: { view, raw: runResult.raw } })
        .then(() => this.post({ type: 'recentRuns', runs: this.recentRuns.summaries() }));
    }
    return { runId, view };
  }

  // ---- running

  private async run(runId: string, form: RunForm): Promise<void> {
    const fn = this.functionInfo(form.platform, form.function);
    const built = buildRunRequest(form, fn?.inputFields);
    if (!built.ok) {
      const { field, message, line, column, offset } = built.problem;
      const error: PanelError = { kind: 'invalidInput', message, field, actions: [] };
      if (line !== undefined) Object.assign(error, { line, column, offset });
      this.post({ type: 'error', runId, error });
      return;
    }
    const request = built.request;
    if (!(await this.deps.credentials.has(request.platform))) {
      const name = PLATFORM_NAMES[request.platform];
      const error = new AiFunctionsError('auth', `No ${name} ${request.platform === 'nyckel' ? 'credentials are' : 'API key is'} set: set ${request.platform === 'nyckel' ? 'them' : 'one'} to run ${name} functions.`, { platform: request.platform });
      this.post({ type: 'error', runId, error: toPanelError(error, request.platform) });
      return;
    }
    if (this.active) {
      this.active.cts.cancel();
    }
    const cts = new vscode.CancellationTokenSource();
    const active = { runId, platform: request.platform, function: request.function, cts };
    this.active = active;
    this.updateTitle(request.platform, request.function);
    this.post({ type: 'running', runId, platform: request.platform, function: cap(request.function, 500) });
    const functionName = fn?.name ?? request.function;
    try {
      const result = await this.deps.runs.run(request, cts.token);
      if (cts.token.isCancellationRequested) {
        this.post({ type: 'cancelled', runId });
        return;
      }
      const view = toResultView(result, functionName);
      this.keep(runId, { view, raw: result.raw });
      this.post({ type: 'result', runId, view });
      await this.recentRuns.add({ id: runId, form, functionName, result: { view, raw: result.raw } });
      this.post({ type: 'recentRuns', runs: this.recentRuns.summaries() });
      vscode.window.setStatusBarMessage(`$(sparkle) ${functionName}: ${cap(insertionText(view).split('\n')[0] ?? '', 60)}`, 5000);
    } catch (error) {
      if (cts.token.isCancellationRequested || (isAiFunctionsError(error) && error.kind === 'cancelled')) {
        this.post({ type: 'cancelled', runId });
        return;
      }
      const panelError = toPanelError(error, request.platform);
      this.post({ type: 'error', runId, error: panelError });
      await this.recentRuns.add({ id: runId, form, functionName, error: panelError });
      this.post({ type: 'recentRuns', runs: this.recentRuns.summaries() });
    } finally {
      cts.dispose();
      if (this.active === active) this.active = undefined;
    }
  }

  private async openRecent(id: string): Promise<void> {
    const run = this.recentRuns.get(id);
    if (!run) {
      this.post({ type: 'notice', level: 'error', text: 'That run is no longer in the recent runs.' });
      return;
    }
    const prefill: Prefill = {
      platform: run.form.platform,
      function: run.form.function,
      input: run.form.input,
      inputMode: run.form.inputMode,
      fields: run.form.fields,
      options: run.form.options,
      focus: 'input',
    };
    if (run.result) prefill.result = { runId: run.id, view: run.result.view };
    else if (run.error) prefill.error = { runId: run.id, error: run.error };
    this.updateTitle(run.form.platform, run.form.function);
    this.post({ type: 'prefill', prefill });
  }

  private async rerun(id: string): Promise<void> {
    const run = this.recentRuns.get(id);
    if (!run || run.inputTruncated) {
      this.post({ type: 'notice', level: 'error', text: run ? 'That input was too large to keep; paste it again to run it.' : 'That run is no longer in the recent runs.' });
      return;
    }
    const { form } = run;
    this.post({ type: 'prefill', prefill: { platform: form.platform, function: form.function, input: form.input, inputMode: form.inputMode, fields: form.fields, options: form.options } });
    await this.run(newRunId(), form);
  }

  // ---- result actions

  private keep(runId: string, stored: StoredResult): void {
    this.results.set(runId, stored);
    if (this.results.size > MAX_KEPT_RESULTS) this.results.delete(this.results.keys().next().value as string);
  }

  private stored(runId: string): StoredResult | undefined {
    const kept = this.results.get(runId);
    if (kept) return kept;
    const recent = this.recentRuns.get(runId)?.result;
    return recent ? { view: recent.view, raw: recent.raw } : undefined;
  }

  private missing(): void {
    this.post({ type: 'notice', level: 'error', text: 'That result is no longer available: run the function again.' });
  }

  private async copyResult(runId: string): Promise<void> {
    const stored = this.stored(runId);
    if (!stored) return this.missing();
    const result: Partial<ResultView> = { ...stored.view };
    delete result.functionName;
    await vscode.env.clipboard.writeText(prettyJson(result));
    this.post({ type: 'notice', level: 'info', text: 'Copied the result as JSON.' });
  }

  private async openRaw(runId: string): Promise<void> {
    const stored = this.stored(runId);
    if (!stored) return this.missing();
    const name = stored.view.functionName ?? (stored.view.function || 'run');
    const content = stored.raw !== undefined ? prettyJson(stored.raw) : prettyJson(stored.view);
    await this.deps.documents.show(`${stored.view.platform}/run/${runId}`, `${name} raw.json`, content, { language: 'json', preview: true });
  }

  /** Inserts the result in the editor the panel was opened from: at the cursor, or below the selection. */
  private async insertResult(runId: string): Promise<void> {
    const stored = this.stored(runId);
    if (!stored) return this.missing();
    const target = this.target ?? this.lastEditor;
    if (!target) {
      this.post({ type: 'notice', level: 'error', text: 'Open an editor first: the result is inserted where its cursor is.' });
      return;
    }
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.uri.toString());
    let document: vscode.TextDocument;
    try {
      document = visible?.document ?? (await vscode.workspace.openTextDocument(target.uri));
    } catch {
      this.post({ type: 'notice', level: 'error', text: 'The editor the panel was opened from is closed.' });
      return;
    }
    const selection = visible?.selection ?? target.selection;
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const body = insertionText(stored.view).replace(/\r?\n/g, eol);
    let position: vscode.Position;
    let text: string;
    if (selection.isEmpty) {
      position = document.validatePosition(selection.active);
      text = body;
    } else if (selection.end.character === 0 && selection.end.line > selection.start.line) {
      // Whole lines were selected: the result goes on its own line after them.
      position = document.validatePosition(selection.end);
      text = `${body}${eol}`;
    } else {
      position = document.lineAt(Math.min(selection.end.line, document.lineCount - 1)).range.end;
      text = `${eol}${body}`;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, position, text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      this.post({ type: 'notice', level: 'error', text: 'The editor did not accept the text (is it read-only?).' });
      return;
    }
    this.post({ type: 'notice', level: 'info', text: `Inserted into ${cap(baseName(document.uri), 200)}.` });
  }

  // ---- platforms and functions

  private async postPlatforms(load: boolean): Promise<void> {
    if (!this.panel) return;
    const platforms = await this.platformEntries(load);
    this.post({ type: 'platforms', platforms });
    if (!load && platforms.some((p) => p.loading)) {
      this.post({ type: 'platforms', platforms: await this.platformEntries(true) });
    }
  }

  /** Every platform with its functions (recent first); only platforms with a key are listed. */
  private async platformEntries(load: boolean): Promise<PlatformEntry[]> {
    return Promise.all(
      PLATFORM_IDS.map(async (platform): Promise<PlatformEntry> => {
        const base = { platform, name: PLATFORM_NAMES[platform] };
        if (!(await this.deps.credentials.has(platform))) return { ...base, hasKey: false, loading: false, functions: [] };
        const loaded = this.deps.functions.loaded(platform);
        if (!load) return { ...base, hasKey: true, loading: loaded === undefined, functions: this.panelFunctions(platform, loaded ?? []) };
        try {
          const functions = await this.deps.functions.listFunctions(platform);
          return { ...base, hasKey: true, loading: false, functions: this.panelFunctions(platform, functions) };
        } catch (error) {
          const functions = this.panelFunctions(platform, this.deps.functions.loaded(platform) ?? []);
          return { ...base, hasKey: true, loading: false, functions, error: toPanelError(error, platform) };
        }
      }),
    );
  }

  private panelFunctions(platform: PlatformId, functions: readonly FunctionInfo[]): PanelFunction[] {
    const recent = this.deps.recent.list(platform).map((entry) => entry.id);
    const rank = (fn: FunctionInfo) => {
      const i = recent.indexOf(fn.id);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    return functions
      .filter((fn) => fn.id.length <= 500)
      .map((fn, index) => ({ fn, index, rank: rank(fn) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .slice(0, 5000)
      .map(({ fn, rank: r }) => {
        const out: PanelFunction = { id: fn.id, name: cap(fn.name || fn.id, 500), recent: r !== Number.MAX_SAFE_INTEGER };
        if (fn.description) out.description = cap(fn.description, 2000);
        if (fn.inputType) out.inputType = cap(fn.inputType, 100);
        if (fn.outputType) out.outputType = cap(fn.outputType, 100);
        if (fn.inputFields?.length) out.inputFields = fn.inputFields.slice(0, 100).map((f) => cap(f, 200));
        return out;
      });
  }

  private functionInfo(platform: PlatformId | undefined, id: string | undefined): FunctionInfo | undefined {
    if (!platform || id === undefined) return undefined;
    return this.deps.functions.loaded(platform)?.find((fn) => fn.id === id);
  }

  // ---- the editor "Insert into editor" writes to

  private rememberEditor(editor: vscode.TextEditor | undefined): void {
    const usable = usableEditor(editor);
    if (!usable) return;
    this.lastEditor = { uri: usable.document.uri, selection: usable.selection };
    if (this.target && this.target.uri.toString() === usable.document.uri.toString()) this.target = this.lastEditor;
  }

  private targetLabel(): string | null {
    const target = this.target ?? this.lastEditor;
    if (!target) return null;
    return cap(`${baseName(target.uri)}:${target.selection.active.line + 1}`, 300);
  }

  dispose(): void {
    this.active?.cts.cancel();
    this.panel?.dispose();
    this.detach();
    this.listeners.clear();
  }
}

/** A text editor results can go to (not the output panel, not our own read-only documents). */
function usableEditor(editor: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
  if (!editor) return undefined;
  const scheme = editor.document.uri.scheme;
  return scheme === DOCUMENT_SCHEME || scheme === 'output' || scheme === 'vscode-settings' ? undefined : editor;
}

/** The error as the panel shows it: the one-sentence message and the buttons that fix it. */
export function toPanelError(error: unknown, platform?: PlatformId): PanelError {
  const message = cap(error instanceof Error ? error.message : String(error), 2000);
  const kind = isAiFunctionsError(error) ? error.kind : 'unknown';
  const actions: ErrorAction[] = [];
  switch (kind) {
    case 'auth':
      actions.push('setApiKey');
      break;
    case 'configuration':
      actions.push('openSettings');
      break;
    case 'network':
    case 'timeout':
      actions.push('retry', 'openSettings');
      break;
    case 'rateLimited':
    case 'server':
      actions.push('retry');
      break;
    default:
      break;
  }
  actions.push('showLog');
  const result: PanelError = { kind, message, actions };
  const errorPlatform = isAiFunctionsError(error) ? (error.platform ?? platform) : platform;
  if (errorPlatform) result.platform = errorPlatform;
  return result;
}

function newRunId(): string {
  return `r${randomBytes(9).toString('hex')}`;
}

function baseName(uri: vscode.Uri): string {
  const path = uri.path;
  return path.slice(path.lastIndexOf('/') + 1) || uri.toString();
}

function cap(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
