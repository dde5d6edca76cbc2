import type * as vscode from 'vscode';

/** An AbortSignal that aborts when the token is cancelled (core/ speaks AbortSignal only). */
export function signalFromToken(token?: vscode.CancellationToken): AbortSignal | undefined {
  if (!token) return undefined;
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else {
    const subscription = token.onCancellationRequested(() => {
      subscription.dispose();
      controller.abort();
    });
  }
  return controller.signal;
}
