import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  AiFunctionsError,
  cancelledError,
  errorFromResponse,
  formatSeconds,
  invalidResponse,
  isAiFunctionsError,
  networkError,
  parseRetryAfter,
  platformMessageOf,
  redactSecrets,
  redactText,
  responseNotJson,
  responseTooDeep,
  responseTooLarge,
  runFailed,
  timeoutError,
} from '../../src/core/errors';

describe('errors', () => {
  describe('platformMessageOf', () => {
    it('reads {detail} as a string', () => {
      assert.equal(platformMessageOf({ detail: 'Missing field text', code: 'invalid_input' }), 'Missing field text');
    });
    it('reads FastAPI {detail: [{loc, msg}]}', () => {
      const body = { detail: [{ loc: ['body', 'input_data', 'text'], msg: 'field required', type: 'missing' }, { msg: 'too long' }] };
      assert.equal(platformMessageOf(body), 'input_data.text: field required; too long');
    });
    it('reads {message}, {error: {message}}, {error: string} and text', () => {
      assert.equal(platformMessageOf({ message: 'Function not found' }), 'Function not found');
      assert.equal(platformMessageOf({ error: { message: 'Internal server error', docsLink: 'x' } }), 'Internal server error');
      assert.equal(platformMessageOf({ error: 'bad key' }), 'bad key');
      assert.equal(platformMessageOf('  upstream\n timed out '), 'upstream timed out');
    });
    it('takes the title of an HTML page and ignores unknown shapes', () => {
      assert.equal(platformMessageOf('<html><head><title>502 Bad Gateway</title></head><body>…</body></html>'), '502 Bad Gateway');
      assert.equal(platformMessageOf({ foo: 1 }), undefined);
      assert.equal(platformMessageOf(undefined), undefined);
      assert.equal(platformMessageOf(''), undefined);
    });
    it('shortens very long messages', () => {
      const m = platformMessageOf({ message: 'x'.repeat(1000) })!;
      assert.ok(m.length <= 301);
    });
  });

  describe('errorFromResponse', () => {
    it('401 → auth, telling the user how to fix it', () => {
      const e = errorFromResponse('sutro', 401, undefined, {});
      assert.equal(e.kind, 'auth');
      assert.equal(e.status, 401);
      assert.equal(e.platform, 'sutro');
      assert.equal(e.message, 'Sutro rejected the API key (401). Run "AI Functions: Set API Key…" to update it.');
    });
    it('403 with a platform message', () => {
      const e = errorFromResponse('nyckel', 403, { message: 'Token expired.' }, {}, { credentials: 'client credentials' });
      assert.equal(e.kind, 'auth');
      assert.equal(e.platformMessage, 'Token expired.');
      assert.equal(e.message, 'Nyckel rejected the client credentials (403): Token expired. Run "AI Functions: Set API Key…" to update it.');
    });
    it('404 → notFound naming the subject', () => {
      const e = errorFromResponse('nyckel', 404, { message: 'Function not found' }, {}, { subject: 'function_x' });
      assert.equal(e.kind, 'notFound');
      assert.equal(e.message, 'Nyckel could not find function_x (404): Function not found.');
    });
    it('400 and 422 → invalidInput with the reason', () => {
      const e = errorFromResponse('sutro', 422, { detail: 'Unknown field "foo".', code: 'invalid_input' }, {});
      assert.equal(e.kind, 'invalidInput');
      assert.equal(e.message, 'Sutro refused the input (422): Unknown field "foo".');
      assert.equal(errorFromResponse('inferable', 400, { message: 'bad' }, {}).kind, 'invalidInput');
      assert.equal(errorFromResponse('sutro', 409, { detail: 'no runnable prompt' }, {}).message, 'Sutro refused the request (409): no runnable prompt.');
    });
    it('410 → configuration pointing at the setting', () => {
      const e = errorFromResponse('sutro', 410, { detail: 'Direct Sutro Batch API access is no longer supported.' }, {});
      assert.equal(e.kind, 'configuration');
      assert.match(e.message, /Check the aiFunctions\.sutro\.apiUrl setting\.$/);
    });
    it('429 → rateLimited with the wait', () => {
      const e = errorFromResponse('nyckel', 429, { message: 'slow down' }, { 'retry-after': '30' });
      assert.equal(e.kind, 'rateLimited');
      assert.equal(e.retryAfterMs, 30_000);
      assert.equal(e.message, 'Nyckel is rate limiting requests (429); it asked to wait 30 s. Try again later or lower aiFunctions.concurrency.');
      assert.equal(errorFromResponse('nyckel', 429, undefined, {}).retryAfterMs, undefined);
    });
    it('5xx → server', () => {
      const e = errorFromResponse('inferable', 503, { error: { message: 'Overloaded' } }, {});
      assert.equal(e.kind, 'server');
      assert.equal(e.message, 'Inferable had a server error (503): Overloaded. Try again in a moment.');
      const later = errorFromResponse('sutro', 503, undefined, { 'retry-after': ['5'] });
      assert.equal(later.retryAfterMs, 5000);
      assert.equal(later.message, 'Sutro had a server error (503). Try again in 5 s.');
    });
  });

  describe('other factories', () => {
    it('network names the origin and the setting', () => {
      const e = networkError('sutro', 'https://api.sutro.sh', 'ECONNREFUSED');
      assert.equal(e.kind, 'network');
      assert.equal(
        e.message,
        'Could not reach Sutro at https://api.sutro.sh: connection refused (ECONNREFUSED). Check your network and the aiFunctions.sutro.apiUrl setting.',
      );
      assert.match(networkError('sutro', 'https://serve.sutro.sh', 'ECONNRESET', { setting: 'aiFunctions.sutro.functionsUrl' }).message, /functionsUrl/);
    });
    it('timeout names the seconds and the setting', () => {
      assert.equal(timeoutError('sutro', 30_000).message, 'Sutro did not answer within 30 s. Try again, or raise aiFunctions.http.totalTimeoutSeconds.');
      assert.equal(timeoutError('nyckel', 200, 'body').message, 'Nyckel stopped sending its reply for 0.2 s. Try again, or raise aiFunctions.http.responseTimeoutSeconds.');
      assert.equal(timeoutError('nyckel', 5000, 'connect').kind, 'timeout');
    });
    it('cancelled, too large, not JSON, run failed', () => {
      assert.equal(cancelledError().message, 'The request was cancelled.');
      assert.equal(responseTooLarge('sutro', 10 * 1024 * 1024).message, 'Sutro sent a reply larger than the 10 MB limit.');
      const nj = responseNotJson('nyckel', `<html>${'y'.repeat(200)}`);
      assert.equal(nj.kind, 'invalidResponse');
      assert.ok(nj.message.startsWith('Nyckel sent a reply that is not JSON (<html>yyy'));
      assert.ok(nj.message.length < 140);
      const rf = runFailed('inferable', 'Tool crashed.');
      assert.equal(rf.kind, 'runFailed');
      assert.equal(rf.message, 'Inferable could not finish the run: Tool crashed.');
    });
    it('invalidResponse from a zod error names the field and the expected type', () => {
      const schema = z.object({ predictions: z.array(z.object({ label: z.string(), confidence: z.number() })) });
      const result = schema.safeParse({ predictions: [{ label: 3, confidence: 0.5 }] });
      assert.equal(result.success, false);
      const e = invalidResponse('sutro', result.error!);
      assert.equal(e.kind, 'invalidResponse');
      assert.equal(e.field, 'predictions.0.label');
      assert.equal(e.message, 'Sutro sent a reply that does not match its documented shape: field `predictions.0.label` (expected string).');
    });
    it('invalidResponse from a path', () => {
      const e = invalidResponse('nyckel', 'labelName', 'string');
      assert.equal(e.field, 'labelName');
      assert.equal(e.message, 'Nyckel sent a reply that does not match its documented shape: field `labelName` (expected string).');
    });
    it('isAiFunctionsError, formatSeconds', () => {
      assert.ok(isAiFunctionsError(cancelledError()));
      assert.ok(!isAiFunctionsError(new Error('x')));
      assert.ok(cancelledError() instanceof AiFunctionsError);
      assert.ok(cancelledError() instanceof Error);
      assert.equal(formatSeconds(1500), '1.5 s');
      assert.equal(formatSeconds(60_000), '60 s');
    });
  });

  describe('parseRetryAfter', () => {
    it('reads seconds and HTTP dates', () => {
      assert.equal(parseRetryAfter('1'), 1000);
      assert.equal(parseRetryAfter(' 2.5 '), 2500);
      const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
      assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
      assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
      assert.equal(parseRetryAfter('soon'), undefined);
      assert.equal(parseRetryAfter(undefined), undefined);
    });
  });

  it('redactSecrets removes an echoed key', () => {
    const e = errorFromResponse('sutro', 401, { detail: 'Invalid key sk-secret-123456' }, {});
    redactSecrets(e, ['sk-secret-123456', 'Key']);
    assert.ok(!e.message.includes('sk-secret-123456'));
    assert.ok(!e.platformMessage!.includes('sk-secret-123456'));
    assert.match(e.message, /Invalid key \*\*\*/);
  });

  describe('secrets cut short', () => {
    const KEY = 'sk_test_emulator_not_a_real_key_for_redaction';
    /** Whether `text` shows 8 or more of the key's first characters. */
    const showsKeyStart = (text: string | undefined): boolean => (text ?? '').includes(KEY.slice(0, 8));
    /** A 2,000-character message with the key starting `at`. */
    const echo = (at: number): string => `${'a'.repeat(at)}${KEY}${'b'.repeat(2_000 - at - KEY.length)}`;

    it('redactText replaces the whole key, its start cut anywhere, and nothing shorter than 8 characters', () => {
      assert.equal(redactText(`key ${KEY} here`, [KEY]), 'key *** here');
      assert.equal(redactText(`ends in ${KEY.slice(0, 20)}`, [KEY]), 'ends in ***');
      assert.equal(redactText(`cut ${KEY.slice(0, 30)}… and again ${KEY}`, [KEY]), 'cut ***… and again ***');
      assert.equal(redactText(`short ${KEY.slice(0, 7)}`, [KEY]), `short ${KEY.slice(0, 7)}`);
      assert.equal(redactText('nothing to hide', [KEY, 'tiny']), 'nothing to hide');
      // Overlapping secrets: each stretch is replaced once.
      assert.equal(redactText(`x ${KEY} y`, [KEY, KEY.slice(0, 12), KEY.slice(4)]), 'x *** y');
    });

    it('a platform message is redacted before it is cut at 300 characters', () => {
      for (const at of [280, 290, 295]) {
        const e = errorFromResponse('sutro', 400, { detail: echo(at) }, {}, { secrets: [KEY] });
        assert.ok(!showsKeyStart(e.platformMessage), e.platformMessage);
        assert.ok(!showsKeyStart(e.message));
        assert.ok(e.platformMessage!.includes('***'));
      }
    });

    it('a reply that is not JSON is redacted before it is cut at 80 characters', () => {
      for (const at of [60, 70, 75]) {
        const e = responseNotJson('nyckel', echo(at), 200, [KEY]);
        assert.ok(!showsKeyStart(e.message), e.message);
      }
    });

    it('redactSecrets also removes a key already cut short in a message', () => {
      const e = new AiFunctionsError('server', `Nyckel had a server error (500): Invalid key ${KEY.slice(0, 20)}…`, {
        platformMessage: `Invalid key ${KEY.slice(0, 20)}…`,
      });
      redactSecrets(e, [KEY]);
      assert.equal(e.message, 'Nyckel had a server error (500): Invalid key ***…');
      assert.equal(e.platformMessage, 'Invalid key ***…');
    });
  });

  it('responseTooDeep names the depth', () => {
    const e = responseTooDeep('sutro', 64, 200);
    assert.equal(e.kind, 'invalidResponse');
    assert.equal(e.message, 'Sutro sent a reply nested deeper than 64 levels.');
  });
});
