// Typed errors with one-sentence messages a user can act on.
// Messages are built only from platform names, statuses, origins, paths and the platform's own
// reply: keys and tokens come in here only as `secrets`, to be removed from the reply's text.
import { PLATFORM_IDENTITIES, type PlatformId } from './model';

export type ErrorKind =
  | 'auth'
  | 'notFound'
  | 'invalidInput'
  | 'rateLimited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'invalidResponse'
  | 'configuration'
  | 'runFailed';

export interface ErrorDetails {
  platform?: PlatformId;
  status?: number;
  /** The platform's own message, as it sent it (trimmed and shortened). */
  platformMessage?: string;
  retryAfterMs?: number;
  /** invalidResponse: the path of the field that did not match, e.g. `predictions.0.label`. */
  field?: string;
  /** The platform's id for the failed request (`request_id` in the error body), for support. */
  requestId?: string;
  cause?: unknown;
}

export class AiFunctionsError extends Error {
  override readonly name = 'AiFunctionsError';
  readonly kind: ErrorKind;
  readonly platform?: PlatformId;
  readonly status?: number;
  platformMessage?: string;
  readonly retryAfterMs?: number;
  readonly field?: string;
  readonly requestId?: string;

  constructor(kind: ErrorKind, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.platform = details.platform;
    this.status = details.status;
    this.platformMessage = details.platformMessage;
    this.retryAfterMs = details.retryAfterMs;
    this.field = details.field;
    this.requestId = details.requestId;
  }
}

/** What can fix a failure: the same buttons in notifications, the run panel and the trees. */
export type ErrorFix = 'setApiKey' | 'openSettings' | 'retry';

export function fixesFor(error: unknown): ErrorFix[] {
  switch (isAiFunctionsError(error) ? error.kind : undefined) {
    case 'auth':
      return ['setApiKey'];
    case 'configuration':
      return ['openSettings'];
    case 'network':
    case 'timeout':
      return ['retry', 'openSettings'];
    case 'rateLimited':
    case 'server':
      return ['retry'];
    default:
      return [];
  }
}

/** An error's message, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * By shape as well as by class: the run panel is its own bundle (loaded on first use) with its
 * own copy of this module, so an error made in one bundle is not an instance in the other.
 */
export function isAiFunctionsError(e: unknown): e is AiFunctionsError {
  return e instanceof AiFunctionsError || (e instanceof Error && e.name === 'AiFunctionsError' && typeof (e as { kind?: unknown }).kind === 'string');
}

export function platformName(platform: PlatformId): string {
  return PLATFORM_IDENTITIES[platform]?.name ?? platform;
}

/** What a request was about, to make messages specific. */
export interface ErrorContext {
  /** The thing asked for, e.g. `function_x` or `job 42` (used in "could not find …"). */
  subject?: string;
  /** The setting holding the address that was used, e.g. `aiFunctions.sutro.functionsUrl`. */
  setting?: string;
  /** What the platform calls its credentials ("client credentials"); default "API key". */
  credentials?: string;
  /** Wall-clock time in ms, for Retry-After dates (default `Date.now()`). */
  now?: number;
  /** Keys and tokens sent with the request: removed from the platform's text before it is shortened. */
  secrets?: readonly string[];
}

/** The setting holding a platform's main address. */
export function addressSetting(platform: PlatformId): string {
  return PLATFORM_IDENTITIES[platform].addressSetting;
}

/** The setting that bounds each phase of a request. */
const TIMEOUT_SETTINGS: Record<TimeoutPhase, string> = {
  connect: 'aiFunctions.http.connectTimeoutSeconds',
  firstByte: 'aiFunctions.http.responseTimeoutSeconds',
  body: 'aiFunctions.http.responseTimeoutSeconds',
  total: 'aiFunctions.http.totalTimeoutSeconds',
};
const CONCURRENCY_SETTING = 'aiFunctions.concurrency';

/** "30 s", "0.2 s". */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(1))} s`;
}

/** Joins a message and an optional platform message without doubling the final period. */
function withDetail(head: string, detail: string | undefined, tail = ''): string {
  const body = detail ? `${head}: ${detail.replace(/[.\s]+$/, '')}` : head;
  return `${body}.${tail ? ` ${tail}` : ''}`;
}

type HeaderBag = Record<string, string | string[] | undefined> | undefined;

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Retry-After as seconds or an HTTP date → milliseconds to wait (undefined if absent or invalid). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const MAX_PLATFORM_MESSAGE = 300;
const MAX_NOT_JSON_START = 80;

/** Secrets are redacted before shortening: a cut could otherwise leave the start of a key. */
function clean(text: string, secrets: readonly string[]): string | undefined {
  let t = redactText(text, secrets).replace(/\s+/g, ' ').trim();
  if (t.startsWith('<')) {
    // An HTML error page from a proxy: its title is the only readable part.
    const title = /<title>([^<]*)<\/title>/i.exec(t)?.[1]?.trim();
    if (!title) return undefined;
    t = title;
  }
  if (!t) return undefined;
  return t.length > MAX_PLATFORM_MESSAGE ? `${t.slice(0, MAX_PLATFORM_MESSAGE)}…` : t;
}

/**
 * The platform's own message from an error body: `{detail}` (a string, or FastAPI's array of
 * `{loc, msg}`), `{message}`, `{error: {message}}`, `{error: "…"}`, or plain text; `secrets` are
 * redacted from it (see redactText).
 */
export function platformMessageOf(body: unknown, secrets: readonly string[] = []): string | undefined {
  if (typeof body === 'string') return clean(body, secrets);
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.detail === 'string') return clean(b.detail, secrets);
  if (Array.isArray(b.detail)) {
    const parts = b.detail.map((d: unknown) => {
      if (typeof d === 'string') return d;
      const item = (d ?? {}) as { msg?: unknown; loc?: unknown };
      const loc = Array.isArray(item.loc) ? item.loc.filter((p) => p !== 'body').join('.') : '';
      const msg = typeof item.msg === 'string' ? item.msg : '';
      return loc && msg ? `${loc}: ${msg}` : msg;
    });
    return clean(parts.filter(Boolean).join('; '), secrets);
  }
  if (typeof b.message === 'string') return clean(b.message, secrets);
  if (typeof b.error === 'string') return clean(b.error, secrets);
  if (b.error && typeof b.error === 'object') {
    const m = (b.error as Record<string, unknown>).message;
    if (typeof m === 'string') return clean(m, secrets);
  }
  if (typeof b.title === 'string') return clean(b.title, secrets);
  return undefined;
}

/**
 * The request id an error body names (`request_id`, as Sutro sends with `{detail, code}`): support
 * asks for it. Only an id-like value is taken, so it can carry no markup or link.
 */
export function requestIdOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const id = (body as Record<string, unknown>).request_id;
  return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(id) ? id : undefined;
}

/** The platform's message followed by its request id, when it sent one. */
function detailWithRequestId(detail: string | undefined, requestId: string | undefined): string | undefined {
  if (!requestId) return detail;
  return detail ? `${detail.replace(/[.\s]+$/, '')} (request ID ${requestId})` : `request ID ${requestId}`;
}

/** The error for a non-2xx reply. */
export function errorFromResponse(
  platform: PlatformId,
  status: number,
  body: unknown,
  headers?: HeaderBag,
  context: ErrorContext = {},
): AiFunctionsError {
  const name = platformName(platform);
  const platformMessage = platformMessageOf(body, context.secrets);
  const requestId = requestIdOf(body);
  // The message shows the request id after the platform's own words; platformMessage stays theirs.
  const pm = detailWithRequestId(platformMessage, requestId);
  const details: ErrorDetails = { platform, status, platformMessage, requestId };
  const setting = context.setting ?? addressSetting(platform);

  if (status === 401 || status === 403) {
    const what = context.credentials ?? 'API key';
    const msg = withDetail(`${name} rejected the ${what} (${status})`, pm, 'Run "AI Functions: Set API Key…" to update it.');
    return new AiFunctionsError('auth', msg, details);
  }
  if (status === 404) {
    const what = context.subject ?? 'what was asked for';
    return new AiFunctionsError('notFound', withDetail(`${name} could not find ${what} (404)`, pm), details);
  }
  if (status === 410) {
    const msg = withDetail(`${name} no longer serves this address (410)`, pm, `Check the ${setting} setting.`);
    return new AiFunctionsError('configuration', msg, details);
  }
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), context.now);
    const full = { ...details, retryAfterMs };
    if (status === 429) {
      const wait = retryAfterMs === undefined ? '' : `; it asked to wait ${formatSeconds(retryAfterMs)}`;
      const msg = `${name} is rate limiting requests (429)${wait}. Try again later or lower ${CONCURRENCY_SETTING}.`;
      return new AiFunctionsError('rateLimited', msg, full);
    }
    const when = retryAfterMs === undefined ? 'in a moment' : `in ${formatSeconds(retryAfterMs)}`;
    return new AiFunctionsError('server', withDetail(`${name} had a server error (${status})`, pm, `Try again ${when}.`), full);
  }
  if (status === 400 || status === 422) {
    return new AiFunctionsError('invalidInput', withDetail(`${name} refused the input (${status})`, pm), details);
  }
  if (status >= 400) {
    return new AiFunctionsError('invalidInput', withDetail(`${name} refused the request (${status})`, pm), details);
  }
  return new AiFunctionsError('invalidResponse', withDetail(`${name} answered with an unexpected status (${status})`, pm), details);
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate could not be verified',
};

/** A failure to connect or a lost connection. `origin` is scheme://host:port only. */
export function networkError(
  platform: PlatformId,
  origin: string,
  code: string,
  context: ErrorContext = {},
  cause?: unknown,
): AiFunctionsError {
  const what = NETWORK_CODES[code] ? `${NETWORK_CODES[code]} (${code})` : code;
  const setting = context.setting ?? addressSetting(platform);
  const msg = `Could not reach ${platformName(platform)} at ${origin}: ${what}. Check your network and the ${setting} setting.`;
  return new AiFunctionsError('network', msg, { platform, cause });
}

export type TimeoutPhase = 'connect' | 'firstByte' | 'body' | 'total';

export function timeoutError(platform: PlatformId, ms: number, phase: TimeoutPhase = 'total', cause?: unknown): AiFunctionsError {
  const name = platformName(platform);
  const s = formatSeconds(ms);
  const head =
    phase === 'connect'
      ? `Could not connect to ${name} within ${s}`
      : phase === 'body'
        ? `${name} stopped sending its reply for ${s}`
        : `${name} did not answer within ${s}`;
  return new AiFunctionsError('timeout', `${head}. Try again, or raise ${TIMEOUT_SETTINGS[phase]}.`, { platform, cause });
}

export function cancelledError(platform?: PlatformId): AiFunctionsError {
  return new AiFunctionsError('cancelled', 'The request was cancelled.', { platform });
}

export function responseTooLarge(platform: PlatformId, limitBytes: number): AiFunctionsError {
  const mb = limitBytes / (1024 * 1024);
  const size = mb >= 1 ? `${Number(mb.toFixed(1))} MB` : `${Math.ceil(limitBytes / 1024)} KB`;
  return new AiFunctionsError('invalidResponse', `${platformName(platform)} sent a reply larger than the ${size} limit.`, { platform });
}

export function responseNotJson(platform: PlatformId, text: string, status?: number, secrets: readonly string[] = []): AiFunctionsError {
  const start = redactText(text, secrets).replace(/\s+/g, ' ').trim().slice(0, MAX_NOT_JSON_START);
  return new AiFunctionsError('invalidResponse', `${platformName(platform)} sent a reply that is not JSON (${start}).`, { platform, status });
}

export function responseTooDeep(platform: PlatformId, maxDepth: number, status?: number): AiFunctionsError {
  return new AiFunctionsError('invalidResponse', `${platformName(platform)} sent a reply nested deeper than ${maxDepth} levels.`, {
    platform,
    status,
  });
}

/** The structural part of a zod error this module needs (no zod import here). */
interface IssueList {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; expected?: unknown }>;
}

/**
 * A reply that does not match its documented shape. Pass a zod error (its first issue is used),
 * or a field path and what was expected.
 */
export function invalidResponse(platform: PlatformId, problem: IssueList | string, expected?: string): AiFunctionsError {
  let field: string;
  let why: string;
  if (typeof problem === 'string') {
    field = problem;
    why = expected ? `expected ${expected}` : 'unexpected value';
  } else {
    const issue = problem.issues[0];
    field = issue ? issue.path.map(String).join('.') : '';
    why = expected
      ? `expected ${expected}`
      : typeof issue?.expected === 'string'
        ? `expected ${issue.expected}`
        : (issue?.message ?? 'unexpected value');
  }
  const where = field ? `field \`${field}\`` : 'the reply';
  const msg = `${platformName(platform)} sent a reply that does not match its documented shape: ${where} (${why}).`;
  return new AiFunctionsError('invalidResponse', msg, { platform, field: field || undefined });
}

export function configurationError(message: string, platform?: PlatformId): AiFunctionsError {
  return new AiFunctionsError('configuration', message, { platform });
}

/** A run the platform accepted but could not finish (e.g. an Inferable run that failed). */
export function runFailed(platform: PlatformId, reason?: string): AiFunctionsError {
  const msg = withDetail(`${platformName(platform)} could not finish the run`, reason);
  return new AiFunctionsError('runFailed', msg, { platform, platformMessage: reason });
}

/**
 * The shortest run of a secret's first characters that is taken for (part of) the secret. Shorter
 * secrets are left alone: they would match ordinary words.
 */
const MIN_SECRET_RUN = 8;

/**
 * `text` with every run of MIN_SECRET_RUN or more characters that equals the start of a secret
 * replaced by `***`: a whole secret, and also one cut short (by us or by the platform). Linear in
 * the text for each secret, and secrets are few.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  const runs: Array<[start: number, end: number]> = [];
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_RUN) continue;
    const head = secret.slice(0, MIN_SECRET_RUN);
    for (let at = text.indexOf(head); at !== -1; ) {
      let end = at + MIN_SECRET_RUN;
      while (end - at < secret.length && end < text.length && text.charCodeAt(end) === secret.charCodeAt(end - at)) end++;
      runs.push([at, end]);
      at = text.indexOf(head, end);
    }
  }
  if (runs.length === 0) return text;
  // Runs of different secrets may overlap: each stretch of text is replaced once.
  runs.sort((a, b) => a[0] - b[0]);
  let out = '';
  let copied = 0;
  for (const [start, end] of runs) {
    if (end <= copied) continue;
    if (start >= copied) out += `${text.slice(copied, start)}***`;
    copied = end;
  }
  return out + text.slice(copied);
}

/**
 * Removes secrets (keys, tokens) from an error's message and platform message, in case a
 * platform echoed one back, whole or cut short (see redactText). A backstop: the platform's text
 * is redacted before it is shortened into the message (ErrorContext.secrets).
 */
export function redactSecrets(error: AiFunctionsError, secrets: readonly string[]): AiFunctionsError {
  error.message = redactText(error.message, secrets);
  if (error.platformMessage !== undefined) error.platformMessage = redactText(error.platformMessage, secrets);
  return error;
}
