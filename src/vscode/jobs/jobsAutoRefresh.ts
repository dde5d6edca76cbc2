// Drives the job poller from what the user can see: it polls only while the window is focused
// and the setting is on; while the Jobs view is hidden only watched jobs are polled. It tells the
// user when a watched job finishes.
import { Disposable } from '../base/disposable';
import * as vscode from 'vscode';
import type { JobPoller } from '../../core/jobPoller';
import type { JobsStore } from '../../core/jobsStore';
import type { Job } from '../../core/model';
import { can, type PlatformAdapter } from '../../platforms/types';
import { showInformation, showWarning } from '../base/notify';
import type { Settings } from '../base/settings';
import { jobLabel, statusLabel } from './jobPresentation';

export const AUTO_REFRESH_SETTING = 'jobs.autoRefresh';

export class JobsAutoRefresh extends Disposable {
  constructor(
    private readonly poller: JobPoller,
    store: JobsStore,
    private readonly view: vscode.TreeView<unknown>,
    private readonly settings: Settings,
  ) {
    super();
    this._register(
      store.onDidChange(({ platform, job }) => {
        if (!job) this.poller.sync(platform, store.unfinished(platform));
      }),
    );
    this._register(view.onDidChangeVisibility(() => this.update()));
    this._register(vscode.window.onDidChangeWindowState(() => this.update()));
    this._register(
      settings.onDidChange((event) => {
        if (event.affectsConfiguration(`aiFunctions.${AUTO_REFRESH_SETTING}`)) this.update();
      }),
    );
    this.update();
  }

  private update(): void {
    const enabled = this.settings.jobsAutoRefresh();
    const focused = vscode.window.state.focused;
    this.poller.setActive(enabled && focused, !this.view.visible);
  }
}

/**
 * The notification for a watched job that finished: "Open" shows its details, and "Open Results"
 * its rows when the platform has them.
 */
export async function notifyFinished(
  job: Job,
  adapter: PlatformAdapter,
  actions: { open: (job: Job) => unknown; openResults: (job: Job) => unknown },
): Promise<void> {
  const message = `${adapter.descriptor.displayName} job "${jobLabel(job)}" ${statusLabel(job).toLowerCase()}.`;
  const withResults = can(adapter, 'jobResults') && job.status === 'succeeded';
  const buttons = withResults ? ['Open Results', 'Open'] : ['Open'];
  const choice =
    job.status === 'failed'
      ? await showWarning(job.failureReason ? `${message} ${job.failureReason}` : message, ...buttons)
      : await showInformation(message, ...buttons);
  if (choice === 'Open') await actions.open(job);
  if (choice === 'Open Results') await actions.openResults(job);
}
