// Jobs paging: the Jobs view's loader (JobsStore + the Sutro adapter) over N jobs on the Sutro
// emulator: time to the first page (what the view shows first), time to every page (loadAll,
// used by Open Job…), and the heap the loaded jobs hold (after a full GC).
import { HttpClient } from '../../src/core/http';
import { JobsStore } from '../../src/core/jobsStore';
import { silentLogger } from '../../src/core/log';
import { SutroAdapter } from '../../src/platforms/sutro';
import { SUTRO_DEFAULT_KEY, SutroEmulator } from '../emulator/sutro';
import { fullGc, kib, printTable, round } from './util';

/** The `aiFunctions.jobs.pageSize` setting's default, and its maximum. */
const PAGE_SIZES = [50, 100];

export interface JobsPagingRun {
  pageSize: number;
  pages: number;
  firstPageMs: number;
  allMs: number;
  jobsPerSecond: number;
  heapDeltaBytes: number;
  bytesPerJob: number;
}

export interface JobsPagingResult {
  jobs: number;
  runs: JobsPagingRun[];
  /** At the default page size (50). */
  firstJobsPageMs: number;
  allJobsMs: number;
  heapDeltaBytes: number;
}

export async function benchJobsPaging(options: { jobs: number }): Promise<JobsPagingResult> {
  // Far in the future: seeded jobs keep their status during the run.
  const emulator = await new SutroEmulator({ jobCount: options.jobs, jobStepMs: 3_600_000, recordBodies: false, maxRecorded: 1 }).start();
  const http = new HttpClient({ logger: silentLogger, timeouts: () => ({ connectMs: 10_000, firstByteMs: 100_000, totalMs: 120_000 }) });
  const runs: JobsPagingRun[] = [];
  try {
    const sutro = new SutroAdapter({
      http,
      logger: silentLogger,
      credentials: async () => ({ apiKey: SUTRO_DEFAULT_KEY }),
      config: () => ({ apiUrl: emulator.url, functionsUrl: emulator.url, functions: [] }),
    });
    // Warm up: undici loaded, the connection open, the code paths compiled.
    for (let i = 0; i < 5; i++) await sutro.listJobs({ limit: 100 });

    for (const pageSize of PAGE_SIZES) {
      await fullGc();
      const before = process.memoryUsage().heapUsed;
      let pages = 0;
      const source = { listJobs: (page: { limit?: number; cursor?: string }) => (pages++, sutro.listJobs(page)) };
      let store: JobsStore | undefined = new JobsStore({ sutro: source }, () => pageSize);
      const started = performance.now();
      await store.refresh('sutro');
      const firstPageMs = performance.now() - started;
      if (store.get('sutro').jobs.length !== pageSize) throw new Error(`the first page held ${store.get('sutro').jobs.length} jobs`);
      await store.loadAll('sutro');
      const allMs = performance.now() - started;
      const loaded = store.get('sutro').jobs.length;
      if (loaded !== options.jobs) throw new Error(`loadAll ended with ${loaded} of ${options.jobs} jobs (${store.get('sutro').error?.message ?? 'no error'})`);
      await fullGc();
      const heapDeltaBytes = process.memoryUsage().heapUsed - before;
      runs.push({
        pageSize,
        pages,
        firstPageMs: round(firstPageMs, 1),
        allMs: round(allMs, 0),
        jobsPerSecond: round((loaded / allMs) * 1000, 0),
        heapDeltaBytes,
        bytesPerJob: Math.round(heapDeltaBytes / loaded),
      });
      if (store.get('sutro').jobs.length !== loaded) throw new Error('unreachable: keeps the store alive until measured');
      store = undefined;
      process.stdout.write(`  jobs: page size ${pageSize}: first page ${runs.at(-1)!.firstPageMs} ms, all in ${runs.at(-1)!.allMs} ms\n`);
    }
  } finally {
    await http.close();
    await emulator.close();
  }

  printTable(`Jobs paging: ${options.jobs.toLocaleString('en-US')} Sutro jobs through JobsStore + SutroAdapter`, [
    ['page size', 'pages', 'first page ms', 'all ms', 'jobs/s', 'heap held', 'per job'],
    ...runs.map((r) => [r.pageSize === 50 ? '50 (default)' : String(r.pageSize), r.pages, r.firstPageMs, r.allMs, r.jobsPerSecond, kib(r.heapDeltaBytes), `${r.bytesPerJob} B`]),
  ]);
  const main = runs[0]!;
  return { jobs: options.jobs, runs, firstJobsPageMs: main.firstPageMs, allJobsMs: main.allMs, heapDeltaBytes: main.heapDeltaBytes };
}
