// Many-row throughput: rows through the row runner (src/core/rowRunner.ts) and the real platform
// adapters against the emulators with a fixed latency. The ceiling is concurrency / latency, and
// for Nyckel also its documented 25 requests/s, which its adapter's limiter enforces; the Nyckel
// emulator counts what arrives (requests per sliding second, requests in flight).
// Sutro's emulator runs in its own process (as a platform would), driven by its control endpoints.
// Nyckel's limits are checked with the emulator in this process, on the same clock as the limiter,
// and once more with it in its own process (where the machine's scheduling adds jitter).
import { Pool } from 'undici';
import { HttpClient } from '../../src/core/http';
import { silentLogger } from '../../src/core/log';
import type { RowOutcome } from '../../src/core/rowOutcome';
import { runRows } from '../../src/core/rowRunner';
import type { RunResult } from '../../src/core/model';
import { NyckelAdapter, NYCKEL_LIMITS } from '../../src/platforms/nyckel';
import { SutroAdapter } from '../../src/platforms/sutro';
import * as path from 'node:path';
import { NYCKEL_DEFAULT_CLIENT_ID, NYCKEL_DEFAULT_CLIENT_SECRET, NyckelEmulator } from '../emulator/nyckel';
import type { EmulatorStats } from '../emulator';
import { SUTRO_DEFAULT_KEY, SutroEmulator } from '../emulator/sutro';
import { printTable, round, startChild, stopChild } from './util';

/** The `aiFunctions.concurrency` setting's default, and its maximum. */
const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 64;

export interface ManyRowsOptions {
  sutroRows: number;
  nyckelRows: number;
  latencyMs: number;
  /** Sutro rounds (alternating with the bare-undici baseline). */
  rounds: number;
}

export interface RowRun {
  platform: string;
  rows: number;
  /** The concurrency setting, and what the run used (capped by the platform). */
  setting: number;
  concurrency: number;
  latencyMs: number;
  seconds: number;
  rowsPerSecond: number;
  limitPerSecond: number;
  fractionOfLimit: number;
  failed: number;
  /** What the emulator counted (all requests, the token endpoint's included). */
  serverMaxInFlight: number;
  serverMaxPerSecond: number;
  /** 429s the emulator's own limits sent. */
  serverLimited: number;
}

export interface ManyRowsResult {
  runs: RowRun[];
  /** Sutro's run at the default concurrency: rows/s ÷ (concurrency / latency). Target ≥ 0.9. */
  manyRowsFractionOfLimit: number;
  /** The same requests from bare undici on the same emulator: what the machine allows. */
  bareUndiciFractionOfLimit: number;
  nyckelFractionOfLimit: number;
  /** The most the Nyckel emulator saw across both Nyckel runs. */
  nyckelMaxInFlight: number;
  nyckelMaxPerSecond: number;
  nyckelLimited: number;
  /** The same at the default setting with the emulator in its own process (jitter from scheduling). */
  nyckelOwnProcessMaxInFlight: number;
  nyckelOwnProcessMaxPerSecond: number;
  nyckelOwnProcessLimited: number;
  nyckelOwnProcessFailed: number;
}

function sentences(n: number): string[] {
  const texts = ['I love the new dashboard, great work!', 'The export is broken again and support is slow.', 'What time does the webinar start?'];
  return Array.from({ length: n }, (_, i) => `${texts[i % texts.length]} (row ${i + 1})`);
}

type Where = 'in process' | 'own process';

interface ChildEmulator {
  url: string;
  setLatency(ms: number): Promise<void>;
  resetStats(): Promise<void>;
  stats(): Promise<EmulatorStats>;
  close(): Promise<void>;
}

/** `node out/test/emulator/<name>.js`: its URL, and its /__emulator/ control endpoints; or the same in this process. */
export async function startEmulator(name: 'sutro' | 'nyckel', where: Where = 'own process'): Promise<ChildEmulator> {
  if (where === 'in process') {
    const emulator = await (name === 'sutro' ? new SutroEmulator({ recordBodies: false, maxRecorded: 1 }) : new NyckelEmulator({ recordBodies: false, maxRecorded: 1 })).start();
    return {
      url: emulator.url,
      setLatency: async (ms) => emulator.faults.set({ latencyMs: ms }),
      resetStats: async () => emulator.resetStats(),
      stats: async () => emulator.stats(),
      close: () => emulator.close(),
    };
  }
  const { child, line } = await startChild(path.join(__dirname, '..', 'emulator', `${name}.js`), ['--port', '0']);
  const url = (JSON.parse(line) as Record<string, string>)[name]!;
  const control = async (method: string, what: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}/__emulator/${what}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} /__emulator/${what}: ${res.status} ${await res.text()}`);
    return res.status === 200 ? res.json() : undefined;
  };
  return {
    url,
    setLatency: async (ms) => void (await control('POST', 'faults', { latencyMs: ms })),
    resetStats: async () => {
      await control('DELETE', 'stats');
      await control('DELETE', 'requests');
    },
    stats: () => control('GET', 'stats') as Promise<EmulatorStats>,
    close: () => stopChild(child),
  };
}

function httpClient(): HttpClient {
  return new HttpClient({ logger: silentLogger, timeouts: () => ({ connectMs: 10_000, firstByteMs: 100_000, totalMs: 120_000 }) });
}

function failures(outcomes: RowOutcome<RunResult>[]): number {
  return outcomes.filter((o) => !o.ok).length;
}

/**
 * Sutro at the default concurrency, in rounds that alternate with a baseline on the same emulator:
 * the same requests from bare undici (8 workers, no adapter, no row runner), which shows what the
 * machine itself allows. The best round of each counts.
 */
async function sutroRuns(rows: number, latencyMs: number, rounds: number): Promise<{ ours: RowRun; bare: RowRun }> {
  const emulator = await startEmulator('sutro');
  const http = httpClient();
  const pool = new Pool(emulator.url, { connections: 64, pipelining: 1 });
  try {
    const sutro = new SutroAdapter({
      http,
      logger: silentLogger,
      credentials: async () => ({ apiKey: SUTRO_DEFAULT_KEY }),
      config: () => ({ apiUrl: emulator.url, functionsUrl: emulator.url, functions: [{ name: 'sentiment', inputFields: ['text'] }] }),
    });
    const inputs = sentences(rows);
    const task = (input: string, _i: number, signal: AbortSignal) => sutro.run({ platform: 'sutro', function: 'sentiment', input }, signal);
    const concurrency = Math.min(DEFAULT_CONCURRENCY, sutro.descriptor.limits.maxInFlight ?? Infinity);
    const bare = async (): Promise<number> => {
      let next = 0;
      let failed = 0;
      const worker = async () => {
        while (next < rows) {
          const input = inputs[next++]!;
          const { statusCode, body } = await pool.request({
            path: '/functions/run',
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Key ${SUTRO_DEFAULT_KEY}` },
            body: JSON.stringify({ name: 'sentiment', input_data: { text: input } }),
          });
          await body.json();
          if (statusCode !== 200) failed++;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return failed;
    };
    // Warm the connections and the code paths.
    await runRows(inputs.slice(0, 100), task, { concurrency });
    await emulator.setLatency(latencyMs);
    const limit = 1000 * (concurrency / latencyMs);
    let ours: RowRun | undefined;
    let baseline: RowRun | undefined;
    for (let pass = 0; pass < rounds; pass++) {
      const order = pass % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
      for (const which of order) {
        await emulator.resetStats();
        const started = performance.now();
        const failed = which === 'ours' ? failures(await runRows(inputs, task, { concurrency })) : await bare();
        const seconds = (performance.now() - started) / 1000;
        const run = summarize(which === 'ours' ? 'Sutro' : 'Sutro, bare undici', rows, DEFAULT_CONCURRENCY, concurrency, latencyMs, seconds, limit, failed, await emulator.stats());
        process.stdout.write(`  rows: round ${pass + 1}/${rounds} ${run.platform}: ${run.rowsPerSecond} rows/s\n`);
        if (which === 'ours') ours = !ours || run.rowsPerSecond > ours.rowsPerSecond ? run : ours;
        else baseline = !baseline || run.rowsPerSecond > baseline.rowsPerSecond ? run : baseline;
      }
    }
    return { ours: ours!, bare: baseline! };
  } finally {
    await pool.destroy();
    await http.close();
    await emulator.close();
  }
}

async function nyckelRun(rows: number, latencyMs: number, setting: number, where: Where): Promise<RowRun> {
  const emulator = await startEmulator('nyckel', where);
  const http = httpClient();
  try {
    const nyckel = new NyckelAdapter({
      http,
      logger: silentLogger,
      credentials: async () => ({ clientId: NYCKEL_DEFAULT_CLIENT_ID, clientSecret: NYCKEL_DEFAULT_CLIENT_SECRET }),
      config: () => ({ baseUrl: emulator.url }),
    });
    await emulator.setLatency(latencyMs);
    const inputs = sentences(rows);
    // The adapter sends every request through its own limiter (25/s, 25 in flight), shared with
    // single runs: the row runner must not add another one.
    const task = (input: string, _i: number, signal: AbortSignal) => nyckel.run({ platform: 'nyckel', function: 'function_sentiment', input }, signal);
    const concurrency = Math.min(setting, nyckel.descriptor.limits.maxInFlight ?? Infinity);
    // A fresh second so the first rows do not share a window with anything else.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await emulator.resetStats();
    const started = performance.now();
    const outcomes = await runRows(inputs, task, { concurrency });
    const seconds = (performance.now() - started) / 1000;
    const limit = Math.min(1000 * (concurrency / latencyMs), NYCKEL_LIMITS.maxPerSecond);
    return summarize(where === 'in process' ? 'Nyckel' : 'Nyckel, emulator in its own process', rows, setting, concurrency, latencyMs, seconds, limit, failures(outcomes), await emulator.stats());
  } finally {
    await http.close();
    await emulator.close();
  }
}

function summarize(
  platform: string,
  rows: number,
  setting: number,
  concurrency: number,
  latencyMs: number,
  seconds: number,
  limitPerSecond: number,
  failed: number,
  stats: EmulatorStats,
): RowRun {
  const rowsPerSecond = rows / seconds;
  return {
    platform,
    rows,
    setting,
    concurrency,
    latencyMs,
    seconds: round(seconds, 2),
    rowsPerSecond: round(rowsPerSecond, 1),
    limitPerSecond: round(limitPerSecond, 1),
    fractionOfLimit: round(rowsPerSecond / limitPerSecond, 3),
    failed,
    serverMaxInFlight: stats.maxInFlight,
    serverMaxPerSecond: stats.maxPerSecond,
    serverLimited: stats.limited,
  };
}

export async function benchManyRows(options: ManyRowsOptions): Promise<ManyRowsResult> {
  const runs: RowRun[] = [];
  const say = (r: RowRun) => process.stdout.write(`  rows: ${r.platform} ×${r.rows} at ${r.concurrency}: ${r.rowsPerSecond} rows/s\n`);
  const sutro = await sutroRuns(options.sutroRows, options.latencyMs, options.rounds);
  runs.push(sutro.ours, sutro.bare);
  runs.push(await nyckelRun(options.nyckelRows, options.latencyMs, DEFAULT_CONCURRENCY, 'in process'));
  say(runs.at(-1)!);
  // The setting at its maximum: only the limiter keeps Nyckel at 25 in flight and 25/s.
  runs.push(await nyckelRun(options.nyckelRows, options.latencyMs, MAX_CONCURRENCY, 'in process'));
  say(runs.at(-1)!);
  runs.push(await nyckelRun(options.nyckelRows, options.latencyMs, DEFAULT_CONCURRENCY, 'own process'));
  say(runs.at(-1)!);

  const nyckel = runs.filter((r) => r.platform === 'Nyckel');
  const separate = runs.at(-1)!;
  const result: ManyRowsResult = {
    runs,
    manyRowsFractionOfLimit: sutro.ours.fractionOfLimit,
    bareUndiciFractionOfLimit: sutro.bare.fractionOfLimit,
    nyckelFractionOfLimit: runs[2]!.fractionOfLimit,
    nyckelMaxInFlight: Math.max(...nyckel.map((r) => r.serverMaxInFlight)),
    nyckelMaxPerSecond: Math.max(...nyckel.map((r) => r.serverMaxPerSecond)),
    nyckelLimited: nyckel.reduce((n, r) => n + r.serverLimited, 0),
    nyckelOwnProcessMaxInFlight: separate.serverMaxInFlight,
    nyckelOwnProcessMaxPerSecond: separate.serverMaxPerSecond,
    nyckelOwnProcessLimited: separate.serverLimited,
    nyckelOwnProcessFailed: separate.failed,
  };

  printTable(`Many rows: row runner + adapters, ${options.latencyMs} ms emulated latency`, [
    ['platform', 'rows', 'concurrency (setting→used)', 'seconds', 'rows/s', 'limit/s', 'of limit', 'failed', 'server max in flight', 'server max/s', 'server 429s'],
    ...runs.map((r) => [
      r.platform,
      r.rows,
      `${r.setting}→${r.concurrency}`,
      r.seconds,
      r.rowsPerSecond,
      r.limitPerSecond,
      `${(r.fractionOfLimit * 100).toFixed(1)}%`,
      r.failed,
      r.serverMaxInFlight,
      r.serverMaxPerSecond,
      r.serverLimited,
    ]),
  ]);
  console.log(
    `Sutro ${(result.manyRowsFractionOfLimit * 100).toFixed(1)}% of the limit (target ≥ 90%: ${result.manyRowsFractionOfLimit >= 0.9 ? 'met' : 'MISSED'}; ` +
      `bare undici on this machine: ${(result.bareUndiciFractionOfLimit * 100).toFixed(1)}%); ` +
      `Nyckel at most ${result.nyckelMaxInFlight} in flight and ${result.nyckelMaxPerSecond}/s, ${result.nyckelLimited} refused ` +
      `(limits 25 and 25/s: ${result.nyckelMaxInFlight <= 25 && result.nyckelMaxPerSecond <= 25 && result.nyckelLimited === 0 ? 'respected' : 'EXCEEDED'}); ` +
      `emulator in its own process: at most ${result.nyckelOwnProcessMaxPerSecond}/s, ${result.nyckelOwnProcessLimited} refused and retried, ${result.nyckelOwnProcessFailed} rows failed`,
  );
  return result;
}
