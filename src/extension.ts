// The composition root: builds the services, registers them, returns the public API.
import * as vscode from 'vscode';
import type { AiFunctionsApi } from './api';
import { KeyCommands } from './vscode/commands/keys';
import { PublicApi } from './vscode/publicApi';
import { CredentialStore, HasKeyContext } from './vscode/secrets';
import { Settings } from './vscode/settings';
import { FunctionsTreeProvider } from './vscode/views/functionsTree';

export function activate(context: vscode.ExtensionContext): AiFunctionsApi {
  const log = vscode.window.createOutputChannel('AI Functions', { log: true });
  const store = new CredentialStore(context.secrets);
  const hasKey = new HasKeyContext(store);
  const settings = new Settings();
  const functionsTree = new FunctionsTreeProvider(store);
  void settings;

  context.subscriptions.push(
    log,
    store,
    hasKey,
    functionsTree,
    vscode.window.createTreeView('aiFunctions.functions', { treeDataProvider: functionsTree, showCollapseAll: true }),
    ...new KeyCommands(store, log).register(),
    vscode.commands.registerCommand('aiFunctions.showLog', () => log.show()),
  );
  void hasKey.updateAll();

  return new PublicApi(store);
}

export function deactivate(): void {}
