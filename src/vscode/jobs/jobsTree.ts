// The Jobs view: platform → jobs (newest first), "Load more…", errors on the platform node; under
// a paused run, what it waits on a person for (approvals, input requests).
import { Disposable } from '../base/disposable';
import * as vscode from 'vscode';
import { matchesFilter, type JobFilter, type JobsStore } from '../../core/jobsStore';
import type { PlatformId } from '../../core/model';
import { can, type PendingDecision, type PlatformAdapter } from '../../platforms/types';
import type { CredentialStore } from '../keys';
import { errorMessages, messageItem, setKeyMessage, shortError, stableNode, type MessageNode } from '../base/treeMessages';
import { inert, inertMarkdown } from '../../core/untrusted';
import { approvalSubject, decisionContextValue, decisionQuestion, jobContextValue, jobDescription, jobIcon, jobLabel, jobTooltip } from './jobPresentation';

export type JobsNode =
  | { kind: 'platform'; platform: PlatformId }
  | { kind: 'job'; platform: PlatformId; id: string }
  /** What a paused run (`runId`) waits for. Commands read the decision again from the platform. */
  | { kind: 'decision'; platform: PlatformId; runId: string; decision: PendingDecision }
  | { kind: 'loadMore'; platform: PlatformId }
  | MessageNode;

export const FILTER_LABELS: Record<JobFilter, string> = { all: 'All', running: 'Running', succeeded: 'Succeeded', failed: 'Failed' };

export class JobsTreeProvider extends Disposable implements vscode.TreeDataProvider<JobsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<JobsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  // Stable node objects: VS Code refreshes a single node only when given the same object.
  private readonly platformNodes = new Map<PlatformId, JobsNode>();
  private readonly jobNodes = new Map<string, JobsNode>();
  private readonly loadMoreNodes = new Map<PlatformId, JobsNode>();
  private readonly decisionNodes = new Map<string, JobsNode>();
  /**
   * What each paused run waits for, as last read, with the run's status then: read again when the
   * status changes or `forgetDecisions` is called, not on every poll of the run.
   */
  private readonly decisions = new Map<string, { rawStatus: string; decisions: PendingDecision[] }>();
  private filter: JobFilter;

  constructor(
    private readonly platforms: readonly PlatformAdapter[],
    private readonly store: JobsStore,
    private readonly credentials: CredentialStore,
    initialFilter: JobFilter,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.filter = initialFilter;
    const storeSubscription = store.onDidChange(({ platform, job }) => {
      if (job && matchesFilter(job, this.filter)) this.changed.fire(this.jobNode(platform, job.id));
      // A list change refreshes from the root: VS Code cancels the children fetches still in
      // flight only then. Two overlapping fetches of one platform's children (refresh start and
      // end) would both register the same job ids ("Element with id … is already registered")
      // and the platform would show no jobs.
      else this.changed.fire(undefined);
    });
    this._register(storeSubscription);
    this._register(
      credentials.onDidChange((platform) => {
        this.store.clear(platform);
        this.changed.fire(undefined);
      }),
    );
  }

  get currentFilter(): JobFilter {
    return this.filter;
  }

  setFilter(filter: JobFilter): void {
    this.filter = filter;
    this.changed.fire(undefined);
  }

  /** Lists the jobs again; platforms without a key are left alone (they show "Set API key…"). */
  async refresh(platform?: PlatformId): Promise<void> {
    const targets = platform ? this.platforms.filter((p) => p.id === platform) : this.platforms;
    for (const key of [...this.decisions.keys()]) if (!platform || key.startsWith(`${platform}:`)) this.decisions.delete(key);
    await Promise.all(targets.map(async (adapter) => (await this.credentials.has(adapter.id)) && this.store.refresh(adapter.id)));
  }

  async getChildren(node?: JobsNode): Promise<JobsNode[]> {
    if (!node) {
      const withKeys = await Promise.all(this.platforms.map((p) => this.credentials.has(p.id)));
      // With no key at all the view stays empty so its welcome content shows.
      if (!withKeys.some(Boolean)) return [];
      return this.platforms.map((p) => this.platformNode(p.id));
    }
    if (node.kind === 'job') return this.jobChildren(node.platform, node.id);
    if (node.kind !== 'platform') return [];
    return this.platformChildren(node.platform);
  }

  /** What the run's tree shows under it is read again (after an answer was sent). */
  forgetDecisions(platform: PlatformId, id: string): void {
    this.decisions.delete(`${platform}:${id}`);
    this.changed.fire(this.jobNode(platform, id));
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'platform':
        return this.platformItem(node.platform);
      case 'job':
        return this.jobItem(node.platform, node.id);
      case 'decision':
        return this.decisionItem(node);
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.id = `loadMore:${node.platform}`;
        item.iconPath = new vscode.ThemeIcon(this.store.get(node.platform).loading ? 'loading~spin' : 'ellipsis');
        item.contextValue = 'loadMore';
        item.command = { command: 'aiFunctions.loadMoreJobs', title: 'Load More', arguments: [node] };
        return item;
      }
      case 'message':
        return messageItem(node);
    }
  }

  getParent(node: JobsNode): JobsNode | undefined {
    if (node.kind === 'decision') return this.jobNode(node.platform, node.runId);
    return node.kind === 'platform' ? undefined : this.platformNode(node.platform);
  }

  jobNode(platform: PlatformId, id: string): JobsNode {
    return stableNode(this.jobNodes, `${platform}:${id}`, () => ({ kind: 'job', platform, id }));
  }

  private platformNode(platform: PlatformId): JobsNode {
    return stableNode(this.platformNodes, platform, () => ({ kind: 'platform', platform }));
  }

  private loadMoreNode(platform: PlatformId): JobsNode {
    return stableNode(this.loadMoreNodes, platform, () => ({ kind: 'loadMore', platform }));
  }

  private async platformChildren(platform: PlatformId): Promise<JobsNode[]> {
    if (!(await this.credentials.has(platform))) {
      return [setKeyMessage(platform)];
    }
    let state = this.store.get(platform);
    if (!state.loaded && !state.error) {
      await this.store.refresh(platform);
      state = this.store.get(platform);
    }
    const children: JobsNode[] = [];
    if (state.error) children.push(...errorMessages(platform, state.error, 'aiFunctions.refreshJobs'));
    const visible = state.jobs.filter((job) => matchesFilter(job, this.filter));
    children.push(...visible.map((job) => this.jobNode(platform, job.id)));
    if (state.loaded && visible.length === 0 && !state.nextCursor) {
      const text = this.filter === 'all' ? 'No jobs yet' : `No ${FILTER_LABELS[this.filter].toLowerCase()} jobs loaded`;
      children.push({ kind: 'message', platform, text, icon: 'info' });
    }
    if (state.nextCursor) children.push(this.loadMoreNode(platform));
    return children;
  }

  private platformItem(platform: PlatformId): vscode.TreeItem {
    const state = this.store.get(platform);
    const item = new vscode.TreeItem(this.platforms.find((p) => p.id === platform)?.descriptor.displayName ?? platform, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `jobs:${platform}`;
    item.contextValue = `platform platform-${platform}`;
    if (state.error) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.description = shortError(state.error);
      item.tooltip = new vscode.MarkdownString(`${inertMarkdown(state.error.message)}\n\nThe list shows the last jobs loaded successfully.`);
    } else {
      item.iconPath = new vscode.ThemeIcon(state.loading ? 'loading~spin' : 'cloud');
      const shown = state.jobs.filter((job) => matchesFilter(job, this.filter)).length;
      item.description = state.loaded ? `${shown}${state.nextCursor ? '+' : ''} ${this.filter === 'all' ? 'jobs' : FILTER_LABELS[this.filter].toLowerCase()}` : undefined;
    }
    return item;
  }

  private decides(platform: PlatformId): PlatformAdapter | undefined {
    const adapter = this.platforms.find((p) => p.id === platform);
    return adapter && can(adapter, 'pendingDecisions', 'decide') ? adapter : undefined;
  }

  /** A paused run's approvals and input requests, each a row with its own Approve/Deny or Answer. */
  private async jobChildren(platform: PlatformId, id: string): Promise<JobsNode[]> {
    const key = `${platform}:${id}`;
    const job = this.store.find(platform, id);
    const adapter = this.decides(platform);
    if (!job || job.status !== 'paused' || !adapter?.pendingDecisions) {
      this.decisions.delete(key);
      return [];
    }
    let known = this.decisions.get(key);
    if (!known || known.rawStatus !== job.rawStatus) {
      try {
        const decisions = await adapter.pendingDecisions(id);
        const kinds = (list?: PendingDecision[]): string => [...new Set(list?.map((d) => d.kind))].sort().join();
        const before = known;
        known = { rawStatus: job.rawStatus, decisions };
        this.decisions.set(key, known);
        // The run's own menus (Approve/Deny or Answer) follow what it waits for.
        if (kinds(before?.decisions) !== kinds(decisions) || !before) this.changed.fire(this.jobNode(platform, id));
      } catch (e) {
        const error = e as Error;
        return [{ kind: 'message', platform, text: shortError(error), icon: 'error', tooltip: inert(error.message) }];
      }
    }
    return known.decisions.map((decision) => {
      const node = stableNode(this.decisionNodes, `${key}:${decision.kind}:${decision.id}`, () => ({ kind: 'decision' as const, platform, runId: id, decision }));
      // The same object (VS Code refreshes a node by identity), with what was read last.
      if (node.kind === 'decision') node.decision = decision;
      return node;
    });
  }

  private decisionItem(node: JobsNode & { kind: 'decision' }): vscode.TreeItem {
    const { decision, platform, runId } = node;
    const item = new vscode.TreeItem(inert(decisionQuestion(decision), 200), vscode.TreeItemCollapsibleState.None);
    item.id = `decision:${platform}:${runId}:${decision.kind}:${decision.id}`;
    const adapter = this.platforms.find((p) => p.id === platform);
    item.contextValue = adapter ? decisionContextValue(decision, adapter) : 'decision';
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${inertMarkdown(decisionQuestion(decision))}**\n\n`);
    if (decision.kind === 'approval') {
      item.iconPath = new vscode.ThemeIcon('shield', new vscode.ThemeColor('charts.yellow'));
      if (decision.args) item.description = inert(decision.args, 200);
      md.appendMarkdown(`${inertMarkdown(approvalSubject(decision, 2000))}\n\nApprove or deny it: the run waits until you do.`);
    } else {
      item.iconPath = new vscode.ThemeIcon('comment-discussion', new vscode.ThemeColor('charts.yellow'));
      if (decision.options?.length) item.description = inert(decision.options.join(' / '), 200);
      md.appendMarkdown('Answer it: the run waits until you do.');
      item.command = { command: 'aiFunctions.answerInputRequest', title: 'Answer Input Request…', arguments: [node] };
    }
    item.tooltip = md;
    item.accessibilityInformation = { label: inert(`${decisionQuestion(decision)}${decision.kind === 'approval' && decision.args ? ` ${decision.args}` : ''}`, 300) };
    return item;
  }

  private jobItem(platform: PlatformId, id: string): vscode.TreeItem {
    const job = this.store.find(platform, id);
    const waits = job?.status === 'paused' && this.decides(platform) !== undefined;
    const item = new vscode.TreeItem(inert(job ? jobLabel(job) : id, 200), waits ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `job:${platform}:${id}`;
    if (!job) return item;
    const now = this.now();
    item.description = jobDescription(job, now);
    item.iconPath = jobIcon(job.status);
    item.tooltip = jobTooltip(job, now);
    const adapter = this.platforms.find((p) => p.id === platform);
    item.contextValue = adapter ? jobContextValue(job, adapter, this.decisions.get(`${platform}:${id}`)?.decisions) : 'job';
    item.command = { command: 'aiFunctions.openJobDetails', title: 'Open Job Details', arguments: [this.jobNode(platform, id)] };
    item.accessibilityInformation = { label: inert(`${jobLabel(job)}, ${jobDescription(job, now)}`) };
    return item;
  }

}
