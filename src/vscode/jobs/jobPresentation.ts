// How a job looks in the tree: icon, description, tooltip and the abilities its menus test.
import * as vscode from 'vscode';
import { formatCost, formatCount, formatDuration, relativeAge } from '../../core/format';
import { isTerminal, type Job, type JobStatus } from '../../core/model';
import { inert, inertMarkdown } from '../../core/untrusted';
import { can, type PendingDecision, type PlatformAdapter } from '../../platforms/types';

const STATUS_LABELS: Record<JobStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  unknown: 'Unknown',
};

export function statusLabel(job: Job): string {
  return job.status === 'unknown' ? job.rawStatus || 'Unknown' : STATUS_LABELS[job.status];
}

export function jobIcon(status: JobStatus): vscode.ThemeIcon {
  switch (status) {
    case 'queued':
    case 'running':
      return new vscode.ThemeIcon('loading~spin', new vscode.ThemeColor('charts.blue'));
    case 'paused':
      return new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow'));
    case 'succeeded':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
    default:
      return new vscode.ThemeIcon('question');
  }
}

/** The job's name (or id) as the platform sent it; pass it through `inert` before showing it. */
export function jobLabel(job: Job): string {
  return job.name && job.name.trim() !== '' ? job.name : job.id;
}

/** For a tree description: inert platform text. */
export function jobDescription(job: Job, now: number): string {
  const parts = [statusLabel(job)];
  const age = relativeAge(job.createdAt, now);
  if (age) parts.push(age);
  if (job.cost !== undefined) parts.push(formatCost(job.cost));
  else if (job.rows !== undefined) parts.push(`${formatCount(job.rows)} rows`);
  else if (job.costEstimate !== undefined) parts.push(`~${formatCost(job.costEstimate)}`);
  return inert(parts.join(' · '), 200);
}

export function jobTooltip(job: Job, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportThemeIcons = true;
  md.appendMarkdown(`**${inertMarkdown(jobLabel(job))}** · ${inertMarkdown(statusLabel(job))}\n\n`);
  const rows: [string, string | undefined][] = [
    ['ID', job.id],
    ['Status', job.rawStatus],
    ['Model', job.model],
    ['Created', dateLine(job.createdAt, now)],
    ['Started', dateLine(job.startedAt, now)],
    ['Completed', dateLine(job.completedAt, now)],
    ['Duration', duration(job)],
    ['Rows', job.rows === undefined ? undefined : formatCount(job.rows)],
    ['Input tokens', job.inputTokens === undefined ? undefined : formatCount(job.inputTokens)],
    ['Output tokens', job.outputTokens === undefined ? undefined : formatCount(job.outputTokens)],
    ['Cost estimate', job.costEstimate === undefined ? undefined : formatCost(job.costEstimate)],
    ['Cost', job.cost === undefined ? undefined : formatCost(job.cost)],
    ['Failure reason', job.failureReason],
  ];
  md.appendMarkdown('| | |\n|---|---|\n');
  for (const [name, value] of rows) if (value !== undefined && value !== '') md.appendMarkdown(`| ${name} | ${inertMarkdown(value).replace(/\|/g, '\\|')} |\n`);
  return md;
}

/**
 * Space-separated abilities and states, matched by regex `when` clauses in package.json. A paused
 * run is `answerable` (Answer Input Request…) and/or `approvable` (Approve, Deny) by what it waits
 * for; until that is known (`decisions` undefined) it is `answerable`, which handles both.
 */
export function jobContextValue(job: Job, adapter: PlatformAdapter, decisions?: readonly PendingDecision[]): string {
  const values = ['job', `platform-${adapter.id}`, `status-${job.status}`];
  const decides = can(adapter, 'pendingDecisions', 'decide');
  if (can(adapter, 'cancelJob') && !isTerminal(job.status)) values.push('cancellable');
  if (can(adapter, 'jobResults') && job.status === 'succeeded') values.push('hasResults');
  if (decides) values.push('run');
  if (decides && job.status === 'paused') {
    if (!decisions || decisions.some((d) => d.kind === 'input')) values.push('answerable');
    if (decisions?.some((d) => d.kind === 'approval')) values.push('approvable');
  }
  return values.join(' ');
}

/** A decision's tree row: `decision` and `answerable` (an input request) or `approvable` (an approval). */
export function decisionContextValue(decision: PendingDecision, adapter: PlatformAdapter): string {
  return ['decision', `platform-${adapter.id}`, decision.kind === 'approval' ? 'approvable' : 'answerable'].join(' ');
}

/** What the decision asks, as the platform put it; pass it through `inert` before showing it. */
export function decisionQuestion(decision: PendingDecision): string {
  if (decision.kind === 'approval') return decision.description ?? (decision.function ? `Approve the call to ${decision.function}?` : 'Approve the call?');
  return decision.description ?? decision.type ?? 'The run asks for input';
}

/** "the call to updateLead {…}" (arguments shortened); platform text, pass it through `inert`. */
export function approvalSubject(decision: PendingDecision & { kind: 'approval' }, argsChars = 300): string {
  const call = decision.function ? `the call to ${decision.function}` : 'the call';
  if (!decision.args) return call;
  const args = decision.args.length > argsChars ? `${decision.args.slice(0, argsChars)}…` : decision.args;
  return `${call} with ${args}`;
}

function dateLine(iso: string | undefined, now: number): string | undefined {
  if (!iso) return undefined;
  const age = relativeAge(iso, now);
  return age ? `${iso} (${age})` : iso;
}

function duration(job: Job): string | undefined {
  if (!job.startedAt) return undefined;
  const end = job.completedAt ? Date.parse(job.completedAt) : undefined;
  const start = Date.parse(job.startedAt);
  if (end === undefined || Number.isNaN(end) || Number.isNaN(start)) return undefined;
  return formatDuration(end - start);
}
