// Every notification, progress title, modal confirmation and status bar message the extension
// shows goes through here, and its text through `inert`: a platform's words (an error detail, a
// job name, a failure reason) can never become a link that runs a command. eslint forbids calling
// the `vscode.window` functions below from anywhere else.
import * as vscode from 'vscode';
import { fixesFor, isAiFunctionsError, messageOf } from '../../core/errors';
import type { Logger } from '../../core/log';
import { inert } from '../../core/untrusted';

/** Longer than a tree description: a notification is where the whole message is read. */
const NOTIFICATION_CHARS = 1000;

export { messageOf as errorMessage } from '../../core/errors';

export function isCancellation(error: unknown): boolean {
  return isAiFunctionsError(error) && error.kind === 'cancelled';
}

export function showInformation<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showInformationMessage(inert(message, NOTIFICATION_CHARS), ...actions);
}

export function showWarning<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showWarningMessage(inert(message, NOTIFICATION_CHARS), ...actions);
}

export function showErrorText<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showErrorMessage(inert(message, NOTIFICATION_CHARS), ...actions);
}

/**
 * A modal question that names what will happen; resolves true only when `action` was chosen.
 * Commands that act on arguments (which a command link can supply) ask this first.
 */
export async function confirm(message: string, detail: string, action: string): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(inert(message, NOTIFICATION_CHARS), { modal: true, detail: inert(detail, NOTIFICATION_CHARS) }, action);
  return choice === action;
}

/** `withProgress` with an inert title. */
export function withProgress<R>(
  options: vscode.ProgressOptions,
  task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>,
): Thenable<R> {
  const title = options.title === undefined ? undefined : inert(options.title, NOTIFICATION_CHARS);
  return vscode.window.withProgress({ ...options, title }, (progress, token) =>
    task({ report: (value) => progress.report(value.message === undefined ? value : { ...value, message: inert(value.message) }) }, token),
  );
}

/** A status bar message: our own icon, then inert text. */
export function showStatus(icon: string, text: string, hideAfterMs: number): vscode.Disposable {
  return vscode.window.setStatusBarMessage(`$(${icon}) ${inert(text, 200)}`, hideAfterMs);
}

/** Logs and shows the error; does not wait for the user to answer the notification. */
export function showError(error: unknown, log: Logger, prefix?: string): void {
  if (isCancellation(error)) return;
  const message = prefix ? `${prefix}: ${messageOf(error)}` : messageOf(error);
  log.error(message);
  // A notification has no Retry: the user runs the command again.
  const fixes = fixesFor(error);
  const actions: string[] = [];
  if (fixes.includes('setApiKey')) actions.push('Set API Key…');
  if (fixes.includes('openSettings') && !fixes.includes('retry')) actions.push('Open Settings');
  actions.push('Show Log');
  void showErrorText(message, ...actions).then((choice) => runAction(choice, error));
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

/**
 * Runs a body and shows what went wrong instead of throwing into the void; resolves with the
 * body's value, or undefined after a failure (which is thrown instead when `rethrow` says so).
 */
export function guarded<A extends unknown[], R>(
  log: Logger,
  body: (...args: A) => Promise<R> | R,
  rethrow?: (...args: A) => boolean,
): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await body(...args);
    } catch (error) {
      if (rethrow?.(...args)) throw error;
      showError(error, log);
      return undefined;
    }
  };
}
