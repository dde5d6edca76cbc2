// Registers the rows commands at activation and loads the feature itself (its own bundle,
// dist/rows.js) only when one is first used, or when a run stopped by a reload is waiting to be
// resumed: activation stays small and fast.
import { readdir } from 'node:fs/promises';
import type * as vscode from 'vscode';
import { registerCommand } from '../base/commands';
import { Disposable } from '../base/disposable';
import type { RowsDeps, RowsFeature } from './rowsFeature';

export class LazyRows extends Disposable {
  private feature?: RowsFeature;

  constructor(private readonly deps: RowsDeps) {
    super();
  }

  register(): vscode.Disposable[] {
    // Scripted calls (a plain object argument) get errors thrown; the UI gets them shown.
    const command = (id: string, body: (arg?: unknown) => Promise<unknown>) => registerCommand(this.deps.log, id, body, { rethrow: isScripted });
    return [
      command('aiFunctions.runOnEachLine', (arg) => this.load().commands.runOnEachLine(arg)),
      command('aiFunctions.rerunFailedRows', (arg) => this.load().commands.rerunFailedRows(arg)),
      command('aiFunctions.resumeRun', (arg) => this.load().commands.resumeRun(arg)),
    ];
  }

  /**
   * Tells of runs a reload or a quit stopped, with Resume and Discard. A stopped run keeps its
   * journal (a finished one has none), so the feature loads only when there is one.
   */
  async showInterrupted(): Promise<void> {
    // Off the activation path: a directory read, and the feature only when a journal is there.
    const names = await readdir(this.deps.storageDir).catch(() => [] as string[]);
    if (names.some((name) => name.endsWith('.journal'))) this.load().commands.showInterrupted();
  }

  /** File runs stop sending; rows in flight finish and are journaled, so Resume loses nothing. */
  async stopAll(graceMs: number): Promise<void> {
    await this.feature?.files.stopAll(graceMs);
  }

  /** The feature, loading its code the first time. */
  load(): RowsFeature {
    if (!this.feature) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      const { RowsFeature } = require('./rowsFeature') as typeof import('./rowsFeature');
      this.feature = new RowsFeature(this.deps);
    }
    return this.feature;
  }
}

/** A plain object argument (not a Uri from a menu): a script or a test calling the command. */
function isScripted(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) && !('scheme' in arg && 'path' in arg);
}
