// Polls the jobs that are not finished, each on its own backing-off interval, while polling is
// active. A job leaves the poller when it reaches a terminal state.
import { isTerminal, type Job, type PlatformId } from './model';

export interface JobPollerOptions {
  getJob(platform: PlatformId, id: string): Promise<Job>;
  /** Called with every fresh copy of a polled job. */
  onUpdate(job: Job): void;
  /** Called once when a watched job reaches a terminal state. */
  onFinished(job: Job): void;
  onError?(platform: PlatformId, id: string, error: unknown): void;
  firstIntervalMs?: number;
  maxIntervalMs?: number;
  /** How many polls may be in flight at once. */
  concurrency?: number;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => { cancel(): void };
}

interface Entry {
  platform: PlatformId;
  id: string;
  dueAt: number;
  intervalMs: number;
  watched: boolean;
  inFlight: boolean;
}

const key = (platform: PlatformId, id: string) => `${platform}\u0000${id}`;

export class JobPoller {
  private readonly entries = new Map<string, Entry>();
  private timer?: { cancel(): void };
  private active = false;
  /** While only watched jobs may be polled (the view is hidden). */
  private watchedOnly = false;
  private inFlight = 0;
  private disposed = false;
  private readonly firstIntervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => { cancel(): void };

  constructor(private readonly options: JobPollerOptions) {
    this.firstIntervalMs = options.firstIntervalMs ?? 2000;
    this.maxIntervalMs = options.maxIntervalMs ?? 30_000;
    this.concurrency = options.concurrency ?? 4;
    this.now = options.now ?? Date.now;
    this.setTimer =
      options.setTimer ??
      ((callback, ms) => {
        const handle = setTimeout(callback, ms);
        return { cancel: () => clearTimeout(handle) };
      });
  }

  /** Polls `job` until it finishes. `watched` jobs also report when they finish. */
  track(job: Job, watched = false): void {
    if (isTerminal(job.status)) return;
    const existing = this.entries.get(key(job.platform, job.id));
    if (existing) {
      existing.watched ||= watched;
      if (watched) existing.dueAt = Math.min(existing.dueAt, this.now() + this.firstIntervalMs);
    } else {
      this.entries.set(key(job.platform, job.id), {
        platform: job.platform,
        id: job.id,
        dueAt: this.now() + this.firstIntervalMs,
        intervalMs: this.firstIntervalMs,
        watched,
        inFlight: false,
      });
    }
    this.schedule();
  }

  /** Tracks the unfinished ones among `jobs` and forgets unwatched jobs no longer listed. */
  sync(platform: PlatformId, jobs: readonly Job[]): void {
    const listed = new Set(jobs.map((job) => job.id));
    for (const [k, entry] of this.entries) {
      if (entry.platform === platform && !entry.watched && !listed.has(entry.id)) this.entries.delete(k);
    }
    for (const job of jobs) this.track(job);
  }

  isTracking(platform: PlatformId, id: string): boolean {
    return this.entries.has(key(platform, id));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Polling runs only while active (view visible and window focused, setting on). */
  setActive(active: boolean, watchedOnly = false): void {
    this.active = active;
    this.watchedOnly = watchedOnly;
    if (!active) {
      this.timer?.cancel();
      this.timer = undefined;
    } else {
      this.schedule();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.active = false;
    this.timer?.cancel();
    this.entries.clear();
  }

  private eligible(entry: Entry): boolean {
    return !entry.inFlight && (!this.watchedOnly || entry.watched);
  }

  private schedule(): void {
    this.timer?.cancel();
    this.timer = undefined;
    // At the cap, the poll that finishes first reschedules; a timer now would only spin.
    if (!this.active || this.inFlight >= this.concurrency) return;
    let next = Infinity;
    for (const entry of this.entries.values()) if (this.eligible(entry)) next = Math.min(next, entry.dueAt);
    if (next === Infinity) return;
    this.timer = this.setTimer(() => this.tick(), Math.max(0, next - this.now()));
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.active) return;
    const now = this.now();
    const due = [...this.entries.values()].filter((e) => this.eligible(e) && e.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
    for (const entry of due) {
      if (this.inFlight >= this.concurrency) break;
      void this.poll(entry);
    }
    this.schedule();
  }

  private async poll(entry: Entry): Promise<void> {
    entry.inFlight = true;
    this.inFlight++;
    try {
      const job = await this.options.getJob(entry.platform, entry.id);
      if (this.disposed) return;
      this.options.onUpdate(job);
      if (isTerminal(job.status)) {
        this.entries.delete(key(entry.platform, entry.id));
        if (entry.watched) this.options.onFinished(job);
      }
    } catch (error) {
      this.options.onError?.(entry.platform, entry.id, error);
    } finally {
      entry.inFlight = false;
      this.inFlight--;
      entry.intervalMs = Math.min(this.maxIntervalMs, Math.round(entry.intervalMs * 1.5));
      entry.dueAt = this.now() + entry.intervalMs;
      this.schedule();
    }
  }
}
