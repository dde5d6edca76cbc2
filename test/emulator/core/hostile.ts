// Hostile-server mode: adversarial TEXT inside replies of valid shape, for the security tests
// that check the extension neutralises it. Pure helpers; the `Emulator` base class applies them to
// every reply when `hostile` is on, and the platforms use the placeholders and id lists for the
// `deepNesting`, `hugePage` and `oddIds` shaping faults (faults.ts).
//
// `hostile: true` — an emulator option (start-up), a config knob (`emu.sutro.configure({hostile:
//    true})`, `POST /__emulator/config {"hostile":true}`) and the CLI flag `--hostile`; `reset()`
//    restores the start-up value (off unless started hostile). While on, every API reply keeps
//    its platform's shape but each human-readable text field (messages, error details, failure
//    reasons, names, descriptions, labels, rationales, summaries, results, input requests, …;
//    each platform lists its fields in `hostileFields`) gets `HOSTILE_TEXT` appended: command:
//    and https links, HTML, markdown, codicon syntax, a U+202E bidi override, newlines. What
//    drives a client stays valid: ids, Sutro job statuses, Inferable run statuses, Nyckel
//    input/output types, schemas. In error replies (the platform's 4xx/5xx, the fault knobs'
//    and the limits' errors; an empty error body, Inferable's 401, gets the platform's error
//    body) the message field becomes the message followed by ~1,000 characters that echo the
//    caller's credential (Authorization value, its token, a Basic or form client_secret), whole
//    and cut (`cutCredential`: at most 20 characters, then '…'), with copies straddling
//    characters 80 and 300, and `HOSTILE_TEXT`. Headers, control replies, the 413 for a too
//    large body and the answering faults' bodies (malformed, wrongShape, largeBody) stay as
//    they are.

/** Each snippet is one attack on a renderer: command links, links, HTML, markdown, codicons, bidi, newlines. */
export const HOSTILE_SNIPPETS: readonly string[] = [
  '[Sign in again](command:aiFunctions.setApiKey?%7B%22platform%22%3A%22sutro%22%2C%22apiKey%22%3A%22sk_attacker%22%7D)',
  '[open](command:workbench.action.terminal.new)',
  '[x](https://evil.example/phish)',
  '<a href="command:aiFunctions.runOnEachLine">click</a>',
  '<img src="x" onerror="alert(1)"><script>alert(1)</script>',
  '**bold** _em_ `code`',
  '$(alert) codicon syntax',
  '![img](https://evil.example/p.png)',
  '\u202Egnp.exe (bidi override)',
  'line one\nline two\r\nline three',
];

/** Every snippet, one per line: what hostile mode appends to each human-readable text field. */
export const HOSTILE_TEXT = HOSTILE_SNIPPETS.join('\n');

/** Ids that break naive URL building: dot segments, traversal, and `/`, `?`, `#`, `%`, `\`. */
export const ODD_IDS: readonly string[] = ['.', '..', '', '../../x', 'job/../../admin', 'job?x=1', 'job#frag', '%2e%2e%2f', '..\\..\\x'];

/** A text field in hostile mode: the text, then `HOSTILE_TEXT`. */
export function hostile(text: string): string {
  return `${text} ${HOSTILE_TEXT}`;
}

/** A credential cut in the middle: at most its first 20 characters (never all of it), then '…'. */
export function cutCredential(credential: string): string {
  return `${credential.slice(0, Math.min(20, Math.ceil(credential.length / 2)))}…`;
}

/** The credentials a request carries: the Authorization value, its token, a Basic secret, a form client_secret. */
export function credentialsOf(authorization: string | string[] | undefined, form?: Record<string, string>): string[] {
  const out: string[] = [];
  const auth = String(authorization ?? '').trim();
  if (auth) {
    out.push(auth);
    const m = /^(\S+)\s+(\S.*)$/.exec(auth);
    if (m) {
      out.push(m[2]);
      if (/^basic$/i.test(m[1])) {
        const decoded = Buffer.from(m[2], 'base64').toString('utf8');
        const secret = decoded.slice(decoded.indexOf(':') + 1);
        if (secret) out.push(secret);
      }
    }
  }
  if (form?.client_secret) out.push(form.client_secret);
  return [...new Set(out)];
}

const FILLER = 'The request could not be completed; check the credentials below and try again. ';

function filler(length: number): string {
  return FILLER.repeat(Math.ceil(length / FILLER.length)).slice(0, length);
}

/**
 * An error message in hostile mode (~1,000 characters): the message; the most specific credential
 * straddling character 80; every credential whole and cut; `HOSTILE_TEXT`; the credential again
 * straddling character 300; filler; every credential whole at the end. So truncating at 80 or 300
 * characters still shows part of a key.
 */
export function hostileErrorMessage(message: string, credentials: readonly string[]): string {
  const key = credentials[credentials.length - 1];
  let out = `${message} `;
  const straddle = (at: number): void => {
    if (key === undefined) return;
    const pad = at - Math.floor(key.length / 2) - out.length;
    if (pad > 0) out += `${filler(pad - 1)} `;
    out += `${key} `;
  };
  straddle(80);
  if (credentials.length) out += `(you sent ${credentials.map((c) => `"${c}" = ${cutCredential(c)}`).join(', ')}) `;
  out += `${HOSTILE_TEXT}\n`;
  straddle(300);
  if (out.length < 1000) out += filler(1000 - out.length);
  if (credentials.length) out += ` ${credentials.join(' ')}`;
  return out;
}

/** Which fields of a platform's replies hostile mode rewrites. Names are keys, or `parent.key`. */
export interface HostileFields {
  /** Human-readable strings: `hostile()` is appended (in an array under such a key, to each string). */
  text: readonly string[];
  /** Values whose every string is human-readable (results, metadata); a string holding JSON is rewritten inside. */
  deep?: readonly string[];
  /** In error replies (status >= 400) these strings become `hostileErrorMessage()`. */
  error: readonly string[];
  /** Never touched (schemas, the caller's own inputs, …). */
  skip?: readonly string[];
}

const DEEP_MARK = '\u2063deepNesting:';
const DEEP_MARKED = /"\u2063deepNesting:(\d+)\u2063"/g;

/**
 * A placeholder for a value nested `depth` levels deep (`{"a":{"a":…"end"…}}`). JSON.stringify
 * cannot write such a value (it overflows the stack near 10,000 levels), so the placeholder is
 * put in the reply and `expandDeepNesting()` swaps it for the nested text once serialized.
 */
export function deepNestingPlaceholder(depth: number): string {
  return `${DEEP_MARK}${Math.max(1, Math.floor(depth))}\u2063`;
}

/** Replaces the placeholders in serialized JSON with the deeply nested values. */
export function expandDeepNesting(json: string): string {
  return json.replace(DEEP_MARKED, (_, depth: string) => `${'{"a":'.repeat(Number(depth))}"end"${'}'.repeat(Number(depth))}`);
}

/** Nesting deeper than this is left as is (no text field lives that deep). */
const MAX_WALK_DEPTH = 64;

interface WalkContext {
  text: Set<string>;
  deep: Set<string>;
  error: Set<string>;
  skip: Set<string>;
  /** Set in error replies. */
  errorMessage?: (message: string) => string;
}

function has(set: Set<string>, key: string, parent: string): boolean {
  return set.has(key) || set.has(`${parent}.${key}`);
}

function poisonString(value: string): string {
  if (value.startsWith(DEEP_MARK)) return value;
  const t = value.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      return JSON.stringify(walk(JSON.parse(t) as unknown, undefined, '', 0, true));
    } catch {
      // not JSON: plain text
    }
  }
  return hostile(value);
}

/** Copies `value` (never mutates: handlers may return the emulator's own state), rewriting fields. */
function walk(value: unknown, ctx: WalkContext | undefined, parent: string, depth: number, deep: boolean): unknown {
  if (depth > MAX_WALK_DEPTH) return value;
  if (typeof value === 'string') return deep ? poisonString(value) : value;
  if (Array.isArray(value)) return value.map((v) => walk(v, ctx, parent, depth + 1, deep));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (deep || !ctx) out[key] = walk(v, ctx, key, depth + 1, true);
    else if (has(ctx.skip, key, parent)) out[key] = v;
    else if (ctx.errorMessage && typeof v === 'string' && has(ctx.error, key, parent)) out[key] = ctx.errorMessage(v);
    else if (has(ctx.deep, key, parent)) out[key] = walk(v, ctx, key, depth + 1, true);
    else if (has(ctx.text, key, parent) && typeof v === 'string') out[key] = poisonString(v);
    else if (has(ctx.text, key, parent) && Array.isArray(v)) out[key] = walk(v, ctx, key, depth + 1, true);
    else out[key] = walk(v, ctx, key, depth + 1, false);
  }
  return out;
}

/**
 * A reply body in hostile mode: `fields.text` strings get `HOSTILE_TEXT` appended, `fields.deep`
 * values get it in every string, and in an error reply `fields.error` strings become a long
 * message echoing `credentials`.
 */
export function poisonBody(body: unknown, fields: HostileFields, error: { credentials: readonly string[] } | undefined): unknown {
  const ctx: WalkContext = {
    text: new Set(fields.text),
    deep: new Set(fields.deep ?? []),
    error: new Set(fields.error),
    skip: new Set(fields.skip ?? []),
    errorMessage: error ? (message) => hostileErrorMessage(message, error.credentials) : undefined,
  };
  return walk(body, ctx, '', 0, false);
}
