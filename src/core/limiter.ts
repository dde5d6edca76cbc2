// A FIFO rate limiter: at most `maxInFlight` tasks running and at most `maxPerSecond` task starts
// in any sliding window of `windowMs` (1 s by default). One limiter is shared by every request to
// a platform (single runs and many-rows work alike), so together they stay under its limits.
// A task is one send: the HttpClient runs every send of a request, retries included, as a task
// of its own, so each is counted, and a 429 holds every start back for the wait (holdOff).
import { setTimeout as delay } from 'node:timers/promises';
import { cancelledError } from './errors';
import type { PlatformId } from './model';

export interface RateLimiterOptions {
  maxInFlight: number;
  maxPerSecond: number;
  /**
   * The sliding window the start limit applies to. Default 1000 ms. A platform that counts
   * arrivals rather than our starts may want a little more, to absorb network jitter.
   */
  windowMs?: number;
  /**
   * The least time between two starts. Spacing starts evenly keeps a stall of the event loop
   * from releasing a burst that the platform, counting arrivals, would refuse. Default 0.
   */
  minIntervalMs?: number;
  /** Monotonic clock in ms. Default `performance.now()`. */
  now?: () => number;
  /** Waits until the window has room again. Default: a plain timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Named in the cancelled error of a waiting task. */
  platform?: PlatformId;
}

export interface RunOptions {
  /**
   * Goes ahead of every waiting task (still within both limits). For work all the others wait
   * for, such as renewing an access token.
   */
  first?: boolean;
}

interface Waiter {
  grant: () => void;
}

const defaultSleep = (ms: number): Promise<void> => delay(ms);

export class RateLimiter {
  readonly maxInFlight: number;
  readonly maxPerSecond: number;
  readonly windowMs: number;
  readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly platform?: PlatformId;
  /** The start times of the last `maxPerSecond` starts, as a ring; `next` is the oldest. */
  private readonly starts: number[];
  private next = 0;
  private running = 0;
  /** FIFO; `head` avoids shifting the array on every grant. */
  private queue: Waiter[] = [];
  private head = 0;
  private waking = false;
  /** No start before this time (set by holdOff). */
  private heldUntil = -Infinity;

  constructor(options: RateLimiterOptions) {
    if (!(options.maxInFlight >= 1) || !(options.maxPerSecond >= 1)) {
      throw new RangeError('RateLimiter needs maxInFlight >= 1 and maxPerSecond >= 1');
    }
    this.maxInFlight = Math.floor(options.maxInFlight);
    this.maxPerSecond = Math.floor(options.maxPerSecond);
    this.windowMs = options.windowMs ?? 1000;
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? defaultSleep;
    this.platform = options.platform;
    this.starts = new Array<number>(this.maxPerSecond).fill(-Infinity);
  }

  /** Tasks running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Tasks waiting for their turn. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /**
   * Runs `task` when both limits allow, after every task queued before it. A task still waiting
   * when `signal` aborts leaves the queue at once and rejects as cancelled; a task already
   * running gets the signal itself (pass it on to the request).
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal, options: RunOptions = {}): Promise<T> {
    if (signal?.aborted) return Promise.reject(cancelledError(this.platform));
    // Fast path: nobody waiting and room now, so no queue entry, listener or timer.
    if (this.queued === 0 && this.roomAt(this.now())) {
      this.begin();
      return this.execute(task);
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.remove(waiter);
        reject(cancelledError(this.platform));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (options.first) this.queue.splice(this.head, 0, waiter);
      else this.queue.push(waiter);
      this.pump();
    }).then(() => this.execute(task));
  }

  /**
   * The platform answered 429: no task starts for `ms` (the platform throttles the account, not
   * one request, so every send waits, the refused one included when it queues again).
   */
  holdOff(ms: number): void {
    this.heldUntil = Math.max(this.heldUntil, this.now() + ms);
  }

  private roomAt(now: number): boolean {
    return this.running < this.maxInFlight && this.waitAt(now) <= 0;
  }

  /** How long until the window, the spacing and a hold allow another start (≤ 0: now). */
  private waitAt(now: number): number {
    const last = this.starts[(this.next + this.maxPerSecond - 1) % this.maxPerSecond]!;
    return Math.max(this.starts[this.next]! + this.windowMs - now, last + this.minIntervalMs - now, this.heldUntil - now);
  }

  /** Counts a start (the caller has checked there is room). */
  private begin(): void {
    this.running++;
    this.starts[this.next] = this.now();
    this.next = (this.next + 1) % this.maxPerSecond;
  }

  private async execute<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      this.running--;
      this.pump();
    }
  }

  /** Grants waiting tasks in order while there is room; sleeps until the window opens if not. */
  private pump(): void {
    while (this.queued > 0) {
      const now = this.now();
      if (this.running >= this.maxInFlight) return; // a finishing task pumps again
      if (!this.roomAt(now)) {
        this.wakeAfter(this.waitAt(now));
        return;
      }
      const waiter = this.queue[this.head]!;
      this.queue[this.head] = undefined as unknown as Waiter;
      this.head++;
      this.compact();
      this.begin();
      waiter.grant();
    }
  }

  private wakeAfter(ms: number): void {
    if (this.waking) return;
    this.waking = true;
    void this.sleep(Math.max(1, Math.ceil(ms))).then(() => {
      this.waking = false;
      this.pump();
    });
  }

  private remove(waiter: Waiter): void {
    const i = this.queue.indexOf(waiter, this.head);
    if (i < 0) return;
    this.queue.splice(i, 1);
    this.compact();
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
