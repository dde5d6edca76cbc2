// Registers the run panel's commands and serializer at activation, and loads the panel itself
// (its own bundle, dist/runPanel.js) only when a panel opens: activation stays small and fast.
import * as vscode from 'vscode';
import { guarded } from '../base/notify';
import type { OpenRunPanelArgs, RunPanelController, RunPanelDeps } from './runPanel';
import { VIEW_TYPE } from './viewType';

export class LazyRunPanel implements vscode.Disposable {
  private controller?: RunPanelController;
  private readonly loadedDisposables: vscode.Disposable[] = [];

  constructor(private readonly deps: RunPanelDeps) {}

  register(): vscode.Disposable[] {
    const command = <A extends unknown[]>(id: string, body: (...args: A) => Promise<unknown>) =>
      vscode.commands.registerCommand(id, guarded(this.deps.log, body));
    return [
      command('aiFunctions.openRunPanel', (args?: unknown) => this.load().open(args as OpenRunPanelArgs | undefined)),
      command('aiFunctions.runOnSelection', () => this.load().open(undefined, 'function')),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state: unknown) => this.load().restore(panel, state),
      }),
    ];
  }

  /** The panel's controller, loading its code the first time. */
  load(): RunPanelController {
    if (!this.controller) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      const { RunPanelController } = require('./runPanel') as typeof import('./runPanel');
      this.controller = new RunPanelController(this.deps);
      this.loadedDisposables.push(this.controller, ...this.controller.listen());
    }
    return this.controller;
  }

  dispose(): void {
    for (const disposable of this.loadedDisposables) disposable.dispose();
  }
}
