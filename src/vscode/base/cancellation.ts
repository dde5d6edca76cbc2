// VS Code cancels with tokens, core/ with AbortSignals: the one bridge between them.
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

/** One AbortSignal for several tokens: it aborts when any of them is cancelled. */
export function signalFromTokens(...tokens: (vscode.CancellationToken | undefined)[]): AbortSignal | undefined {
  const signals = tokens.map(signalFromToken).filter((signal): signal is AbortSignal => signal !== undefined);
  return signals.length <= 1 ? signals[0] : AbortSignal.any(signals);
}
