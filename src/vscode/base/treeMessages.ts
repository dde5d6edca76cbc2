// What both trees share: the rows under a platform that has no key or whose API failed, and
// stable node objects.
import * as vscode from 'vscode';
import { fixesFor, isAiFunctionsError } from '../../core/errors';
import type { PlatformId } from '../../core/model';
import { inert } from '../../core/untrusted';

export interface MessageNode {
  kind: 'message';
  platform: PlatformId;
  text: string;
  icon: string;
  command?: vscode.Command;
  tooltip?: string;
}

export function setKeyMessage(platform: PlatformId): MessageNode {
  return {
    kind: 'message',
    platform,
    text: 'Set API key…',
    icon: 'key',
    command: { command: 'aiFunctions.setApiKey', title: 'Set API Key…', arguments: [{ platform }] },
  };
}

/** The error, "Set API key…" when the key was rejected, and "Retry" (runs `retryCommand`). */
export function errorMessages(platform: PlatformId, error: Error, retryCommand: string): MessageNode[] {
  const messages: MessageNode[] = [{ kind: 'message', platform, text: shortError(error), icon: 'error', tooltip: inert(error.message) }];
  if (fixesFor(error).includes('setApiKey')) messages.push(setKeyMessage(platform));
  messages.push({ kind: 'message', platform, text: 'Retry', icon: 'refresh', command: { command: retryCommand, title: 'Retry', arguments: [{ platform }] } });
  return messages;
}

export function messageItem(node: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(node.icon, node.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
  item.command = node.command;
  item.tooltip = node.tooltip;
  item.contextValue = 'message';
  return item;
}

/** A few words for a tree description; the full message goes in the tooltip. */
export function shortError(error: Error): string {
  if (isAiFunctionsError(error)) {
    const status = error.status ? ` (${error.status})` : '';
    switch (error.kind) {
      case 'auth':
        return error.status ? `Key rejected${status}` : 'No API key';
      case 'network':
        return 'Unreachable';
      case 'timeout':
        return 'Timed out';
      case 'rateLimited':
        return 'Rate limited';
      case 'configuration':
        return 'Check settings';
      case 'server':
        return `Server error${status}`;
      default:
        break;
    }
  }
  return inert(error.message.split(/(?<=\.)\s/)[0] ?? '', 60);
}

/** VS Code refreshes a single tree node only when given the same object: keep one per key. */
export function stableNode<K, N>(nodes: Map<K, N>, key: K, create: () => N): N {
  let node = nodes.get(key);
  if (node === undefined) {
    node = create();
    nodes.set(key, node);
  }
  return node;
}
