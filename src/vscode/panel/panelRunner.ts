// Runs the panel's form. The host checks the form again (the webview's check is only for showing
// problems early), runs it, posts running → result | error | cancelled and records it. One run at
// a time: a new run cancels the one before.
import * as vscode from 'vscode';
import { isAiFunctionsError } from '../../core/errors';
import type { PlatformId, RunResult } from '../../core/model';
import { showStatus, withProgress } from '../base/notify';
import type { RunService } from '../run';
import type { CredentialStore } from '../keys';
import { invalidInputError, missingKeyError, toPanelError } from './panelErrors';
import type { PanelFunctions } from './panelFunctions';
import { insertionText, type HostMessage, type PanelError, type ResultView, type RunForm } from '../../shared/panelProtocol';
import { panelResultView } from './resultView';
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
    this.deps.setTitle(request.platform, request.function);
    const functionName = fn?.name ?? request.function;
    const outcome = await this.track(runId, request.platform, request.function, functionName, (token) => this.deps.runs.run(request, token));
    if (outcome && 'view' in outcome) {
      await this.deps.history.record({ id: runId, form, functionName, result: outcome });
      showStatus('sparkle', `${functionName}: ${cap(insertionText(outcome.view).split('\n')[0] ?? '', 60)}`, 5000);
    } else if (outcome) {
      await this.deps.history.record({ id: runId, form, functionName, error: outcome.error });
    }
  }

  /**
   * Approve or Deny on an approval of the result `runId`: the run is the one the host kept for it
   * (the webview names only the panel's run and the approval), the approval is read again from the
   * platform, and the answer goes through RunService as the Jobs view's does. Then the run is
   * followed until it finishes or waits again, and its new result replaces the old one.
   */
  async decide(runId: string, decisionId: string, approved: boolean): Promise<void> {
    const { post } = this.deps;
    const kept = this.deps.history.result(runId);
    const view = kept?.view;
    const platformRunId = view?.platformRunId;
    if (!view || !platformRunId || !view.approvals?.some((a) => a.id === decisionId)) {
      post({ type: 'notice', level: 'error', text: 'That approval is no longer shown here; open the run from the Jobs view.' });
      return;
    }
    const { platform } = view;
    const name = this.deps.runs.descriptor(platform).displayName;
    const approval = view.approvals.find((a) => a.id === decisionId);
    const call = approval?.function ? `the call to ${approval.function}` : 'the call';
    const sent = await withProgress({ location: vscode.ProgressLocation.Window, title: `${approved ? 'Approving' : 'Denying'} ${call} (${name} run ${platformRunId})` }, () =>
      this.deps.runs.approve(platform, platformRunId, decisionId, approved),
    ).then(
      (decision) => decision,
      (error: unknown) => {
        post({ type: 'notice', level: 'error', text: cap(`Could not send the answer: ${toPanelError(error, platform).message}`, 300) });
        return null;
      },
    );
    if (sent === null) {
      post({ type: 'result', runId, view });
      return;
    }
    if (sent === undefined) {
      post({ type: 'notice', level: 'info', text: 'The run is not waiting for that approval any more.' });
    } else {
      showStatus('check', approved ? 'Approved' : 'Denied', 3000);
    }
    await this.follow(runId, platform, platformRunId, view.function, view.functionName);
  }

  /** Follows a run that went on after a decision, as a run of its own (Cancel stops the waiting). */
  private async follow(runId: string, platform: PlatformId, platformRunId: string, fn: string, functionName: string | undefined): Promise<void> {
    await this.track(runId, platform, fn, functionName, (token) => this.deps.runs.awaitRun(platform, platformRunId, fn, token));
  }

  /**
   * The panel's one run in flight (a new one cancels the last): posts running, then the result,
   * the error or the cancel, and keeps the result for the result's actions. Undefined: cancelled.
   */
  private async track(
    runId: string,
    platform: PlatformId,
    fn: string,
    functionName: string | undefined,
    work: (token: vscode.CancellationToken) => Promise<RunResult>,
  ): Promise<{ view: ResultView; raw: unknown } | { error: PanelError } | undefined> {
    const { post } = this.deps;
    this.active?.cts.cancel();
    const cts = new vscode.CancellationTokenSource();
    const active = { runId, platform, function: fn, cts };
    this.active = active;
    post({ type: 'running', runId, platform, function: cap(fn, 500) });
    try {
      const result = await work(cts.token);
      if (cts.token.isCancellationRequested) {
        post({ type: 'cancelled', runId });
        return undefined;
      }
      const kept = { view: panelResultView(result, functionName), raw: result.raw };
      this.deps.history.keep(runId, kept);
      post({ type: 'result', runId, view: kept.view });
      return kept;
    } catch (error) {
      if (cts.token.isCancellationRequested || (isAiFunctionsError(error) && error.kind === 'cancelled')) {
        post({ type: 'cancelled', runId });
        return undefined;
      }
      const panelError = toPanelError(error, platform);
      post({ type: 'error', runId, error: panelError });
      return { error: panelError };
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
