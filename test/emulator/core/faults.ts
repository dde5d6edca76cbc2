// The fault knobs (`emu.x.faults`, `/__emulator/faults`): which fault, if any, answers a request.
//
// Per API request at most one answering fault fires: `unavailable`, then the counted faults in
// the order hang, drop, rateLimit, serverError, malformed, wrongShape, largeBody, then `random`.
// Only the fault that fires is decremented, so several counted faults fire one after another.
// `latencyMs` and `latency` delay every answer, faults and 429s included.
//
// Shaping faults: counted faults (`count`, `match`, `method` as above) that do not answer a
// request themselves: the platform takes one when it builds a successful reply of a matching
// endpoint (after auth and validation), so only such replies use up the count. They work with
// or without `hostile`, are recorded as the request's `fault` (and in stats.faulted), and are
// cleared like the others:
//   `deepNesting {count, depth = 10000}` — the next run/result replies carry a value nested
//      `depth` levels (`{"a":{"a":…"end"…}}`, still valid JSON): Sutro runs (`output`) and
//      job-results (`outputs[0]`), Nyckel invokes (`labelMetadata`; of the first tag on v0.9),
//      Inferable GET run of a done run (`result`);
//   `hugePage {count, items = 20000}` — the next listing holds `items` synthetic entries: Sutro
//      list-jobs (no next_cursor) and Inferable runs in one page, limit ignored; Inferable
//      services gain a service of `items` functions; Nyckel functions/labels become a chain of
//      `Link: rel="next"` pages of batchSize (`items: 1e9` is endless; reset ends it);
//   `oddIds {count}` — the next listing starts with entries whose ids are `ODD_IDS` ('.', '..',
//      '', '../../x', ids with '/', '?', '#', '%', '\'; Nyckel leaves out '', its schema needs one
//      character): Sutro list-jobs, Nyckel functions/labels, Inferable runs.

import { prng } from './deterministic';
import { isPlainObject } from './http';

export type Match = string | RegExp;

export function toRegExp(match: Match | undefined): RegExp | undefined {
  if (match === undefined || match === '') return undefined;
  return match instanceof RegExp ? match : new RegExp(match);
}

export interface CountedFaultSpec {
  /** How many matching requests get the fault (default 1). */
  count?: number;
  /** Only requests whose path matches this regex (string or RegExp). */
  match?: Match;
  /** Only requests with this method. */
  method?: string;
}

export interface FaultSpec {
  /** Added before answering every API request. */
  latencyMs?: number;
  latency?: { ms: number; match?: Match };
  rateLimit?: CountedFaultSpec & { retryAfter?: number | string };
  serverError?: CountedFaultSpec & { status?: number; retryAfter?: number | string };
  drop?: CountedFaultSpec;
  malformed?: CountedFaultSpec;
  wrongShape?: CountedFaultSpec;
  hang?: CountedFaultSpec;
  largeBody?: CountedFaultSpec & { bytes: number };
  /** Shaping: the next run/result replies carry a value nested `depth` levels (default 10,000). */
  deepNesting?: CountedFaultSpec & { depth?: number };
  /** Shaping: the next listing holds `items` synthetic entries (default 20,000). */
  hugePage?: CountedFaultSpec & { items?: number };
  /** Shaping: the next listing starts with entries whose ids are `ODD_IDS`. */
  oddIds?: CountedFaultSpec;
  /** Seeded, deterministic: per matching request one draw picks a fault by these probabilities. */
  random?: {
    seed: number;
    rates: Partial<Record<'429' | '500' | '502' | '503' | '504' | 'drop' | 'malformed', number>>;
    retryAfter?: number | string;
    match?: Match;
  };
  /** Every API request gets 503 until cleared. */
  unavailable?: boolean;
}

export interface FaultControl {
  /** Merges these knobs into the current ones (a knob given again replaces the earlier one). */
  set(spec: FaultSpec): void;
  /** Removes every fault. */
  clear(): void;
  /** The current knobs, with the remaining counts. */
  get(): FaultSpec;
}

const COUNTED = ['hang', 'drop', 'rateLimit', 'serverError', 'malformed', 'wrongShape', 'largeBody'] as const;
/** Counted faults that shape a platform's reply instead of answering (see `Emulator.takeShaping`). */
const SHAPING = ['deepNesting', 'hugePage', 'oddIds'] as const;
type CountedKind = (typeof COUNTED)[number] | ShapingKind;
export type ShapingKind = (typeof SHAPING)[number];

interface ActiveCounted {
  spec: Record<string, unknown>;
  remaining: number;
  match?: RegExp;
  method?: string;
}

/** The answering fault picked for a request. */
export type Decision =
  | { kind: 'hang' | 'drop' | 'malformed' | 'wrongShape'; name: string }
  | { kind: 'status'; name: string; status: number; message: string; retryAfter?: number | string }
  | { kind: 'largeBody'; name: string; bytes: number };

export const STATUS_MESSAGES: Record<number, string> = {
  429: 'Rate limit exceeded',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/** The body of the `malformed` fault: JSON cut short. */
export const MALFORMED_BODY = '{"status": "ok", "data": [{"label": "qualif';

export class Faults implements FaultControl {
  latencyMs = 0;
  latency?: { ms: number; match?: RegExp };
  unavailable = false;
  counted = new Map<CountedKind, ActiveCounted>();
  random?: { spec: NonNullable<FaultSpec['random']>; next: () => number; match?: RegExp };
  /** A counted `largeBody` answers the same size several times: build the megabytes once. */
  private largeBodyCache: { bytes: number; text: string } | undefined;

  set(spec: FaultSpec): void {
    if (!isPlainObject(spec as unknown)) throw new Error('faults must be an object');
    if (spec.latencyMs !== undefined) this.latencyMs = Number(spec.latencyMs) || 0;
    if (spec.latency !== undefined) {
      this.latency = spec.latency ? { ms: Number(spec.latency.ms) || 0, match: toRegExp(spec.latency.match) } : undefined;
    }
    if (spec.unavailable !== undefined) this.unavailable = Boolean(spec.unavailable);
    for (const kind of [...COUNTED, ...SHAPING]) {
      const value = spec[kind] as (CountedFaultSpec & Record<string, unknown>) | null | undefined;
      if (value === undefined) continue;
      if (value === null) {
        this.counted.delete(kind);
        continue;
      }
      if (!isPlainObject(value)) throw new Error(`${kind} must be an object`);
      const count = value.count === undefined ? 1 : Number(value.count);
      if (!Number.isFinite(count) || count < 0) throw new Error(`${kind}.count must be a number >= 0`);
      if (kind === 'largeBody' && !(Number(value.bytes) >= 0)) throw new Error('largeBody.bytes is required');
      if (kind === 'deepNesting' && value.depth !== undefined && !(Number(value.depth) >= 1)) throw new Error('deepNesting.depth must be a number >= 1');
      if (kind === 'hugePage' && value.items !== undefined && !(Number(value.items) >= 0)) throw new Error('hugePage.items must be a number >= 0');
      this.counted.set(kind, {
        spec: { ...value },
        remaining: count,
        match: toRegExp(value.match),
        method: typeof value.method === 'string' ? value.method.toUpperCase() : undefined,
      });
    }
    if (spec.random !== undefined) {
      if (spec.random === null) this.random = undefined;
      else {
        if (!isPlainObject(spec.random) || !isPlainObject(spec.random.rates)) throw new Error('random needs {seed, rates}');
        this.random = { spec: { ...spec.random }, next: prng(Number(spec.random.seed) || 0), match: toRegExp(spec.random.match) };
      }
    }
  }

  clear(): void {
    this.latencyMs = 0;
    this.latency = undefined;
    this.unavailable = false;
    this.counted.clear();
    this.random = undefined;
  }

  get(): FaultSpec {
    const out: Record<string, unknown> = {};
    if (this.latencyMs) out.latencyMs = this.latencyMs;
    if (this.latency) out.latency = { ms: this.latency.ms, match: this.latency.match?.source };
    if (this.unavailable) out.unavailable = true;
    for (const [kind, active] of this.counted) {
      out[kind] = { ...active.spec, match: active.match?.source, count: active.remaining };
    }
    if (this.random) out.random = { ...this.random.spec, match: this.random.match?.source };
    return out as FaultSpec;
  }

  latencyFor(path: string): number {
    let ms = this.latencyMs;
    if (this.latency && (!this.latency.match || this.latency.match.test(path))) ms += this.latency.ms;
    return ms;
  }

  /** Uses up one of a shaping fault that matches; its knobs, or undefined. */
  take(kind: ShapingKind, method: string, path: string): Record<string, unknown> | undefined {
    const active = this.counted.get(kind);
    if (!active || active.remaining <= 0) return undefined;
    if (active.match && !active.match.test(path)) return undefined;
    if (active.method && active.method !== method) return undefined;
    active.remaining--;
    return active.spec;
  }

  /** The answering fault for this request, if one fires (and uses it up). */
  decide(method: string, path: string): Decision | undefined {
    if (this.unavailable) return { kind: 'status', name: 'unavailable', status: 503, message: STATUS_MESSAGES[503] };
    if (this.counted.size > 0) {
      for (const kind of COUNTED) {
        const active = this.counted.get(kind);
        if (!active || active.remaining <= 0) continue;
        if (active.match && !active.match.test(path)) continue;
        if (active.method && active.method !== method) continue;
        active.remaining--;
        const s = active.spec;
        switch (kind) {
          case 'rateLimit':
            return { kind: 'status', name: kind, status: 429, message: STATUS_MESSAGES[429], retryAfter: (s.retryAfter as number | string | undefined) ?? 1 };
          case 'serverError': {
            const status = Number(s.status ?? 503);
            return { kind: 'status', name: kind, status, message: STATUS_MESSAGES[status] ?? 'Server error', retryAfter: s.retryAfter as number | string | undefined };
          }
          case 'largeBody':
            return { kind: 'largeBody', name: kind, bytes: Number(s.bytes) };
          default:
            return { kind, name: kind };
        }
      }
    }
    const random = this.random;
    if (random && (!random.match || random.match.test(path))) {
      const r = random.next();
      let acc = 0;
      for (const [key, rate] of Object.entries(random.spec.rates)) {
        acc += Number(rate) || 0;
        if (r >= acc) continue;
        const name = `random:${key}`;
        if (key === 'drop') return { kind: 'drop', name };
        if (key === 'malformed') return { kind: 'malformed', name };
        const status = Number(key);
        return {
          kind: 'status',
          name,
          status,
          message: STATUS_MESSAGES[status] ?? 'Server error',
          retryAfter: status === 429 ? (random.spec.retryAfter ?? 1) : random.spec.retryAfter,
        };
      }
    }
    return undefined;
  }

  /** The body of the `largeBody` fault: `{"padding":"xxx…"}` of `bytes` bytes. */
  largeBody(bytes: number): string {
    if (this.largeBodyCache?.bytes === bytes) return this.largeBodyCache.text;
    const overhead = '{"padding":""}'.length;
    const text = `{"padding":"${'x'.repeat(Math.max(0, bytes - overhead))}"}`;
    this.largeBodyCache = { bytes, text };
    return text;
  }
}
