// What the unit suites over real HTTP share: a client tuned for tests, and a way to get the
// typed error a call fails with.
import * as assert from 'node:assert/strict';
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
