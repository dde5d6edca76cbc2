// The Jobs view's model: per platform, the jobs loaded so far (newest first), the cursor of the
// next page, the last error, and a lock so a page is never requested twice at once.
import { isTerminal, type Job, type JobStatus, type Page, type PageRequest, type PlatformId } from './model';

export type JobFilter = 'all' | 'running' | 'succeeded' | 'failed';

const FILTER_STATUSES: Record<Exclude<JobFilter, 'all'>, ReadonlySet<JobStatus>> = {
  running: new Set(['queued', 'running', 'paused']),
  succeeded: new Set(['succeeded']),
  failed: new Set(['failed', 'cancelled']),
};

export function matchesFilter(job: Job, filter: JobFilter): boolean {
  return filter === 'all' || FILTER_STATUSES[filter].has(job.status);
}

/**
 * The most jobs held per platform: far more than the view is useful with, and a bound on the
 * memory a server that keeps sending pages can take. Paging stops there.
 */
export const MAX_JOBS_HELD = 20_000;

export interface JobSource {
  listJobs(page: PageRequest, signal?: AbortSignal): Promise<Page<Job>>;
}

export interface PlatformJobs {
  readonly jobs: readonly Job[];
  /** Set while another page can be loaded. */
  readonly nextCursor?: string;
  readonly loaded: boolean;
  readonly loading: boolean;
  /** The last refresh or page load that failed; the jobs above are the last good ones. */
  readonly error?: Error;
  /** Set when paging stopped at the most jobs held (MAX_JOBS_HELD) though the platform had more. */
  readonly capped?: boolean;
}

export type JobsChange = { platform: PlatformId; job?: Job };

interface MutableState {
  jobs: Job[];
  index: Map<string, number>;
  nextCursor?: string;
  loaded: boolean;
  error?: Error;
  capped?: boolean;
  pending?: Promise<void>;
  generation: number;
}

export class JobsStore {
  private readonly states = new Map<PlatformId, MutableState>();
  private readonly listeners = new Set<(change: JobsChange) => void>();

  constructor(
    private readonly sources: Partial<Record<PlatformId, JobSource>>,
    private readonly pageSize: () => number,
    private readonly maxJobs = MAX_JOBS_HELD,
  ) {}

  /** Fires with `job` when only that job changed, without it when the platform's list changed. */
  onDidChange(listener: (change: JobsChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get(platform: PlatformId): PlatformJobs {
    const state = this.state(platform);
    return {
      jobs: state.jobs,
      nextCursor: state.nextCursor,
      loaded: state.loaded,
      loading: state.pending !== undefined,
      error: state.error,
      ...(state.capped ? { capped: true } : {}),
    };
  }

  find(platform: PlatformId, id: string): Job | undefined {
    const state = this.state(platform);
    const at = state.index.get(id);
    return at === undefined ? undefined : state.jobs[at];
  }

  /** Loads the first page again. On failure the last good list stays and the error is kept. */
  refresh(platform: PlatformId): Promise<void> {
    const state = this.state(platform);
    state.generation++;
    const generation = state.generation;
    const load = this.fetch(platform, {}).then(
      (page) => {
        if (generation !== state.generation) return;
        state.jobs = [];
        state.index.clear();
        this.append(state, page);
        state.loaded = true;
        state.error = undefined;
      },
      (error: unknown) => {
        if (generation === state.generation) state.error = asError(error);
      },
    );
    return this.track(platform, state, load);
  }

  /** Loads the next page. A second call while one is loading returns the same promise. */
  loadMore(platform: PlatformId): Promise<void> {
    const state = this.state(platform);
    if (state.pending) return state.pending;
    const cursor = state.nextCursor;
    if (!cursor) return Promise.resolve();
    const generation = state.generation;
    const load = this.fetch(platform, { cursor }).then(
      (page) => {
        if (generation !== state.generation) return;
        this.append(state, page);
        state.error = undefined;
      },
      (error: unknown) => {
        if (generation === state.generation) state.error = asError(error);
      },
    );
    return this.track(platform, state, load);
  }

  /**
   * Loads every remaining page (used by Open Job… and benchmarks), up to the most jobs held. A
   * page that adds no job ends it: a server could otherwise send new cursors without end.
   */
  async loadAll(platform: PlatformId): Promise<void> {
    const state = this.state(platform);
    if (!state.loaded || state.error) await this.refresh(platform);
    for (;;) {
      const current = this.state(platform);
      if (!current.nextCursor || current.error) return;
      const held = current.jobs.length;
      await this.loadMore(platform);
      if (this.state(platform).jobs.length === held) return;
    }
  }

  /** Puts a fresh copy of one job in place; returns true when something the user sees changed. */
  update(job: Job): boolean {
    const state = this.state(job.platform);
    const at = state.index.get(job.id);
    if (at === undefined) {
      state.jobs.unshift(job);
      state.index.clear();
      state.jobs.forEach((j, i) => state.index.set(j.id, i));
      this.emit({ platform: job.platform });
      return true;
    }
    const before = state.jobs[at];
    if (sameJob(before, job)) return false;
    state.jobs[at] = job;
    this.emit({ platform: job.platform, job });
    return true;
  }

  /** Jobs that are not finished yet, for the poller. */
  unfinished(platform: PlatformId): Job[] {
    return this.state(platform).jobs.filter((job) => !isTerminal(job.status));
  }

  clear(platform: PlatformId): void {
    this.states.delete(platform);
    this.emit({ platform });
  }

  private fetch(platform: PlatformId, page: { cursor?: string }): Promise<Page<Job>> {
    const source = this.sources[platform];
    if (!source) return Promise.resolve({ items: [] });
    return source.listJobs({ limit: this.pageSize(), ...page });
  }

  private append(state: MutableState, page: Page<Job>): void {
    let full = false;
    for (const job of page.items) {
      // A job that moved to an earlier page while we paged is kept once, at its first place.
      if (state.index.has(job.id)) continue;
      if (state.jobs.length >= this.maxJobs) {
        full = true;
        break;
      }
      state.index.set(job.id, state.jobs.length);
      state.jobs.push(job);
    }
    const more = page.nextCursor ?? undefined;
    state.capped = full || (more !== undefined && state.jobs.length >= this.maxJobs);
    state.nextCursor = state.capped ? undefined : more;
  }

  private track(platform: PlatformId, state: MutableState, load: Promise<void>): Promise<void> {
    const pending = load.finally(() => {
      if (state.pending === pending) state.pending = undefined;
      this.emit({ platform });
    });
    state.pending = pending;
    this.emit({ platform });
    return pending;
  }

  private state(platform: PlatformId): MutableState {
    let state = this.states.get(platform);
    if (!state) {
      state = { jobs: [], index: new Map(), loaded: false, generation: 0 };
      this.states.set(platform, state);
    }
    return state;
  }

  private emit(change: JobsChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function sameJob(a: Job, b: Job): boolean {
  return (
    a.rawStatus === b.rawStatus &&
    a.completedAt === b.completedAt &&
    a.startedAt === b.startedAt &&
    a.cost === b.cost &&
    a.rows === b.rows &&
    a.outputTokens === b.outputTokens &&
    a.failureReason === b.failureReason
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
