// Shows an error the way a user can act on it: one sentence, and the button that fixes it.
import * as vscode from 'vscode';
import { isAiFunctionsError } from '../core/errors';
import type { Logger } from '../core/log';

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isCancellation(error: unknown): boolean {
  return isAiFunctionsError(error) && error.kind === 'cancelled';
}

/** Logs and shows the error; does not wait for the user to answer the notification. */
export function showError(error: unknown, log: Logger, prefix?: string): void {
  if (isCancellation(error)) return;
  const message = prefix ? `${prefix}: ${errorMessage(error)}` : errorMessage(error);
  log.error(message);
  const actions: string[] = [];
  if (isAiFunctionsError(error) && error.kind === 'auth') actions.push('Set API Key…');
  if (isAiFunctionsError(error) && error.kind === 'configuration') actions.push('Open Settings');
  actions.push('Show Log');
  void vscode.window.showErrorMessage(message, ...actions).then((choice) => runAction(choice, error));
}

async function runAction(choice: string | undefined, error: unknown): Promise<void> {
  if (choice === 'Set API Key…') {
    const platform = isAiFunctionsError(error) ? error.platform : undefined;
    await vscode.commands.executeCommand('aiFunctions.setApiKey', platform ? { platform } : undefined);
  } else if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:aifn.ai-functions');
  } else if (choice === 'Show Log') {
    await vscode.commands.executeCommand('aiFunctions.showLog');
  }
}

/** Runs a command body and shows what went wrong instead of throwing into the void. */
export function guarded<A extends unknown[]>(log: Logger, body: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (error) {
      showError(error, log);
    }
  };
}
