// Rows done, failures and the time left of an in-memory row run, for a progress notification:
// Run Function on Each Line on a selection and Evaluate report the same way.
import type * as vscode from 'vscode';
import { formatCount, formatDuration } from '../../core/format';
import type { RowProgress } from '../../core/rowRunner';

/** How often the message changes at most (every row would flood the notification). */
const INTERVAL_MS = 150;

export function rowProgressReporter(progress: vscode.Progress<{ message?: string; increment?: number }>): (p: RowProgress) => void {
  let reported = 0;
  let last = 0;
  return (p) => {
    const now = Date.now();
    const finished = p.done >= p.total;
    if (!finished && p.done > 0 && now - last < INTERVAL_MS) return;
    last = now;
    const percent = p.total === 0 ? 100 : (p.done / p.total) * 100;
    const parts = [`${formatCount(p.done)} of ${formatCount(p.total)}`];
    if (p.failed) parts.push(`${formatCount(p.failed)} failed`);
    if (p.etaMs !== undefined && !finished) parts.push(`about ${formatDuration(p.etaMs)} left`);
    progress.report({ message: parts.join(' · '), increment: Math.max(0, percent - reported) });
    reported = Math.max(reported, percent);
  };
}
