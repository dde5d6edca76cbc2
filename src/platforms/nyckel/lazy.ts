// The Nyckel adapter as the extension builds it at activation: the descriptor is answered at
// once, and the real adapter (client.ts, with its schemas, token cache and rate limiter) is
// loaded on first use from a bundle of its own (dist/nyckel.js; see LAZY_ADAPTERS in
// esbuild.mjs). Activation never loads it. It declares exactly the abilities NyckelAdapter has.
import { LazyAdapter } from '../lazyAdapter';
import type { NyckelAdapter, NyckelAdapterOptions } from './client';
import { NYCKEL } from './descriptor';

export class LazyNyckelAdapter extends LazyAdapter<NyckelAdapter> {
  readonly id = 'nyckel' as const;
  readonly descriptor = NYCKEL;

  constructor(options: NyckelAdapterOptions) {
    super(options, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      const { NyckelAdapter: Adapter } = require('./client') as typeof import('./client');
      return new Adapter(options);
    });
  }
}
