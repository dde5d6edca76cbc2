// Registers the run panel's commands and serializer at activation, and loads the panel itself
// (its own bundle, dist/runPanel.js) only when a panel opens: activation stays small and fast.
import * as vscode from 'vscode';
import { registerCommand } from '../base/commands';
import { Disposable } from '../base/disposable';
import type { OpenRunPanelArgs, RunPanelController, RunPanelDeps } from './runPanel';
import { VIEW_TYPE } from './viewType';

export class LazyRunPanel extends Disposable {
  private controller?: RunPanelController;

  constructor(private readonly deps: RunPanelDeps) {
    super();
  }

  register(): vscode.Disposable[] {
    const command = <A extends unknown[]>(id: string, body: (...args: A) => Promise<unknown>) => registerCommand(this.deps.log, id, body);
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
      this._register(this.controller);
      for (const listener of this.controller.listen()) this._register(listener);
    }
    return this.controller;
  }
}
