// The Functions view: one node per platform with its key state.
import * as vscode from 'vscode';
import { PLATFORM_IDS, PLATFORM_NAMES, type PlatformId } from '../../core/model';
import type { CredentialStore } from '../secrets';

type Node = { kind: 'platform'; platform: PlatformId; hasKey: boolean } | { kind: 'setKey'; platform: PlatformId };

export class FunctionsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: CredentialStore) {
    this.subscription = store.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const states = await Promise.all(PLATFORM_IDS.map(async (platform) => ({ platform, hasKey: await this.store.has(platform) })));
      // With no key at all the view stays empty so its welcome content shows.
      if (!states.some((state) => state.hasKey)) return [];
      return states.map((state) => ({ kind: 'platform', ...state }));
    }
    if (node.kind === 'platform' && !node.hasKey) return [{ kind: 'setKey', platform: node.platform }];
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'platform') {
      const item = new vscode.TreeItem(PLATFORM_NAMES[node.platform], vscode.TreeItemCollapsibleState.Expanded);
      item.id = `platform:${node.platform}`;
      item.description = node.hasKey ? undefined : 'no key';
      item.iconPath = new vscode.ThemeIcon(node.hasKey ? 'cloud' : 'key');
      item.contextValue = `platform ${node.hasKey ? 'hasKey' : 'noKey'}`;
      return item;
    }
    const item = new vscode.TreeItem('Set API key…', vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('key');
    item.command = { command: 'aiFunctions.setApiKey', title: 'Set API Key…', arguments: [{ platform: node.platform }] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
