// The platforms and functions the panel's picker offers. They come from the Functions view's
// provider, so the panel and the view show the same lists and share one refresh.
import { PLATFORM_IDS, type FunctionInfo, type PlatformId } from '../../core/model';
import type { PlatformDescriptor } from '../../platforms/types';
import type { RecentFunctions } from '../run';
import type { CredentialStore } from '../keys';
import type { FunctionsTreeProvider } from '../functions';
import { toPanelDescriptor } from './panelDescriptor';
import { toPanelError } from './panelErrors';
import type { PanelFunction, PlatformEntry } from '../../shared/panelProtocol';
import { cap } from '../../shared/text';

export interface PanelFunctionsDeps {
  functions: FunctionsTreeProvider;
  credentials: CredentialStore;
  recent: RecentFunctions;
}

export class PanelFunctions {
  constructor(private readonly deps: PanelFunctionsDeps) {}

  /**
   * Every platform with its descriptor and its functions, recently used first. A platform
   * without a key lists none.
   * Without `load`, only what is already loaded (fast, for the first paint); `loading` marks the rest.
   */
  async platformEntries(load: boolean): Promise<PlatformEntry[]> {
    return Promise.all(PLATFORM_IDS.map((platform) => this.platformEntry(platform, load)));
  }

  /** What the platform says of itself (its name, words, run options…). */
  descriptor(platform: PlatformId): PlatformDescriptor {
    return this.deps.functions.descriptor(platform);
  }

  /** The function as listed, if its list is loaded. */
  info(platform: PlatformId | undefined, id: string | undefined): FunctionInfo | undefined {
    if (!platform || id === undefined) return undefined;
    return this.deps.functions.loaded(platform)?.find((fn) => fn.id === id);
  }

  private async platformEntry(platform: PlatformId, load: boolean): Promise<PlatformEntry> {
    const base = { platform, descriptor: toPanelDescriptor(this.descriptor(platform)) };
    if (!(await this.deps.credentials.has(platform))) return { ...base, hasKey: false, loading: false, functions: [] };
    const loaded = this.deps.functions.loaded(platform);
    if (!load) return { ...base, hasKey: true, loading: loaded === undefined, functions: this.forPicker(platform, loaded ?? []) };
    try {
      const functions = await this.deps.functions.listFunctions(platform);
      return { ...base, hasKey: true, loading: false, functions: this.forPicker(platform, functions) };
    } catch (error) {
      const functions = this.forPicker(platform, this.deps.functions.loaded(platform) ?? []);
      return { ...base, hasKey: true, loading: false, functions, error: toPanelError(error, platform) };
    }
  }

  private forPicker(platform: PlatformId, functions: readonly FunctionInfo[]): PanelFunction[] {
    return toPanelFunctions(functions, this.deps.recent.list(platform).map((entry) => entry.id));
  }
}

/**
 * The functions as the picker lists them: recently used first (in `recentIds` order), the rest as
 * listed. Shortened to the protocol's limits; an id too long to send is left out rather than cut,
 * since a cut id would name another function.
 */
export function toPanelFunctions(functions: readonly FunctionInfo[], recentIds: readonly string[]): PanelFunction[] {
  const rank = (fn: FunctionInfo) => {
    const i = recentIds.indexOf(fn.id);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return functions
    .filter((fn) => fn.id.length <= 500)
    .map((fn, index) => ({ fn, index, rank: rank(fn) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .slice(0, 5000)
    .map(({ fn, rank: r }) => {
      const out: PanelFunction = { id: fn.id, name: cap(fn.name || fn.id, 500), recent: r !== Number.MAX_SAFE_INTEGER };
      if (fn.description) out.description = cap(fn.description, 2000);
      if (fn.inputType) out.inputType = cap(fn.inputType, 100);
      if (fn.outputType) out.outputType = cap(fn.outputType, 100);
      if (fn.inputFields?.length) out.inputFields = fn.inputFields.slice(0, 100).map((f) => cap(f, 200));
      return out;
    });
}
