// The Functions view: platform → its functions, with the platform's key and connection state.
import { Disposable } from '../base/disposable';
import * as vscode from 'vscode';
import type { FunctionInfo, PlatformId } from '../../core/model';
import type { ConfiguredFunctions } from './configuredFunctions';
import type { PlatformAdapter, PlatformDescriptor } from '../../platforms/types';
import type { CredentialStore } from '../keys';
import { inert, inertMarkdown } from '../../core/untrusted';
import { errorMessages, messageItem, setKeyMessage, shortError, stableNode, type MessageNode } from '../base/treeMessages';

export type FunctionsNode =
  | { kind: 'platform'; platform: PlatformId }
  | { kind: 'function'; platform: PlatformId; fn: FunctionInfo }
  | MessageNode;

interface PlatformFunctions {
  functions?: FunctionInfo[];
  error?: Error;
  pending?: Promise<void>;
}

export interface FunctionsTreeOptions {
  /** The platform whose functions the user names in settings (they can be added and removed). */
  configured: ConfiguredFunctions;
  /** The default function, if any. */
  defaultFunction: () => { platform: PlatformId; id: string } | undefined;
}

export class FunctionsTreeProvider extends Disposable implements vscode.TreeDataProvider<FunctionsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<FunctionsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly states = new Map<PlatformId, PlatformFunctions>();
  private readonly platformNodes = new Map<PlatformId, FunctionsNode>();

  constructor(
    private readonly platforms: readonly PlatformAdapter[],
    private readonly credentials: CredentialStore,
    private readonly options: FunctionsTreeOptions,
  ) {
    super();
    this._register(
      credentials.onDidChange((platform) => {
        this.states.delete(platform);
        this.changed.fire(undefined);
      }),
    );
  }

  /** Lists the functions again (all platforms, or one). */
  async refresh(platform?: PlatformId): Promise<void> {
    const targets = platform ? this.platforms.filter((p) => p.id === platform) : this.platforms;
    await Promise.all(targets.map((adapter) => this.load(adapter)));
  }

  /** The functions listed so far (for pickers). */
  loaded(platform: PlatformId): FunctionInfo[] | undefined {
    return this.states.get(platform)?.functions;
  }

  async listFunctions(platform: PlatformId): Promise<FunctionInfo[]> {
    const adapter = this.adapter(platform);
    if (!this.states.get(platform)?.functions) await this.load(adapter);
    const state = this.states.get(platform);
    if (state?.error && !state.functions) throw state.error;
    return state?.functions ?? [];
  }

  async getChildren(node?: FunctionsNode): Promise<FunctionsNode[]> {
    if (!node) {
      const withKeys = await Promise.all(this.platforms.map((p) => this.credentials.has(p.id)));
      // With no key at all the view stays empty so its welcome content shows.
      if (!withKeys.some(Boolean)) return [];
      return this.platforms.map((p) => this.platformNode(p.id));
    }
    if (node.kind !== 'platform') return [];
    const platform = node.platform;
    if (!(await this.credentials.has(platform))) {
      return [setKeyMessage(platform)];
    }
    let state = this.states.get(platform);
    if (!state?.functions && !state?.error) {
      await this.load(this.adapter(platform));
      state = this.states.get(platform);
    }
    const children: FunctionsNode[] = [];
    if (state?.error) children.push(...errorMessages(platform, state.error, 'aiFunctions.refreshFunctions'));
    const functions = state?.functions ?? [];
    children.push(...functions.map((fn): FunctionsNode => ({ kind: 'function', platform, fn })));
    if (!state?.error && functions.length === 0) {
      const { displayName, words } = this.adapter(platform).descriptor;
      children.push(
        platform === this.options.configured.platform
          ? { kind: 'message', platform, text: `Add a ${displayName} ${words.function}…`, icon: 'add', command: { command: 'aiFunctions.addSutroFunction', title: 'Add Function…' } }
          : { kind: 'message', platform, text: 'No functions found', icon: 'info' },
      );
    }
    return children;
  }

  getTreeItem(node: FunctionsNode): vscode.TreeItem {
    if (node.kind === 'platform') return this.platformItem(node.platform);
    if (node.kind === 'message') return messageItem(node);
    const { fn, platform } = node;
    const saved = this.options.defaultFunction();
    const isDefault = saved?.platform === platform && saved.id === fn.id;
    const item = new vscode.TreeItem(inert(fn.name, 200), vscode.TreeItemCollapsibleState.None);
    item.id = `function:${platform}:${fn.id}`;
    item.description = inert([functionDescription(fn), isDefault ? 'default' : undefined].filter(Boolean).join(' · '), 200);
    item.iconPath = new vscode.ThemeIcon(isDefault ? 'star-full' : 'symbol-function');
    item.tooltip = functionTooltip(fn, this.adapter(platform).descriptor.displayName, isDefault);
    const configured = platform === this.options.configured.platform && this.options.configured.list().some((f) => f.name === fn.id);
    item.contextValue = ['function', `platform-${platform}`, configured ? 'configured' : undefined, isDefault ? 'default' : undefined]
      .filter(Boolean)
      .join(' ');
    return item;
  }

  getParent(node: FunctionsNode): FunctionsNode | undefined {
    return node.kind === 'platform' ? undefined : this.platformNode(node.platform);
  }

  /** Redraws labels (e.g. after the default function changed) without listing again. */
  redraw(): void {
    this.changed.fire(undefined);
  }

  private async load(adapter: PlatformAdapter): Promise<void> {
    const state = this.states.get(adapter.id) ?? {};
    this.states.set(adapter.id, state);
    if (state.pending) return state.pending;
    state.pending = adapter
      .listFunctions()
      .then(
        (functions) => {
          state.functions = functions;
          state.error = undefined;
        },
        (error: unknown) => {
          // Keep the last good list; the error shows on the platform node.
          state.error = error instanceof Error ? error : new Error(String(error));
        },
      )
      .finally(() => {
        state.pending = undefined;
        this.changed.fire(this.platformNode(adapter.id));
      });
    return state.pending;
  }

  descriptor(platform: PlatformId): PlatformDescriptor {
    return this.adapter(platform).descriptor;
  }

  private adapter(platform: PlatformId): PlatformAdapter {
    const adapter = this.platforms.find((p) => p.id === platform);
    if (!adapter) throw new Error(`Unknown platform ${platform}`);
    return adapter;
  }

  private platformNode(platform: PlatformId): FunctionsNode {
    return stableNode(this.platformNodes, platform, () => ({ kind: 'platform', platform }));
  }

  private platformItem(platform: PlatformId): vscode.TreeItem {
    const state = this.states.get(platform);
    const item = new vscode.TreeItem(this.adapter(platform).descriptor.displayName, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `functions:${platform}`;
    item.contextValue = `platform platform-${platform}${platform === this.options.configured.platform ? ' configurable' : ''}`;
    if (state?.error) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.description = shortError(state.error);
      item.tooltip = inert(state.error.message);
    } else {
      item.iconPath = new vscode.ThemeIcon(state?.pending ? 'loading~spin' : 'cloud');
      item.description = state?.functions ? `${state.functions.length} functions` : undefined;
    }
    return item;
  }
}

export function functionDescription(fn: FunctionInfo): string {
  if (fn.inputType || fn.outputType) return [fn.inputType, fn.outputType].filter(Boolean).join(' → ');
  if (fn.inputFields && fn.inputFields.length > 0) return fn.inputFields.join(', ');
  return fn.description ?? '';
}

function functionTooltip(fn: FunctionInfo, platformName: string, isDefault: boolean): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${inertMarkdown(fn.name)}** · ${platformName}${isDefault ? ' · default function' : ''}\n\n`);
  if (fn.description) md.appendMarkdown(`${inertMarkdown(fn.description)}\n\n`);
  md.appendMarkdown(`ID: ${inertMarkdown(fn.id)}\n\n`);
  if (fn.inputType) md.appendMarkdown(`Input: ${inertMarkdown(fn.inputType)}\n\n`);
  if (fn.outputType) md.appendMarkdown(`Output: ${inertMarkdown(fn.outputType)}\n\n`);
  if (fn.inputFields?.length) md.appendMarkdown(`Input fields: ${inertMarkdown(fn.inputFields.join(', '))}\n\n`);
  return md;
}
