// Commands around jobs: refresh, load more, filter, details, cancel, results, and what a paused run
// waits for (Approve, Deny, Answer Input Request…).
import * as vscode from 'vscode';
import type { JobPoller } from '../../core/jobPoller';
import type { JobFilter, JobsStore } from '../../core/jobsStore';
import type { Logger } from '../../core/log';
import { PLATFORM_IDS, isTerminal, type Job, type PlatformId } from '../../core/model';
import { AiFunctionsError } from '../../core/errors';
import { can, decisionAnswer, hasJobs, type DecisionAnswer, type PendingDecision, type PlatformAdapter, type With } from '../../platforms/types';
import { signalFromToken } from '../base/cancellation';
import { jsonLines, prettyJson, type ReadOnlyDocuments } from '../base/documents';
import { inert } from '../../core/untrusted';
import { registerCommand, setContext } from '../base/commands';
import { confirm, showInformation, showStatus, withProgress } from '../base/notify';
import { requireAbility, type Platforms } from '../base/platforms';
import type { CredentialStore } from '../keys';
import type { RunService } from '../run';
import { approvalSubject, decisionQuestion, jobLabel, statusLabel } from './jobPresentation';
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
  /** Reads and answers what paused runs wait for (the run panel answers through it too). */
  runs: RunService;
  log: Logger;
}

type PlatformArg = { platform?: PlatformId } | undefined;

/**
 * What Answer Input Request…, Approve and Deny act on: a run or decision row of the Jobs view, or
 * `{platform, id}` (a command link can supply it: the run, and `requestId`/`decisionId` to name
 * one of its decisions, `answer` to answer without asking).
 */
type DecisionArg = JobsNode | { platform: PlatformId; id: string; answer?: string; requestId?: string; decisionId?: string };

interface DecisionTarget {
  platform: PlatformId;
  runId: string;
  decisionId?: string;
  answer?: string;
}

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
      command('aiFunctions.answerInputRequest', (arg: DecisionArg) => this.answer(decisionTarget(arg))),
      command('aiFunctions.approveRun', (arg: DecisionArg) => this.approve(decisionTarget(arg), true)),
      command('aiFunctions.denyRun', (arg: DecisionArg) => this.approve(decisionTarget(arg), false)),
      // A decision sent from elsewhere (the run panel): the run's rows are out of date.
      this.deps.runs.onDidDecide(({ platform, runId }) => {
        this.deps.tree.forgetDecisions(platform, runId);
        const known = this.deps.store.find(platform, runId);
        if (known && !isTerminal(known.status)) this.deps.poller.track(known, true);
      }),
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
   * Answers what the run waits for: an input request (free text, or one of its options) or an
   * approval (Approve or Deny, picked). An answer given as an argument (which a command link can
   * do) is sent only after a modal confirmation that quotes it; scripts answer through the public
   * API. The decision is always read again from the platform: a row's copy is not trusted.
   */
  private async answer(target: DecisionTarget): Promise<void> {
    const { platform, runId } = target;
    const adapter = requireAbility(this.adapter(platform), 'runs take no input', 'pendingDecisions', 'decide');
    const pending = await this.pendingOf(adapter, runId);
    if (pending.length === 0) {
      void showInformation('This run is not waiting for an answer any more.');
      return;
    }
    const decision = target.decisionId !== undefined ? pending.find((d) => d.id === target.decisionId) : pending.length === 1 || target.answer !== undefined ? pending[0] : await this.pickDecision(pending, 'Answer which request?');
    if (!decision) {
      if (target.decisionId !== undefined) void showInformation('This run is not waiting for that answer any more.');
      return;
    }
    const asked = inert(decisionQuestion(decision));
    let answer: DecisionAnswer | undefined;
    if (target.answer !== undefined) {
      answer = decisionAnswer(decision, target.answer);
      if (!answer) throw new AiFunctionsError('invalidInput', `"${target.answer}" does not answer an approval: answer approve or deny.`, { platform });
      const run = this.runName(platform, runId);
      const [question, action] =
        'input' in answer
          ? [`Send the answer "${target.answer}" to ${this.name(platform)} run "${run}"?`, 'Send Answer']
          : [`${answer.approved ? 'Approve' : 'Deny'} ${approvalOf(decision)} of ${this.name(platform)} run "${run}"?`, answer.approved ? 'Approve' : 'Deny'];
      if (!(await confirm(question, `The run asked: ${asked}. The run goes on with this answer.`, action))) return;
    } else if (decision.kind === 'approval') {
      const choice = await vscode.window.showQuickPick(
        [
          { label: '$(check) Approve', description: 'The run goes on and makes the call', approved: true },
          { label: '$(close) Deny', description: 'The run goes on without it', approved: false },
        ],
        { title: inert(`Approve ${approvalOf(decision)}?`, 300), ignoreFocusOut: true },
      );
      if (!choice) return;
      answer = { approved: choice.approved };
    } else {
      const input = decision.options?.length
        ? (await vscode.window.showQuickPick(decision.options.map((option) => ({ label: inert(option), option })), { title: asked || 'The run asks for input', ignoreFocusOut: true }))?.option
        : await vscode.window.showInputBox({ title: 'The run asks for input', prompt: asked, ignoreFocusOut: true });
      if (input === undefined) return;
      answer = { input };
    }
    await this.send(target, decision, answer, 'Answer sent');
  }

  /**
   * Approve or Deny: always after a modal confirmation that names the call and its arguments, as a
   * row and `{platform, id}` from a command link look alike.
   */
  private async approve(target: DecisionTarget, approved: boolean): Promise<void> {
    const { platform, runId } = target;
    const adapter = requireAbility(this.adapter(platform), 'runs ask for no approvals', 'pendingDecisions', 'decide');
    const approvals = (await this.pendingOf(adapter, runId)).filter((d) => d.kind === 'approval');
    const verb = approved ? 'Approve' : 'Deny';
    const decision =
      target.decisionId !== undefined ? approvals.find((d) => d.id === target.decisionId) : approvals.length <= 1 ? approvals[0] : await this.pickDecision(approvals, `${verb} which call?`);
    if (!decision) {
      if (approvals.length === 0 || target.decisionId !== undefined) void showInformation('This run is not waiting for that approval any more.');
      return;
    }
    const question = `${verb} ${approvalOf(decision)} of ${this.name(platform)} run "${this.runName(platform, runId)}"?`;
    const detail = approved ? 'The run goes on and makes the call.' : 'The run goes on without making the call.';
    if (!(await confirm(question, detail, verb))) return;
    await this.send(target, decision, { approved }, approved ? 'Approved' : 'Denied');
  }

  private async send(target: DecisionTarget, decision: PendingDecision, answer: DecisionAnswer, done: string): Promise<void> {
    const { platform, runId } = target;
    await this.deps.runs.answer(platform, runId, decision, answer);
    showStatus('check', done, 3000);
    this.deps.tree.forgetDecisions(platform, runId);
    const job = await this.fetchJob(platform, runId);
    this.deps.poller.track(job, true);
  }

  private async pendingOf(adapter: With<'pendingDecisions'>, runId: string): Promise<PendingDecision[]> {
    return await withProgress({ location: vscode.ProgressLocation.Window, title: `Reading what ${adapter.descriptor.displayName} run ${runId} waits for` }, () =>
      this.deps.runs.pendingDecisions(adapter.id, runId),
    );
  }

  private async pickDecision(decisions: PendingDecision[], title: string): Promise<PendingDecision | undefined> {
    const items = decisions.map((d) => ({
      label: inert(decisionQuestion(d)),
      description: inert(d.kind === 'approval' ? (d.args ?? '') : (d.type ?? '')),
      decision: d,
    }));
    return (await vscode.window.showQuickPick(items, { title }))?.decision;
  }

  private runName(platform: PlatformId, id: string): string {
    const run = this.deps.store.find(platform, id);
    return run ? jobLabel(run) : id;
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

/** "the call to updateLead with {…}" for an approval (platform text: shown only through `inert`). */
function approvalOf(decision: PendingDecision): string {
  return decision.kind === 'approval' ? approvalSubject(decision) : decisionQuestion(decision);
}

/** The run (and decision) a command was given, checked: a command link can pass anything. */
function decisionTarget(arg: DecisionArg | undefined): DecisionTarget {
  const wrong = (): Error => new Error('This command works on a paused run in the Jobs view.');
  if (typeof arg !== 'object' || arg === null || !PLATFORM_IDS.includes(arg.platform)) throw wrong();
  if ('kind' in arg) {
    if (arg.kind === 'job') return { platform: arg.platform, runId: arg.id };
    if (arg.kind === 'decision' && typeof arg.runId === 'string' && typeof arg.decision?.id === 'string') {
      return { platform: arg.platform, runId: arg.runId, decisionId: arg.decision.id };
    }
    throw wrong();
  }
  if (typeof arg.id !== 'string' || arg.id === '') throw wrong();
  const decisionId = arg.decisionId ?? arg.requestId;
  return {
    platform: arg.platform,
    runId: arg.id,
    decisionId: typeof decisionId === 'string' ? decisionId : undefined,
    answer: typeof arg.answer === 'string' ? arg.answer : undefined,
  };
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
