// An emulator's own limits, as the real service enforces them (Nyckel: 25 requests per second and
// 25 in flight): requests over them get 429. Unlike the faults, they count what was accepted.

import { toRegExp, type Match } from './faults';
import type { Meter } from './recording';

export interface Limits {
  perSecond?: number;
  inFlight?: number;
  /** Only requests whose path matches are limited (default: all API requests). */
  match?: Match;
  /** Retry-After header value for limit rejections (default 1). */
  retryAfter?: number | string;
}

/**
 * Where a request stands: 'none' = not under the limits, 'ok' = within them, 'over' = refuse
 * with 429. `scope` meters the accepted requests under the limits.
 */
export function checkLimits(limits: Limits | undefined, scope: Meter, path: string, now: number): 'none' | 'ok' | 'over' {
  if (!limits) return 'none';
  const match = toRegExp(limits.match);
  if (match && !match.test(path)) return 'none';
  const over =
    (limits.inFlight !== undefined && scope.inFlight >= limits.inFlight) ||
    (limits.perSecond !== undefined && scope.window.count(now) >= limits.perSecond);
  return over ? 'over' : 'ok';
}
