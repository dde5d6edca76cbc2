import * as assert from 'node:assert/strict';
import { AiFunctionsError } from '../../src/core/errors';
import { RateLimiter } from '../../src/core/limiter';
import {
  INTERRUPTED_MESSAGE,
  NOT_RUN_MESSAGE,
  estimateRemainingMs,
  mayRetryRow,
  rowRetryDelay,
  runRows,
  type RowProgress,
} from '../../src/core/rowRunner';

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

const rateLimited = (retryAfterMs?: number) =>
  new AiFunctionsError('rateLimited', 'Sutro is rate limiting requests (429).', { platform: 'sutro', status: 429, retryAfterMs });
const serverError = (status: number, retryAfterMs?: number) =>
  new AiFunctionsError('server', `Sutro had a server error (${status}).`, { platform: 'sutro', status, retryAfterMs });
const networkError = (code: string) =>
  new AiFunctionsError('network', `Could not reach Sutro: ${code}.`, { platform: 'sutro', cause: Object.assign(new Error(code), { code }) });

describe('rowRunner: which failures are retried', () => {
  it('retries what proves the row was not processed, under every policy', () => {
    assert.equal(mayRetryRow(rateLimited(1000)), true);
    assert.equal(mayRetryRow(rateLimited()), true);
    assert.equal(mayRetryRow(serverError(503, 1000)), true);
    for (const code of ['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']) assert.equal(mayRetryRow(networkError(code)), true, code);
  });

  it('never retries what the platform may have run, unless the call is idempotent', () => {
    for (const error of [serverError(503), serverError(502), serverError(504), networkError('ECONNRESET'), networkError('UND_ERR_SOCKET')]) {
      assert.equal(mayRetryRow(error), false, error.message);
      assert.equal(mayRetryRow(error, true), true, error.message);
    }
    assert.equal(mayRetryRow(serverError(500)), false);
    assert.equal(mayRetryRow(serverError(500), true), false);
  });

  it('never retries timeouts, refusals, cancellations or unknown errors', () => {
    for (const kind of ['timeout', 'invalidInput', 'auth', 'notFound', 'cancelled', 'invalidResponse'] as const) {
      assert.equal(mayRetryRow(new AiFunctionsError(kind, kind), true), false, kind);
    }
    assert.equal(mayRetryRow(new Error('boom'), true), false);
  });

  it('waits what Retry-After says, backs off otherwise, and stops after the last attempt or a too long wait', () => {
    assert.equal(rowRetryDelay(rateLimited(1500), 1), 1500);
    assert.equal(rowRetryDelay(rateLimited(120_000), 1), undefined);
    assert.equal(rowRetryDelay(rateLimited(1000), 3), undefined, 'three attempts by default');
    assert.equal(rowRetryDelay(rateLimited(1000), 3, { maxAttempts: 4 }), 1000);
    const backoff = rowRetryDelay(rateLimited(), 2, { baseBackoffMs: 1000 }, () => 0.5);
    assert.equal(backoff, 1500, 'attempt 2: cap 2000, half plus half of the jitter');
    assert.equal(rowRetryDelay(serverError(503), 1), undefined);
  });
});

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
        { concurrency: 5, now: clock.now, sleep: clock.sleep },
      ),
    );
    assert.equal(maxInFlight, 5);
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? o.value : undefined)),
      inputs.map((n) => n * 2),
    );
  });

  it('sends every attempt through the limiter, so its limits hold', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 3, maxPerSecond: 5, now: clock.now, sleep: (ms) => clock.sleep(ms) });
    const starts: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const outcomes = await clock.run(
      runRows(
        Array.from({ length: 30 }, (_, i) => i),
        async (n, _i, signal) => {
          starts.push(clock.time);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await clock.sleep(50, signal);
          inFlight--;
          return n;
        },
        { concurrency: 10, limiter, now: clock.now, sleep: clock.sleep },
      ),
    );
    assert.ok(outcomes.every((o) => o.ok));
    assert.equal(maxInFlight, 3);
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 5; i < sorted.length; i++) assert.ok(sorted[i]! - sorted[i - 5]! >= 1000, `at most 5 starts in any second (start ${i})`);
  });

  it('retries a 429 after its Retry-After, holding back every other row meanwhile', async () => {
    const clock = new FakeClock();
    const calls: { row: number; at: number }[] = [];
    const outcomes = await clock.run(
      runRows(
        [0, 1, 2, 3, 4, 5],
        async (n, _i, signal) => {
          calls.push({ row: n, at: clock.time });
          await clock.sleep(10, signal);
          if (n === 1 && calls.filter((c) => c.row === 1).length === 1) throw rateLimited(1000);
          return n;
        },
        { concurrency: 2, now: clock.now, sleep: clock.sleep },
      ),
    );
    assert.ok(outcomes.every((o) => o.ok));
    assert.equal(outcomes[1]!.attempts, 2);
    const retry = calls.filter((c) => c.row === 1)[1]!;
    assert.equal(retry.at, 1010);
    // Row 0 finished at 10 and row 1 got its 429 at 10: nothing starts before 1010.
    assert.ok(calls.filter((c) => c.at > 10).every((c) => c.at >= 1010), JSON.stringify(calls));
  });

  it('does not retry a row that may have been processed (Sutro), and retries it when the call is idempotent (Nyckel)', async () => {
    for (const idempotent of [false, true]) {
      const clock = new FakeClock();
      const sent = new Map<number, number>();
      const failures = [serverError(503), networkError('ECONNRESET'), networkError('ECONNREFUSED'), new AiFunctionsError('timeout', 'timed out')];
      const outcomes = await clock.run(
        runRows(
          [0, 1, 2, 3],
          async (n) => {
            sent.set(n, (sent.get(n) ?? 0) + 1);
            if (sent.get(n) === 1) throw failures[n];
            return n;
          },
          { concurrency: 4, now: clock.now, sleep: clock.sleep, retry: { idempotent } },
        ),
      );
      const expectedSends = idempotent ? [2, 2, 2, 1] : [1, 1, 2, 1];
      assert.deepEqual([0, 1, 2, 3].map((n) => sent.get(n)), expectedSends, `idempotent=${idempotent}`);
      assert.deepEqual(
        outcomes.map((o) => (o.ok ? 'ok' : o.error.kind)),
        idempotent ? ['ok', 'ok', 'ok', 'timeout'] : ['server', 'network', 'ok', 'timeout'],
      );
    }
  });

  it('gives up after the last attempt with the last error, kind and message only', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const [outcome] = await clock.run(
      runRows(
        ['x'],
        async () => {
          calls++;
          throw rateLimited(500);
        },
        { concurrency: 1, now: clock.now, sleep: clock.sleep, retry: { maxAttempts: 3 } },
      ),
    );
    assert.equal(calls, 3);
    assert.deepEqual(outcome, { ok: false, error: { kind: 'rateLimited', message: 'Sutro is rate limiting requests (429).' }, attempts: 3 });
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
        { concurrency: 4, now: clock.now, sleep: clock.sleep, signal: controller.signal, onProgress: (p) => (last = p) },
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
        { concurrency: 2, now: clock.now, sleep: clock.sleep, onProgress: (p) => reports.push({ ...p }) },
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
