// The Nyckel adapter: invoke a function, list functions. Nyckel has no jobs.
import { parseReply } from '../parseReply';
import { AiFunctionsError, cancelledError, isAiFunctionsError } from '../../core/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../../core/http';
import { formatCount } from '../../core/format';
import { RateLimiter } from '../../core/limiter';
import type { Logger } from '../../core/log';
import { pathSegment } from '../../core/urls';
import type { FunctionInfo, NyckelRunOptions, RunInput, RunRequest, RunResult } from '../../core/model';
import { NYCKEL, NYCKEL_LIMITS, NYCKEL_RETRY_STATUSES } from './descriptor';
import type { AdapterOptions, PlatformAdapter } from '../types';
import { abortable } from './abortable';
import { NyckelTokenCache, type ClientCredentials } from './auth';
import { classificationResult, functionInfo, tagsResult } from './mapping';
import { nextLink } from './paging';
import { FunctionList, FunctionOutput, NyckelFunction, TagsOutput } from './schemas';

export interface NyckelConfig {
  /** Normalized (no trailing slash); also the base of the token endpoint. */
  baseUrl: string;
}

export interface NyckelAdapterOptions extends AdapterOptions<NyckelConfig> {
  /** Default: a limiter at Nyckel's documented limits (NYCKEL_LIMITS). */
  limiter?: RateLimiter;
}


/**
 * Nyckel counts requests when they arrive, not when we send them; new connections (TLS
 * handshakes) delay the first requests more than later ones on warm connections, which packs
 * arrivals closer than starts. A 10% longer window keeps the arrivals under 25 per second; a 429
 * that happens anyway makes the limiter hold every send back for its Retry-After, and the
 * HttpClient queues the request again (a new slot, counted again).
 */
const NYCKEL_WINDOW_MS = 1100;

/** A list longer than this many pages is taken to be a paging bug, not a real list. */
const MAX_PAGES = 500;

/**
 * The most functions a listing holds. An account has tens of functions; this bounds what a server
 * sending page after page of new ones can make us keep. Past it the list is cut with a warning.
 */
export const MAX_LISTED_FUNCTIONS = 5_000;

/** Function types remembered across listings and lookups; past it the memory starts over. */
const MAX_REMEMBERED_TYPES = 2 * MAX_LISTED_FUNCTIONS;

const NO_CREDENTIALS = 'Nyckel has no client credentials. Run "AI Functions: Set API Key…" to add them.';

/**
 * An object input's own id (a row of JSON Lines or CSV): its `externalId` field, else its `id`
 * field, a non-empty string or a number of at most 200 characters. It is sent as the invoke's
 * externalId instead of as a field of the data. Text has none, nor has an object whose
 * `externalId` field is empty.
 */
export function ownId(input: RunInput): { data: RunInput; id?: string } {
  if (typeof input === 'string') return { data: input };
  const key = input.externalId === undefined ? 'id' : 'externalId';
  const value = input[key];
  const id = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
  if (!id || id.length > 200) return { data: input };
  const data = { ...input };
  delete data[key];
  return { data, id };
}

/** The type remembered for a function whose lookup answered 404: invoked as a classification. */
const NOT_LOOKED_UP = '(lookup 404)';

export class NyckelAdapter implements PlatformAdapter {
  readonly id = 'nyckel' as const;
  readonly descriptor = NYCKEL;
  /** Every request to Nyckel goes through it; many-rows work shares it to stay under the limits. */
  readonly limiter: RateLimiter;

  private readonly http: HttpClient;
  private readonly logger: Logger;
  private readonly tokens: NyckelTokenCache;
  /** Output type ("Classification", "Tags", …) by `<baseUrl> <functionId>`. */
  private readonly outputTypes = new Map<string, string>();
  private readonly lookups = new Map<string, Promise<string | undefined>>();

  constructor(private readonly options: NyckelAdapterOptions) {
    this.http = options.http;
    this.logger = options.logger;
    this.limiter =
      options.limiter ??
      new RateLimiter({ ...NYCKEL_LIMITS, windowMs: NYCKEL_WINDOW_MS, minIntervalMs: 1000 / NYCKEL_LIMITS.maxPerSecond, platform: 'nyckel' });
    this.tokens = new NyckelTokenCache({
      http: options.http,
      limiter: this.limiter,
      logger: options.logger,
      now: options.now ?? Date.now,
    });
  }

  async listFunctions(signal?: AbortSignal): Promise<FunctionInfo[]> {
    if (signal?.aborted) throw cancelledError('nyckel');
    const base = this.baseUrl();
    const origin = new URL(base).origin;
    const functions: FunctionInfo[] = [];
    const ids = new Set<string>();
    const seen = new Set<string>();
    let url: string | undefined = `${base}/v1/functions`;
    while (url !== undefined) {
      if (seen.has(url) || seen.size >= MAX_PAGES) {
        this.logger.warn(`Nyckel: the function list's next-page links go round in circles; stopped after ${seen.size} pages.`);
        break;
      }
      seen.add(url);
      const response = await this.call(base, { method: 'GET', url, subject: 'the function list' }, signal);
      const reply = parseReply('nyckel', FunctionList, response.body);
      const before = functions.length;
      let full = false;
      for (const fn of reply) {
        if (ids.has(fn.id)) continue; // pages that overlap
        if (functions.length >= MAX_LISTED_FUNCTIONS) {
          full = true;
          break;
        }
        ids.add(fn.id);
        this.rememberOutputType(base, fn);
        functions.push(functionInfo(fn));
      }
      url = this.nextPageUrl(response.headers.link, url, origin);
      if (full || (url !== undefined && functions.length >= MAX_LISTED_FUNCTIONS)) {
        this.logger.warn(`Nyckel: the function list was cut at ${formatCount(MAX_LISTED_FUNCTIONS)} functions, the most listed at once.`);
        break;
      }
      if (url !== undefined && functions.length === before) {
        // A page with nothing new: following more links could go on without end.
        this.logger.warn(`Nyckel: a page of the function list had no new functions; stopped after ${seen.size} pages.`);
        break;
      }
    }
    return functions;
  }

  async run(request: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    if (signal?.aborted) throw cancelledError('nyckel');
    const id = request.function.trim();
    if (!id) {
      throw new AiFunctionsError('invalidInput', 'Choose a Nyckel function to run (its id, like function_…).', { platform: 'nyckel' });
    }
    const path = `/functions/${pathSegment(id, 'Nyckel function id', 'nyckel')}/invoke`;
    const options: NyckelRunOptions = request.options ?? {};
    const base = this.baseUrl();
    const tags = await this.isTagsFunction(base, id, options, signal);
    const subject = `function ${id}`;
    const { data, id: inputId } = ownId(request.input);
    const externalId = options.externalId ?? inputId;

    /*
     * Retries. The invoke is a POST, but it only reads a prediction; with capture on (Nyckel's
     * default) it also stores the input as a sample. Nyckel's docs ask clients to retry 5xx with
     * exponential backoff, and its SDK retries invoke (500/502/503/504) up to five times. We do
     * the same within the one retry policy (core/http.ts): every Nyckel request is 'idempotent'
     * plus 500 (see call): lost connections and 500/502/503/504 are sent again with exponential
     * backoff and full jitter, or after the Retry-After given; 429 after its Retry-After; at most
     * MAX_SENDS sends in all.
     *
     * Capture: a send that failed after Nyckel ran it (a 500 after the sample was stored, a
     * connection lost before the reply) and is then sent again can store the input twice. With
     * an `externalId` (the run option, else the input's own id: see ownId, so a row of JSON
     * Lines or CSV with an `externalId` or `id` field has one) every send carries the same id,
     * in the body and the query, so the repeat names the sample the first send stored instead
     * of making an anonymous second one (Nyckel's docs do not say whether it then keeps one
     * sample or two with the same id; the emulator keeps one). Without an id a retry may
     * capture a duplicate; `capture: false` captures nothing. The Tags invoke (v0.9) takes no
     * externalId: its retries may capture a duplicate.
     */
    if (tags) {
      // The v0.9 Tags invoke is documented with `{data}` only (no query options).
      const response = await this.call(
        base,
        { method: 'POST', url: `${base}/v0.9${path}`, json: { data }, subject },
        signal,
      );
      const reply = parseReply('nyckel', TagsOutput, response.body);
      return tagsResult(id, reply, response.durationMs);
    }

    // Fields left undefined are not sent (JSON has no undefined), nor are such query parameters.
    const body = { data, externalId, metadata: options.metadata };
    const response = await this.call(
      base,
      {
        method: 'POST',
        url: `${base}/v1${path}`,
        query: {
          labelCount: options.labelCount,
          includeMetadata: options.includeMetadata,
          modelId: options.modelId,
          capture: options.capture,
          externalId,
        },
        json: body,
        subject,
      },
      signal,
    );
    const reply = parseReply('nyckel', FunctionOutput, response.body);
    return classificationResult(id, reply, response.durationMs);
  }

  // ---- requests

  /**
   * Sends one authorized request, each send through the limiter. A 401 means the token was
   * revoked or expired early: the HttpClient asks for a new one once and sends again. Every
   * Nyckel request is 'idempotent' (reads, and the invoke: see run) and, as Nyckel's docs ask,
   * sent again after a 500 too.
   */
  private async call(base: string, req: Omit<HttpRequest, 'platform' | 'headers' | 'signal'>, signal?: AbortSignal): Promise<HttpResponse> {
    const credentials = await this.clientCredentials();
    const token = await this.tokens.get(base, credentials, signal);
    return this.http.request({
      ...req,
      platform: 'nyckel',
      credentials: NYCKEL.words.credentials,
      headers: { authorization: `Bearer ${token}` },
      signal,
      limiter: this.limiter,
      retry: 'idempotent',
      retryStatuses: NYCKEL_RETRY_STATUSES,
      renewAuthorization: async () => {
        this.tokens.invalidate(token);
        this.logger.info('Nyckel refused the access token (401); getting a new one and trying once more.');
        return { authorization: `Bearer ${await this.tokens.get(base, credentials, signal)}` };
      },
    });
  }

  private async clientCredentials(): Promise<ClientCredentials> {
    const credentials = await this.options.credentials();
    if (!credentials || !('clientId' in credentials) || !credentials.clientId || !credentials.clientSecret) {
      throw new AiFunctionsError('auth', NO_CREDENTIALS, { platform: 'nyckel' });
    }
    return credentials;
  }

  private baseUrl(): string {
    return this.options.config().baseUrl.replace(/\/+$/, '');
  }

  /** The next page's absolute URL, only on Nyckel's own origin (it would carry our token). */
  private nextPageUrl(link: string | undefined, current: string, origin: string): string | undefined {
    const next = nextLink(link);
    if (next === undefined) return undefined;
    let url: URL;
    try {
      // Nyckel sends a relative URL (path and query); RFC 8288 resolves it against the page's URL.
      url = new URL(next, current);
    } catch {
      this.logger.warn('Nyckel: the function list sent a next-page link that is not a URL; stopped there.');
      return undefined;
    }
    if (url.origin !== origin) {
      this.logger.warn(`Nyckel: the function list's next-page link points to ${url.origin}; not followed.`);
      return undefined;
    }
    return url.href;
  }

  // ---- Tags functions (invoked on a different endpoint, answering with an array)

  private rememberOutputType(base: string, fn: NyckelFunction): void {
    if (!fn.output) return;
    if (this.outputTypes.size >= MAX_REMEMBERED_TYPES) this.outputTypes.clear();
    this.outputTypes.set(`${base} ${fn.id}`, fn.output);
  }

  /**
   * Whether `id` is a Tags function: from the options, from a listing seen before, or else from
   * one `GET /v1/functions/{id}` shared by concurrent calls and remembered.
   */
  private async isTagsFunction(base: string, id: string, options: NyckelRunOptions, signal?: AbortSignal): Promise<boolean> {
    if (options.tags !== undefined) return options.tags;
    const key = `${base} ${id}`;
    const known = this.outputTypes.get(key);
    if (known !== undefined) return known === 'Tags';
    let lookup = this.lookups.get(key);
    if (!lookup) {
      lookup = this.lookUpOutputType(base, id).finally(() => this.lookups.delete(key));
      this.lookups.set(key, lookup);
    }
    const output = await abortable(lookup, signal);
    return output === 'Tags';
  }

  /**
   * The function's output type from `GET /v1/functions/{id}`. The lookup only chooses the
   * endpoint, so whatever the GET itself answers never fails the run: the invoke decides. A 404
   * (a function Nyckel invokes but does not show, or one that does not exist) is invoked as a
   * classification, and remembered, so rows do not look it up again; the invoke's own 404 is the
   * real "not found". Other failures (401/403, 5xx after retries, timeouts, a bad reply) are
   * invoked as a classification too, and looked up again next time. Only what would fail the
   * invoke before it is sent (no credentials, the token endpoint refusing them) fails here.
   */
  private async lookUpOutputType(base: string, id: string): Promise<string | undefined> {
    const url = `${base}/v1/functions/${pathSegment(id, 'Nyckel function id', 'nyckel')}`;
    // The credentials and the token first, outside the catch: without them the invoke fails too.
    await this.tokens.get(base, await this.clientCredentials());
    try {
      const response = await this.call(base, { method: 'GET', url, subject: `function ${id}` });
      const reply = parseReply('nyckel', NyckelFunction, response.body);
      this.rememberOutputType(base, reply);
      return reply.output ?? undefined;
    } catch (e) {
      if (isAiFunctionsError(e) && e.kind === 'cancelled') throw e;
      const why = isAiFunctionsError(e) ? (e.status ?? e.kind) : 'error';
      this.logger.debug(`Nyckel: could not read function ${id}'s type (${why}); invoking it as a classification.`);
      if (isAiFunctionsError(e) && e.status === 404) this.rememberOutputType(base, { id, output: NOT_LOOKED_UP });
      return undefined;
    }
  }
}
