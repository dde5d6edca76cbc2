// `npm run bench`: client overhead, many-row throughput, Jobs paging and start-up, against the
// emulators on 127.0.0.1, and parsing a hostile CSV. Prints a table per benchmark and writes
// bench/results.json.
//
//   npm run bench                       everything (about 20 minutes)
//   npm run bench -- overhead rows      only some: overhead, rows, rows100k, jobs, startup, hostile
//   npm run bench -- --quick            fewer requests and rows (a smoke run; figures are rougher)
//   npm run bench -- startup --host-runs=40  more VS Code start-ups (default 24; 1 with --quick)
//
// Not part of `npm test`. Run it on an otherwise idle machine for figures worth comparing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchHostileInput, HOSTILE_CSV_HEADER_TARGET_MS } from './hostileInput';
import { benchJobsPaging } from './jobsPaging';
import { benchManyRows } from './manyRows';
import { benchOverhead, overheadTargetMet } from './overhead';
import { benchRows100k, ROWS100K_TARGETS } from './rows100k';
import { below, benchStartup, STARTUP_TARGETS } from './startup';
import { ROOT } from './util';

const SECTIONS = ['overhead', 'rows', 'rows100k', 'jobs', 'startup', 'hostile'] as const;
type Section = (typeof SECTIONS)[number];

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const chosen = args.filter((a) => !a.startsWith('--'));
  for (const name of chosen) {
    if (!SECTIONS.includes(name as Section)) throw new Error(`unknown benchmark "${name}": use ${SECTIONS.join(', ')}`);
  }
  const run = (section: Section) => chosen.length === 0 || chosen.includes(section);

  const file = path.join(ROOT, 'bench', 'results.json');
  // A partial run keeps the figures of the sections it did not run.
  let results: Record<string, unknown> = {};
  if (chosen.length > 0 && fs.existsSync(file)) {
    try {
      results = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      results = {};
    }
  }
  const cpus = os.cpus();
  results.machine = {
    node: process.version,
    cpus: cpus.length,
    cpu: cpus[0]?.model.trim(),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
  results.measuredAt = new Date().toISOString();
  results.quick = quick;
  const targets: Record<string, boolean> = (results.targets as Record<string, boolean> | undefined) ?? {};

  console.log(`bench: node ${process.version}, ${cpus.length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}${quick ? ', quick' : ''}`);

  if (run('overhead')) {
    const r = await benchOverhead(quick ? { requests: 5_000, inFlight: 32, rounds: 2, warmup: 500 } : { requests: 20_000, inFlight: 32, rounds: 5, warmup: 2_000 });
    results.overhead = r;
    results.overheadRatio = r.overheadRatio;
    targets.overhead = overheadTargetMet(r.overheadRatio);
  }
  if (run('rows')) {
    const r = await benchManyRows(quick ? { sutroRows: 1_000, nyckelRows: 150, latencyMs: 20, rounds: 1 } : { sutroRows: 5_000, nyckelRows: 500, latencyMs: 20, rounds: 3 });
    results.manyRows = r;
    results.manyRowsFractionOfLimit = r.manyRowsFractionOfLimit;
    results.manyRowsBareUndiciFractionOfLimit = r.bareUndiciFractionOfLimit;
    results.nyckelMaxInFlight = r.nyckelMaxInFlight;
    results.nyckelMaxPerSecond = r.nyckelMaxPerSecond;
    targets.manyRows = r.manyRowsFractionOfLimit >= 0.9;
    targets.nyckelLimits = r.nyckelMaxInFlight <= 25 && r.nyckelMaxPerSecond <= 25 && r.nyckelLimited === 0;
  }
  if (run('rows100k')) {
    // 32 in flight at 80 ms (a fast AI function): a limit of 400 rows/s, about four minutes for 100,000 rows.
    const r = await benchRows100k({ rows: quick ? 20_000 : 100_000, concurrency: 32, latencyMs: 80 });
    results.rows100k = r;
    targets.rows100kHeap = r.peakExtraHeapMB < ROWS100K_TARGETS.peakExtraHeapMB;
    targets.rows100kThroughput = r.fractionOfLimit >= ROWS100K_TARGETS.fractionOfLimit;
  }
  if (run('jobs')) {
    const r = await benchJobsPaging({ jobs: quick ? 2_000 : 10_000 });
    results.jobsPaging = r;
    results.firstJobsPageMs = r.firstJobsPageMs;
    results.allJobsMs = r.allJobsMs;
    results.jobsHeapBytes = r.heapDeltaBytes;
  }
  if (run('startup')) {
    const hostRuns = Number(args.find((a) => a.startsWith('--host-runs='))?.slice('--host-runs='.length) ?? (quick ? 1 : 24));
    const r = await benchStartup({ hostRuns, coldRuns: quick ? 3 : 7 });
    results.startup = r;
    results.activateMs = r.activateMs;
    results.activationTotalMs = r.activationTotalMs;
    results.emptyActivationMs = r.emptyActivationMs;
    results.activationOverheadMs = r.activationOverheadMs;
    results.firstApiRequestMs = r.firstApiRequestMs;
    results.firstApiRequestAfterIdleMs = r.firstApiRequestAfterIdleMs;
    results.firstApiRequestFirstWindowMs = r.firstApiRequestFirstWindowMs;
    results.runPanelFirstPaintMs = r.runPanelFirstPaintMs;
    results.emptyPanelFirstPaintMs = r.emptyPanelFirstPaintMs;
    results.runPanelOverheadMs = r.runPanelOverheadMs;
    results.entryBundleBytes = r.entryBundleBytes;
    results.totalBundleBytes = r.totalBundleBytes;
    results.undiciBundleBytes = r.bundles.find((b) => b.file === 'dist/undici.js')?.bytes ?? null;
    results.undiciRequireMs = r.undiciRequireMs;
    results.firstRequestMs = r.firstRequestMs;
    targets.activate = below(r.activateMs, STARTUP_TARGETS.activateMs);
    targets.activationOverhead = below(r.activationOverheadMs, STARTUP_TARGETS.activationOverheadMs);
    targets.firstApiRequest = below(r.firstApiRequestMs, STARTUP_TARGETS.firstApiRequestMs);
    // The target is our part (docs/benchmarks.md): the raw figure is mostly VS Code's webview.
    targets.runPanelFirstPaint = below(r.runPanelOverheadMs, STARTUP_TARGETS.runPanelOverheadMs);
    targets.entryBundle = r.entryBundleBytes < STARTUP_TARGETS.entryBundleBytes;
  }
  if (run('hostile')) {
    const r = benchHostileInput({ runs: quick ? 5 : 11 });
    results.hostileInput = r;
    results.hostileCsvHeaderMs = r.hostileCsvHeaderMs;
    targets.hostileCsvHeader = r.hostileCsvHeaderMs < HOSTILE_CSV_HEADER_TARGET_MS;
  }
  results.targets = targets;

  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nbench: targets ${Object.entries(targets).map(([k, v]) => `${k} ${v ? 'met' : 'MISSED'}`).join(', ')}`);
  console.log(`bench: wrote ${path.relative(process.cwd(), file)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('bench:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
