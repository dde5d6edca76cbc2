// VS Code's proxy settings in the real extension host: with `http.proxy` in user settings, the
// extension's requests to every platform go through that proxy (a CONNECT proxy this test starts
// inside the host, which records what it tunnels); `http.noProxy` bypasses it,
// `http.proxyAuthorization` answers its 407, and a workspace's `http.proxy` is never used.
//
// The emulators listen on loopback, which is never proxied, and the address settings accept
// http:// for loopback only; so this suite turns on the HttpClient's test-only `proxyLoopback`
// switch (reached through the extension's test-mode handles, not through any setting). Unit tests
// (test/unit/proxy.test.ts) cover non-loopback names without that switch.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HttpClient } from '../../src/core/http';
import { startConnectProxy, type ConnectProxy } from '../proxy/connectProxy';
import { emulators, setAllKeys, testing, type Testing } from './environment';
import { waitFor } from './helpers';

const PROXY_SETTINGS = ['proxy', 'noProxy', 'proxyAuthorization'] as const;
const AUTH = 'Basic aW50ZWdyYXRpb246cHJveHktc2VjcmV0LTc3';

const httpConfig = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('http');

/** Sets a user setting of VS Code's `http` section and waits until the extension host sees it. */
async function setUser(name: (typeof PROXY_SETTINGS)[number], value: unknown): Promise<void> {
  await httpConfig().update(name, value, vscode.ConfigurationTarget.Global);
  await waitFor(`http.${name} in user settings`, () => JSON.stringify(httpConfig().inspect(name)?.globalValue) === JSON.stringify(value) || undefined);
}

describe('proxies: http.proxy in user settings', function () {
  this.timeout(60_000);

  let proxy: ConnectProxy;
  let attacker: ConnectProxy;
  let client: HttpClient;

  before(async () => {
    await emulators();
    await setAllKeys();
    proxy = await startConnectProxy();
    attacker = await startConnectProxy();
    client = ((await testing()) as Testing & { http: HttpClient }).http;
    client.proxyLoopback = true;
  });

  after(async () => {
    client.proxyLoopback = false;
    for (const name of PROXY_SETTINGS) await httpConfig().update(name, undefined, vscode.ConfigurationTarget.Global);
    await httpConfig()
      .update('proxy', undefined, vscode.ConfigurationTarget.Workspace)
      .then(undefined, () => undefined);
    await proxy.close();
    await attacker.close();
  });

  beforeEach(async () => {
    proxy.requireAuthorization(undefined);
    // Tunnels kept alive by an earlier test would carry this test's requests without a CONNECT.
    await proxy.dropConnections();
    proxy.clear();
  });

  it('sends every platform’s requests through the proxy', async () => {
    const emu = await emulators();
    await setUser('proxy', proxy.url);
    const extension = await setAllKeys();
    emu.nyckel.revokeTokens(); // a new token, through the proxy too
    const nyckel = await extension.runFunction({ platform: 'nyckel', function: 'function_leadintent', input: 'We have budget and want a demo' });
    assert.equal(nyckel.label, 'qualified');
    const sutro = await extension.runFunction({ platform: 'sutro', function: 'lead-qualifier', input: { query: 'budget and a demo', region: 'EMEA' } });
    assert.equal(sutro.kind, 'classification');
    const inferable = await extension.runFunction({ platform: 'inferable', function: '', input: 'How many items are in stock?' });
    assert.equal(inferable.status, 'done');

    const hosts = new Set(proxy.requests.filter((r) => r.method === 'CONNECT' && r.status === 200).map((r) => r.target));
    for (const url of Object.values(emu.urls)) assert.ok(hosts.has(new URL(url).host), `tunnelled to ${url}: ${[...hosts].join(', ')}`);
  });

  it('a workspace http.proxy is never used (user settings only)', async function () {
    await setUser('proxy', proxy.url);
    const written = await httpConfig()
      .update('proxy', attacker.url, vscode.ConfigurationTarget.Workspace)
      .then(
        () => true,
        () => false, // VS Code refuses it itself (http.proxy is not a workspace setting)
      );
    if (written) await waitFor('http.proxy in workspace settings', () => httpConfig().inspect('proxy')?.workspaceValue === attacker.url || undefined);
    this.test!.title += written ? ' [VS Code took the workspace value]' : ' [VS Code refused the workspace value]';
    const extension = await setAllKeys();
    await extension.runFunction({ platform: 'nyckel', function: 'function_leadintent', input: 'hello', options: { tags: false } });
    assert.equal(attacker.requests.length, 0, `the workspace's proxy got nothing (written: ${written})`);
    assert.ok(proxy.requests.length > 0, 'the user’s proxy was used');
  });

  it('http.noProxy bypasses it', async () => {
    const emu = await emulators();
    await setUser('proxy', proxy.url);
    const nyckelHost = new URL(emu.urls.nyckel).host;
    await setUser('noProxy', [nyckelHost]);
    try {
      const extension = await setAllKeys();
      // Background refreshes started before noProxy applied may have tunnelled already.
      proxy.clear();
      emu.nyckel.clearRequests();
      await extension.runFunction({ platform: 'nyckel', function: 'function_leadintent', input: 'hello', options: { tags: false } });
      assert.equal(emu.nyckel.requestsTo('/v1/functions/function_leadintent/invoke', 'POST').length, 1);
      // Only Nyckel is listed: the Jobs view may still poll Sutro and Inferable through the proxy.
      assert.ok(!proxy.targets().includes(nyckelHost), proxy.targets().join(', '));
    } finally {
      await setUser('noProxy', undefined);
    }
  });

  it('answers a 407 with http.proxyAuthorization; without it the error names the settings', async () => {
    await setUser('proxy', proxy.url);
    proxy.requireAuthorization(AUTH);
    // A background refresh may have opened a tunnel since beforeEach; it would carry the request.
    await proxy.dropConnections();
    const extension = await setAllKeys();
    const run = () => extension.runFunction({ platform: 'nyckel', function: 'function_leadintent', input: 'hello', options: { tags: false } });
    await assert.rejects(run(), (error: Error) => {
      assert.match(error.message, /^The proxy http:\/\/127\.0\.0\.1:\d+ \(the http\.proxy setting\) asked for credentials \(407 Proxy Authentication Required\)/);
      assert.match(error.message, /Set http\.proxyAuthorization/);
      return true;
    });
    await setUser('proxyAuthorization', AUTH);
    try {
      assert.equal((await run()).kind, 'classification');
      assert.ok(proxy.requests.some((r) => r.status === 200 && r.proxyAuthorization === AUTH));
    } finally {
      await setUser('proxyAuthorization', undefined);
    }
  });
});
