// Validates and normalizes the base URLs a user configures. An endpoint receives the user's key,
// so anything surprising (credentials, query, fragment, plain http to another machine) is refused.
// Ids that go into a URL path are checked here too.
import { AiFunctionsError } from './errors';
import type { PlatformId } from './model';

export type UrlCheck = { ok: true; url: string } | { ok: false; reason: string };

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export function normalizeBaseUrl(raw: string): UrlCheck {
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'it is empty' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: `"${value}" is not a URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `it uses ${url.protocol} (only https:// is allowed)` };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return { ok: false, reason: `http:// is only allowed for loopback addresses; use https://${url.host}` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'it contains a user name or password; keys belong in "AI Functions: Set API Key…"' };
  }
  if (url.search !== '' || value.includes('?')) return { ok: false, reason: 'it contains a query (?…)' };
  if (url.hash !== '' || value.includes('#')) return { ok: false, reason: 'it contains a fragment (#…)' };
  const path = url.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${url.protocol}//${url.host}${path}` };
}

/**
 * Whether an id would not stay one path segment of its own: empty, `.` or `..` (spaces around
 * them too). `encodeURIComponent` leaves dots as they are, and URL parsing takes `.` as "this
 * folder" and `..` as "the parent", so such an id would send the request to another path.
 */
export function isUnsafePathSegment(id: string): boolean {
  const trimmed = id.trim();
  return trimmed === '' || trimmed === '.' || trimmed === '..';
}

/**
 * `id` encoded as one URL path segment. Throws 'invalidInput' for an id that would not stay one
 * (see isUnsafePathSegment); `what` names it in the message, e.g. "Sutro job id".
 */
export function pathSegment(id: string, what: string, platform?: PlatformId): string {
  if (isUnsafePathSegment(id)) {
    const trimmed = id.trim();
    const message = trimmed === '' ? `The ${what} is empty.` : `The ${what} "${trimmed}" is not valid.`;
    throw new AiFunctionsError('invalidInput', message, { platform });
  }
  return encodeURIComponent(id);
}
