// The run panel (a webview): pick a function, edit the input, run, read the result.
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { PlatformId, RunResult } from '../../core/model';
import type { ReadOnlyDocuments } from '../documents';
import type { RecentFunctions } from '../recentFunctions';
import type { RunService } from '../runService';
import type { CredentialStore } from '../secrets';
import type { FunctionsTreeProvider } from '../views/functionsTree';

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

export class RunPanelController implements vscode.Disposable {
  constructor(private readonly deps: RunPanelDeps) {}

  register(): vscode.Disposable[] {
    return [vscode.commands.registerCommand('aiFunctions.openRunPanel', (args?: unknown) => this.open(args as OpenRunPanelArgs))];
  }

  async open(_args?: OpenRunPanelArgs): Promise<void> {
    void this.deps;
    throw new Error('The run panel is being built.');
  }

  dispose(): void {}
}
