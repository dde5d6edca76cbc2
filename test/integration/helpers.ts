// What several integration suites share: the extension and its API, keys, settings, the text of
// tree items, waiting, and recording context keys and modal questions.
import * as vscode from 'vscode';
import type { AiFunctionsApi } from '../../src/api';

export const EXTENSION_ID = 'aifn.ai-functions';

export function extension(): vscode.Extension<AiFunctionsApi> {
  const ext = vscode.extensions.getExtension<AiFunctionsApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in the test host`);
  return ext;
}

export async function api(): Promise<AiFunctionsApi> {
  return extension().activate();
}

export async function clearAllKeys(): Promise<void> {
  for (const platform of ['sutro', 'nyckel', 'inferable'] as const) await (await api()).clearApiKey(platform);
}

/** The extension's settings; the tests change them as a user does, in user settings. */
export const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('aiFunctions');
export const GLOBAL = vscode.ConfigurationTarget.Global;

/** The text of a label, description or tooltip, whichever form it takes. */
export const textOf = (value: string | vscode.MarkdownString | vscode.TreeItemLabel | undefined): string =>
  value === undefined ? '' : typeof value === 'string' ? value : 'value' in value ? value.value : value.label;

export const labelOf = (item: vscode.TreeItem): string => textOf(item.label);

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Records the context keys the extension sets (VS Code has no API to read them back). */
export function recordContextKeys(): { values: Map<string, unknown>; restore(): void } {
  const values = new Map<string, unknown>();
  const original = vscode.commands.executeCommand;
  const patched = (command: string, ...args: unknown[]) => {
    if (command === 'setContext') values.set(String(args[0]), args[1]);
    return original.call(vscode.commands, command, ...args);
  };
  (vscode.commands as { executeCommand: unknown }).executeCommand = patched;
  return { values, restore: () => ((vscode.commands as { executeCommand: unknown }).executeCommand = original) };
}

export interface ModalRecorder {
  /** Each modal question asked, as `message | detail`. */
  asked: string[];
  restore(): void;
}

/**
 * Answers the extension's modal confirmations (a person would click a button): `choose` gets the
 * message and the buttons and returns the button to click, or undefined to dismiss.
 */
export function answerModals(choose: (message: string, buttons: string[]) => string | undefined): ModalRecorder {
  const window = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = window.showWarningMessage!;
  const asked: string[] = [];
  window.showWarningMessage = (message: unknown, ...rest: unknown[]) => {
    const options = rest[0];
    if (typeof options === 'object' && options !== null && (options as vscode.MessageOptions).modal) {
      const buttons = rest.slice(1).map(String);
      asked.push(`${String(message)} | ${(options as vscode.MessageOptions).detail ?? ''}`);
      return Promise.resolve(choose(String(message), buttons));
    }
    return original.call(vscode.window, message, ...rest);
  };
  return { asked, restore: () => void (window.showWarningMessage = original) };
}
