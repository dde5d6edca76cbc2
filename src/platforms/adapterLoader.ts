// Loads a platform adapter's bundle on first use (each lazy.ts holds one), and makes that first
// use cheaper: what it is about to wait for anyway is started before the loading, which is
// synchronous work of 20–40 ms in the extension host (the adapter's bundle, zod, undici).
//  - Its credentials: reading them is a round trip to VS Code's main side (20–30 ms in a busy
//    host). Started first, the read is under way while the bundles load, and the adapter's own
//    read then finds it (the credential store keeps the promise).
//  - undici, which the adapter's first request would load anyway: loaded while that read is away.
// Nothing is loaded before the platform is called: activation pays none of it.
import { setTimeout as delay } from 'node:timers/promises';
import type { HttpClient } from '../core/http';
import type { AdapterOptions } from './types';

export class AdapterLoader<A> {
  private adapter: A | undefined;
  private loading: Promise<A> | undefined;

  constructor(
    private readonly options: Pick<AdapterOptions<unknown>, 'credentials'> & { http: Pick<HttpClient, 'loadUndici'> },
    private readonly load: () => A,
  ) {}

  /** Loads the adapter now, if it is not loaded yet (see warmUpRequests in extension.ts). */
  preload(): void {
    this.adapter ??= this.load();
  }

  /** The adapter; the first call loads it. */
  get(): Promise<A> {
    if (this.adapter) return Promise.resolve(this.adapter);
    this.loading ??= this.loadOverlapped().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async loadOverlapped(): Promise<A> {
    // A failed read is the adapter's to report, when it reads them itself.
    const read = this.options.credentials().catch(() => undefined);
    // A read that goes to VS Code's main side is sent when this turn of the event loop ends: let
    // it go. Credentials already in memory need no such wait (nor the turn, which a host busy
    // right after activation can make long).
    await Promise.race([read, delay(0)]);
    this.options.http.loadUndici();
    this.adapter ??= this.load();
    return this.adapter;
  }
}
