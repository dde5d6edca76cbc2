// What several unit suites share: a client tuned for tests and the typed error a call fails with,
// a raw HTTP call for the emulator suites, loopback servers of a test's own, and waiting.
import * as assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AiFunctionsError } from '../../src/core/errors';
import { HttpClient, type HttpClientOptions } from '../../src/core/http';
import { silentLogger } from '../../src/core/log';

/** Short timeouts and near-zero backoff, so retries and failures show quickly. */
export function testHttpClient(options: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    logger: silentLogger,
    timeouts: () => ({ connectMs: 2_000, firstByteMs: 5_000, totalMs: 10_000 }),
    baseBackoffMs: 1,
    ...options,
  });
}

/** The AiFunctionsError `promise` rejects with; fails the test when it resolves or throws another kind. */
export async function rejection(promise: Promise<unknown>): Promise<AiFunctionsError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof AiFunctionsError, `expected an AiFunctionsError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  // The emulator suites assert on replies of every platform's shape, deep inside; typing each
  // reply would restate the emulators.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * One request with fetch, none of the extension's client in the way: what the emulator suites
 * check the wire with. POST when a body is given; `json` is undefined when the reply is not JSON.
 */
export async function call(base: string, path: string, o: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...o.headers };
  let body: string | undefined;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] ??= 'application/json';
  } else if (o.form) {
    body = new URLSearchParams(o.form).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const res = await fetch(base + path, { method: o.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal: o.signal });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Starts `server` on a free 127.0.0.1 port; resolves with its origin (`http://127.0.0.1:<port>`). */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes `server` at once: kept-alive connections would otherwise hold `close()` open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lets every pending promise chain settle. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Failures as the HTTP client reports them, for retry and row tests. */
export const rateLimited = (retryAfterMs?: number) =>
  new AiFunctionsError('rateLimited', 'Sutro is rate limiting requests (429).', { platform: 'sutro', status: 429, retryAfterMs });
export const serverError = (status: number, retryAfterMs?: number) =>
  new AiFunctionsError('server', `Sutro had a server error (${status}).`, { platform: 'sutro', status, retryAfterMs });
export const networkError = (code: string) =>
  new AiFunctionsError('network', `Could not reach Sutro: ${code}.`, { platform: 'sutro', cause: Object.assign(new Error(code), { code }) });
