// Commands around jobs: refresh, load more, filter, details, cancel, results, input requests.
import * as vscode from 'vscode';
import type { JobPoller } from '../../core/jobPoller';
import type { JobFilter, JobsStore } from '../../core/jobsStore';
import type { Logger } from '../../core/log';
import { PLATFORM_IDS, isTerminal, type Job, type PlatformId } from '../../core/model';
import { can, hasJobs, type PlatformAdapter } from '../../platforms/types';
import { signalFromToken } from '../base/cancellation';
import { jsonLines, prettyJson, type ReadOnlyDocuments } from '../base/documents';
import { inert } from '../../core/untrusted';
import { registerCommand, setContext } from '../base/commands';
import { confirm, showInformation, showStatus, withProgress } from '../base/notify';
import { requireAbility, type Platforms } from '../base/platforms';
import type { CredentialStore } from '../keys';
import { jobLabel, statusLabel } from './jobPresentation';
import { FILTER_LABELS, type JobsNode, type JobsTreeProvider } from './jobsTree';

const FILTER_STATE_KEY = 'aiFunctions.jobs.filter';
const FILTERS: JobFilter[] = ['all', 'running', 'succeeded', 'failed'];

export interface JobCommandsDeps {
  platforms: Platforms;
  credentials: CredentialStore;
  store: JobsStore;
  tree: JobsTreeProvider;
  view: vscode.TreeView<JobsNode>;
  poller: JobPoller;
  documents: ReadOnlyDocuments;
  state: vscode.Memento;
  log: Logger;
}

type PlatformArg = { platform?: PlatformId } | undefined;

export function savedJobFilter(state: vscode.Memento): JobFilter {
  const saved = state.get<string>(FILTER_STATE_KEY);
  return FILTERS.find((f) => f === saved) ?? 'all';
}

export class JobCommands {
  constructor(private readonly deps: JobCommandsDeps) {}

  register(): vscode.Disposable[] {
    const command = <A extends unknown[]>(id: string, body: (...args: A) => Promise<unknown>) => registerCommand(this.deps.log, id, body);
    void this.applyFilter(this.deps.tree.currentFilter);
    return [
      command('aiFunctions.refreshJobs', (arg?: PlatformArg) => this.refresh(arg?.platform)),
      command('aiFunctions.loadMoreJobs', (node: JobsNode) => this.deps.store.loadMore(node.platform)),
      ...FILTERS.map((filter) => command(`aiFunctions.filterJobs.${filter}`, () => this.setFilter(filter))),
      command('aiFunctions.openJobDetails', (node: JobsNode) => this.openDetails(node.platform, idOf(node))),
      command('aiFunctions.openJob', (arg?: { platform?: PlatformId; id?: string }) => this.openJobById(arg)),
      command('aiFunctions.cancelJob', (arg?: JobsNode | { platform: PlatformId; id: string }) => this.cancel(arg)),
      command('aiFunctions.openJobResults', (node: JobsNode) => this.openResults(node.platform, idOf(node))),
      command('aiFunctions.copyJobId', (node: JobsNode) => this.copyId(idOf(node))),
      command('aiFunctions.openRun', (node: JobsNode) => this.openRun(node.platform, idOf(node))),
      command('aiFunctions.answerInputRequest', (arg: JobsNode | { platform: PlatformId; id: string; answer: string }) =>
        'kind' in arg ? this.answerInput(arg.platform, idOf(arg)) : this.answerInput(arg.platform, arg.id, arg.answer),
      ),
    ];
  }

  /** Shows a job's details; used by the tree, Open Job… and the "finished" notification. */
  async openDetails(platform: PlatformId, id: string): Promise<void> {
    const job = await this.fetchJob(platform, id);
    const title = `${jobLabel(job)} · ${statusLabel(job)}.json`;
    await this.deps.documents.show(`${platform}/job/${encodeURIComponent(id)}`, title, prettyJson(job.raw));
    // Opening an unfinished job watches it: the user hears when it finishes.
    if (!isTerminal(job.status)) this.deps.poller.track(job, true);
  }

  private async refresh(platform?: PlatformId): Promise<void> {
    await withProgress({ location: { viewId: 'aiFunctions.jobs' }, title: 'Refreshing jobs' }, () => this.deps.tree.refresh(platform));
  }

  private async setFilter(filter: JobFilter): Promise<void> {
    this.deps.tree.setFilter(filter);
    await this.deps.state.update(FILTER_STATE_KEY, filter);
    await this.applyFilter(filter);
  }

  private async applyFilter(filter: JobFilter): Promise<void> {
    this.deps.view.description = filter === 'all' ? undefined : `Filter: ${FILTER_LABELS[filter]}`;
    await setContext('aiFunctions.jobs.filter', filter);
  }

  private async fetchJob(platform: PlatformId, id: string): Promise<Job> {
    const adapter = requireAbility(this.adapter(platform), 'has no jobs', 'getJob');
    const job = await withProgress({ location: vscode.ProgressLocation.Window, title: `Loading ${this.name(platform)} job ${id}` }, () => adapter.getJob(id));
    this.deps.store.update(job);
    return job;
  }

  private async openJobById(arg?: { platform?: PlatformId; id?: string }): Promise<void> {
    const platform = arg?.platform ?? (await this.pickPlatform('Open a job of which platform?', hasJobs));
    if (!platform) return;
    const id =
      arg?.id ??
      (await vscode.window.showInputBox({
        title: `Open ${this.name(platform)} job`,
        prompt: 'The job or run ID',
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() === '' ? 'Enter an ID.' : undefined),
      }));
    if (!id) return;
    await this.openDetails(platform, id.trim());
  }

  /**
   * Always asks first: a tree node and `{ platform, id }` look alike to a command link. Scripts
   * cancel through the public API.
   */
  private async cancel(arg?: JobsNode | { platform: PlatformId; id: string }): Promise<void> {
    let platform: PlatformId | undefined;
    let id: string | undefined;
    if (arg !== undefined && (!('kind' in arg) || arg.kind === 'job')) {
      ({ platform, id } = arg);
    } else {
      platform = await this.pickPlatform('Cancel a job of which platform?', (p) => can(p, 'cancelJob'));
      if (!platform) return;
      id = await this.pickUnfinishedJob(platform);
    }
    if (!platform || !id) return;
    const adapter = requireAbility(this.adapter(platform), 'jobs cannot be cancelled', 'cancelJob');
    const known = this.deps.store.find(platform, id);
    const name = known ? jobLabel(known) : id;
    if (!(await confirm(`Cancel ${this.name(platform)} job "${name}"?`, `Job ID ${id}. Rows already processed may still be billed.`, 'Cancel Job'))) return;
    await adapter.cancelJob(id);
    showStatus('circle-slash', `Cancellation requested for ${name}`, 4000);
    const job = await this.fetchJob(platform, id);
    if (!isTerminal(job.status)) this.deps.poller.track(job, true);
  }

  private async pickUnfinishedJob(platform: PlatformId): Promise<string | undefined> {
    const unfinished = this.deps.store.unfinished(platform);
    const enterId = { label: '$(edit) Enter a job ID…', id: undefined as string | undefined };
    const picked = await vscode.window.showQuickPick(
      [...unfinished.map((job) => ({ label: inert(jobLabel(job)), description: inert(`${statusLabel(job)} · ${job.id}`), id: job.id as string | undefined })), enterId],
      { title: `Cancel a ${this.name(platform)} job`, placeHolder: unfinished.length ? 'Running jobs' : 'No running jobs are loaded' },
    );
    if (!picked) return undefined;
    if (picked.id) return picked.id;
    const typed = await vscode.window.showInputBox({ title: 'Job ID', ignoreFocusOut: true });
    return typed?.trim() || undefined;
  }

  /**
   * Shows a job's rows as JSON Lines. The notification's progress says what a longer wait is for
   * (results the platform has not published yet, a download). Results too large to hold come as a
   * file: the document shows their first rows, and a notification says where all of them are.
   */
  async openResults(platform: PlatformId, id: string): Promise<void> {
    const adapter = requireAbility(this.adapter(platform), 'jobs have no results to download', 'jobResults');
    const results = await withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Downloading results of ${id}`, cancellable: true },
      (progress, token) => adapter.jobResults(id, signalFromToken(token), (message) => progress.report({ message })),
    );
    const known = this.deps.store.find(platform, id);
    await this.deps.documents.show(`${platform}/results/${encodeURIComponent(id)}`, `${known ? jobLabel(known) : id} results.jsonl`, jsonLines(results.rows));
    if (results.file) void this.announceFile(results.file, results.rows.length).catch((e: unknown) => this.deps.log.warn(`Could not show the results file: ${String(e)}`));
  }

  private async announceFile(file: { path: string; totalRows: number }, shown: number): Promise<void> {
    const all = file.totalRows.toLocaleString('en-US');
    const head = shown < file.totalRows ? `Showing the first ${shown.toLocaleString('en-US')} of ${all} rows.` : `All ${all} rows are shown.`;
    const choice = await showInformation(`${head} The full results are saved as Parquet in ${file.path}.`, 'Reveal File', 'Copy Path');
    if (choice === 'Reveal File') await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(file.path));
    else if (choice === 'Copy Path') await vscode.env.clipboard.writeText(file.path);
  }

  private async copyId(id: string): Promise<void> {
    await vscode.env.clipboard.writeText(id);
    showStatus('copy', `Copied ${id}`, 3000);
  }

  private async openRun(platform: PlatformId, id: string): Promise<void> {
    const job = await this.fetchJob(platform, id);
    await this.deps.documents.show(`${platform}/run/${encodeURIComponent(id)}`, `${jobLabel(job)} · ${statusLabel(job)} run.json`, prettyJson(runSummary(job)));
  }

  /**
   * Asks for the answer. An answer given as an argument (which a command link can do) is sent only
   * after a modal confirmation that quotes it; scripts answer through the public API.
   */
  private async answerInput(platform: PlatformId, id: string, scriptedAnswer?: string): Promise<void> {
    const adapter = requireAbility(this.adapter(platform), 'runs take no input', 'inputRequests', 'answerInput');
    const requests = await adapter.inputRequests(id);
    if (requests.length === 0) {
      void showInformation('This run is not waiting for input any more.');
      return;
    }
    const request =
      requests.length === 1 || scriptedAnswer !== undefined
        ? requests[0]
        : (
            await vscode.window.showQuickPick(
              requests.map((r) => ({ label: inert(r.description ?? r.id), description: inert(r.type ?? ''), request: r })),
              { title: 'Answer which request?' },
            )
          )?.request;
    if (!request) return;
    const asked = inert(request.description ?? request.type ?? '');
    if (scriptedAnswer !== undefined) {
      const run = this.deps.store.find(platform, id);
      const question = `Send the answer "${scriptedAnswer}" to ${this.name(platform)} run "${run ? jobLabel(run) : id}"?`;
      if (!(await confirm(question, `The run asked: ${asked}. The run goes on with this answer.`, 'Send Answer'))) return;
    }
    const answer =
      scriptedAnswer ??
      (request.options?.length
        ? (await vscode.window.showQuickPick(request.options.map((option) => ({ label: inert(option), option })), { title: asked || 'The run asks for input', ignoreFocusOut: true }))?.option
        : await vscode.window.showInputBox({ title: 'The run asks for input', prompt: asked, ignoreFocusOut: true }));
    if (answer === undefined) return;
    await adapter.answerInput(id, request.id, answer);
    showStatus('check', 'Answer sent', 3000);
    const job = await this.fetchJob(platform, id);
    this.deps.poller.track(job, true);
  }

  private async pickPlatform(title: string, applies: (adapter: PlatformAdapter) => boolean): Promise<PlatformId | undefined> {
    const candidates = PLATFORM_IDS.map((id) => this.deps.platforms[id]).filter(applies);
    const withKey = (await Promise.all(candidates.map(async (a) => ((await this.deps.credentials.has(a.id)) ? a.id : undefined)))).filter(
      (id): id is PlatformId => id !== undefined,
    );
    if (withKey.length === 0) {
      void showInformation(`Set the API key of ${candidates.map((a) => a.descriptor.displayName).join(' or ')} first.`, 'Set API Key…').then((choice) => {
        if (choice) void vscode.commands.executeCommand('aiFunctions.setApiKey');
      });
      return undefined;
    }
    if (withKey.length === 1) return withKey[0];
    return (await vscode.window.showQuickPick(withKey.map((id) => ({ label: this.name(id), id })), { title }))?.id;
  }

  private adapter(platform: PlatformId): PlatformAdapter {
    return this.deps.platforms[platform];
  }

  private name(platform: PlatformId): string {
    return this.adapter(platform).descriptor.displayName;
  }
}

function idOf(node: JobsNode): string {
  if (node.kind !== 'job') throw new Error('This command works on a job in the Jobs view.');
  return node.id;
}

/** The parts of an Inferable run a person reads first. */
function runSummary(job: Job): unknown {
  const raw = (job.raw ?? {}) as Record<string, unknown>;
  const run = (typeof raw.run === 'object' && raw.run !== null ? raw.run : raw) as Record<string, unknown>;
  return {
    id: job.id,
    name: job.name,
    status: run.status ?? job.rawStatus,
    result: run.result ?? null,
    summary: run.summary ?? null,
    failureReason: run.failureReason ?? job.failureReason ?? null,
    jobs: raw.jobs ?? [],
    inputRequests: raw.inputRequests ?? [],
  };
}
