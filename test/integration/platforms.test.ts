// The public API against the emulators, inside VS Code: every platform runs a function and
// lists jobs, with the documented auth header on every request.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { emulators, KEYS, setAllKeys } from './environment';

describe('public API against the emulators', function () {
  this.timeout(60_000);

  before(async () => {
    await emulators();
    await setAllKeys();
  });

  it('runs a Sutro classification Function on the functions host', async () => {
    const emu = await emulators();
    emu.sutro.clearRequests();
    const extension = await setAllKeys();
    const result = await extension.runFunction({
      platform: 'sutro',
      function: 'lead-qualifier',
      input: { query: 'We have budget and want a demo', region: 'APAC' },
    });
    assert.equal(result.kind, 'classification');
    assert.equal(result.label, 'qualified');
    assert.ok(result.confidence !== undefined && result.confidence > 0.5);
    assert.ok(result.predictions.length >= 2);
    const [run] = emu.sutro.requestsTo('/functions/run', 'POST');
    assert.equal(run.headers.authorization, `Key ${KEYS.sutro.apiKey}`);
    assert.deepEqual(run.parsed, { name: 'lead-qualifier', input_data: { query: 'We have budget and want a demo', region: 'APAC' } });
  });

  it('runs a Sutro Function on a deployment (…/v1)', async () => {
    const emu = await emulators();
    const config = vscode.workspace.getConfiguration('aiFunctions');
    await config.update('sutro.api', 'deployment', vscode.ConfigurationTarget.Global);
    await config.update('sutro.apiUrl', `${emu.urls.sutro}/v1`, vscode.ConfigurationTarget.Global);
    try {
      const extension = await setAllKeys();
      const result = await extension.runFunction({ platform: 'sutro', function: 'lead-extractor', input: { text: 'Acme Labs, B2B analytics in APAC' } });
      assert.equal(result.kind, 'extraction');
      const [run] = emu.sutro.requestsTo('/v1/functions/lead-extractor/run', 'POST');
      assert.ok(run, 'the deployment path was called');
      assert.deepEqual(run.parsed, { input: { text: 'Acme Labs, B2B analytics in APAC' } });
    } finally {
      await config.update('sutro.api', 'shared', vscode.ConfigurationTarget.Global);
      await config.update('sutro.apiUrl', emu.urls.sutro, vscode.ConfigurationTarget.Global);
    }
  });

  it('invokes a Nyckel function with a bearer token from client credentials', async () => {
    const emu = await emulators();
    const extension = await setAllKeys();
    // A revoked token makes the client fetch a new one, whatever earlier tests left cached.
    emu.nyckel.revokeTokens();
    emu.nyckel.clearRequests();
    const functions = await extension.listFunctions('nyckel');
    assert.ok(functions.some((fn) => fn.id === 'function_leadintent'));
    const result = await extension.runFunction({
      platform: 'nyckel',
      function: 'function_leadintent',
      input: 'We have budget and want a demo',
      options: { labelCount: 2 },
    });
    assert.equal(result.label, 'qualified');
    const [token] = emu.nyckel.requestsTo('/connect/token', 'POST');
    assert.match(String(token.headers['content-type']), /application\/x-www-form-urlencoded/);
    assert.deepEqual(token.parsed, { grant_type: 'client_credentials', client_id: KEYS.nyckel.clientId, client_secret: KEYS.nyckel.clientSecret });
    for (const call of emu.nyckel.requestsTo(/^\/v1\//)) assert.match(String(call.headers.authorization), /^Bearer \S+$/);
  });

  it('creates an Inferable run and polls it to its result', async () => {
    const emu = await emulators();
    emu.inferable.clearRequests();
    const extension = await setAllKeys();
    const schema = { type: 'object', properties: { total: { type: 'number' } } };
    const result = await extension.runFunction({ platform: 'inferable', function: '', input: 'How many items are in stock?', options: { resultSchema: schema } });
    assert.equal(result.kind, 'run');
    assert.equal(result.status, 'done');
    assert.equal(typeof (result.output as { total?: unknown }).total, 'number');
    const [create] = emu.inferable.requestsTo('/clusters/clu_emulator/runs', 'POST');
    assert.equal(create.headers.authorization, KEYS.inferable.apiKey);
    assert.deepEqual((create.parsed as { result: unknown }).result, { schema });
  });

  it('lists jobs on Sutro (paged) and Inferable, and fetches one', async () => {
    const extension = await setAllKeys();
    const page = await extension.listJobs('sutro', { limit: 5 });
    assert.equal(page.items.length, 5);
    assert.ok(page.nextCursor);
    const next = await extension.listJobs('sutro', { limit: 5, cursor: page.nextCursor ?? undefined });
    assert.equal(new Set([...page.items, ...next.items].map((j) => j.id)).size, 10);
    const job = await extension.getJob('sutro', page.items[0].id);
    assert.equal(job.id, page.items[0].id);
    const runs = await extension.listJobs('inferable');
    assert.ok(runs.items.length > 0);
    assert.equal((await extension.getJob('inferable', runs.items[0].id)).id, runs.items[0].id);
  });

  it('ignores the workspace settings that point at another host', async () => {
    // The fixture workspace sets every URL to attacker.example.com; the run still reaches the emulator.
    const emu = await emulators();
    emu.sutro.clearRequests();
    const extension = await setAllKeys();
    await extension.listJobs('sutro', { limit: 1 });
    // This call's request (the Jobs view, refreshed by the new keys, may list its own page too).
    assert.equal(emu.sutro.requestsTo('/list-jobs').filter((r) => r.query.limit === '1').length, 1);
  });

  it('refuses an http:// URL to a host that is not loopback, naming the setting', async () => {
    const config = vscode.workspace.getConfiguration('aiFunctions');
    const emu = await emulators();
    await config.update('nyckel.baseUrl', 'http://nyckel.example.com', vscode.ConfigurationTarget.Global);
    try {
      const extension = await setAllKeys();
      await assert.rejects(extension.listFunctions('nyckel'), /aiFunctions\.nyckel\.baseUrl.*loopback/);
    } finally {
      await config.update('nyckel.baseUrl', emu.urls.nyckel, vscode.ConfigurationTarget.Global);
    }
  });

  it('turns a rejected key into a message that says what to do, without the key', async () => {
    const extension = await setAllKeys();
    const planted = 'sk_test_planted_wrong_key_7f3a9c';
    await extension.setApiKey('sutro', { apiKey: planted });
    try {
      await assert.rejects(extension.listJobs('sutro', { limit: 1 }), (error: Error) => {
        assert.match(error.message, /Set API Key/);
        assert.ok(!error.message.includes(planted));
        return true;
      });
    } finally {
      await extension.setApiKey('sutro', KEYS.sutro);
    }
  });

  it('validates the run request at the API boundary', async () => {
    const extension = await setAllKeys();
    await assert.rejects(
      extension.runFunction({ platform: 'sutro', function: 'lead-qualifier', input: 42 as unknown as string }),
      /request is not valid at `input`/,
    );
  });
});
