// Rows done, failures and the time left, in a cancellable notification (through base/notify.ts).
import * as vscode from 'vscode';
import { formatCount, formatDuration } from '../../core/format';
import type { RowProgress } from '../../core/rowRunner';
import { signalFromTokens } from '../base/cancellation';
import { withProgress } from '../base/notify';

const INTERVAL_MS = 150;

export function withRowProgress<R>(title: string, token: vscode.CancellationToken | undefined, body: (signal: AbortSignal | undefined, onProgress: (p: RowProgress) => void) => Promise<R>): Thenable<R> {
  return withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, progressToken) => {
    let reported = 0;
    let last = 0;
    return body(signalFromTokens(progressToken, token), (p) => {
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
    });
  });
}
