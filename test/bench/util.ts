// Small helpers shared by the benchmarks: percentiles, tables, child processes, GC.
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (out/test/bench/ → three levels up). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The p-th percentile (0–100) of the values, nearest rank. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

/**
 * A 90% interval for median(a) − median(b), by resampling each set with replacement: how far the
 * difference of two medians of a few noisy start-ups can move. Seeded, so the same figures give
 * the same interval.
 */
export function medianDifferenceInterval(a: number[], b: number[], rounds = 5000): [number, number] | null {
  if (a.length === 0 || b.length === 0) return null;
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resampledMedian = (values: number[]) => median(values.map(() => values[Math.floor(random() * values.length)]!));
  const differences = Array.from({ length: rounds }, () => resampledMedian(a) - resampledMedian(b));
  return [percentile(differences, 5), percentile(differences, 95)];
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Prints an aligned table: the first row is the header. Numbers are right-aligned. */
export function printTable(title: string, rows: (string | number)[][]): void {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = text[0]!.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], header = false) =>
    r
      .map((c, i) => {
        const numeric = !header && typeof rows[text.indexOf(r)]?.[i] === 'number';
        return numeric ? c.padStart(widths[i]!) : c.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(text[0]!, true));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of text.slice(1)) console.log(line(r));
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3 });
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Runs a full GC a few times (the process must run with --expose-gc). */
export async function fullGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run node with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `node <script> ...args` and resolves with the child and the first line it prints
 * (the child announces itself, e.g. with its URL).
 */
export function startChild(script: string, args: string[] = [], nodeArgs: string[] = []): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({ child, line: buffer.slice(0, nl) });
      }
    };
    child.stdout!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${path.basename(script)} exited (${code}) before it started`)));
  });
}

/** Runs `node <script> ...args` to the end and parses the JSON it prints last. */
export function runChildJson<T>(script: string, args: string[] = [], nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${path.basename(script)} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      } catch (e) {
        reject(new Error(`${path.basename(script)} printed no JSON: ${(e as Error).message}`));
      }
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** The share of all CPUs' time spent busy over the next `ms` (0–1), other processes included. */
export async function cpuBusy(ms: number): Promise<number> {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * Waits (at most `maxWaitMs`) until the CPUs are busy less than `below` of the time, so that a
 * measurement does not start in the middle of another process's burst on a shared machine.
 * Returns how busy they were when it stopped waiting.
 */
export async function waitForQuietCpu(below: number, maxWaitMs: number): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const busy = await cpuBusy(1_000);
    if (busy < below || Date.now() >= deadline) return busy;
  }
}
