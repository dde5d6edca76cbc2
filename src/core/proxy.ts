// Which proxy, if any, a request goes through. Plain data in, plain data out: the extension reads
// VS Code's `http.proxy`, `http.noProxy`, `http.proxyStrictSSL` and `http.proxyAuthorization`
// from user settings and hands them to the HttpClient as ProxySettings; without `http.proxy`, the
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables decide. Loopback is never proxied.
//
// core/http.ts asks only proxyConfigured() on every request; the rest runs in core/proxyAgents.ts,
// which it loads once a proxy is configured at all.
import { createHash } from 'node:crypto';
import { isLoopbackHost } from './urls';

/**
 * VS Code's proxy settings (`http.<name>`), as the user wrote them in user settings (workspace
 * values never reach here). settings.json holds any JSON, so each is checked here: a value of
 * another type counts as not set.
 */
export interface ProxySettings {
  /** A string: `http://[user:password@]host:port` (or `https://…`). Empty: the environment's. */
  proxy?: unknown;
  /** Strings: hosts reached directly, with their subdomains (`example.com`, `.example.com`, `*.example.com`, `host:port`, `10.0.0.0/8`, `*`). */
  noProxy?: unknown;
  /** Default true: whether certificates are verified on connections through the proxy. */
  proxyStrictSSL?: unknown;
  /** A string: the Proxy-Authorization header sent to the proxy. A secret: never logged or shown. */
  proxyAuthorization?: unknown;
}

/** The names of ProxySettings, which are those of the settings. */
export const PROXY_SETTINGS = ['proxy', 'noProxy', 'proxyStrictSSL', 'proxyAuthorization'] as const;

/** A setting's text, trimmed; '' when it is not a string. */
const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** Environment variables, e.g. process.env. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** The proxy one request goes through. */
export interface ProxyRoute {
  /** The proxy's URL as configured (it may hold a user and password): never shown or logged. */
  url: string;
  /** `scheme://host:port` of the proxy, without credentials: what messages and the log show. */
  origin: string;
  /** Where it was configured: `http.proxy`, or an environment variable's name such as `HTTPS_PROXY`. */
  source: string;
  /** The Proxy-Authorization header value (`http.proxyAuthorization`), if set. */
  authorization?: string;
  strictSSL: boolean;
  /** Tells routes apart without holding their credentials: a hash of the URL, authorization and strictSSL. */
  key: string;
}

/** Proxy variables for https:// targets, in the order VS Code reads them; http:// targets read the last two. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** Loopback by name or address: `localhost` and its subdomains, 127.0.0.0/8, ::1 (also IPv4-mapped). */
export function isLoopbackTarget(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (isLoopbackHost(host) || host.endsWith('.localhost')) return true;
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '::1' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(bare);
}

/** The configured proxy address for `target` and where it came from, before `noProxy`; none for loopback. */
function configured(target: URL, settings: ProxySettings | undefined, env: ProxyEnv, proxyLoopback: boolean): { value: string; source: string } | undefined {
  if (!proxyLoopback && isLoopbackTarget(target.hostname)) return undefined;
  const value = text(settings?.proxy);
  if (value) return { value, source: 'http.proxy' };
  for (const name of target.protocol === 'https:' ? PROXY_VARIABLES : PROXY_VARIABLES.slice(2)) {
    const v = env[name]?.trim();
    if (v) return { value: v, source: name };
  }
  return undefined;
}

/**
 * Whether http.proxy is set, else whether the environment names a proxy (`envProxy`, which a
 * caller may read once: a process's environment does not change under it). Cheap, and asked by
 * every request: without either, no request loads the proxy code.
 */
export function proxyConfigured(settings: ProxySettings | undefined, envProxy: () => boolean): boolean {
  return !!text(settings?.proxy) || envProxy();
}

/** Whether the environment names a proxy at all (a variable of PROXY_VARIABLES is set). */
export function hasEnvProxy(env: ProxyEnv): boolean {
  return PROXY_VARIABLES.some((name) => !!env[name]?.trim());
}

/**
 * The proxy for a request to `target`, or undefined to connect directly: `http.proxy`, else the
 * environment's variable for the target's scheme; none for loopback (unless `proxyLoopback`, which
 * only tests set) and for hosts `http.noProxy` or NO_PROXY lists. A proxy address that is not an
 * http(s) URL throws `fail(message)`; the message never repeats the address (it may hold a password).
 */
export function proxyRoute(
  target: URL,
  settings: ProxySettings | undefined,
  env: ProxyEnv,
  proxyLoopback: boolean,
  fail: (message: string) => Error,
): ProxyRoute | undefined {
  const found = configured(target, settings, env, proxyLoopback);
  if (!found) return undefined;
  const { value, source } = found;
  const listed = settings?.noProxy;
  const noProxy = [...(Array.isArray(listed) ? listed.map(text) : []), ...splitList(env.NO_PROXY ?? env.no_proxy)];
  if (noProxy.some((entry) => bypasses(entry, target))) return undefined;

  const url = parseProxyUrl(value, source, fail);
  const authorization = text(settings?.proxyAuthorization) || undefined;
  const strictSSL = settings?.proxyStrictSSL !== false;
  const key = createHash('sha256').update(`${url.href}\0${authorization ?? ''}\0${strictSSL}`).digest('base64');
  return { url: url.href, origin: `${url.protocol}//${url.host}`, source, authorization, strictSSL, key };
}

/** `setting` or `environment variable`, for messages. */
export function describeSource(source: string): string {
  return source.startsWith('http.') ? `the ${source} setting` : `the ${source} environment variable`;
}

function parseProxyUrl(value: string, source: string, fail: (message: string) => Error): URL {
  // `proxy.example.com:3128`, as environment variables often have it, means http://.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL | undefined;
  try {
    url = new URL(withScheme);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw fail(
      `The proxy in ${describeSource(source)} is not an http:// or https:// proxy address (like http://proxy.example.com:3128). Fix ${source.startsWith('http.') ? 'it in your user settings' : 'it or set http.proxy'}.`,
    );
  }
  return url;
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(/[\s,]+/).filter(Boolean) : [];
}

/** Whether a `noProxy` entry covers `target`: its host (or a parent domain), port or address range. */
export function bypasses(entry: string, target: URL): boolean {
  let e = entry.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/\/+$/, '');
  if (e === '') return false;
  if (e === '*') return true;
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(e);
  if (cidr) return inIpv4Range(host, cidr[1]!, Number(cidr[2]));
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const withPort = /^(\[[^\]]*\]|[^:]+):(\d+)$/.exec(e);
  if (withPort) {
    if (withPort[2] !== port) return false;
    e = withPort[1]!;
  }
  e = e.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
  return host === e || host.endsWith(`.${e}`);
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = n * 256 + Number(part);
  }
  return n;
}

function inIpv4Range(host: string, base: string, bits: number): boolean {
  const h = ipv4(host);
  const b = ipv4(base);
  if (h === undefined || b === undefined || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(h / size) === Math.floor(b / size);
}
