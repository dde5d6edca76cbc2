// 100,000 rows from a CSV file to a results file, through the same engine as "Run Function on Each
// Line…" (src/core/rowFiles/fileRun.ts) and the real Sutro adapter, against the Sutro emulator in
// its own process (so its memory and CPU are not ours) with a fixed latency.
//
// Two figures: the peak extra heap while the run streams (target < 150 MB: memory stays flat
// whatever the row count), and the throughput as a fraction of what concurrency ÷ latency allows
// (target ≥ 0.9). The heap is sampled every 20 ms; the peak counts garbage not yet collected, so
// it is an upper bound on what the run holds.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { HttpClient } from '../../src/core/http';
import { silentLogger } from '../../src/core/log';
import { runFile } from '../../src/core/rowFiles/fileRun';
import { ManifestStore, type RunManifest } from '../../src/core/rowFiles/manifest';
import { SutroAdapter } from '../../src/platforms/sutro';
import { SUTRO_DEFAULT_KEY } from '../emulator/sutro';
import { startEmulator } from './manyRows';
import { fullGc, printTable, round } from './util';

export const ROWS100K_TARGETS = { peakExtraHeapMB: 150, fractionOfLimit: 0.9 } as const;

export interface Rows100kOptions {
  rows: number;
  concurrency: number;
  latencyMs: number;
}

export interface Rows100kResult {
  rows: number;
  concurrency: number;
  latencyMs: number;
  seconds: number;
  rowsPerSecond: number;
  limitPerSecond: number;
  fractionOfLimit: number;
  /** Peak heapUsed during the run minus heapUsed after a full GC before it, in MB. */
  peakExtraHeapMB: number;
  /** The same for the resident set (heap, buffers and code), for reference. */
  peakExtraRssMB: number;
  /** heapUsed after a full GC once the run is over, minus the baseline: what the run left behind. */
  retainedHeapMB: number;
  failed: number;
  /** Lines in the results file (the header included). */
  resultLines: number;
  /** Requests the emulator served: one per row, none sent twice. */
  serverRequests: number;
}

const MB = 1024 * 1024;
const TEXTS = ['I love the new dashboard, great work!', 'The export is broken again and support is slow.', 'What time does the webinar start?'];

/** A CSV of `rows` rows (id, text, label), written in pieces so the bench never holds it whole. */
function writeSource(file: string, rows: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, 'id,text,label\n');
    for (let start = 0; start < rows; start += 10_000) {
      let chunk = '';
      for (let i = start; i < Math.min(rows, start + 10_000); i++) chunk += `${i + 1},"${TEXTS[i % 3]} (row ${i + 1})",${['positive', 'negative', 'neutral'][i % 3]}\n`;
      fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function countLines(file: string): number {
  const bytes = fs.readFileSync(file);
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

export async function benchRows100k(options: Rows100kOptions): Promise<Rows100kResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aifn-rows100k-'));
  const source = path.join(dir, 'leads.csv');
  const results = path.join(dir, 'leads.results.csv');
  writeSource(source, options.rows);
  const emulator = await startEmulator('sutro');
  const http = new HttpClient({ logger: silentLogger, timeouts: () => ({ connectMs: 10_000, firstByteMs: 100_000, totalMs: 120_000 }) });
  try {
    const sutro = new SutroAdapter({
      http,
      logger: silentLogger,
      credentials: async () => ({ apiKey: SUTRO_DEFAULT_KEY }),
      config: () => ({ apiUrl: emulator.url, functionsUrl: emulator.url, functions: [{ name: 'sentiment', inputFields: ['text'] }] }),
    });
    const task = (input: string | Record<string, unknown>, signal: AbortSignal) => sutro.run({ platform: 'sutro', function: 'sentiment', input }, signal);
    // Warm the connections and the code paths, then start from a quiet heap.
    await Promise.all(Array.from({ length: options.concurrency }, () => task({ text: 'warm up' }, new AbortController().signal)));
    await emulator.setLatency(options.latencyMs);
    await emulator.resetStats();
    const store = new ManifestStore(path.join(dir, 'runs'));
    const manifest: RunManifest = {
      version: 1,
      id: 'rows100k',
      fn: { platform: 'sutro', id: 'sentiment', name: 'sentiment' },
      concurrency: options.concurrency,
      source: { path: source, size: 0, mtimeMs: 0, format: 'csv', delimiter: ',' },
      results: { path: results, format: 'csv' },
      counts: { total: options.rows, done: 0, failed: 0, unreadable: 0 },
      state: 'running',
      startedAt: Date.now(),
      updatedAt: Date.now(),
    };

    await fullGc();
    const baseHeap = getHeapStatistics().used_heap_size;
    const baseRss = process.memoryUsage.rss();
    let peakHeap = baseHeap;
    let peakRss = baseRss;
    // getHeapStatistics is cheaper than memoryUsage(), which also walks the resident set.
    const sample = (): void => {
      peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    };
    const sampler = setInterval(sample, 20);
    let lastSay = 0;
    const started = performance.now();
    let outcome;
    try {
      outcome = await runFile({
        manifest,
        store,
        mode: 'fresh',
        task,
        concurrency: options.concurrency,
        onProgress: (p) => {
          if (p.done - lastSay >= 20_000) {
            lastSay = p.done;
            process.stdout.write(`  rows100k: ${p.done} rows, ${Math.round(p.perSecond)} rows/s\n`);
          }
        },
      });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    sample();
    await fullGc();
    const retained = getHeapStatistics().used_heap_size - baseHeap;
    const stats = await emulator.stats();
    const rowsPerSecond = options.rows / seconds;
    const limitPerSecond = (1000 * options.concurrency) / options.latencyMs;
    const result: Rows100kResult = {
      rows: options.rows,
      concurrency: options.concurrency,
      latencyMs: options.latencyMs,
      seconds: round(seconds, 1),
      rowsPerSecond: round(rowsPerSecond, 1),
      limitPerSecond: round(limitPerSecond, 1),
      fractionOfLimit: round(rowsPerSecond / limitPerSecond, 3),
      peakExtraHeapMB: round((peakHeap - baseHeap) / MB, 1),
      peakExtraRssMB: round((peakRss - baseRss) / MB, 1),
      retainedHeapMB: round(retained / MB, 1),
      failed: outcome.manifest.counts.failed,
      resultLines: countLines(results),
      serverRequests: stats.accepted.total,
    };
    if (!outcome.complete || result.resultLines !== options.rows + 1) {
      throw new Error(`rows100k: the results file has ${result.resultLines} lines for ${options.rows} rows (complete: ${outcome.complete})`);
    }
    printTable(`100,000 rows: a CSV file through the file-run engine and the Sutro adapter, ${options.latencyMs} ms emulated latency`, [
      ['rows', 'concurrency', 'seconds', 'rows/s', 'limit/s', 'of limit', 'peak extra heap', 'peak extra RSS', 'retained heap', 'failed', 'server requests'],
      [
        result.rows,
        result.concurrency,
        result.seconds,
        result.rowsPerSecond,
        result.limitPerSecond,
        `${(result.fractionOfLimit * 100).toFixed(1)}%`,
        `${result.peakExtraHeapMB} MB`,
        `${result.peakExtraRssMB} MB`,
        `${result.retainedHeapMB} MB`,
        result.failed,
        result.serverRequests,
      ],
    ]);
    return result;
  } finally {
    await http.close();
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
