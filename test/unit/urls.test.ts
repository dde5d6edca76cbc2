import * as assert from 'node:assert/strict';
import { AiFunctionsError } from '../../src/core/errors';
import { isLoopbackHost, isUnsafePathSegment, normalizeBaseUrl, pathSegment } from '../../src/core/urls';

describe('normalizeBaseUrl', () => {
  const ok = (raw: string) => {
    const result = normalizeBaseUrl(raw);
    assert.ok(result.ok, `expected ${raw} to be accepted`);
    return result.url;
  };
  const refused = (raw: string) => {
    const result = normalizeBaseUrl(raw);
    assert.ok(!result.ok, `expected ${raw} to be refused`);
    return result.reason;
  };

  it('keeps an https origin and drops trailing slashes', () => {
    assert.equal(ok('https://api.sutro.sh'), 'https://api.sutro.sh');
    assert.equal(ok('https://api.sutro.sh/'), 'https://api.sutro.sh');
    assert.equal(ok('  https://acme.sutro.dev/v1///  '), 'https://acme.sutro.dev/v1');
  });

  it('keeps an explicit port and lowercases the host', () => {
    assert.equal(ok('https://API.Example.com:8443/base'), 'https://api.example.com:8443/base');
  });

  it('allows http:// only for loopback hosts', () => {
    assert.equal(ok('http://127.0.0.1:4010'), 'http://127.0.0.1:4010');
    assert.equal(ok('http://localhost:4010/v1'), 'http://localhost:4010/v1');
    assert.equal(ok('http://[::1]:4010'), 'http://[::1]:4010');
    assert.match(refused('http://api.sutro.sh'), /http:\/\/ is only allowed for loopback/);
    assert.match(refused('http://10.0.0.5'), /loopback/);
    assert.match(refused('http://127.0.0.1.evil.com'), /loopback/);
  });

  it('refuses credentials, queries and fragments', () => {
    assert.match(refused('https://user:pass@api.sutro.sh'), /user name or password/);
    assert.match(refused('https://api.sutro.sh/?key=1'), /query/);
    assert.match(refused('https://api.sutro.sh/?'), /query/);
    assert.match(refused('https://api.sutro.sh/#frag'), /fragment/);
  });

  it('refuses what is not an http(s) URL', () => {
    assert.match(refused(''), /empty/);
    assert.match(refused('api.sutro.sh'), /not a URL/);
    assert.match(refused('ftp://api.sutro.sh'), /only https/);
    assert.match(refused('file:///etc/passwd'), /only https/);
  });

  it('recognizes loopback hosts', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['localhost.com', '128.0.0.1', 'example.com']) assert.ok(!isLoopbackHost(host), host);
  });
});

describe('pathSegment', () => {
  const refusal = (id: string): AiFunctionsError => {
    try {
      pathSegment(id, 'job id', 'sutro');
    } catch (e) {
      assert.ok(e instanceof AiFunctionsError);
      return e;
    }
    assert.fail(`expected "${id}" to be refused`);
  };

  it('refuses ids that would move the request to another path: ".", ".." and empty ones', () => {
    for (const id of ['.', '..', ' .. ', '\t.']) {
      const e = refusal(id);
      assert.equal(e.kind, 'invalidInput');
      assert.equal(e.platform, 'sutro');
      assert.equal(e.message, `The job id "${id.trim()}" is not valid.`);
    }
    for (const id of ['', '   ']) assert.equal(refusal(id).message, 'The job id is empty.');
  });

  it('encodes every other id as one segment', () => {
    assert.equal(pathSegment('job-42', 'job id'), 'job-42');
    assert.equal(pathSegment('../admin', 'job id'), '..%2Fadmin');
    assert.equal(pathSegment('...', 'job id'), '...');
    assert.equal(pathSegment('%2e%2e', 'job id'), '%252e%252e');
    assert.equal(pathSegment('a b?c#d', 'job id'), 'a%20b%3Fc%23d');
    // Whatever it is, it stays one segment under its parent.
    for (const id of ['../admin', '...', '%2e%2e', '.a', 'a/..']) {
      assert.equal(new URL(`https://h.example/jobs/${pathSegment(id, 'job id')}`).pathname.split('/').length, 3, id);
    }
    assert.equal(isUnsafePathSegment('..'), true);
    assert.equal(isUnsafePathSegment('..a'), false);
  });
});
