// Picks a function across the platforms that have a key, recently used first.
import { messageOf } from '../../core/errors';
import * as vscode from 'vscode';
import { PLATFORM_IDS, type FunctionInfo, type PlatformId } from '../../core/model';
import { inert } from '../../core/untrusted';
import type { RecentFunctions } from '../run';
import type { CredentialStore } from '../keys';
import { functionDescription, type FunctionsTreeProvider } from './functionsTree';

interface FunctionPick extends vscode.QuickPickItem {
  fn?: FunctionInfo;
}

export class FunctionPicker {
  constructor(
    private readonly functions: FunctionsTreeProvider,
    private readonly credentials: CredentialStore,
    private readonly recent: RecentFunctions,
  ) {}

  async pick(title: string, platforms: readonly PlatformId[] = PLATFORM_IDS): Promise<FunctionInfo | undefined> {
    const quickPick = vscode.window.createQuickPick<FunctionPick>();
    quickPick.title = title;
    quickPick.placeholder = 'Function (type to filter)';
    quickPick.matchOnDescription = true;
    quickPick.ignoreFocusOut = true;
    quickPick.busy = true;
    quickPick.show();
    const items = this.items(platforms).then((list) => {
      quickPick.items = list;
      quickPick.busy = false;
    });
    try {
      return await new Promise<FunctionInfo | undefined>((resolve) => {
        quickPick.onDidAccept(() => {
          const picked = quickPick.selectedItems[0];
          if (picked?.fn) resolve(picked.fn);
        });
        quickPick.onDidHide(() => resolve(undefined));
      });
    } finally {
      await items.catch(() => undefined);
      quickPick.dispose();
    }
  }

  private async items(platforms: readonly PlatformId[]): Promise<FunctionPick[]> {
    const lists = await Promise.all(
      platforms.map(async (platform) => {
        if (!(await this.credentials.has(platform))) return { platform, functions: [] as FunctionInfo[], error: 'no key: run "AI Functions: Set API Key…"' };
        try {
          return { platform, functions: await this.functions.listFunctions(platform) };
        } catch (error) {
          return { platform, functions: [] as FunctionInfo[], error: messageOf(error) };
        }
      }),
    );
    const all = lists.flatMap((list) => list.functions);
    const recentKeys = this.recent.list().map((entry) => `${entry.platform}:${entry.id}`);
    const recent = recentKeys.flatMap((key) => all.filter((fn) => `${fn.platform}:${fn.id}` === key));
    const items: FunctionPick[] = [];
    if (recent.length > 0) {
      items.push({ label: 'Recently used', kind: vscode.QuickPickItemKind.Separator });
      items.push(...recent.map((fn) => this.toItem(fn, true)));
    }
    for (const list of lists) {
      items.push({ label: this.functions.descriptor(list.platform).displayName, kind: vscode.QuickPickItemKind.Separator });
      if (list.error) items.push({ label: `$(warning) ${this.functions.descriptor(list.platform).displayName} unavailable`, detail: inert(list.error) });
      items.push(...list.functions.map((fn) => this.toItem(fn, false)));
    }
    return items;
  }

  private toItem(fn: FunctionInfo, recent: boolean): FunctionPick {
    return {
      label: `$(${recent ? 'history' : 'symbol-function'}) ${inert(fn.name, 200)}`,
      description: inert([this.functions.descriptor(fn.platform).displayName, functionDescription(fn)].filter(Boolean).join(' · '), 200),
      fn,
    };
  }
}
