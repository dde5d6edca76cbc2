// What an emulator remembers of its traffic: the API requests it received (for `requestsTo()` and
// `GET /__emulator/requests`) and the counts behind `stats()`. Control requests are never here.

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ParsedRequest, Query } from './http';

export interface RecordedRequest {
  /** Sequence number since the emulator started (or was reset); use with `?since=`. */
  index: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Query;
  headers: IncomingHttpHeaders;
  /** Raw body ('' when `recordBodies` is false). */
  body: string;
  /** Parsed body when it was JSON or form-encoded (undefined when `recordBodies` is false). */
  parsed?: unknown;
  /** Epoch milliseconds when the request arrived. */
  time: number;
  /** Status answered (undefined while pending, 0 when the socket was dropped or hung). */
  status?: number;
  /** The fault that answered it, if any ('rateLimit', 'drop', 'random:503', 'limit', …). */
  fault?: string;
}

export class Recorder {
  /** Every API request received, oldest first. */
  requests: RecordedRequest[] = [];
  private nextIndex = 0;
  /** The record of each request being answered, so a platform's reply can mark it (shaping faults). */
  private readonly recordOf = new WeakMap<IncomingMessage, RecordedRequest>();

  constructor(
    /** Keep request bodies. */
    private readonly recordBodies: boolean,
    /** Keep at most this many; past it the oldest 10% are dropped. */
    private readonly maxRecorded: number,
  ) {}

  record(raw: IncomingMessage, req: ParsedRequest, now: number): RecordedRequest {
    const record: RecordedRequest = {
      index: this.nextIndex++,
      method: req.method,
      path: req.path,
      query: req.query,
      headers: raw.headers,
      body: this.recordBodies ? req.body : '',
      parsed: this.recordBodies ? (req.form ?? req.json) : undefined,
      time: now,
    };
    this.requests.push(record);
    this.recordOf.set(raw, record);
    if (this.requests.length > this.maxRecorded) this.requests.splice(0, this.requests.length - Math.floor(this.maxRecorded * 0.9));
    return record;
  }

  of(raw: IncomingMessage): RecordedRequest | undefined {
    return this.recordOf.get(raw);
  }

  /** Recorded requests whose path matches (string = exact path, or a RegExp). */
  to(path: string | RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter(
      (r) => (typeof path === 'string' ? r.path === path : path.test(r.path)) && (!method || r.method === method),
    );
  }

  clear(): void {
    this.requests = [];
  }

  /** Forgets every request and numbers from 0 again. */
  reset(): void {
    this.requests = [];
    this.nextIndex = 0;
  }
}

// ------------------------------------------------------------------------------------------------
// Statistics

export interface WindowStats {
  total: number;
  maxInFlight: number;
  maxPerSecond: number;
}

export interface EmulatorStats extends WindowStats {
  inFlight: number;
  /** Requests that passed the faults and the emulator's limits (what a real server would serve). */
  accepted: WindowStats;
  /** Requests refused by the emulator's own limits (429). */
  limited: number;
  /** Requests answered by an injected fault. */
  faulted: number;
  [extra: string]: unknown;
}

/** Counts events in a sliding one-second window. */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  count(now: number): number {
    const times = this.times;
    while (this.head < times.length && times[this.head] <= now - 1000) this.head++;
    if (this.head > 4096 && this.head * 2 > times.length) {
      this.times = times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  add(now: number): number {
    this.times.push(now);
    return this.count(now);
  }

  clear(): void {
    this.times = [];
    this.head = 0;
  }
}

export class Meter {
  total = 0;
  inFlight = 0;
  maxInFlight = 0;
  maxPerSecond = 0;
  readonly window = new SlidingWindow();

  enter(now: number): void {
    this.total++;
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    const perSecond = this.window.add(now);
    if (perSecond > this.maxPerSecond) this.maxPerSecond = perSecond;
  }

  leave(): void {
    this.inFlight--;
  }

  resetStats(): void {
    this.total = 0;
    this.maxInFlight = this.inFlight;
    this.maxPerSecond = 0;
    this.window.clear();
  }

  snapshot(): WindowStats {
    return { total: this.total, maxInFlight: this.maxInFlight, maxPerSecond: this.maxPerSecond };
  }
}

/** The meters and counters behind `stats()`. */
export class Traffic {
  /** Every API request. */
  readonly all = new Meter();
  /** Requests that passed the faults and the limits. */
  readonly accepted = new Meter();
  /** Accepted requests that fall under the emulator's limits (what the limits count). */
  readonly limitedScope = new Meter();
  limited = 0;
  faulted = 0;

  reset(): void {
    this.all.resetStats();
    this.accepted.resetStats();
    this.limitedScope.resetStats();
    this.limited = 0;
    this.faulted = 0;
  }

  stats(extra: Record<string, unknown>): EmulatorStats {
    return {
      ...this.all.snapshot(),
      inFlight: this.all.inFlight,
      accepted: this.accepted.snapshot(),
      limited: this.limited,
      faulted: this.faulted,
      ...extra,
    };
  }
}
