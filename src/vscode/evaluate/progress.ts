// An evaluation's rows in a cancellable notification (through base/notify.ts).
import * as vscode from 'vscode';
import type { RowProgress } from '../../core/rowRunner';
import { signalFromTokens } from '../base/cancellation';
import { withProgress } from '../base/notify';
import { rowProgressReporter } from '../base/rowProgress';

export function withRowProgress<R>(title: string, token: vscode.CancellationToken | undefined, body: (signal: AbortSignal | undefined, onProgress: (p: RowProgress) => void) => Promise<R>): Thenable<R> {
  return withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, progressToken) =>
    body(signalFromTokens(progressToken, token), rowProgressReporter(progress)),
  );
}
