// Nyckel access tokens (OAuth2 client credentials): fetched once, shared by concurrent callers,
// kept until shortly before they expire, and dropped when the credentials or the base URL change.
// Neither the token nor the secret is ever logged or put in a message.
import { parseReply } from '../parseReply';
import { NYCKEL, NYCKEL_RETRY_STATUSES } from './descriptor';
import { createHash } from 'node:crypto';
import { AiFunctionsError, configurationError, isAiFunctionsError, redactSecrets } from '../../core/errors';
import type { HttpClient, HttpRequest } from '../../core/http';
import type { RateLimiter } from '../../core/limiter';
import type { Logger } from '../../core/log';
import { abortable } from './abortable';
import { TokenReply } from './schemas';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenCacheOptions {
  http: HttpClient;
  limiter: RateLimiter;
  logger: Logger;
  /** Wall clock in ms. */
  now: () => number;
}

interface CachedToken {
  key: string;
  token: string;
  renewAt: number;
}

/** When `expires_in` is missing or unreadable: the docs say tokens last one hour. */
const DEFAULT_LIFETIME_S = 3600;
const MIN_MARGIN_MS = 5_000;
const MAX_MARGIN_MS = 10 * 60_000;

/**
 * How long before expiry a token is renewed: 10% of its lifetime, at least 5 s and at most
 * 10 min (the SDK renews 10 min early), and never more than half of a very short lifetime.
 */
export function renewalMarginMs(lifetimeMs: number): number {
  const margin = Math.min(MAX_MARGIN_MS, Math.max(MIN_MARGIN_MS, lifetimeMs * 0.1));
  return margin >= lifetimeMs ? lifetimeMs / 2 : margin;
}

function lifetimeSeconds(expiresIn: number | string | undefined): number {
  const n = typeof expiresIn === 'string' ? Number(expiresIn.trim()) : expiresIn;
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : DEFAULT_LIFETIME_S;
}

/** Tells credentials (and token endpoints) apart without the cache holding the secret itself. */
function fingerprint(tokenUrl: string, credentials: ClientCredentials): string {
  return createHash('sha256').update(`${tokenUrl}\0${credentials.clientId}\0${credentials.clientSecret}`).digest('base64');
}

export class NyckelTokenCache {
  private cached: CachedToken | undefined;
  private pending: { key: string; promise: Promise<string> } | undefined;

  constructor(private readonly options: TokenCacheOptions) {}

  /** A valid access token for these credentials at `<baseUrl>/connect/token`. */
  get(baseUrl: string, credentials: ClientCredentials, signal?: AbortSignal): Promise<string> {
    const tokenUrl = `${baseUrl}/connect/token`;
    const key = fingerprint(tokenUrl, credentials);
    const cached = this.cached;
    if (cached && cached.key !== key) {
      this.cached = undefined;
      this.options.logger.info('Nyckel: the client credentials or base URL changed; the cached access token was dropped.');
    } else if (cached && this.options.now() < cached.renewAt) {
      return Promise.resolve(cached.token);
    }
    if (this.pending?.key !== key) {
      const promise = this.fetch(tokenUrl, key, credentials).finally(() => {
        if (this.pending?.promise === promise) this.pending = undefined;
      });
      this.pending = { key, promise };
    }
    return abortable(this.pending.promise, signal);
  }

  /**
   * Forgets the cached token. With `rejected`, only when that is still the cached token, so many
   * calls refused with the same stale token lead to one new token, not one each.
   */
  invalidate(rejected?: string): void {
    if (rejected === undefined || this.cached?.token === rejected) this.cached = undefined;
  }

  private async fetch(tokenUrl: string, key: string, credentials: ClientCredentials): Promise<string> {
    const { http, limiter, logger, now } = this.options;
    const requested = now();
    let body: unknown;
    try {
      // The token request only mints a token, so sending it again is harmless: 'idempotent',
      // and a 500 too, as Nyckel's SDK does.
      // It counts against Nyckel's request limits like any other call, so each send takes a
      // slot, but ahead of the queued calls: they all need the token.
      const request: HttpRequest = {
        platform: 'nyckel',
        credentials: NYCKEL.words.credentials,
        method: 'POST',
        url: tokenUrl,
        form: {
          grant_type: 'client_credentials',
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        },
        retry: 'idempotent',
        retryStatuses: NYCKEL_RETRY_STATUSES,
        limiter,
        urgent: true,
        subject: 'the token endpoint (/connect/token)',
      };
      const response = await http.request(request);
      body = response.body;
    } catch (e) {
      const error = tokenError(e);
      // The HttpClient hides the secret; a server that echoes the client id is handled here.
      throw isAiFunctionsError(error) ? redactSecrets(error, [credentials.clientId, credentials.clientSecret]) : error;
    }
    const reply = parseReply('nyckel', TokenReply, body);
    const lifetimeMs = lifetimeSeconds(reply.expires_in) * 1000;
    // Counted from when the request was sent, so the token is never kept past its real expiry.
    const renewAt = requested + lifetimeMs - renewalMarginMs(lifetimeMs);
    this.cached = { key, token: reply.access_token, renewAt };
    logger.debug(`Nyckel: new access token, valid for ${Math.round(lifetimeMs / 1000)} s.`);
    return reply.access_token;
  }
}

/** The token endpoint's failures, in words about credentials rather than "input". */
function tokenError(e: unknown): unknown {
  if (!isAiFunctionsError(e) || e.status === undefined) return e;
  if (e.status === 404) {
    return configurationError(
      'Nyckel has no token endpoint at this address (/connect/token answered 404). Check the aiFunctions.nyckel.baseUrl setting.',
      'nyckel',
    );
  }
  // OAuth2 servers answer unknown clients with 400 invalid_client as often as with 401.
  if (e.status === 400 && /invalid_client|unauthorized_client|invalid_grant/i.test(e.platformMessage ?? '')) {
    const detail = e.platformMessage ? `: ${e.platformMessage.replace(/[.\s]+$/, '')}` : '';
    return new AiFunctionsError(
      'auth',
      `Nyckel rejected the client credentials (400)${detail}. Run "AI Functions: Set API Key…" to update them.`,
      { platform: 'nyckel', status: 400, platformMessage: e.platformMessage },
    );
  }
  return e;
}
