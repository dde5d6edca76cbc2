// The one way a command is registered: its body's failure is logged and shown with the action
// that fixes it, never thrown into the void.
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { guarded } from './notify';

export interface CommandOptions {
  /** Calls for which a failure is thrown back to the caller (a script awaiting the result) instead of shown. */
  rethrow?: (...args: unknown[]) => boolean;
}

export function registerCommand<A extends unknown[], R>(
  log: Logger,
  id: string,
  body: (...args: A) => Promise<R> | R,
  options: CommandOptions = {},
): vscode.Disposable {
  return vscode.commands.registerCommand(id, guarded(log, body, options.rethrow));
}

/** Sets a `when`-clause context key. */
export function setContext(key: string, value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
