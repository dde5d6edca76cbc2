import * as assert from 'node:assert/strict';
import { AiFunctionsError } from '../../src/core/errors';
import { RateLimiter } from '../../src/core/limiter';

/** Virtual time: `sleep` registers a timer, `advance` fires timers in order. */
class FakeClock {
  time = 0;
  private timers: { at: number; resolve: () => void }[] = [];

  now = (): number => this.time;

  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.time + ms, resolve });
    });

  get pending(): number {
    return this.timers.length;
  }

  /** Lets every promise chain settle. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  }

  /** Fires timers one by one (settling after each) until none is left or `limitMs` is reached. */
  async runUntilIdle(limitMs = 60_000): Promise<void> {
    await this.settle();
    while (this.timers.length > 0) {
      this.timers.sort((a, b) => a.at - b.at);
      const timer = this.timers.shift()!;
      if (timer.at > limitMs) throw new Error('fake clock ran past its limit');
      this.time = Math.max(this.time, timer.at);
      timer.resolve();
      await this.settle();
    }
  }
}

/** Every window [t, t + 1000) over the given start times holds at most this many starts. */
function maxStartsPerWindow(starts: number[], windowMs = 1000): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

describe('RateLimiter', () => {
  it('runs 100 tasks at 25/25: never more than 25 in flight, never more than 25 starts in any 1 s window', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 25, maxPerSecond: 25, now: clock.now, sleep: clock.sleep });
    const starts: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const results = Array.from({ length: 100 }, (_, i) =>
      limiter.run(async () => {
        starts.push(clock.now());
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await clock.sleep(50 + (i % 7) * 40); // short tasks: the per-second limit binds
        inFlight--;
        return i;
      }),
    );
    await clock.runUntilIdle();
    assert.deepEqual(await Promise.all(results), Array.from({ length: 100 }, (_, i) => i));
    assert.equal(maxInFlight, 25);
    assert.equal(maxStartsPerWindow(starts), 25);
    // The limit is reached, not undershot: 100 starts take just over three windows.
    assert.equal(Math.max(...starts), 3000);
  });

  it('spaces starts by minIntervalMs, also after a stall, so no burst leaves at once', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 25, maxPerSecond: 25, minIntervalMs: 40, now: clock.now, sleep: clock.sleep });
    const starts: number[] = [];
    const results = Array.from({ length: 60 }, () =>
      limiter.run(async () => {
        starts.push(clock.now());
        await clock.sleep(10);
      }),
    );
    await clock.runUntilIdle();
    await Promise.all(results);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    assert.ok(gaps.every((gap) => gap >= 40), `gaps ${gaps.join(',')}`);
    assert.equal(maxStartsPerWindow(starts), 25);
    // Spacing alone sets the pace here: 60 starts 40 ms apart.
    assert.equal(Math.max(...starts), 59 * 40);
  });

  it('holds the in-flight limit when tasks are slow', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 5, maxPerSecond: 100, now: clock.now, sleep: clock.sleep });
    let inFlight = 0;
    let maxInFlight = 0;
    const done = Array.from({ length: 30 }, () =>
      limiter.run(async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await clock.sleep(2000);
        inFlight--;
      }),
    );
    await clock.settle();
    assert.equal(limiter.inFlight, 5);
    assert.equal(limiter.queued, 25);
    await clock.runUntilIdle();
    await Promise.all(done);
    assert.equal(maxInFlight, 5);
    assert.equal(clock.time, 12_000); // six rounds of five
  });

  it('starts tasks in the order they were queued', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 2, maxPerSecond: 3, now: clock.now, sleep: clock.sleep });
    const order: number[] = [];
    const done = Array.from({ length: 12 }, (_, i) =>
      limiter.run(async () => {
        order.push(i);
        await clock.sleep(((i * 37) % 5) * 100);
      }),
    );
    await clock.runUntilIdle();
    await Promise.all(done);
    assert.deepEqual(order, [...Array(12).keys()]);
  });

  it('a task run `first` goes ahead of the waiting ones', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 1, maxPerSecond: 100, now: clock.now, sleep: clock.sleep });
    const order: string[] = [];
    const task = (name: string) => async () => {
      order.push(name);
      await clock.sleep(10);
    };
    const done = [limiter.run(task('a')), limiter.run(task('b')), limiter.run(task('c'))];
    done.push(limiter.run(task('urgent'), undefined, { first: true }));
    await clock.runUntilIdle();
    await Promise.all(done);
    assert.deepEqual(order, ['a', 'urgent', 'b', 'c']);
  });

  it('after a 429 (holdOff) starts nothing before the wait ends, and a task queued again is counted again', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 5, maxPerSecond: 2, now: clock.now, sleep: clock.sleep });
    const starts: Array<{ name: string; at: number }> = [];
    const task = (name: string) => async () => {
      starts.push({ name, at: clock.now() });
      await clock.sleep(10);
    };
    const first = limiter.run(task('refused'));
    await clock.runUntilIdle();
    await first;
    // What the HttpClient does on a 429 with Retry-After: 1: hold, then queue the send again.
    limiter.holdOff(1000);
    const done = [limiter.run(task('refused, sent again')), limiter.run(task('b')), limiter.run(task('c'))];
    await clock.settle();
    assert.equal(limiter.queued, 3, 'all wait for the hold, the refused send included');
    await clock.runUntilIdle();
    await Promise.all(done);
    assert.deepEqual(starts, [
      { name: 'refused', at: 0 },
      { name: 'refused, sent again', at: 1010 },
      { name: 'b', at: 1010 },
      // The send made again took a start of the window: 2 per second.
      { name: 'c', at: 2010 },
    ]);
    assert.equal(limiter.inFlight, 0);
  });

  it('runs at once without timers when not saturated', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 25, maxPerSecond: 25, now: clock.now, sleep: clock.sleep });
    let started = false;
    const result = limiter.run(async () => {
      started = true;
      return 'ok';
    });
    assert.equal(started, true, 'the task starts synchronously on the fast path');
    assert.equal(await result, 'ok');
    assert.equal(clock.pending, 0);
    assert.equal(limiter.inFlight, 0);
  });

  it('a queued task whose signal aborts leaves the queue at once and rejects as cancelled', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ maxInFlight: 1, maxPerSecond: 10, now: clock.now, sleep: clock.sleep, platform: 'nyckel' });
    const order: string[] = [];
    const first = limiter.run(async () => {
      order.push('first');
      await clock.sleep(1000);
    });
    const controller = new AbortController();
    let secondRan = false;
    const second = limiter.run(async () => {
      secondRan = true;
    }, controller.signal);
    const third = limiter.run(async () => {
      order.push('third');
    });
    await clock.settle();
    assert.equal(limiter.queued, 2);

    controller.abort();
    assert.equal(limiter.queued, 1, 'the aborted task left the queue synchronously');
    await assert.rejects(second, (e: unknown) => {
      assert.ok(e instanceof AiFunctionsError);
      assert.equal(e.kind, 'cancelled');
      assert.equal(e.platform, 'nyckel');
      return true;
    });

    await clock.runUntilIdle();
    await Promise.all([first, third]);
    assert.equal(secondRan, false);
    assert.deepEqual(order, ['first', 'third']);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const limiter = new RateLimiter({ maxInFlight: 1, maxPerSecond: 1 });
    let ran = false;
    await assert.rejects(
      limiter.run(async () => {
        ran = true;
      }, AbortSignal.abort()),
      { kind: 'cancelled' },
    );
    assert.equal(ran, false);
  });

  it('frees the slot when a task fails, and passes the failure on', async () => {
    const limiter = new RateLimiter({ maxInFlight: 1, maxPerSecond: 100 });
    await assert.rejects(
      limiter.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(limiter.inFlight, 0);
    assert.equal(await limiter.run(async () => 42), 42);
  });

  it('works with real timers: 30 tasks at 10 in flight and 20/s take one window and a bit', async () => {
    const limiter = new RateLimiter({ maxInFlight: 10, maxPerSecond: 20, windowMs: 200 });
    const starts: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 30 }, () =>
        limiter.run(async () => {
          starts.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 5));
        }),
      ),
    );
    assert.ok(maxStartsPerWindow(starts, 200) <= 20);
    assert.ok(Math.max(...starts) >= 199, 'the 21st start waited for the window');
  });

  it('refuses limits below one', () => {
    assert.throws(() => new RateLimiter({ maxInFlight: 0, maxPerSecond: 5 }), RangeError);
  });
});
