import * as assert from 'node:assert/strict';
import { networkError, rateLimited, serverError } from './support';
import { AiFunctionsError } from '../../src/core/errors';
import { RateLimiter } from '../../src/core/limiter';
import { INTERRUPTED_MESSAGE, NOT_RUN_MESSAGE } from '../../src/core/rowOutcome';
import { estimateRemainingMs, runRows, type RowProgress } from '../../src/core/rowRunner';

/** Virtual time: `sleep` registers a timer (cancelled by its signal), `run` fires timers in order. */
class FakeClock {
  time = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

  now = (): number => this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('aborted'));
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(new Error('aborted'));
      };
      const timer = {
        at: this.time + ms,
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  }

  /** Fires timers in time order until `promise` settles (or `limitMs` of virtual time passed). */
  async run<T>(promise: Promise<T>, options: { limitMs?: number; at?: Record<number, () => void> } = {}): Promise<T> {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    const hooks = Object.entries(options.at ?? {}).map(([t, fn]) => ({ at: Number(t), fn }));
    await this.settle();
    while (!settled) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const timer = this.timers[0];
      const hook = hooks.sort((a, b) => a.at - b.at)[0];
      if (hook && (!timer || hook.at <= timer.at)) {
        hooks.shift();
        this.time = Math.max(this.time, hook.at);
        hook.fn();
      } else if (timer) {
        if (timer.at > (options.limitMs ?? 600_000)) throw new Error('fake clock ran past its limit');
        this.timers.shift();
        this.time = Math.max(this.time, timer.at);
        timer.resolve();
      } else {
        throw new Error('nothing left to run, but the rows did not finish');
      }
      await this.settle();
    }
    return promise;
  }
}


describe('rowRunner: running rows', () => {
  it('never has more than `concurrency` rows in flight and keeps the input order', async () => {
    const clock = new FakeClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const inputs = Array.from({ length: 50 }, (_, i) => i);
    const outcomes = await clock.run(
      runRows(
        inputs,
        async (n, _i, signal) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await clock.sleep(10 + ((n * 37) % 90), signal); // uneven durations: rows finish out of order
          inFlight--;
          return n * 2;
        },
        { concurrency: 5, now: clock.now },
      ),
    );
    assert.equal(maxInFlight, 5);
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? o.value : undefined)),
      inputs.map((n) => n * 2),
    );
  });

  it('rows whose sends go through a limiter keep its limits, above it in concurrency', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 3, maxPerSecond: 5, now: clock.now, sleep: (ms) => clock.sleep(ms) });
    const starts: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const outcomes = await clock.run(
      runRows(
        Array.from({ length: 30 }, (_, i) => i),
        // As the Nyckel adapter does: each send (not the row) takes a slot.
        (n, _i, signal) =>
          limiter.run(async () => {
            starts.push(clock.time);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await clock.sleep(50, signal);
            inFlight--;
            return n;
          }, signal),
        { concurrency: 10, now: clock.now },
      ),
    );
    assert.ok(outcomes.every((o) => o.ok));
    assert.equal(maxInFlight, 3);
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 5; i < sorted.length; i++) assert.ok(sorted[i]! - sorted[i - 5]! >= 1000, `at most 5 starts in any second (start ${i})`);
  });

  // The row runner used to retry rows on top of the HttpClient's retries (up to 12 sends of a
  // row); retries are now the HttpClient's alone (see retry.test.ts for the sends counted).
  it('runs a row once whatever it fails with: the failure is its outcome', async () => {
    const clock = new FakeClock();
    const sent = new Map<number, number>();
    const failures = [rateLimited(1000), serverError(503, 1000), serverError(503), networkError('ECONNREFUSED'), networkError('ECONNRESET'), new AiFunctionsError('timeout', 'timed out')];
    const outcomes = await clock.run(
      runRows(
        [0, 1, 2, 3, 4, 5, 6],
        async (n) => {
          sent.set(n, (sent.get(n) ?? 0) + 1);
          if (n < failures.length) throw failures[n];
          return n;
        },
        { concurrency: 4, now: clock.now },
      ),
    );
    assert.deepEqual([...sent.values()], [1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? 'ok' : o.error.kind)),
      ['rateLimited', 'server', 'server', 'network', 'network', 'timeout', 'ok'],
    );
    assert.ok(outcomes.every((o) => o.attempts === 1));
  });

  it('keeps the kind and message of a failed row only', async () => {
    const clock = new FakeClock();
    const [outcome] = await clock.run(
      runRows(
        ['x'],
        async () => {
          throw rateLimited(500);
        },
        { concurrency: 1, now: clock.now },
      ),
    );
    assert.deepEqual(outcome, { ok: false, error: { kind: 'rateLimited', message: 'Sutro is rate limiting requests (429).' }, attempts: 1 });
  });

  it('accounts for every row when cancelled midway: done + cancelled = total, none run twice', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const sent = new Map<number, number>();
    const total = 100;
    let last: RowProgress | undefined;
    const outcomes = await clock.run(
      runRows(
        Array.from({ length: total }, (_, i) => i),
        async (n, _i, signal) => {
          sent.set(n, (sent.get(n) ?? 0) + 1);
          await clock.sleep(100, signal);
          return n;
        },
        { concurrency: 4, now: clock.now, signal: controller.signal, onProgress: (p) => (last = p) },
      ),
      { at: { 1050: () => controller.abort() } },
    );
    assert.equal(outcomes.length, total);
    assert.ok(outcomes.every((o) => o !== undefined));
    assert.ok([...sent.values()].every((count) => count === 1), 'no row sent twice');
    const ok = outcomes.filter((o) => o.ok).length;
    const interrupted = outcomes.filter((o) => !o.ok && o.error.message === INTERRUPTED_MESSAGE).length;
    const notRun = outcomes.filter((o) => !o.ok && o.error.kind === 'cancelled' && o.error.message === NOT_RUN_MESSAGE).length;
    assert.equal(ok, 40, '10 rounds of 4 rows finished before the cancel');
    assert.equal(interrupted, 4, 'the 4 in flight were stopped');
    assert.equal(ok + interrupted + notRun, total);
    assert.equal(sent.size, ok + interrupted, 'rows not run were never sent');
    assert.equal(last?.done, ok);
    assert.equal(last!.done + interrupted + notRun, last!.total);
    outcomes.forEach((o, i) => {
      if (o.ok) assert.equal(o.value, i);
    });
  });

  it('sends nothing when cancelled before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const outcomes = await runRows([1, 2, 3], async () => ++calls, { concurrency: 2, signal: controller.signal });
    assert.equal(calls, 0);
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? 'ok' : o.error.message)),
      [NOT_RUN_MESSAGE, NOT_RUN_MESSAGE, NOT_RUN_MESSAGE],
    );
  });

  it('returns at once for no rows', async () => {
    assert.deepEqual(await runRows([], async () => 1, { concurrency: 4 }), []);
  });

  it('counts in each report the rows still in flight: not the one just finished, not the next', async () => {
    const clock = new FakeClock();
    const reports: RowProgress[] = [];
    await clock.run(
      runRows(
        [0, 1, 2, 3, 4],
        async (n, _i, signal) => {
          await clock.sleep(10 * (n + 1), signal);
          return n;
        },
        { concurrency: 3, now: clock.now, onProgress: (p) => reports.push({ ...p }) },
      ),
    );
    assert.deepEqual(
      reports.map((r) => [r.done, r.inFlight]),
      [
        [0, 0],
        [1, 2],
        [2, 2],
        [3, 2],
        [4, 1],
        [5, 0],
      ],
    );
  });

  it('floors the concurrency, runs at least one row at a time, and no more than there are rows', async () => {
    for (const [concurrency, rows, expected] of [
      [2.7, 6, 2],
      [0, 3, 1],
      [Number.NaN, 3, 1],
      [8, 3, 3],
    ] as const) {
      const clock = new FakeClock();
      let inFlight = 0;
      let maxInFlight = 0;
      const outcomes = await clock.run(
        runRows(
          Array.from({ length: rows }, (_, i) => i),
          async (n, _i, signal) => {
            maxInFlight = Math.max(maxInFlight, ++inFlight);
            await clock.sleep(10, signal);
            inFlight--;
            return n;
          },
          { concurrency, now: clock.now },
        ),
      );
      assert.equal(maxInFlight, expected, `concurrency ${concurrency}`);
      assert.ok(outcomes.every((o) => o.ok));
    }
  });

  it('reports progress with a sane estimate of the time left', async () => {
    const clock = new FakeClock();
    const reports: RowProgress[] = [];
    await clock.run(
      runRows(
        Array.from({ length: 10 }, (_, i) => i),
        async (n, _i, signal) => {
          await clock.sleep(100, signal);
          if (n === 3) throw new AiFunctionsError('invalidInput', 'refused');
          return n;
        },
        { concurrency: 2, now: clock.now, onProgress: (p) => reports.push({ ...p }) },
      ),
    );
    assert.deepEqual(reports[0], { done: 0, failed: 0, total: 10, inFlight: 0, elapsedMs: 0, etaMs: undefined });
    const final = reports[reports.length - 1]!;
    assert.equal(final.done, 10);
    assert.equal(final.failed, 1);
    assert.equal(final.etaMs, 0);
    for (const r of reports.slice(1)) {
      assert.ok(r.etaMs !== undefined && r.etaMs >= 0);
      // Two rows finish every 100 ms: after an even count the estimate is exact.
      if (r.done % 2 === 0) assert.equal(r.etaMs, ((10 - r.done) / 2) * 100, `done=${r.done}`);
    }
    assert.equal(estimateRemainingMs(0, 10, 500), undefined);
    assert.equal(estimateRemainingMs(5, 10, 500), 500);
  });
});
