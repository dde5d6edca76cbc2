// Runs the panel's form. The host checks the form again (the webview's check is only for showing
// problems early), runs it, posts running → result | error | cancelled and records it. One run at
// a time: a new run cancels the one before.
import * as vscode from 'vscode';
import { isAiFunctionsError } from '../../core/errors';
import type { PlatformId } from '../../core/model';
import { showStatus } from '../base/notify';
import type { RunService } from '../run';
import type { CredentialStore } from '../keys';
import { invalidInputError, missingKeyError, toPanelError } from './panelErrors';
import type { PanelFunctions } from './panelFunctions';
import { insertionText, toResultView, type HostMessage, type RunForm } from '../../shared/panelProtocol';
import type { RunHistory } from './runHistory';
import { buildRunRequest } from '../../shared/runInput';
import { cap } from '../../shared/text';

export interface RunningRun {
  runId: string;
  platform: PlatformId;
  function: string;
}

export interface PanelRunnerDeps {
  runs: RunService;
  credentials: CredentialStore;
  functions: PanelFunctions;
  history: RunHistory;
  post(message: HostMessage): void;
  /** Names the panel after the function being run. */
  setTitle(platform: PlatformId, fn: string): void;
}

export class PanelRunner implements vscode.Disposable {
  private active?: RunningRun & { cts: vscode.CancellationTokenSource };

  constructor(private readonly deps: PanelRunnerDeps) {}

  /** The run in progress, for a webview that was reloaded during it. */
  get running(): RunningRun | undefined {
    return this.active && { runId: this.active.runId, platform: this.active.platform, function: this.active.function };
  }

  async run(runId: string, form: RunForm): Promise<void> {
    const { post } = this.deps;
    const fn = this.deps.functions.info(form.platform, form.function);
    const descriptor = this.deps.runs.descriptor(form.platform);
    const built = buildRunRequest(form, descriptor, fn?.inputFields);
    if (!built.ok) {
      post({ type: 'error', runId, error: invalidInputError(built.problem) });
      return;
    }
    const request = built.request;
    if (!(await this.deps.credentials.has(request.platform))) {
      post({ type: 'error', runId, error: missingKeyError(descriptor) });
      return;
    }
    this.active?.cts.cancel();
    const cts = new vscode.CancellationTokenSource();
    const active = { runId, platform: request.platform, function: request.function, cts };
    this.active = active;
    this.deps.setTitle(request.platform, request.function);
    post({ type: 'running', runId, platform: request.platform, function: cap(request.function, 500) });
    const functionName = fn?.name ?? request.function;
    try {
      const result = await this.deps.runs.run(request, cts.token);
      if (cts.token.isCancellationRequested) {
        post({ type: 'cancelled', runId });
        return;
      }
      const view = toResultView(result, functionName);
      this.deps.history.keep(runId, { view, raw: result.raw });
      post({ type: 'result', runId, view });
      await this.deps.history.record({ id: runId, form, functionName, result: { view, raw: result.raw } });
      showStatus('sparkle', `${functionName}: ${cap(insertionText(view).split('\n')[0] ?? '', 60)}`, 5000);
    } catch (error) {
      if (cts.token.isCancellationRequested || (isAiFunctionsError(error) && error.kind === 'cancelled')) {
        post({ type: 'cancelled', runId });
        return;
      }
      const panelError = toPanelError(error, request.platform);
      post({ type: 'error', runId, error: panelError });
      await this.deps.history.record({ id: runId, form, functionName, error: panelError });
    } finally {
      cts.dispose();
      if (this.active === active) this.active = undefined;
    }
  }

  cancel(runId: string): void {
    if (this.active?.runId === runId) this.active.cts.cancel();
  }

  dispose(): void {
    this.active?.cts.cancel();
  }
}
