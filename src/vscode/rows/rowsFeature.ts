// The rows feature proper, its own bundle (dist/rows.js), loaded by LazyRows on first use: Run
// Function on Each Line, Re-run Failed Rows, Resume Run, and the file runs behind them.
import { ManifestStore } from '../../core/rowFiles/manifest';
import { RowCommands, type RowCommandsDeps } from './rowCommands';
import { RowFiles } from './rowFiles';

export type RowsDeps = Omit<RowCommandsDeps, 'rowFiles'> & {
  /** Where file runs keep their manifests and journals (extension storage), so a reload can resume them. */
  storageDir: string;
};

export class RowsFeature {
  readonly store: ManifestStore;
  readonly files: RowFiles;
  readonly commands: RowCommands;

  constructor(private readonly deps: RowsDeps) {
    this.store = new ManifestStore(deps.storageDir);
    this.files = this.filesFrom(this.store);
    this.commands = new RowCommands({ ...deps, rowFiles: this.files });
  }

  /** A RowFiles that knows only what is on disk, as after a window reload (the integration tests). */
  reloaded(): RowFiles {
    return this.filesFrom(new ManifestStore(this.deps.storageDir));
  }

  private filesFrom(store: ManifestStore): RowFiles {
    return new RowFiles({ runs: this.deps.runs, store, settings: this.deps.settings, log: this.deps.log });
  }
}
