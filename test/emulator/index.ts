// Starts the three platform emulators together.
//   import { startEmulators } from '.';
//   const emu = await startEmulators();  // emu.sutro.url, emu.nyckel.url, emu.inferable.url
//   …; await emu.close();
// CLI: node out/test/emulator/index.js [--port N] [--hostile] [--help]  → ports N, N+1, N+2 (else
// random); prints one JSON line {"sutro":"http://127.0.0.1:…","nyckel":…,"inferable":…}; stops on
// SIGINT/SIGTERM. `--help` prints the control endpoints and knobs (`HELP` below).

import { hostileFromArgv, portFromArgv, runUntilSignal } from './core/cli';
import type { EmulatorOptions } from './core/emulator';
import { InferableEmulator, type InferableOptions } from './inferable';
import { NyckelEmulator, type NyckelOptions } from './nyckel';
import { SutroEmulator, type SutroOptions } from './sutro';

// The framework names a test or benchmark may need (recorded requests, fault and stats types, the
// base class and reply helpers for a subclass, the deterministic helpers); the rest of core/ is internal.
export { hostileFromArgv, portFromArgv, runUntilSignal } from './core/cli';
export { classify, hash32, prng, round2, unitHash, words, type Classification, type KeywordLabel } from './core/deterministic';
export { Emulator, type EmulatorOptions } from './core/emulator';
export type { CountedFaultSpec, FaultControl, FaultSpec, Match, ShapingKind } from './core/faults';
export * from './core/hostile';
export { isPlainObject, jsonBodyProblem, reply, type ApiRequest, type Query, type Reply } from './core/http';
export { knob, Knobs, type Knob, type KnobActions, type KnobTable } from './core/knobs';
export type { Limits } from './core/limits';
export type { EmulatorStats, RecordedRequest, WindowStats } from './core/recording';
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

export const HELP = `Usage: node out/test/emulator/index.js [--port N] [--hostile] [--help]

Starts the Sutro, Nyckel and Inferable emulators on 127.0.0.1 (ports N, N+1, N+2; random without
--port) and prints one JSON line of their URLs. Ctrl+C stops them.

  --port N     Sutro on N, Nyckel on N+1, Inferable on N+2.
  --hostile    Hostile-server mode from the start (reset keeps it): every human-readable text
               field of every reply carries command: and https links, HTML, markdown, codicon
               syntax, a U+202E bidi override and newlines (HOSTILE_TEXT in hostile.ts), and error
               replies carry a ~1,000 character message echoing the caller's credential, whole and
               cut ('…'). Shapes stay valid for each platform.
  --help       This text.

Control endpoints on each emulator (never recorded, no auth):
  GET|POST /__emulator/config    platform knobs; {"hostile": true|false} switches hostile mode
  GET|POST|DELETE /__emulator/faults
      answering faults: latencyMs, latency, unavailable, random, and the counted faults hang,
      drop, rateLimit, serverError, malformed, wrongShape, largeBody {count, match, method, …}
      shaping faults (counted; used up only by successful replies of the endpoints named):
        deepNesting {count, depth=10000}  run/result replies carry a value nested depth levels
                                          (Sutro runs and job-results, Nyckel invoke, Inferable
                                          GET run once done)
        hugePage {count, items=20000}     the next listing holds items synthetic entries (Sutro
                                          list-jobs, Inferable runs/services: one page; Nyckel
                                          functions/labels: a chain of Link rel="next" pages)
        oddIds {count}                    the next listing starts with ids '.', '..', '', '../../x'
                                          and ids with '/', '?', '#' (Sutro list-jobs, Nyckel
                                          functions/labels, Inferable runs)
      e.g. curl -X POST $URL/__emulator/faults -d '{"deepNesting":{"count":1}}'
  GET|DELETE /__emulator/requests[?since=N]   recorded API requests
  GET|DELETE /__emulator/stats
  POST /__emulator/reset         seeded state, start-up knobs (hostile only if started with it),
                                 no faults, no requests, zero stats
`;

if (require.main === module) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  startEmulators({ port: portFromArgv(process.argv), hostile: hostileFromArgv(process.argv) }).then(
    (emu) => runUntilSignal(emu.urls, () => emu.close()),
    (err: Error) => {
      process.stderr.write(`Could not start the emulators: ${err.message}\n`);
      process.exit(1);
    },
  );
}
