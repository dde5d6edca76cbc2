// Validates and normalizes the base URLs a user configures. An endpoint receives the user's key,
// so anything surprising (credentials, query, fragment, plain http to another machine) is refused.

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
