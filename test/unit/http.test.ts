import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpClient, jsonNestedDeeperThan, MAX_JSON_DEPTH, type HttpClientOptions, type HttpTimeouts } from '../../src/core/http';
import type { AiFunctionsError } from '../../src/core/errors';
import type { Logger } from '../../src/core/log';
import { closeServer, listenOnLoopback, rejection } from './support';

interface TestServer {
  url: string;
  origin: string;
  /** Connections accepted so far. */
  connections: number;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const servers: Server[] = [];

async function serve(handler: Handler): Promise<TestServer> {
  const server = createServer();
  servers.push(server);
  const state: TestServer = {
    url: '',
    origin: '',
    connections: 0,
    requests: [],
    close: () => closeServer(server),
  };
  server.on('connection', () => state.connections++);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      handler(req, res, state.requests.length);
    });
  });
  state.origin = await listenOnLoopback(server);
  state.url = `${state.origin}/`;
  return state;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

interface Captured {
  lines: Array<{ level: string; message: string }>;
  logger: Logger;
}

function captureLog(): Captured {
  const lines: Captured['lines'] = [];
  const at = (level: string) => (message: string) => lines.push({ level, message });
  return { lines, logger: { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

const clients: HttpClient[] = [];
let sleeps: number[];

function client(options: Partial<HttpClientOptions> & { t?: Partial<HttpTimeouts> } = {}): HttpClient {
  const timeouts: HttpTimeouts = { connectMs: 2000, firstByteMs: 2000, totalMs: 5000, ...options.t };
  const c = new HttpClient({
    logger: captureLog().logger,
    timeouts: () => timeouts,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  clients.push(c);
  return c;
}


describe('HttpClient', function () {
  this.timeout(5000);

  beforeEach(() => {
    sleeps = [];
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map(closeServer));
  });

  it('GETs JSON with a query string and returns status, headers and body', async () => {
    const srv = await serve((req, res) => json(res, 200, { ok: true, url: req.url }, { 'x-page': 'next' }));
    const res = await client().request({
      platform: 'nyckel',
      method: 'GET',
      url: `${srv.origin}/v1/functions`,
      query: { limit: 10, cursor: 'a b&c', skip: undefined, flag: true },
    });
    assert.equal(res.status, 200);
    assert.equal(res.attempts, 1);
    assert.deepEqual(res.body, { ok: true, url: '/v1/functions?limit=10&cursor=a%20b%26c&flag=true' });
    assert.equal(res.headers['x-page'], 'next');
    assert.equal(res.headers['content-type'], 'application/json');
    assert.ok(res.durationMs >= 0);
  });

  it('POSTs JSON and forms with the right content-type', async () => {
    const srv = await serve((_req, res) => json(res, 200, {}));
    const c = client();
    await c.request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/functions/run`, json: { name: 'f', input_data: { text: 'hi' } } });
    await c.request({ platform: 'nyckel', method: 'POST', url: `${srv.origin}/connect/token`, form: { grant_type: 'client_credentials', client_id: 'a b' } });
    assert.equal(srv.requests[0]!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(srv.requests[0]!.body), { name: 'f', input_data: { text: 'hi' } });
    assert.equal(srv.requests[1]!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(srv.requests[1]!.body, 'grant_type=client_credentials&client_id=a+b');
  });

  it('returns undefined for an empty body (204) and text when asked', async () => {
    const srv = await serve((req, res) => {
      if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end('a,b\n1,2\n');
      }
    });
    const c = client();
    assert.equal((await c.request({ platform: 'sutro', method: 'DELETE', url: `${srv.origin}/empty` })).body, undefined);
    assert.equal((await c.request({ platform: 'sutro', method: 'GET', url: `${srv.origin}/csv`, responseType: 'text' })).body, 'a,b\n1,2\n');
  });

  it('reuses one keep-alive connection for 50 sequential requests', async () => {
    const srv = await serve((_req, res) => json(res, 200, { ok: 1 }));
    const c = client();
    for (let i = 0; i < 50; i++) await c.request({ platform: 'sutro', method: 'GET', url: `${srv.origin}/jobs/${i}` });
    assert.equal(srv.requests.length, 50);
    assert.equal(srv.connections, 1);
  });

  describe('retries', () => {
    it('retries a GET after 503, with backoff', async () => {
      const srv = await serve((_req, res, n) => (n === 1 ? json(res, 503, { detail: 'busy' }) : json(res, 200, { ok: 1 })));
      const res = await client().request({ platform: 'sutro', method: 'GET', url: `${srv.origin}/list-jobs` });
      assert.equal(res.attempts, 2);
      assert.deepEqual(res.body, { ok: 1 });
      assert.deepEqual(sleeps, [125]); // full jitter: 0.5 × 250 ms
    });

    it('backs off exponentially and gives up after maxRetries with the last error', async () => {
      const srv = await serve((_req, res) => json(res, 502, { detail: 'bad gateway' }));
      const e = await rejection(client().request({ platform: 'sutro', method: 'GET', url: `${srv.origin}/x` }));
      assert.equal(e.kind, 'server');
      assert.equal(e.status, 502);
      assert.equal(srv.requests.length, 4);
      assert.deepEqual(sleeps, [125, 250, 500]);
    });

    it('does not retry a POST after 503 without Retry-After', async () => {
      const srv = await serve((_req, res) => json(res, 503, { detail: 'provider_not_configured' }));
      const e = await rejection(client().request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/functions/run`, json: {} }));
      assert.equal(e.kind, 'server');
      assert.equal(e.status, 503);
      assert.equal(e.platformMessage, 'provider_not_configured');
      assert.equal(srv.requests.length, 1);
      assert.deepEqual(sleeps, []);
    });

    it('does not retry a POST after 500 or 504', async () => {
      for (const status of [500, 504]) {
        const srv = await serve((_req, res) => json(res, status, { detail: 'x' }));
        const e = await rejection(client().request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/run`, json: {} }));
        assert.equal(e.status, status);
        assert.equal(srv.requests.length, 1);
      }
    });

    it('retries a POST after 429 with Retry-After, waiting as asked', async () => {
      const srv = await serve((_req, res, n) =>
        n === 1 ? json(res, 429, { detail: 'rate_limited' }, { 'retry-after': '1' }) : json(res, 200, { output: 'ok' }),
      );
      const res = await client().request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/functions/run`, json: { name: 'f' } });
      assert.equal(res.attempts, 2);
      assert.deepEqual(sleeps, [1000]);
      assert.equal(srv.requests.length, 2);
      assert.equal(srv.requests[1]!.body, '{"name":"f"}');
    });

    it('retries a POST after 503 with Retry-After', async () => {
      const srv = await serve((_req, res, n) => (n === 1 ? json(res, 503, {}, { 'retry-after': '2' }) : json(res, 200, {})));
      const res = await client().request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/run`, json: {} });
      assert.equal(res.attempts, 2);
      assert.deepEqual(sleeps, [2000]);
    });

    it('really waits for Retry-After: 1 with the default sleep', async () => {
      const srv = await serve((_req, res, n) => (n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, {})));
      const c = client({ sleep: undefined });
      const t0 = Date.now();
      const res = await c.request({ platform: 'nyckel', method: 'POST', url: `${srv.origin}/v1/functions/f/invoke`, json: { data: 'x' } });
      const elapsed = Date.now() - t0;
      assert.equal(res.attempts, 2);
      assert.ok(elapsed >= 950 && elapsed < 2500, `waited ${elapsed} ms`);
    });

    it('reads Retry-After as an HTTP date', async () => {
      const srv = await serve((_req, res, n) =>
        n === 1 ? json(res, 429, {}, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }) : json(res, 200, {}),
      );
      const fixed = Date.parse('Wed, 21 Oct 2015 07:27:58 GMT');
      const res = await client({ now: () => fixed }).request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/run`, json: {} });
      assert.equal(res.attempts, 2);
      assert.deepEqual(sleeps, [2000]);
    });

    it('fails at once when Retry-After is above the cap, with the wait', async () => {
      const srv = await serve((_req, res) => json(res, 429, { message: 'Too many requests' }, { 'retry-after': '120' }));
      const e = await rejection(client().request({ platform: 'nyckel', method: 'GET', url: `${srv.origin}/v1/functions` }));
      assert.equal(e.kind, 'rateLimited');
      assert.equal(e.retryAfterMs, 120_000);
      assert.match(e.message, /it asked to wait 120 s/);
      assert.equal(srv.requests.length, 1);
      assert.deepEqual(sleeps, []);
    });

    it('throws rateLimited with the wait after the last attempt', async () => {
      const srv = await serve((_req, res) => json(res, 429, {}, { 'retry-after': '1' }));
      const e = await rejection(client({ maxRetries: 2 }).request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/run`, json: {} }));
      assert.equal(e.kind, 'rateLimited');
      assert.equal(e.retryAfterMs, 1000);
      assert.equal(srv.requests.length, 3);
      assert.deepEqual(sleeps, [1000, 1000]);
    });

    it('retries a GET whose connection was dropped', async () => {
      const srv = await serve((req, res, n) => (n === 1 ? req.socket.destroy() : json(res, 200, { ok: 1 })));
      const res = await client().request({ platform: 'inferable', method: 'GET', url: `${srv.origin}/clusters/c/runs` });
      assert.equal(res.attempts, 2);
      assert.equal(srv.requests.length, 2);
    });

    it('does not retry a POST whose connection was dropped', async () => {
      const srv = await serve((req) => req.socket.destroy());
      const e = await rejection(client().request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/functions/run`, json: { name: 'f' } }));
      assert.equal(e.kind, 'network');
      assert.equal(srv.requests.filter((r) => r.method === 'POST').length, 1);
      assert.match(e.message, new RegExp(`^Could not reach Sutro at ${srv.origin}: `));
    });

    it('retries a refused connection even for POST (nothing was sent)', async () => {
      const srv = await serve(() => undefined);
      const origin = srv.origin;
      await srv.close();
      const e = await rejection(client().request({ platform: 'sutro', method: 'POST', url: `${origin}/functions/run?secret=q`, json: {} }));
      assert.equal(e.kind, 'network');
      assert.equal(sleeps.length, 3);
      assert.equal(
        e.message,
        `Could not reach Sutro at ${origin}: connection refused (ECONNREFUSED). Check your network and the aiFunctions.sutro.apiUrl setting.`,
      );
    });

    it("honours retry: 'idempotent' on a POST", async () => {
      const srv = await serve((_req, res, n) => (n === 1 ? json(res, 502, {}) : json(res, 200, { ok: 1 })));
      const res = await client().request({ platform: 'nyckel', method: 'POST', url: `${srv.origin}/connect/token`, form: {}, retry: 'idempotent' });
      assert.equal(res.attempts, 2);
    });
  });

  it('refuses an invalid URL as a configuration error', async () => {
    const e = await rejection(client().request({ platform: 'inferable', method: 'GET', url: 'not a url' }));
    assert.equal(e.kind, 'configuration');
    assert.equal(e.message, 'The Inferable address is not a valid URL. Check the aiFunctions.inferable.baseUrl setting.');
  });

  describe('timeouts', () => {
    it('first byte: a server that never answers', async () => {
      const srv = await serve(() => undefined);
      const t0 = Date.now();
      const e = await rejection(
        client({ t: { firstByteMs: 200 } }).request({ platform: 'sutro', method: 'GET', url: `${srv.origin}/jobs` }),
      );
      assert.equal(e.kind, 'timeout');
      assert.equal(e.message, 'Sutro did not answer within 0.2 s. Try again, or raise aiFunctions.http.responseTimeoutSeconds.');
      assert.ok(Date.now() - t0 < 2500); // undici checks this timeout about once a second
      assert.equal(srv.requests.length, 1, 'timeouts are not retried');
    });

    it('body: a server that stalls mid-body', async () => {
      const srv = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"predictions": [');
      });
      const e = await rejection(
        client({ t: { firstByteMs: 200 } }).request({ platform: 'nyckel', method: 'GET', url: `${srv.origin}/x` }),
      );
      assert.equal(e.kind, 'timeout');
      assert.match(e.message, /^Nyckel stopped sending its reply for 0\.2 s/);
    });

    it('total: a server that trickles its reply forever', async () => {
      const srv = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write(' '), 30);
        res.on('close', () => clearInterval(timer));
      });
      const t0 = Date.now();
      const e = await rejection(
        client({ t: { firstByteMs: 1000, totalMs: 300 } }).request({ platform: 'inferable', method: 'GET', url: `${srv.origin}/x` }),
      );
      assert.equal(e.kind, 'timeout');
      assert.equal(e.message, 'Inferable did not answer within 0.3 s. Try again, or raise aiFunctions.http.totalTimeoutSeconds.');
      assert.ok(Date.now() - t0 < 1000);
    });
  });

  describe('cancellation', () => {
    it('aborts a request in flight quickly', async () => {
      const srv = await serve(() => undefined);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const t0 = Date.now();
      const e = await rejection(client().request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/run`, json: {}, signal: ac.signal }));
      assert.equal(e.kind, 'cancelled');
      assert.equal(e.message, 'The request was cancelled.');
      assert.ok(Date.now() - t0 < 500);
    });

    it('aborts while the body is arriving', async () => {
      const srv = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
      });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const e = await rejection(client().request({ platform: 'sutro', method: 'GET', url: `${srv.origin}/x`, signal: ac.signal }));
      assert.equal(e.kind, 'cancelled');
    });

    it('aborts during a retry wait', async () => {
      const srv = await serve((_req, res) => json(res, 429, {}, { 'retry-after': '10' }));
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const t0 = Date.now();
      const e = await rejection(
        client({ sleep: undefined }).request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/run`, json: {}, signal: ac.signal }),
      );
      assert.equal(e.kind, 'cancelled');
      assert.ok(Date.now() - t0 < 1000);
      assert.equal(srv.requests.length, 1);
    });

    it('does not send when the signal is already aborted', async () => {
      const srv = await serve((_req, res) => json(res, 200, {}));
      const e = await rejection(client().request({ platform: 'sutro', method: 'GET', url: srv.url, signal: AbortSignal.abort() }));
      assert.equal(e.kind, 'cancelled');
      assert.equal(srv.requests.length, 0);
    });

    it('refuses requests after close()', async () => {
      const srv = await serve((_req, res) => json(res, 200, {}));
      const c = client();
      await c.request({ platform: 'sutro', method: 'GET', url: srv.url });
      await c.close();
      assert.equal((await rejection(c.request({ platform: 'sutro', method: 'GET', url: srv.url }))).kind, 'cancelled');
    });
  });

  describe('replies', () => {
    it('refuses a reply larger than the cap (content-length)', async () => {
      const srv = await serve((_req, res) => json(res, 200, { data: 'x'.repeat(5000) }));
      const e = await rejection(client({ maxResponseBytes: 1024 }).request({ platform: 'sutro', method: 'GET', url: srv.url }));
      assert.equal(e.kind, 'invalidResponse');
      assert.equal(e.message, 'Sutro sent a reply larger than the 1 KB limit.');
    });

    it('refuses a chunked reply that grows past the cap', async () => {
      const srv = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write('x'.repeat(64 * 1024)), 5);
        res.on('close', () => clearInterval(timer));
      });
      const e = await rejection(client().request({ platform: 'nyckel', method: 'GET', url: srv.url, maxResponseBytes: 1024 * 1024 }));
      assert.equal(e.kind, 'invalidResponse');
      assert.equal(e.message, 'Nyckel sent a reply larger than the 1 MB limit.');
    });

    it('refuses a 200 that is not JSON', async () => {
      const srv = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<html><body>Welcome to the login page ${'.'.repeat(200)}</body></html>`);
      });
      const e = await rejection(client().request({ platform: 'inferable', method: 'GET', url: srv.url }));
      assert.equal(e.kind, 'invalidResponse');
      assert.equal(e.status, 200);
      assert.match(e.message, /^Inferable sent a reply that is not JSON \(<html><body>Welcome to the login page \.+\)\.$/);
    });

    it('maps error bodies to kinds and platform messages', async () => {
      const srv = await serve((req, res) => {
        switch (req.url) {
          case '/422':
            return json(res, 422, { detail: [{ loc: ['body', 'input_data', 'text'], msg: 'Field required' }] });
          case '/404':
            return json(res, 404, { message: 'Function function_x not found' });
          case '/500':
            return json(res, 500, { error: { message: 'Internal server error' } });
          case '/400':
            return json(res, 400, { error: 'bad labelCount' });
          case '/502':
            res.writeHead(502, { 'content-type': 'text/plain' });
            return res.end('upstream failed');
          default:
            res.writeHead(401);
            return res.end();
        }
      });
      const c = client();
      const fail = (path: string, platform: 'sutro' | 'nyckel' | 'inferable', subject?: string) =>
        rejection(c.request({ platform, method: 'POST', url: `${srv.origin}${path}`, json: {}, subject }));

      const e422 = await fail('/422', 'sutro');
      assert.equal(e422.kind, 'invalidInput');
      assert.equal(e422.platformMessage, 'input_data.text: Field required');
      assert.equal(e422.message, 'Sutro refused the input (422): input_data.text: Field required.');

      const e404 = await fail('/404', 'nyckel', 'function_x');
      assert.equal(e404.kind, 'notFound');
      assert.equal(e404.message, 'Nyckel could not find function_x (404): Function function_x not found.');

      const e500 = await fail('/500', 'inferable');
      assert.equal(e500.kind, 'server');
      assert.equal(e500.platformMessage, 'Internal server error');

      assert.equal((await fail('/400', 'nyckel')).platformMessage, 'bad labelCount');

      const e502 = await fail('/502', 'sutro');
      assert.equal(e502.kind, 'server');
      assert.equal(e502.platformMessage, 'upstream failed');

      const e401 = await fail('/401', 'inferable');
      assert.equal(e401.kind, 'auth');
      assert.equal(e401.status, 401);
      assert.equal(e401.platformMessage, undefined);
      assert.equal(e401.message, 'Inferable rejected the API key (401). Run "AI Functions: Set API Key…" to update it.');
    });
  });

  describe('nesting depth', () => {
    const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

    it(`refuses a reply nested deeper than ${MAX_JSON_DEPTH} levels, and reads one at the limit`, async () => {
      const srv = await serve((req, res) => {
        const depth = Number(req.url!.slice(1));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(nested(depth));
      });
      const c = client();
      const ok = await c.request({ platform: 'sutro', method: 'GET', url: `${srv.origin}/${MAX_JSON_DEPTH}` });
      assert.ok(Array.isArray(ok.body));
      for (const depth of [MAX_JSON_DEPTH + 1, 1_000_000]) {
        const e = await rejection(c.request({ platform: 'sutro', method: 'GET', url: `${srv.origin}/${depth}` }));
        assert.equal(e.kind, 'invalidResponse');
        assert.equal(e.status, 200);
        assert.equal(e.message, 'Sutro sent a reply nested deeper than 64 levels.');
      }
    });

    it('an error reply nested too deep still gives the status error', async () => {
      const srv = await serve((_req, res) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(nested(100_000));
      });
      const e = await rejection(client().request({ platform: 'nyckel', method: 'POST', url: srv.url, json: {} }));
      assert.equal(e.kind, 'server');
      assert.equal(e.message, 'Nyckel had a server error (500). Try again in a moment.');
    });

    it('counts brackets outside strings only, escapes included', () => {
      const deepText = JSON.stringify({ a: `${'['.repeat(200)}"\\${'{'.repeat(200)}` });
      assert.equal(jsonNestedDeeperThan(deepText, 64), false);
      assert.equal(jsonNestedDeeperThan(`{"a":${nested(64)}}`, 64), true);
      assert.equal(jsonNestedDeeperThan(`{"a":${nested(63)}}`, 64), false);
      assert.equal(jsonNestedDeeperThan(`${nested(40)}${nested(40)}`, 64), false, 'siblings do not add up');
    });
  });

  describe('secrets echoed in long replies', () => {
    const KEY = 'sk-planted-emulator-not-a-real-key';
    /** A 2,000-character message with the key starting `at`. */
    const echo = (at: number): string => `${'m'.repeat(at)}${KEY}${'n'.repeat(2_000 - at - KEY.length)}`;

    it('never shows 8 or more leading characters of the key, wherever the message is cut', async () => {
      const srv = await serve((req, res) => {
        const [, kind, at] = req.url!.split('/');
        if (kind === 'not-json') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          return res.end(echo(Number(at)));
        }
        return json(res, 400, { detail: echo(Number(at)) });
      });
      const log = captureLog();
      const c = client({ logger: log.logger });
      const headers = { authorization: `Key ${KEY}` };
      const fail = (path: string) => rejection(c.request({ platform: 'sutro', method: 'GET', url: `${srv.origin}${path}`, headers }));
      const errors: AiFunctionsError[] = [];
      // Straddling the 300-character cut of a platform message, and the 80-character one of a reply that is not JSON.
      for (const at of [285, 290, 295]) errors.push(await fail(`/detail/${at}`));
      for (const at of [65, 70, 75]) errors.push(await fail(`/not-json/${at}`));
      const start = KEY.slice(0, 8);
      for (const e of errors) {
        assert.ok(!e.message.includes(start), e.message);
        assert.ok(!(e.platformMessage ?? '').includes(start), e.platformMessage);
        assert.ok(e.message.includes('***'), e.message);
      }
      for (const line of log.lines) assert.ok(!line.message.includes(start), `leaked in log: ${line.message}`);
    });

    it('leaves the scheme word of an authorization header alone', async () => {
      const srv = await serve((_req, res) => json(res, 401, { detail: 'Bearer error="invalid_token"' }));
      const headers = { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature' };
      const e = await rejection(client().request({ platform: 'nyckel', method: 'GET', url: srv.url, headers }));
      assert.equal(e.platformMessage, 'Bearer error="invalid_token"');
    });
  });

  describe('logging', () => {
    it('logs one debug line per attempt, a warning on failure, and never the key', async () => {
      const key = 'sk-planted-3f9a7c1e5b2d';
      const srv = await serve((req, res, n) => {
        if (req.url!.startsWith('/ok')) return json(res, 200, {});
        if (n <= 2) return json(res, 503, { detail: 'busy' });
        // A platform that echoes the key back in its error.
        return json(res, 401, { detail: `Invalid key ${req.headers.authorization}` });
      });
      const log = captureLog();
      const c = client({ logger: log.logger });
      const headers = { Authorization: `Key ${key}` };
      const e = await rejection(c.request({ platform: 'sutro', method: 'GET', url: `${srv.origin}/list-jobs?limit=5`, headers }));
      await c.request({ platform: 'sutro', method: 'POST', url: `${srv.origin}/ok`, headers, json: { secret: key } });

      assert.equal(srv.requests[0]!.headers.authorization, `Key ${key}`);
      assert.equal(e.kind, 'auth');
      const debug = log.lines.filter((l) => l.level === 'debug').map((l) => l.message);
      assert.equal(debug.length, 4);
      assert.match(debug[0]!, /^GET \/list-jobs 503 \d+ms attempt=1$/);
      assert.match(debug[1]!, /^GET \/list-jobs 503 \d+ms attempt=2$/);
      assert.match(debug[2]!, /^GET \/list-jobs 401 \d+ms attempt=3$/);
      assert.match(debug[3]!, /^POST \/ok 200 \d+ms attempt=1$/);
      const warn = log.lines.filter((l) => l.level === 'warn');
      assert.equal(warn.length, 1);
      assert.ok(warn[0]!.message.includes('rejected the API key'));
      for (const line of log.lines) assert.ok(!line.message.includes(key), `leaked in log: ${line.message}`);
      assert.ok(!e.message.includes(key));
      assert.ok(!e.platformMessage!.includes(key));
    });
  });
});
