// The Nyckel adapter as the extension builds it at activation: the descriptor is answered at
// once, and the real adapter (client.ts, with its schemas, token cache and rate limiter) is
// loaded on first use from a bundle of its own (dist/nyckel.js; see LAZY_ADAPTERS in
// esbuild.mjs). Activation never loads it. It declares exactly the abilities NyckelAdapter has.
import { AdapterLoader } from '../adapterLoader';
import type { FunctionInfo, RunRequest, RunResult } from '../../core/model';
import type { PlatformAdapter } from '../types';
import type { NyckelAdapter, NyckelAdapterOptions } from './client';
import { NYCKEL } from './descriptor';

export class LazyNyckelAdapter implements PlatformAdapter {
  readonly id = 'nyckel' as const;
  readonly descriptor = NYCKEL;
  private readonly loader: AdapterLoader<NyckelAdapter>;

  constructor(options: NyckelAdapterOptions) {
    this.loader = new AdapterLoader(options, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      const { NyckelAdapter: Adapter } = require('./client') as typeof import('./client');
      return new Adapter(options);
    });
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
