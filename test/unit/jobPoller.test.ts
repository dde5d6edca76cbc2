import assert from 'node:assert/strict';
import { JobPoller, type JobPollerOptions } from '../../src/core/jobPoller';
import type { Job, JobStatus, PlatformId } from '../../src/core/model';
import { settle } from './support';

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** Virtual time. `advance` fires due timers in order, letting promises settle after each. */
class FakeClock {
  time = 0;
  private timers: Timer[] = [];
  private seq = 0;

  now = (): number => this.time;

  setTimer = (callback: () => void, ms: number): { cancel(): void } => {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  };

  /** Timers that are set and not cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    let firedAtThisInstant = 0;
    await settle();
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const next = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      firedAtThisInstant = next.at === this.time ? firedAtThisInstant + 1 : 1;
      if (firedAtThisInstant > 500) throw new Error(`timer storm: more than 500 timers fired at t=${this.time}`);
      this.time = next.at;
      next.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

const PLATFORM: PlatformId = 'sutro';

function makeJob(id: string, status: JobStatus = 'running', platform: PlatformId = PLATFORM): Job {
  return { platform, id, status, rawStatus: status, raw: {} };
}

/** The server: each job's current status, optional failures and a (virtual) response time. */
class FakeApi {
  calls: { platform: PlatformId; id: string; at: number }[] = [];
  statuses = new Map<string, JobStatus>();
  /** How many of the next calls for an id fail. */
  failures = new Map<string, number>();
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly clock: FakeClock) {}

  callsFor(id: string): number[] {
    return this.calls.filter((c) => c.id === id).map((c) => c.at);
  }

  getJob = (platform: PlatformId, id: string): Promise<Job> => {
    this.calls.push({ platform, id, at: this.clock.time });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const answer = (): Job => {
      this.inFlight--;
      const failures = this.failures.get(id) ?? 0;
      if (failures > 0) {
        this.failures.set(id, failures - 1);
        throw new Error(`poll of ${id} failed`);
      }
      return makeJob(id, this.statuses.get(id) ?? 'running', platform);
    };
    if (this.delayMs === 0) return Promise.resolve().then(answer);
    return new Promise((resolve, reject) =>
      this.clock.setTimer(() => {
        try {
          resolve(answer());
        } catch (error) {
          reject(error);
        }
      }, this.delayMs),
    );
  };
}

function setup(options: Partial<JobPollerOptions> = {}) {
  const clock = new FakeClock();
  const api = new FakeApi(clock);
  const updates: Job[] = [];
  const finished: Job[] = [];
  const errors: { platform: PlatformId; id: string; error: unknown }[] = [];
  const poller = new JobPoller({
    getJob: api.getJob,
    onUpdate: (job) => updates.push(job),
    onFinished: (job) => finished.push(job),
    onError: (platform, id, error) => errors.push({ platform, id, error }),
    now: clock.now,
    setTimer: clock.setTimer,
    ...options,
  });
  return { clock, api, poller, updates, finished, errors };
}

const MINUTE = 60_000;

describe('JobPoller', () => {
  it('polls a running job after the first interval and reports the fresh copy', async () => {
    const { clock, api, poller, updates } = setup();
    poller.setActive(true);
    poller.track(makeJob('a'));
    assert.equal(poller.isTracking(PLATFORM, 'a'), true);

    await clock.advance(1999);
    assert.equal(api.calls.length, 0, 'not before the first interval');
    await clock.advance(1);
    assert.deepEqual(api.calls, [{ platform: PLATFORM, id: 'a', at: 2000 }]);
    assert.deepEqual(
      updates.map((j) => j.id),
      ['a'],
    );
    assert.equal(poller.isTracking(PLATFORM, 'a'), true, 'still running, still tracked');
  });

  it('does not track a job that is already finished', async () => {
    const { clock, api, poller } = setup();
    poller.setActive(true);
    for (const status of ['succeeded', 'failed', 'cancelled'] as const) poller.track(makeJob(status, status), true);
    assert.equal(poller.size, 0);
    await clock.advance(10 * MINUTE);
    assert.equal(api.calls.length, 0);
  });

  it('backs the interval off by 1.5× per poll, up to the maximum (defaults 2 s .. 30 s)', async () => {
    const { clock, api, poller } = setup();
    poller.setActive(true);
    poller.track(makeJob('a'));
    await clock.advance(3 * MINUTE);
    const times = api.callsFor('a');
    const gaps = times.map((t, i) => t - (i === 0 ? 0 : times[i - 1]));
    assert.deepEqual(gaps.slice(0, 10), [2000, 3000, 4500, 6750, 10125, 15188, 22782, 30000, 30000, 30000]);
    assert.ok(gaps.every((gap) => gap <= 30_000));
  });

  it('honours custom first and maximum intervals', async () => {
    const { clock, api, poller } = setup({ firstIntervalMs: 1000, maxIntervalMs: 5000 });
    poller.setActive(true);
    poller.track(makeJob('a'));
    await clock.advance(25_000);
    const times = api.callsFor('a');
    // Gaps 1000, 1500, 2250, 3375, then capped at 5000.
    assert.deepEqual(times, [1000, 2500, 4750, 8125, 13125, 18125, 23125]);
  });

  it('stops polling a job once it is terminal: zero calls after it finished', async () => {
    const { clock, api, poller, updates } = setup();
    poller.setActive(true);
    poller.track(makeJob('a'));
    await clock.advance(2000 + 3000); // two polls, still running
    assert.equal(api.calls.length, 2);

    api.statuses.set('a', 'succeeded');
    await clock.advance(4500);
    assert.equal(api.calls.length, 3);
    assert.equal(updates.at(-1)?.status, 'succeeded');
    const callsWhenFinished = api.calls.length;

    await clock.advance(60 * MINUTE);
    assert.equal(api.calls.length - callsWhenFinished, 0);
    assert.equal(poller.isTracking(PLATFORM, 'a'), false);
    assert.equal(poller.size, 0);
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  it('fires onFinished once, and only for watched jobs', async () => {
    const { clock, api, poller, finished, updates } = setup();
    poller.setActive(true);
    poller.track(makeJob('watched'), true);
    poller.track(makeJob('watched'), true); // tracked twice: still one entry
    poller.track(makeJob('listed'));
    assert.equal(poller.size, 2);

    await clock.advance(2000);
    api.statuses.set('watched', 'failed');
    api.statuses.set('listed', 'succeeded');
    await clock.advance(10 * MINUTE);
    // A list refresh re-syncing the finished jobs must not bring them back either.
    poller.sync(PLATFORM, [makeJob('watched', 'failed'), makeJob('listed', 'succeeded')]);
    await clock.advance(10 * MINUTE);

    assert.deepEqual(
      finished.map((j) => [j.id, j.status]),
      [['watched', 'failed']],
    );
    assert.equal(updates.filter((j) => j.id === 'listed' && j.status === 'succeeded').length, 1, 'listed job updated, not "finished"');
    assert.equal(api.callsFor('watched').length, 2);
    assert.equal(api.callsFor('listed').length, 2);
  });

  it('a job first tracked unwatched and then watched reports when it finishes', async () => {
    const { clock, api, poller, finished } = setup();
    poller.setActive(true);
    poller.track(makeJob('a'));
    await clock.advance(2000 + 3000 + 4500); // next poll due in 6.75 s
    poller.track(makeJob('a'), true); // the user opens it: polled again within the first interval
    api.statuses.set('a', 'succeeded');
    await clock.advance(2000);
    assert.equal(api.callsFor('a').at(-1), 11_500);
    assert.deepEqual(
      finished.map((j) => j.id),
      ['a'],
    );
  });

  it('setActive(false) pauses all polling; setActive(true) resumes it', async () => {
    const { clock, api, poller } = setup();
    poller.setActive(true);
    poller.track(makeJob('a'));
    poller.track(makeJob('b'), true);
    await clock.advance(2000);
    assert.equal(api.calls.length, 2);

    poller.setActive(false);
    assert.equal(clock.pending, 0, 'timer cancelled');
    await clock.advance(30 * MINUTE);
    assert.equal(api.calls.length, 2, 'no poll while paused');
    // Tracking while paused does not start polling either.
    poller.track(makeJob('c'));
    await clock.advance(MINUTE);
    assert.equal(api.calls.length, 2);
    assert.equal(poller.size, 3, 'paused jobs are kept');

    poller.setActive(true);
    await clock.advance(0);
    assert.deepEqual(api.calls.slice(2).map((c) => c.id).sort(), ['a', 'b', 'c'], 'overdue jobs polled on resume');
    await clock.advance(MINUTE);
    assert.ok(api.calls.length > 5, 'and keeps polling');
  });

  it('does not poll before it is first made active', async () => {
    const { clock, api, poller } = setup();
    poller.track(makeJob('a'));
    await clock.advance(10 * MINUTE);
    assert.equal(api.calls.length, 0);
  });

  it('a poll in flight when paused completes but schedules nothing more', async () => {
    const { clock, api, poller, updates } = setup();
    api.delayMs = 500;
    poller.setActive(true);
    poller.track(makeJob('a'));
    await clock.advance(2000);
    assert.equal(api.inFlight, 1);
    poller.setActive(false);
    await clock.advance(500);
    assert.equal(updates.length, 1);
    await clock.advance(30 * MINUTE);
    assert.equal(api.calls.length, 1);
  });

  it('watchedOnly polls only watched jobs until lifted', async () => {
    const { clock, api, poller } = setup();
    poller.setActive(true, true);
    poller.track(makeJob('watched'), true);
    poller.track(makeJob('listed'));
    await clock.advance(5 * MINUTE);
    assert.ok(api.callsFor('watched').length >= 5);
    assert.equal(api.callsFor('listed').length, 0);

    poller.setActive(true, false);
    await clock.advance(0);
    assert.equal(api.callsFor('listed').length, 1, 'overdue listed job polled at once');
  });

  it('sync tracks unfinished listed jobs and forgets unwatched jobs no longer listed', async () => {
    const { clock, api, poller } = setup();
    poller.setActive(true);
    poller.sync(PLATFORM, [makeJob('a'), makeJob('b'), makeJob('c', 'succeeded')]);
    poller.track(makeJob('w'), true);
    poller.track(makeJob('other', 'running', 'nyckel'));
    assert.equal(poller.size, 4);
    assert.equal(poller.isTracking(PLATFORM, 'c'), false);

    // The list no longer shows a, b or w.
    poller.sync(PLATFORM, [makeJob('d')]);
    assert.equal(poller.isTracking(PLATFORM, 'a'), false);
    assert.equal(poller.isTracking(PLATFORM, 'b'), false);
    assert.equal(poller.isTracking(PLATFORM, 'w'), true, 'watched jobs stay');
    assert.equal(poller.isTracking(PLATFORM, 'd'), true);
    assert.equal(poller.isTracking('nyckel', 'other'), true, 'other platforms untouched');

    await clock.advance(5 * MINUTE);
    assert.equal(api.callsFor('a').length, 0);
    assert.equal(api.callsFor('b').length, 0);
    assert.ok(api.callsFor('w').length > 0);
    assert.ok(api.callsFor('d').length > 0);
    assert.ok(api.calls.some((c) => c.platform === 'nyckel' && c.id === 'other'));
  });

  it('never has more polls in flight than the concurrency cap, and still polls every job', async () => {
    const { clock, api, poller } = setup({ concurrency: 2 });
    api.delayMs = 1000;
    poller.setActive(true);
    for (const id of ['a', 'b', 'c', 'd', 'e']) poller.track(makeJob(id));

    await clock.advance(2000);
    assert.equal(api.inFlight, 2);
    await clock.advance(3 * MINUTE);
    assert.equal(api.maxInFlight, 2);
    for (const id of ['a', 'b', 'c', 'd', 'e']) assert.ok(api.callsFor(id).length >= 3, `${id} polled`);
    // While two polls are in flight no timer should spin: only the polls' own timers exist.
    assert.ok(clock.pending <= 3, `pending timers: ${clock.pending}`);
  });

  it('defaults to at most 4 polls in flight', async () => {
    const { clock, api, poller } = setup();
    api.delayMs = 1000;
    poller.setActive(true);
    for (let i = 0; i < 10; i++) poller.track(makeJob(`j${i}`));
    await clock.advance(MINUTE);
    assert.equal(api.maxInFlight, 4);
  });

  it('reports errors via onError and keeps polling (backing off)', async () => {
    const { clock, api, poller, errors, updates } = setup();
    api.failures.set('a', 2);
    poller.setActive(true);
    poller.track(makeJob('a'), true);
    await clock.advance(2000 + 3000);
    assert.equal(errors.length, 2);
    assert.deepEqual(
      errors.map((e) => [e.platform, e.id, (e.error as Error).message]),
      [
        [PLATFORM, 'a', 'poll of a failed'],
        [PLATFORM, 'a', 'poll of a failed'],
      ],
    );
    assert.equal(updates.length, 0);
    assert.equal(poller.isTracking(PLATFORM, 'a'), true);

    await clock.advance(4500);
    assert.deepEqual(api.callsFor('a'), [2000, 5000, 9500]);
    assert.equal(updates.length, 1, 'the third poll succeeded');
    assert.equal(errors.length, 2);
  });

  it('keeps polling after errors without an onError handler', async () => {
    const { clock, api, poller } = setup({ onError: undefined });
    api.failures.set('a', 1);
    poller.setActive(true);
    poller.track(makeJob('a'));
    await clock.advance(2000 + 3000);
    assert.equal(api.callsFor('a').length, 2);
  });

  it('dispose stops polling and forgets every job', async () => {
    const { clock, api, poller } = setup();
    poller.setActive(true);
    poller.track(makeJob('a'));
    poller.dispose();
    assert.equal(poller.size, 0);
    await clock.advance(10 * MINUTE);
    assert.equal(api.calls.length, 0);
  });
});
