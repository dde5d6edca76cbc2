// What each platform's lazy.ts shares: the adapter it stands for is loaded on first use (by
// AdapterLoader), and the methods every platform has are forwarded to it. Each subclass gives the
// id and descriptor at once and forwards exactly its adapter's optional abilities, which `can()`
// finds by method (test/unit/lazyAdapters.test.ts checks every one).
import type { FunctionInfo, PlatformId, RunRequest, RunResult } from '../core/model';
import { AdapterLoader } from './adapterLoader';
import type { PlatformAdapter, PlatformDescriptor } from './types';

export abstract class LazyAdapter<A extends PlatformAdapter> implements PlatformAdapter {
  abstract readonly id: PlatformId;
  abstract readonly descriptor: PlatformDescriptor;
  protected readonly loader: AdapterLoader<A>;

  constructor(options: ConstructorParameters<typeof AdapterLoader<A>>[0], load: () => A) {
    this.loader = new AdapterLoader(options, load);
  }

  /** Loads the adapter now, ahead of its first use (not an ability: see warmUpRequests in extension.ts). */
  preload(): void {
    this.loader.preload();
  }

  async listFunctions(signal?: AbortSignal): Promise<FunctionInfo[]> {
    return (await this.loader.get()).listFunctions(signal);
  }

  async run(request: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    return (await this.loader.get()).run(request, signal);
  }
}
