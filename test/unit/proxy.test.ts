// Proxies: which requests go through one (core/proxy.ts), and every platform over real HTTP
// through a real CONNECT proxy the test starts (test/proxy/connectProxy.ts), which records what it
// tunnels. The emulators listen on 127.0.0.1, and loopback is never proxied; so the platforms are
// addressed as `http://<platform>.test:PORT`, names only the proxy resolves (to 127.0.0.1): the
// client sees hosts that are not loopback, as real platforms are, and cannot reach them without
// the proxy. Where a loopback target itself must be proxied (to show `noProxy`), the client's
// test-only `proxyLoopback` switch is on, and the test says so.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient, MAX_SENDS, type HttpClientOptions } from '../../src/core/http';
import type { Logger } from '../../src/core/log';
import { bypasses, hasEnvProxy, isLoopbackTarget, proxyConfigured, proxyRoute, type ProxySettings } from '../../src/core/proxy';
import { InferableAdapter } from '../../src/platforms/inferable';
import { NyckelAdapter } from '../../src/platforms/nyckel';
import { SutroAdapter } from '../../src/platforms/sutro';
import { startConnectProxy, type ConnectProxy } from '../proxy/connectProxy';
import { INFERABLE_DEFAULT_CLUSTER, INFERABLE_DEFAULT_KEY, InferableEmulator } from '../emulator/inferable';
import { NYCKEL_DEFAULT_CLIENT_ID, NYCKEL_DEFAULT_CLIENT_SECRET, NyckelEmulator } from '../emulator/nyckel';
import { SUTRO_DEFAULT_KEY, SutroEmulator } from '../emulator/sutro';
import { rejection } from './support';

const fail = (message: string): Error => new Error(message);
const route = (url: string, settings?: ProxySettings, env: Record<string, string> = {}, loopback = false) =>
  proxyRoute(new URL(url), settings, env, loopback, fail);

describe('proxy: which requests go through one', () => {
  it('http.proxy for every platform host; none without one (and no proxy variable)', () => {
    const r = route('https://www.nyckel.com/v1/functions', { proxy: 'http://proxy.corp:3128' });
    assert.equal(r?.url, 'http://proxy.corp:3128/');
    assert.equal(r?.origin, 'http://proxy.corp:3128');
    assert.equal(r?.source, 'http.proxy');
    assert.equal(r?.strictSSL, true);
    assert.equal(route('https://www.nyckel.com/', {}), undefined);
    assert.equal(route('https://www.nyckel.com/', { proxy: '   ' }), undefined);
    assert.equal(route('https://www.nyckel.com/', { proxy: 42 }), undefined, 'a value of another type counts as not set');
    assert.equal(route('https://api.sutro.sh/', { proxy: 'proxy.corp:3128' })?.url, 'http://proxy.corp:3128/', 'host:port means http://');
  });

  it('falls back to HTTPS_PROXY / HTTP_PROXY (as VS Code reads them), and http.proxy wins over them', () => {
    const env = { HTTPS_PROXY: 'http://secure-proxy:1', HTTP_PROXY: 'http://plain-proxy:2' };
    assert.equal(route('https://api.inferable.ai/', undefined, env)?.source, 'HTTPS_PROXY');
    assert.equal(route('http://api.inferable.ai/', undefined, env)?.source, 'HTTP_PROXY', 'http:// targets read HTTP_PROXY');
    assert.equal(route('https://api.inferable.ai/', undefined, { HTTP_PROXY: 'http://plain-proxy:2' })?.source, 'HTTP_PROXY', 'https:// falls back to HTTP_PROXY');
    assert.equal(route('http://api.inferable.ai/', undefined, { HTTPS_PROXY: 'http://secure-proxy:1' }), undefined, 'http:// never reads HTTPS_PROXY');
    assert.equal(route('https://api.inferable.ai/', undefined, { https_proxy: 'http://lower:3' })?.source, 'https_proxy');
    assert.equal(route('https://api.inferable.ai/', { proxy: 'http://setting:4' }, env)?.source, 'http.proxy');
    assert.equal(proxyConfigured(undefined, () => hasEnvProxy({})), false);
    assert.equal(proxyConfigured(undefined, () => hasEnvProxy({ HTTP_PROXY: 'http://p:1' })), true);
    assert.equal(proxyConfigured({ proxy: 'http://p:1' }, () => assert.fail('the environment is not read when http.proxy is set')), true);
    assert.equal(hasEnvProxy({ https_proxy: ' ' }), false);
  });

  it('loopback is never proxied: localhost (and *.localhost), 127.0.0.0/8, ::1', () => {
    for (const url of ['http://localhost:1/', 'http://api.localhost:1/', 'http://127.0.0.1:1/', 'http://127.9.8.7/', 'http://[::1]:1/', 'http://[::ffff:127.0.0.1]/']) {
      assert.equal(route(url, { proxy: 'http://proxy:1' }, { HTTP_PROXY: 'http://proxy:1' }), undefined, url);
      assert.ok(isLoopbackTarget(new URL(url).hostname), url);
    }
    assert.ok(!isLoopbackTarget('localhost.example.com'));
    assert.ok(!isLoopbackTarget('128.0.0.1'));
    assert.equal(route('http://127.0.0.1:1/', { proxy: 'http://proxy:1' }, {}, true)?.source, 'http.proxy', 'only the tests’ switch proxies loopback');
  });

  it('http.noProxy and NO_PROXY: hosts with their subdomains, ports, IPv4 ranges, *', () => {
    const target = new URL('https://eu.api.example.com/x');
    for (const entry of ['eu.api.example.com', 'example.com', '.example.com', '*.example.com', 'EXAMPLE.COM', 'example.com:443', 'https://example.com', '*']) {
      assert.ok(bypasses(entry, target), entry);
    }
    for (const entry of ['ample.com', 'example.com:8443', 'other.com', '', '10.0.0.0/8']) assert.ok(!bypasses(entry, target), entry);
    assert.ok(bypasses('10.0.0.0/8', new URL('http://10.20.30.40/')));
    assert.ok(!bypasses('10.0.0.0/8', new URL('http://11.0.0.1/')));
    assert.ok(bypasses('[2001:db8::1]', new URL('http://[2001:db8::1]/')));

    const proxy = { proxy: 'http://proxy:1' };
    assert.equal(route('https://api.sutro.sh/', { ...proxy, noProxy: ['sutro.sh'] }), undefined);
    assert.ok(route('https://www.nyckel.com/', { ...proxy, noProxy: ['sutro.sh'] }));
    assert.equal(route('https://api.sutro.sh/', proxy, { NO_PROXY: 'foo.com, .sutro.sh' }), undefined, 'NO_PROXY too');
    assert.equal(route('https://api.sutro.sh/', proxy, { no_proxy: 'sutro.sh' }), undefined);
    assert.ok(route('https://api.sutro.sh/', { ...proxy, noProxy: 'sutro.sh' }), 'a value of another type counts as not set');
  });

  it('a proxy address that is not http(s) is a configuration error that never repeats it (it may hold a password)', () => {
    for (const proxy of ['socks5://user:hunter22@proxy:1080', 'http://user:hunter22@exa mple:1', 'ftp://user:hunter22@proxy']) {
      assert.throws(
        () => route('https://www.nyckel.com/', { proxy }),
        (e: Error) => /the http\.proxy setting is not an http:\/\/ or https:\/\/ proxy address/.test(e.message) && !e.message.includes('hunter22'),
      );
    }
    assert.throws(() => route('https://www.nyckel.com/', undefined, { HTTPS_PROXY: 'socks://p' }), /the HTTPS_PROXY environment variable/);
  });

  it('routes tell credentials apart without holding them; proxyStrictSSL and proxyAuthorization are read', () => {
    const a = route('https://x.com/', { proxy: 'http://u:p1@proxy:1' })!;
    const b = route('https://x.com/', { proxy: 'http://u:p2@proxy:1' })!;
    const c = route('https://x.com/', { proxy: 'http://u:p1@proxy:1', proxyAuthorization: 'Basic abc', proxyStrictSSL: false })!;
    assert.notEqual(a.key, b.key);
    assert.notEqual(a.key, c.key);
    assert.ok(!a.key.includes('p1'));
    assert.equal(a.origin, 'http://proxy:1', 'the origin shown has no credentials');
    assert.equal(c.authorization, 'Basic abc');
    assert.equal(c.strictSSL, false);
  });
});

/** Keeps every log line, to check that no proxy credential is ever written. */
function recordingLogger(lines: string[]): Logger {
  const keep = (message: string): void => void lines.push(message);
  return { trace: keep, debug: keep, info: keep, warn: keep, error: keep };
}

describe('proxy: every platform over real HTTP through a CONNECT proxy', function () {
  this.timeout(30_000);

  const sutroEmu = new SutroEmulator();
  const nyckelEmu = new NyckelEmulator({ limits: null });
  const inferableEmu = new InferableEmulator({ runStepMs: 20 });
  let proxy: ConnectProxy;
  /** What the client reads as the user's proxy settings, on every request. */
  let settings: ProxySettings | undefined;
  let logLines: string[];
  let http: HttpClient;
  /** The platforms by names only the proxy resolves. */
  let urls: { sutro: string; nyckel: string; inferable: string };

  const client = (options: Partial<HttpClientOptions> = {}): HttpClient =>
    new HttpClient({
      logger: recordingLogger(logLines),
      timeouts: () => ({ connectMs: 2_000, firstByteMs: 5_000, totalMs: 10_000 }),
      baseBackoffMs: 1,
      proxy: () => settings,
      ...options,
    });
  const adapters = (h: HttpClient, base = urls) => {
    // Sutro accepts http:// only for loopback (127.0.0.2 here, which only the proxy maps to the
    // emulator), so the tests' switch that proxies loopback is on for the names of the proxy.
    if (base === urls) h.proxyLoopback = true;
    return adaptersOf(h, base);
  };
  const adaptersOf = (h: HttpClient, base: typeof urls) => ({
    sutro: new SutroAdapter({
      http: h,
      logger: recordingLogger(logLines),
      credentials: async () => ({ apiKey: SUTRO_DEFAULT_KEY }),
      config: () => ({ apiUrl: base.sutro, functionsUrl: base.sutro, functions: [{ name: 'sentiment', inputFields: ['text'] }] }),
    }),
    nyckel: new NyckelAdapter({
      http: h,
      logger: recordingLogger(logLines),
      credentials: async () => ({ clientId: NYCKEL_DEFAULT_CLIENT_ID, clientSecret: NYCKEL_DEFAULT_CLIENT_SECRET }),
      config: () => ({ baseUrl: base.nyckel }),
    }),
    inferable: new InferableAdapter({
      http: h,
      logger: recordingLogger(logLines),
      credentials: async () => ({ apiKey: INFERABLE_DEFAULT_KEY }),
      config: () => ({ baseUrl: base.inferable, clusterId: INFERABLE_DEFAULT_CLUSTER, pollIntervalMs: 10, maxPollIntervalMs: 20, runTimeoutMs: 5_000 }),
    }),
  });
  const hostOf = (url: string): string => new URL(url).host;
  const connects = (host: string): number => proxy.requests.filter((r) => r.method === 'CONNECT' && r.target === host).length;

  before(async () => {
    await Promise.all([sutroEmu.start(), nyckelEmu.start(), inferableEmu.start()]);
    proxy = await startConnectProxy({ hosts: { '127.0.0.2': '127.0.0.1', 'sutro.test': '127.0.0.1', 'nyckel.test': '127.0.0.1', 'inferable.test': '127.0.0.1', 'closed.test': '127.0.0.1' } });
    urls = {
      sutro: `http://127.0.0.2:${sutroEmu.port}`,
      nyckel: `http://nyckel.test:${nyckelEmu.port}`,
      inferable: `http://inferable.test:${inferableEmu.port}`,
    };
  });

  after(async () => {
    await proxy.close();
    await Promise.all([sutroEmu.close(), nyckelEmu.close(), inferableEmu.close()]);
  });

  beforeEach(() => {
    for (const e of [sutroEmu, nyckelEmu, inferableEmu]) e.reset();
    proxy.clear();
    proxy.requireAuthorization(undefined);
    settings = { proxy: proxy.url };
    logLines = [];
    http = client();
  });

  afterEach(async () => {
    await http.close();
  });

  it('Sutro, Nyckel and Inferable: runs and reads go through the proxy (CONNECT), and arrive', async () => {
    const { sutro, nyckel, inferable } = adapters(http);
    assert.equal((await sutro.run({ platform: 'sutro', function: 'sentiment', input: 'I love it' })).kind, 'classification');
    await sutro.listJobs();
    assert.ok((await nyckel.listFunctions()).some((f) => f.id === 'function_leadintent'));
    assert.equal((await nyckel.run({ platform: 'nyckel', function: 'function_leadintent', input: 'budget and a demo' })).label, 'qualified');
    assert.equal((await inferable.run({ platform: 'inferable', function: '', input: 'How many items are in stock?' })).status, 'done');
    await inferable.listJobs();

    assert.ok(proxy.requests.every((r) => r.method === 'CONNECT' && r.status === 200), JSON.stringify(proxy.requests));
    for (const url of Object.values(urls)) assert.ok(connects(hostOf(url)) >= 1, `a tunnel to ${hostOf(url)}`);
    assert.equal(sutroEmu.requestsTo('/functions/run', 'POST').length, 1);
    assert.equal(nyckelEmu.requestsTo('/connect/token', 'POST').length, 1);
    assert.equal(nyckelEmu.requestsTo('/v1/functions/function_leadintent/invoke', 'POST').length, 1);
    assert.ok(inferableEmu.requestsTo(/\/runs$/, 'POST').length === 1);
    for (const emu of [sutroEmu, nyckelEmu, inferableEmu]) {
      for (const r of emu.requests) {
        assert.equal(r.headers.host, hostOf(urls[emu.name as keyof typeof urls]), 'the platform sees its own name as Host');
        assert.equal(r.headers['proxy-authorization'], undefined);
      }
    }
    assert.ok(logLines.some((l) => l === `Requests to platforms go through the proxy ${proxy.url} (the http.proxy setting).`));
  });

  it('without the proxy those names do not resolve: the requests above could only have gone through it', async () => {
    settings = undefined;
    const error = await rejection(adapters(client({ maxRetries: 0 })).nyckel.listFunctions());
    assert.equal(error.kind, 'network');
    assert.equal(proxy.requests.length, 0);
  });

  it('one pool per origin through the proxy: sequential calls reuse one tunnel; each origin has its own', async () => {
    const { nyckel, sutro } = adapters(http);
    for (let i = 0; i < 15; i++) await nyckel.run({ platform: 'nyckel', function: 'function_sentiment', input: `great ${i}`, options: { tags: false } });
    assert.equal(connects(hostOf(urls.nyckel)), 1, 'one tunnel, kept alive');
    await Promise.all(Array.from({ length: 8 }, (_, i) => sutro.run({ platform: 'sutro', function: 'sentiment', input: `ok ${i}` })));
    assert.ok(connects(hostOf(urls.sutro)) >= 1 && connects(hostOf(urls.sutro)) <= 8);
    assert.equal(connects(hostOf(urls.nyckel)), 1);
  });

  it('loopback targets are never proxied: the emulators on 127.0.0.1 and localhost are reached directly', async () => {
    const { nyckel, sutro } = adapters(http, { sutro: sutroEmu.url, nyckel: nyckelEmu.url, inferable: inferableEmu.url });
    await nyckel.run({ platform: 'nyckel', function: 'function_leadintent', input: 'x', options: { tags: false } });
    await adapters(http, { ...urls, sutro: `http://localhost:${sutroEmu.port}` }).sutro.listJobs();
    await sutro.listJobs();
    assert.equal(proxy.requests.length, 0);
    assert.equal(nyckelEmu.requestsTo('/v1/functions/function_leadintent/invoke', 'POST').length, 1);
  });

  it('http.noProxy bypasses the proxy (loopback proxied by the tests’ switch, to have a host to bypass)', async () => {
    http.proxyLoopback = true;
    const direct = { sutro: sutroEmu.url, nyckel: nyckelEmu.url, inferable: inferableEmu.url };
    const { nyckel, inferable } = adapters(http, direct);
    await inferable.listJobs();
    assert.equal(connects(hostOf(inferableEmu.url)), 1, 'with the switch on, loopback is proxied');

    settings = { proxy: proxy.url, noProxy: ['127.0.0.1'] };
    proxy.clear();
    await nyckel.listFunctions();
    await inferable.listJobs();
    assert.equal(proxy.requests.length, 0, 'noProxy: reached directly');
    assert.ok(nyckelEmu.requestsTo('/v1/functions', 'GET').length > 0);

    settings = { proxy: proxy.url, noProxy: [`127.0.0.1:${inferableEmu.port}`] };
    await nyckel.listFunctions();
    await inferable.listJobs();
    assert.deepEqual(proxy.targets(), [hostOf(nyckelEmu.url)], 'a host:port entry bypasses that port only');
  });

  it('changed settings apply to the next request', async () => {
    const { sutro } = adapters(http);
    await sutro.listJobs();
    assert.equal(connects(hostOf(urls.sutro)), 1);
    settings = { proxy: proxy.url, noProxy: ['127.0.0.2'] };
    const error = await rejection(adapters(client({ maxRetries: 0 })).sutro.listJobs());
    assert.equal(error.kind, 'network', 'reached directly, where nothing listens on 127.0.0.2');
    assert.equal(connects(hostOf(urls.sutro)), 1);
  });

  it('without http.proxy, HTTP_PROXY from the environment (http:// targets); NO_PROXY bypasses', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    try {
      settings = { proxy: '' };
      process.env.HTTP_PROXY = proxy.url;
      const { nyckel } = adapters(http);
      await nyckel.listFunctions();
      assert.ok(connects(hostOf(urls.nyckel)) >= 1);
      assert.ok(logLines.some((l) => l.includes('(the HTTP_PROXY environment variable)')));

      process.env.NO_PROXY = 'nyckel.test';
      proxy.clear();
      const error = await rejection(adapters(client({ maxRetries: 0 })).nyckel.listFunctions());
      assert.equal(error.kind, 'network');
      assert.equal(proxy.requests.length, 0);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  describe('Proxy-Authorization', () => {
    const AUTH = 'Basic cHJveHl1c2VyOnByb3h5LXBhc3N3b3JkLTQy';

    it('a 407 is a configuration error naming the settings, sent once, and never shows the authorization', async () => {
      proxy.requireAuthorization(AUTH);
      const error = await rejection(adapters(http).nyckel.listFunctions());
      assert.equal(error.kind, 'configuration');
      assert.equal(error.status, 407);
      assert.equal(
        error.message,
        `The proxy ${proxy.url} (the http.proxy setting) asked for credentials (407 Proxy Authentication Required) before connecting to Nyckel. Set http.proxyAuthorization, or put the user and password in the http.proxy setting.`,
      );
      assert.equal(proxy.requests.length, 1, 'not sent again');
      assert.equal(nyckelEmu.requests.length, 0);

      settings = { proxy: proxy.url, proxyAuthorization: 'Basic d3Jvbmc6d3Jvbmctd3Jvbmctd3Jvbmc=' };
      const wrong = await rejection(adapters(http).nyckel.listFunctions());
      assert.match(wrong.message, /Check the http\.proxyAuthorization setting\.$/);
      assert.ok(!wrong.message.includes('d3Jvbmc6'));
    });

    it('http.proxyAuthorization goes to the proxy only: never to the platform, never to the log', async () => {
      proxy.requireAuthorization(AUTH);
      settings = { proxy: proxy.url, proxyAuthorization: AUTH };
      const { sutro, nyckel, inferable } = adapters(http);
      await sutro.listJobs();
      await nyckel.listFunctions();
      await inferable.listJobs();
      assert.ok(proxy.requests.length >= 3);
      assert.ok(proxy.requests.every((r) => r.proxyAuthorization === AUTH && r.status === 200));
      for (const emu of [sutroEmu, nyckelEmu, inferableEmu]) {
        assert.ok(emu.requests.length > 0);
        for (const r of emu.requests) assert.ok(!JSON.stringify(r.headers).includes('cHJveHl1c2Vy'), 'no platform sees it');
      }
      assert.ok(logLines.length > 0);
      for (const line of logLines) assert.ok(!line.includes('cHJveHl1c2Vy'), line);
    });

    it('a user and password in http.proxy become Basic credentials, and are never shown', async () => {
      proxy.requireAuthorization(`Basic ${Buffer.from('proxyuser:s3cret-pw').toString('base64')}`);
      const port = new URL(proxy.url).port;
      settings = { proxy: `http://proxyuser:s3cret-pw@127.0.0.1:${port}` };
      await adapters(http).nyckel.listFunctions();
      assert.ok(proxy.requests.every((r) => r.status === 200));
      for (const line of logLines) assert.ok(!line.includes('s3cret-pw') && !line.includes('proxyuser'), line);

      proxy.requireAuthorization('Basic something-else');
      const error = await rejection(adapters(client()).nyckel.listFunctions());
      assert.equal(error.status, 407);
      assert.ok(!error.message.includes('s3cret-pw') && !error.message.includes('proxyuser'), error.message);
      assert.ok(error.message.includes(`http://127.0.0.1:${port}`));
    });
  });

  describe('failures through the proxy name it and the http.proxy setting', () => {
    it('a proxy that refuses connections: a network error, sent again as a connection never made', async () => {
      const closed = await startConnectProxy();
      const url = closed.url;
      await closed.close();
      settings = { proxy: url };
      const error = await rejection(adapters(http).sutro.listJobs());
      assert.equal(error.kind, 'network');
      assert.equal(error.message, `Could not reach the proxy ${url} (the http.proxy setting) to connect to Sutro: connection refused (ECONNREFUSED). Check the http.proxy setting.`);
      const attempts = logLines.filter((l) => /^GET \/list-jobs ECONNREFUSED/.test(l));
      assert.equal(attempts.length, MAX_SENDS);
    });

    it('a proxy that cannot reach the platform (CONNECT answered 502): says so, with the platform’s address', async () => {
      const { nyckel } = adapters(http, { ...urls, nyckel: 'http://closed.test:1' });
      const error = await rejection(nyckel.listFunctions());
      assert.equal(error.kind, 'network');
      assert.equal(
        error.message,
        `Could not reach Nyckel at http://closed.test:1 through the proxy ${proxy.url} (the http.proxy setting): the proxy could not connect to it (502). Check the http.proxy and http.noProxy settings.`,
      );
      assert.deepEqual(
        proxy.requests.map((r) => [r.target, r.status]),
        [['closed.test:1', 502]],
      );
    });

    it('a bad http.proxy fails before anything is sent', async () => {
      settings = { proxy: 'socks5://proxy:1080' };
      const error = await rejection(adapters(http).nyckel.listFunctions());
      assert.equal(error.kind, 'configuration');
      assert.match(error.message, /http\.proxy setting is not an http:\/\/ or https:\/\/ proxy address/);
      assert.equal(proxy.requests.length + nyckelEmu.requests.length, 0);
    });
  });

  describe('https through the proxy: http.proxyStrictSSL', () => {
    let server: HttpsServer | undefined;
    let secureUrl: string;
    let secureProxy: ConnectProxy;

    before(async function () {
      const dir = mkdtempSync(join(tmpdir(), 'aifn-proxy-'));
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=secure.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      } catch {
        rmSync(dir, { recursive: true, force: true });
        this.skip(); // no openssl: no self-signed certificate to test with
      }
      server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
      rmSync(dir, { recursive: true, force: true });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      secureProxy = await startConnectProxy({ hosts: { 'secure.test': '127.0.0.1' } });
      secureUrl = `https://secure.test:${(server.address() as AddressInfo).port}/`;
    });

    after(async () => {
      await secureProxy?.close();
      server?.closeAllConnections();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    });

    it('verifies the platform’s certificate through the tunnel; http.proxyStrictSSL: false does not', async () => {
      settings = { proxy: secureProxy.url };
      const strict = await rejection(http.request({ platform: 'nyckel', method: 'GET', url: secureUrl }));
      assert.equal(strict.kind, 'network');
      assert.match(strict.message, /self-signed|certificate/);
      assert.match(strict.message, /through the proxy .* the http\.proxy setting\)\.$/);

      settings = { proxy: secureProxy.url, proxyStrictSSL: false };
      const response = await http.request({ platform: 'nyckel', method: 'GET', url: secureUrl });
      assert.deepEqual(response.body, { ok: true });
      assert.ok(logLines.some((l) => l.includes('certificates are not verified (http.proxyStrictSSL)')));
      assert.ok(secureProxy.requests.length >= 2 && secureProxy.requests.every((r) => r.method === 'CONNECT'));
    });
  });

  it('the proxy code loads only when a proxy is configured', () => {
    // A fresh Node: the unit tests' own process has loaded it already.
    const script = `
      const { HttpClient } = require(${JSON.stringify(join(__dirname, '../../src/core/http.js'))});
      const http = require('node:http');
      const loaded = () => Object.keys(require.cache).some((f) => f.endsWith('proxyAgents.js'));
      const server = http.createServer((req, res) => res.end('{}')).listen(0, '127.0.0.1', async () => {
        let settings;
        const client = new HttpClient({ logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} }, timeouts: () => ({ connectMs: 1000, firstByteMs: 1000, totalMs: 1000 }), proxy: () => settings });
        const url = 'http://127.0.0.1:' + server.address().port + '/';
        await client.request({ platform: 'sutro', method: 'GET', url });
        const before = loaded();
        settings = { proxy: 'http://127.0.0.1:9' };
        await client.request({ platform: 'sutro', method: 'GET', url }); // loopback: still direct
        console.log(JSON.stringify({ before, after: loaded() }));
        await client.close(); server.close();
      });`;
    const env = { ...process.env };
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) delete env[name];
    const child = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 15_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim()), { before: false, after: true });
  });
});
