// Run Function on Each Line…: many rows through one function, or one Sutro batch job.
import * as vscode from 'vscode';
import type { JobPoller } from '../../core/jobPoller';
import type { JobsStore } from '../../core/jobsStore';
import type { Logger } from '../../core/log';
import type { ReadOnlyDocuments } from '../documents';
import type { FunctionPicker } from '../functionPicker';
import type { Platforms, RunService } from '../runService';
import type { Settings } from '../settings';

export interface RowCommandsDeps {
  platforms: Platforms;
  runs: RunService;
  picker: FunctionPicker;
  documents: ReadOnlyDocuments;
  settings: Settings;
  jobsStore: JobsStore;
  poller: JobPoller;
  log: Logger;
}

export class RowCommands {
  constructor(private readonly deps: RowCommandsDeps) {}

  register(): vscode.Disposable[] {
    void this.deps;
    return [];
  }
}
