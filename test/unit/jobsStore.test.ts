import assert from 'node:assert/strict';
import { JobsStore, matchesFilter, MAX_JOBS_HELD, type JobFilter, type JobsChange, type JobSource } from '../../src/core/jobsStore';
import type { Job, JobStatus, Page, PageRequest, PlatformId } from '../../src/core/model';
import { settle } from './support';

const PLATFORM: PlatformId = 'sutro';

function makeJob(id: string, status: JobStatus = 'succeeded', extra: Partial<Job> = {}): Job {
  return { platform: PLATFORM, id, status, rawStatus: status.toUpperCase(), raw: {}, ...extra };
}

/** `job-00042`-style ids; a larger number is a newer job. */
const idOf = (n: number): string => `job-${String(n).padStart(5, '0')}`;

/**
 * An in-memory job list, newest first, served in pages. The cursor is either the offset of the
 * next page (`offset`, like APIs that page by position) or the id of the last job served
 * (`after`, keyset paging). It can be told to fail, or to hold its answers until released.
 */
class FakeSource implements JobSource {
  jobs: Job[];
  calls: PageRequest[] = [];
  failWith?: Error;
  private holding = false;
  private held: (() => void)[] = [];

  constructor(
    count: number,
    private readonly cursorKind: 'offset' | 'after' = 'offset',
  ) {
    // Newest first: job-<count> .. job-00001.
    this.jobs = Array.from({ length: count }, (_, i) => makeJob(idOf(count - i)));
  }

  /** Answers from now on wait until `release()`. */
  hold(): void {
    this.holding = true;
  }

  /** Lets every held answer through (in call order) and stops holding. */
  release(): void {
    this.holding = false;
    const held = this.held;
    this.held = [];
    for (const go of held) go();
  }

  /** Lets the held answer at `index` (in call order) through; the others stay held. */
  releaseOne(index: number): void {
    const [go] = this.held.splice(index, 1);
    go();
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** A job created on the server: it becomes the newest. */
  insertNewest(job: Job): void {
    this.jobs.unshift(job);
  }

  async listJobs(page: PageRequest): Promise<Page<Job>> {
    this.calls.push({ ...page });
    // Snapshot what to answer when the call arrives, like a server would.
    const failure = this.failWith;
    const answer = failure ? undefined : this.pageFor(page);
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    if (failure) throw failure;
    return answer!;
  }

  private pageFor({ limit = 50, cursor }: PageRequest): Page<Job> {
    let start = 0;
    if (cursor !== undefined) {
      if (this.cursorKind === 'offset') start = Number(cursor);
      else start = this.jobs.findIndex((job) => job.id === cursor) + 1;
    }
    const items = this.jobs.slice(start, start + limit).map((job) => ({ ...job }));
    const end = start + items.length;
    let nextCursor: string | null = null;
    if (end < this.jobs.length) nextCursor = this.cursorKind === 'offset' ? String(end) : items[items.length - 1].id;
    return { items, nextCursor };
  }
}

function ids(store: JobsStore): string[] {
  return store.get(PLATFORM).jobs.map((job) => job.id);
}

/** The ids job-<from> down to job-<to>, newest first. */
function idRange(from: number, to: number): string[] {
  return Array.from({ length: from - to + 1 }, (_, i) => idOf(from - i));
}

function setup(count: number, pageSize = 10, cursorKind: 'offset' | 'after' = 'offset') {
  const source = new FakeSource(count, cursorKind);
  const store = new JobsStore({ [PLATFORM]: source }, () => pageSize);
  const changes: JobsChange[] = [];
  store.onDidChange((change) => changes.push(change));
  return { source, store, changes };
}

describe('JobsStore', () => {
  describe('refresh', () => {
    it('loads the first page, newest first, and keeps the cursor of the next one', async () => {
      const { source, store } = setup(25, 10);
      assert.equal(store.get(PLATFORM).loaded, false);
      const loading = store.refresh(PLATFORM);
      assert.equal(store.get(PLATFORM).loading, true);
      await loading;

      assert.deepEqual(source.calls, [{ limit: 10 }]);
      const state = store.get(PLATFORM);
      assert.deepEqual(ids(store), idRange(25, 16));
      assert.equal(state.loaded, true);
      assert.equal(state.loading, false);
      assert.equal(state.nextCursor, '10');
      assert.equal(state.error, undefined);
      assert.equal(store.find(PLATFORM, idOf(20))?.id, idOf(20));
      assert.equal(store.find(PLATFORM, idOf(15)), undefined);
    });

    it('has no next cursor when everything fits on the first page', async () => {
      const { store } = setup(3, 10);
      await store.refresh(PLATFORM);
      assert.deepEqual(ids(store), idRange(3, 1));
      assert.equal(store.get(PLATFORM).nextCursor, undefined);
    });

    it('replaces the loaded pages with a fresh first page', async () => {
      const { source, store } = setup(30, 10);
      await store.refresh(PLATFORM);
      await store.loadMore(PLATFORM);
      assert.equal(ids(store).length, 20);
      source.insertNewest(makeJob(idOf(31)));
      await store.refresh(PLATFORM);
      assert.deepEqual(ids(store), idRange(31, 22));
      assert.equal(store.get(PLATFORM).nextCursor, '10');
    });

    it('keeps the last good list and sets error when a refresh fails; the next success clears it', async () => {
      const { source, store } = setup(25, 10);
      await store.refresh(PLATFORM);
      const good = ids(store);

      source.failWith = new Error('502 Bad Gateway');
      await store.refresh(PLATFORM);
      let state = store.get(PLATFORM);
      assert.equal(state.error?.message, '502 Bad Gateway');
      assert.deepEqual(ids(store), good);
      assert.equal(state.loaded, true);
      assert.equal(state.loading, false);

      source.failWith = undefined;
      source.insertNewest(makeJob(idOf(26)));
      await store.refresh(PLATFORM);
      state = store.get(PLATFORM);
      assert.equal(state.error, undefined);
      assert.deepEqual(ids(store), idRange(26, 17));
    });

    it('turns a non-Error rejection into an Error', async () => {
      const source: JobSource = { listJobs: () => Promise.reject('offline') };
      const store = new JobsStore({ [PLATFORM]: source }, () => 10);
      await store.refresh(PLATFORM);
      assert.ok(store.get(PLATFORM).error instanceof Error);
      assert.equal(store.get(PLATFORM).error?.message, 'offline');
    });

    it('emits a list change when loading starts and when it ends', async () => {
      const { store, changes } = setup(5);
      await store.refresh(PLATFORM);
      assert.deepEqual(changes, [{ platform: PLATFORM }, { platform: PLATFORM }]);
    });
  });

  describe('loadMore', () => {
    it('appends the next page and moves the cursor on', async () => {
      const { source, store } = setup(25, 10);
      await store.refresh(PLATFORM);
      await store.loadMore(PLATFORM);
      assert.deepEqual(source.calls, [{ limit: 10 }, { limit: 10, cursor: '10' }]);
      assert.deepEqual(ids(store), idRange(25, 6));
      assert.equal(store.get(PLATFORM).nextCursor, '20');

      await store.loadMore(PLATFORM);
      assert.deepEqual(ids(store), idRange(25, 1));
      assert.equal(store.get(PLATFORM).nextCursor, undefined);

      // Nothing more to load: no request.
      await store.loadMore(PLATFORM);
      assert.equal(source.calls.length, 3);
    });

    it('requests nothing before the first page is loaded', async () => {
      const { source, store } = setup(25, 10);
      await store.loadMore(PLATFORM);
      assert.equal(source.calls.length, 0);
      assert.deepEqual(ids(store), []);
    });

    it('requests the page once for two calls at once (a double click) and adds no duplicates', async () => {
      const { source, store } = setup(25, 10);
      await store.refresh(PLATFORM);
      source.hold();
      const first = store.loadMore(PLATFORM);
      const second = store.loadMore(PLATFORM);
      await settle();
      assert.equal(source.heldCount, 1);
      source.release();
      await Promise.all([first, second]);

      assert.equal(source.calls.length, 2, 'one refresh and one page');
      assert.deepEqual(ids(store), idRange(25, 6));
      assert.equal(new Set(ids(store)).size, ids(store).length);
    });

    it('keeps the list and sets error when a page fails; a retry loads it and clears the error', async () => {
      const { source, store } = setup(25, 10);
      await store.refresh(PLATFORM);
      source.failWith = new Error('timeout');
      await store.loadMore(PLATFORM);
      assert.equal(store.get(PLATFORM).error?.message, 'timeout');
      assert.deepEqual(ids(store), idRange(25, 16));
      assert.equal(store.get(PLATFORM).nextCursor, '10');

      source.failWith = undefined;
      await store.loadMore(PLATFORM);
      assert.equal(store.get(PLATFORM).error, undefined);
      assert.deepEqual(ids(store), idRange(25, 6));
    });

    it('discards a stale page when a refresh starts while it is loading', async () => {
      const { source, store } = setup(25, 10);
      await store.refresh(PLATFORM);
      source.hold();
      const page = store.loadMore(PLATFORM);
      await settle();
      // While page 2 is in flight, a new job appears and the user refreshes.
      source.insertNewest(makeJob(idOf(26)));
      const refresh = store.refresh(PLATFORM);
      await settle();
      assert.equal(source.heldCount, 2);
      // The refresh answers first, then the stale page 2 arrives.
      source.releaseOne(1);
      await refresh;
      source.release();
      await page;

      assert.deepEqual(ids(store), idRange(26, 17), 'only the fresh first page');
      const state = store.get(PLATFORM);
      assert.equal(state.nextCursor, '10');
      assert.equal(state.loading, false);
      assert.equal(state.error, undefined);
    });

    it('stays loading while the refresh that replaced a pending page is still in flight', async () => {
      const { source, store } = setup(25, 10);
      await store.refresh(PLATFORM);
      source.hold();
      const page = store.loadMore(PLATFORM);
      await settle();
      const refresh = store.refresh(PLATFORM);
      await settle();
      // The stale page answers first; the refresh is still out.
      source.releaseOne(0);
      await page;
      assert.equal(store.get(PLATFORM).loading, true);
      void store.loadMore(PLATFORM);
      await settle();
      assert.equal(source.calls.length, 3, 'no page requested while the refresh is loading');
      source.release();
      await refresh;
      assert.equal(store.get(PLATFORM).loading, false);
      assert.deepEqual(ids(store), idRange(25, 16));
    });

    it('ignores the failure of a stale page after a refresh', async () => {
      const { source, store } = setup(25, 10);
      await store.refresh(PLATFORM);
      source.hold();
      source.failWith = new Error('stale failure');
      const page = store.loadMore(PLATFORM);
      await settle();
      source.failWith = undefined;
      const refresh = store.refresh(PLATFORM);
      await settle();
      source.releaseOne(1);
      await refresh;
      source.release();
      await page;
      assert.equal(store.get(PLATFORM).error, undefined);
      assert.deepEqual(ids(store), idRange(25, 16));
    });

    for (const cursorKind of ['offset', 'after'] as const) {
      it(`has no duplicate or gap when a job is created at the front while paging (${cursorKind} cursor)`, async () => {
        const { source, store } = setup(25, 10, cursorKind);
        await store.refresh(PLATFORM);
        source.insertNewest(makeJob(idOf(26)));
        await store.loadMore(PLATFORM);
        source.insertNewest(makeJob(idOf(27)));
        await store.loadAll(PLATFORM);

        const loaded = ids(store);
        assert.equal(new Set(loaded).size, loaded.length, 'no duplicates');
        assert.deepEqual(loaded, idRange(25, 1), 'every job that existed when paging began, in order');

        // The next refresh shows the new ones.
        await store.refresh(PLATFORM);
        assert.deepEqual(ids(store), idRange(27, 18));
      });
    }
  });

  describe('loadAll', () => {
    it('pages through 10,000 jobs: exactly 10,000 unique ids, in order, without a gap', async () => {
      const { source, store } = setup(10_000, 100);
      await store.loadAll(PLATFORM);
      const loaded = ids(store);
      assert.equal(loaded.length, 10_000);
      assert.equal(new Set(loaded).size, 10_000);
      for (let i = 0; i < loaded.length; i++) {
        if (loaded[i] !== idOf(10_000 - i)) assert.fail(`position ${i} holds ${loaded[i]}, expected ${idOf(10_000 - i)}`);
      }
      assert.equal(source.calls.length, 100);
      assert.equal(store.get(PLATFORM).nextCursor, undefined);
      for (let i = 0; i < 10_000; i += 997) assert.equal(store.find(PLATFORM, idOf(10_000 - i))?.id, idOf(10_000 - i));
    });

    it(`holds at most ${MAX_JOBS_HELD.toLocaleString('en-US')} jobs: paging stops there and says it was capped`, async () => {
      const { source, store } = setup(MAX_JOBS_HELD + 1_234, 100);
      await store.loadAll(PLATFORM);
      const state = store.get(PLATFORM);
      assert.equal(state.jobs.length, MAX_JOBS_HELD);
      assert.equal(state.nextCursor, undefined);
      assert.equal(state.capped, true);
      assert.equal(source.calls.length, MAX_JOBS_HELD / 100);
      await store.loadMore(PLATFORM);
      assert.equal(source.calls.length, MAX_JOBS_HELD / 100, 'nothing more is asked for');
    });

    it('cuts the page that crosses a smaller cap, and is not capped when everything fit', async () => {
      const source = new FakeSource(95);
      const store = new JobsStore({ [PLATFORM]: source }, () => 10, 42);
      await store.loadAll(PLATFORM);
      assert.deepEqual(ids(store), idRange(95, 54));
      assert.equal(store.get(PLATFORM).capped, true);
      assert.equal(source.calls.length, 5);

      const { store: small } = setup(30, 10);
      await small.loadAll(PLATFORM);
      assert.equal(small.get(PLATFORM).capped, undefined);
    });

    it('stops at a page that adds no job, though it has a next cursor', async () => {
      let calls = 0;
      const endless: JobSource = {
        listJobs: async () => {
          calls++;
          return { items: calls === 1 ? [makeJob('only')] : [], nextCursor: `c${calls}` };
        },
      };
      const store = new JobsStore({ [PLATFORM]: endless }, () => 10);
      await store.loadAll(PLATFORM);
      assert.deepEqual(ids(store), ['only']);
      assert.equal(calls, 2);
    });

    it('stops at a failing page and keeps what it had', async () => {
      const { source, store } = setup(50, 10);
      await store.refresh(PLATFORM);
      await store.loadMore(PLATFORM);
      source.failWith = new Error('down');
      await store.loadAll(PLATFORM);
      assert.equal(source.calls.length, 3);
      assert.equal(ids(store).length, 20);
      assert.equal(store.get(PLATFORM).error?.message, 'down');
    });
  });

  describe('update', () => {
    it('returns false and emits nothing for an unchanged job', async () => {
      const { store, changes } = setup(5, 10);
      await store.refresh(PLATFORM);
      changes.length = 0;
      const same = { ...store.find(PLATFORM, idOf(3))!, raw: { fetchedAgain: true } };
      assert.equal(store.update(same), false);
      assert.deepEqual(changes, []);
    });

    it('replaces a changed job in place and emits {platform, job}', async () => {
      const { store, changes } = setup(5, 10);
      await store.refresh(PLATFORM);
      changes.length = 0;
      const changed = makeJob(idOf(3), 'failed', { failureReason: 'out of quota' });
      assert.equal(store.update(changed), true);
      assert.deepEqual(changes, [{ platform: PLATFORM, job: changed }]);
      assert.equal(store.find(PLATFORM, idOf(3)), changed);
      assert.deepEqual(ids(store), idRange(5, 1), 'same place');
    });

    for (const [field, value] of [
      ['rawStatus', 'RUNNING'],
      ['completedAt', '2025-01-01T00:00:00Z'],
      ['startedAt', '2025-01-01T00:00:00Z'],
      ['cost', 0.5],
      ['rows', 1000],
      ['outputTokens', 42],
      ['failureReason', 'boom'],
    ] as const) {
      it(`sees a change of ${field}`, async () => {
        const { store } = setup(2, 10);
        await store.refresh(PLATFORM);
        const job = { ...store.find(PLATFORM, idOf(1))!, [field]: value };
        assert.equal(store.update(job), true);
      });
    }

    it('puts an unknown job first and emits a list change', async () => {
      const { store, changes } = setup(5, 10);
      await store.refresh(PLATFORM);
      changes.length = 0;
      const created = makeJob('brand-new', 'queued');
      assert.equal(store.update(created), true);
      assert.deepEqual(changes, [{ platform: PLATFORM }]);
      assert.deepEqual(ids(store), ['brand-new', ...idRange(5, 1)]);
      assert.equal(store.find(PLATFORM, idOf(1))?.id, idOf(1), 'index follows the shift');
    });
  });

  describe('unfinished', () => {
    it('lists the queued, running, paused and unknown jobs, in order', async () => {
      const source: JobSource = {
        listJobs: async () => ({
          items: [
            makeJob('a', 'running'),
            makeJob('b', 'succeeded'),
            makeJob('c', 'queued'),
            makeJob('d', 'failed'),
            makeJob('e', 'paused'),
            makeJob('f', 'cancelled'),
            makeJob('g', 'unknown'),
          ],
        }),
      };
      const store = new JobsStore({ [PLATFORM]: source }, () => 10);
      await store.refresh(PLATFORM);
      assert.deepEqual(
        store.unfinished(PLATFORM).map((job) => job.id),
        ['a', 'c', 'e', 'g'],
      );
    });
  });

  describe('matchesFilter', () => {
    const expected: Record<JobStatus, JobFilter[]> = {
      queued: ['all', 'running'],
      running: ['all', 'running'],
      paused: ['all', 'running'],
      succeeded: ['all', 'succeeded'],
      failed: ['all', 'failed'],
      cancelled: ['all', 'failed'],
      unknown: ['all'],
    };
    const filters: JobFilter[] = ['all', 'running', 'succeeded', 'failed'];
    for (const [status, matching] of Object.entries(expected) as [JobStatus, JobFilter[]][]) {
      it(`a ${status} job matches ${matching.join(' and ')} only`, () => {
        const job = makeJob('x', status);
        assert.deepEqual(
          filters.filter((filter) => matchesFilter(job, filter)),
          matching,
        );
      });
    }
  });

  it('a platform without a source is an empty, loaded list', async () => {
    const store = new JobsStore({}, () => 10);
    await store.refresh('nyckel');
    assert.deepEqual(store.get('nyckel').jobs, []);
    assert.equal(store.get('nyckel').loaded, true);
  });
});
