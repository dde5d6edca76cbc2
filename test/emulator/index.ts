// Starts the three platform emulators together.
//   import { startEmulators } from '../emulator';
//   const emu = await startEmulators();  // emu.sutro.url, emu.nyckel.url, emu.inferable.url
//   …; await emu.close();
// CLI: node out/test/emulator/index.js [--port N]  → ports N, N+1, N+2 (else random); prints one
// JSON line {"sutro":"http://127.0.0.1:…","nyckel":…,"inferable":…}; stops on SIGINT/SIGTERM.

import { InferableEmulator, type InferableOptions } from './inferable';
import { NyckelEmulator, type NyckelOptions } from './nyckel';
import { portFromArgv, runUntilSignal, type EmulatorOptions } from './server';
import { SutroEmulator, type SutroOptions } from './sutro';

export * from './server';
export * from './sutro';
export * from './nyckel';
export * from './inferable';

export interface EmulatorsOptions extends Omit<EmulatorOptions, 'port'> {
  /** Sutro on `port`, Nyckel on `port + 1`, Inferable on `port + 2`; default: random ports. */
  port?: number;
  sutro?: SutroOptions;
  nyckel?: NyckelOptions;
  inferable?: InferableOptions;
}

export interface Emulators {
  sutro: SutroEmulator;
  nyckel: NyckelEmulator;
  inferable: InferableEmulator;
  urls: { sutro: string; nyckel: string; inferable: string };
  /** Resets all three (seeded state, start-up knobs, no faults, no requests, zero stats). */
  reset(): void;
  close(): Promise<void>;
}

export async function startEmulators(options: EmulatorsOptions = {}): Promise<Emulators> {
  const { port, sutro: s, nyckel: n, inferable: i, ...shared } = options;
  const portFor = (offset: number, own?: number): number => own ?? (port ? port + offset : 0);
  const sutro = new SutroEmulator({ ...shared, ...s, port: portFor(0, s?.port) });
  const nyckel = new NyckelEmulator({ ...shared, ...n, port: portFor(1, n?.port) });
  const inferable = new InferableEmulator({ ...shared, ...i, port: portFor(2, i?.port) });
  const all = [sutro, nyckel, inferable];
  const started = await Promise.allSettled(all.map((e) => e.start()));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(all.map((e) => e.close()));
    throw failed.reason;
  }
  return {
    sutro,
    nyckel,
    inferable,
    urls: { sutro: sutro.url, nyckel: nyckel.url, inferable: inferable.url },
    reset: () => all.forEach((e) => e.reset()),
    close: async () => {
      await Promise.all(all.map((e) => e.close()));
    },
  };
}

if (require.main === module) {
  startEmulators({ port: portFromArgv(process.argv) }).then(
    (emu) => runUntilSignal(emu.urls, () => emu.close()),
    (err: Error) => {
      process.stderr.write(`Could not start the emulators: ${err.message}\n`);
      process.exit(1);
    },
  );
}
