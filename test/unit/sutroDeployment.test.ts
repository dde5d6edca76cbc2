// Sutro, deployment first: the SDK's URL rules, keys bound to their deployment, retired hosts,
// 410, error details with request ids, the 524 policy, GET cancel, STARTING/CANCELLING, results
// that lag, and results fetched as a Parquet file — against the deployment emulator over HTTP.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpClient } from '../../src/core/http';
import { silentLogger } from '../../src/core/log';
import {
  deploymentUrlProblem,
  isRetiredSutroHost,
  LazySutroAdapter,
  normalizeDeploymentUrl,
  resolveEndpoints,
  SutroAdapter,
  type BoundCredentials,
  type SutroAdapterOptions,
  type SutroConfig,
} from '../../src/platforms/sutro';
import { can } from '../../src/platforms/types';
import { RETIRED_MESSAGE, startSutro, SUTRO_DEFAULT_KEY, type SutroEmulator } from '../emulator/sutro';
import { closeServer, listenOnLoopback, rejection, testHttpClient } from './support';

describe('Sutro deployment URL (the SDK normalize_api_url)', () => {
  it('turns an origin or its /v1, with or without a trailing slash, into <origin>/v1', () => {
    const cases: [string, string][] = [
      ['https://harmonize.example.test', 'https://harmonize.example.test/v1'],
      ['https://harmonize.example.test/', 'https://harmonize.example.test/v1'],
      ['https://harmonize.example.test/v1', 'https://harmonize.example.test/v1'],
      ['https://harmonize.example.test/v1/', 'https://harmonize.example.test/v1'],
      ['  https://Harmonize.Example.TEST:8443/v1//  ', 'https://harmonize.example.test:8443/v1'],
      ['http://127.0.0.1:8000', 'http://127.0.0.1:8000/v1'],
      ['http://[::1]:8000/v1', 'http://[::1]:8000/v1'],
      ['http://localhost:8000/', 'http://localhost:8000/v1'],
    ];
    for (const [raw, expected] of cases) assert.deepEqual(normalizeDeploymentUrl(raw), { ok: true, url: expected }, raw);
  });

  it('refuses any other path, a query, a fragment, user info and plain http to another machine', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['harmonize.example.test', /not an absolute/],
      ['ftp://harmonize.example.test', /ftp:/],
      ['https://harmonize.example.test/api', /path \/api/],
      ['https://harmonize.example.test/v1/jobs', /path \/v1\/jobs/],
      ['https://harmonize.example.test/v2', /path \/v2/],
      ['https://harmonize.example.test?token=secret', /query/],
      ['https://harmonize.example.test/v1?', /query/],
      ['https://harmonize.example.test#x', /fragment/],
      ['https://user:password@harmonize.example.test', /user name or password/],
      ['http://harmonize.example.test', /only allowed for loopback/],
    ];
    for (const [raw, reason] of cases) {
      const checked = normalizeDeploymentUrl(raw);
      assert.equal(checked.ok, false, raw);
      assert.match(checked.ok ? '' : checked.reason, reason, raw);
    }
    assert.equal(deploymentUrlProblem('https://harmonize.example.test/api'), 'This is not a Sutro deployment URL: it has the path /api; use the deployment\'s origin (https://<your-deployment>) or its /v1 API prefix.');
    assert.equal(deploymentUrlProblem('https://acme.sutro.dev'), undefined);
  });

  it('refuses the retired shared hosts, however they are written (the SDK test list and more)', () => {
    const retired = [
      'https://api.sutro.sh',
      'https://api.sutro.sh/v1',
      'https://staging.api.sutro.sh',
      'https://serve.sutro.sh',
      'https://cooper-test.api.materialized.dev',
      'https://skysight-inc--tensor-factory-fastapi-app.modal.run',
      'https://skysight-inc-ci-123--tensor-factory-fastapi-app.modal.run/v1',
      'https://API.Sutro.SH.',
      'https://api%2Esutro.sh',
      'http://api.sutro.sh',
    ];
    for (const raw of retired) {
      const checked = normalizeDeploymentUrl(raw);
      assert.equal(checked.ok, false, raw);
      assert.equal(checked.retired, true, raw);
      assert.match(checked.ok ? '' : checked.reason, /retired shared API.*aiFunctions\.sutro\.apiUrl/, raw);
    }
    for (const host of ['notapi.sutro.sh', 'sutro.sh', 'docs.sutro.sh', 'app.modal.run', 'tensor-factory-fastapi-app.modal.run.example.com']) {
      assert.equal(isRetiredSutroHost(host), false, host);
    }
  });

  it('resolves the endpoints of each generation; no deployment is a configuration error that says what to set', () => {
    assert.deepEqual(resolveEndpoints({ api: 'deployment', apiUrl: 'https://acme.sutro.dev/', functionsUrl: 'https://ignored.example' }), {
      api: 'deployment',
      jobs: 'https://acme.sutro.dev/v1',
      functions: 'https://acme.sutro.dev/v1',
      keyOrigin: 'https://acme.sutro.dev',
    });
    assert.deepEqual(resolveEndpoints({ api: 'shared', apiUrl: '', functionsUrl: '' }), {
      api: 'shared',
      jobs: 'https://api.sutro.sh',
      functions: 'https://serve.sutro.sh',
      keyOrigin: 'https://api.sutro.sh',
    });
    // The shared API's URLs are used as given (a path stays).
    assert.equal(resolveEndpoints({ api: 'shared', apiUrl: 'https://proxy.example/sutro/', functionsUrl: 'https://serve.example' }).jobs, 'https://proxy.example/sutro');

    assert.throws(
      () => resolveEndpoints({ api: 'deployment', apiUrl: '  ', functionsUrl: '' }),
      (e: Error & { kind?: string }) =>
        e.kind === 'configuration' &&
        e.message ===
          'Sutro has no deployment URL. Set aiFunctions.sutro.apiUrl to your Sutro deployment URL (https://<your-deployment>), or run "AI Functions: Set API Key…" for Sutro, which asks for it.',
    );
    assert.throws(
      () => resolveEndpoints({ api: 'deployment', apiUrl: 'https://api.sutro.sh', functionsUrl: '' }),
      /^AiFunctionsError: The setting aiFunctions\.sutro\.apiUrl is not a Sutro deployment URL: api\.sutro\.sh is Sutro's retired shared API/,
    );
  });
});

describe('Sutro adapter on a deployment', () => {
  let dep: SutroEmulator;
  let other: SutroEmulator;
  let http: HttpClient;
  let config: SutroConfig;
  let credentials: BoundCredentials | undefined;
  let sleeps: number[];
  let resultsDir: string;

  const adapter = (options: Partial<SutroAdapterOptions> = {}): SutroAdapter =>
    new SutroAdapter({
      http,
      logger: silentLogger,
      credentials: async () => credentials,
      config: () => config,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });

  before(async () => {
    // Seeded jobs keep their status (the newest RUNNING, the next STARTING, job-00012 SUCCEEDED).
    dep = await startSutro({ generation: 'deployment', jobStepMs: 600_000 });
    other = await startSutro({ generation: 'deployment', keys: ['sk_other_deployment'], jobStepMs: 600_000 });
    http = testHttpClient({ sleep: async () => undefined });
  });

  after(async () => {
    await http.close();
    await dep.close();
    await other.close();
  });

  beforeEach(() => {
    dep.reset();
    other.reset();
    sleeps = [];
    resultsDir = mkdtempSync(join(tmpdir(), 'sutro-results-'));
    // The deployment as a user gives it: a bare origin.
    config = { api: 'deployment', apiUrl: dep.url, functionsUrl: '', functions: [{ name: 'lead-qualifier', inputFields: ['query', 'region'] }], resultsDir };
    credentials = { apiKey: SUTRO_DEFAULT_KEY, endpoint: dep.url };
  });

  afterEach(() => rmSync(resultsDir, { recursive: true, force: true }));

  describe('keys bound to their deployment', () => {
    it('binds a key to the configured deployment origin, and refuses to bind without one', () => {
      const sutro = adapter();
      assert.equal(sutro.keyBinding(), dep.url);
      config.apiUrl = `${dep.url}/v1/`;
      assert.equal(sutro.keyBinding(), dep.url);
      config.apiUrl = '';
      assert.throws(() => sutro.keyBinding(), /Sutro has no deployment URL/);
      config.api = 'shared';
      config.apiUrl = dep.url;
      assert.equal(sutro.keyBinding(), dep.url, 'the shared API binds to its jobs origin');
    });

    it('never sends a key set for one deployment to another one', async () => {
      credentials = { apiKey: SUTRO_DEFAULT_KEY, endpoint: other.url };
      const sutro = adapter();
      for (const call of [
        () => sutro.listJobs({ limit: 1 }),
        () => sutro.run({ platform: 'sutro', function: 'sentiment', input: 'x' }),
        () => sutro.cancelJob('job-00025'),
        () => sutro.jobResults('job-00012'),
      ]) {
        const e = await rejection(call());
        assert.equal(e.kind, 'auth');
        assert.equal(e.message, `The Sutro key was set for ${other.url}; set it again for ${dep.url}. Run "AI Functions: Set API Key…".`);
      }
      assert.equal(dep.requests.length, 0, 'nothing was sent');
      assert.equal(other.requests.length, 0);
    });

    it('a key stored before keys were bound is refused by a deployment, and still used by the shared API', async () => {
      credentials = { apiKey: SUTRO_DEFAULT_KEY };
      const e = await rejection(adapter().listJobs({ limit: 1 }));
      assert.equal(e.message, `The Sutro key was set before keys were bound to a deployment; set it again for ${dep.url}. Run "AI Functions: Set API Key…".`);
      assert.equal(dep.requests.length, 0);

      const shared = await startSutro();
      try {
        config = { api: 'shared', apiUrl: shared.url, functionsUrl: shared.url, functions: [] };
        assert.equal((await adapter().listJobs({ limit: 1 })).items.length, 1);
        assert.equal(shared.requests[0]!.headers.authorization, `Key ${SUTRO_DEFAULT_KEY}`);
      } finally {
        await shared.close();
      }
    });

    it('each deployment knows only its own keys: 401 with its detail and request id', async () => {
      // The key of the other deployment, bound (wrongly) to this one: the deployment itself refuses it.
      credentials = { apiKey: 'sk_other_deployment', endpoint: dep.url };
      const e = await rejection(adapter().listJobs({ limit: 1 }));
      assert.equal(e.kind, 'auth');
      assert.equal(e.status, 401);
      assert.match(e.message, /^Sutro rejected the API key \(401\): Invalid API key: it was not issued by this deployment \(request ID rt_[0-9a-f]+\)\. Run "AI Functions: Set API Key…"/);
      assert.match(e.requestId ?? '', /^rt_/);
      assert.ok(!e.message.includes('sk_other_deployment'));
      // Its own deployment takes it.
      config.apiUrl = other.url;
      credentials = { apiKey: 'sk_other_deployment', endpoint: other.url };
      assert.equal((await adapter().listJobs({ limit: 2 })).items.length, 2);
    });
  });

  describe('where requests go', () => {
    it('sends runs, jobs, cancel and results to <origin>/v1 of a deployment given as a bare origin', async () => {
      const sutro = adapter();
      const result = await sutro.run({ platform: 'sutro', function: 'sentiment', input: 'I love it' });
      assert.equal(result.label, 'positive');
      await sutro.listJobs({ limit: 2 });
      await sutro.getJob('job-00012');
      await sutro.jobResults('job-00012');
      const id = await sutro.submitBatch('sentiment', [{ text: 'great' }]);
      await sutro.cancelJob(id);
      assert.deepEqual(
        dep.requests.map((r) => `${r.method} ${r.path}`),
        [
          'POST /v1/functions/sentiment/run',
          'GET /v1/list-jobs',
          'GET /v1/jobs/job-00012',
          'POST /v1/job-results',
          'POST /v1/batch-inference',
          `GET /v1/job-cancel/${id}`,
        ],
      );
      for (const r of dep.requests) assert.equal(r.headers.authorization, `Key ${SUTRO_DEFAULT_KEY}`);
    });

    it('refuses a retired shared host before sending anything, saying what to set', async () => {
      config.apiUrl = 'https://api.sutro.sh';
      for (const call of [() => adapter().run({ platform: 'sutro', function: 'x', input: 'y' }), () => adapter().listJobs(), () => adapter().listFunctions()]) {
        const e = await rejection(call());
        assert.equal(e.kind, 'configuration');
        assert.match(e.message, /aiFunctions\.sutro\.apiUrl is not a Sutro deployment URL: api\.sutro\.sh is Sutro's retired shared API, .*set aiFunctions\.sutro\.apiUrl to your own Sutro deployment URL/);
      }
    });

    it('with no deployment set, every call (the Functions list too) is a configuration error naming the setting', async () => {
      config.apiUrl = '';
      for (const call of [() => adapter().listFunctions(), () => adapter().listJobs({ limit: 5 }), () => adapter().run({ platform: 'sutro', function: 'x', input: 'y' })]) {
        const e = await rejection(call());
        assert.equal(e.kind, 'configuration');
        assert.match(e.message, /^Sutro has no deployment URL\. Set aiFunctions\.sutro\.apiUrl/);
      }
    });
  });

  describe('errors', () => {
    it('a 410 from the retired shared paths becomes a configuration error that says what to set', async () => {
      // The shared API's paths on a server that is a deployment now: they answer 410.
      config = { api: 'shared', apiUrl: dep.url, functionsUrl: dep.url, functions: [] };
      const e = await rejection(adapter().listJobs({ limit: 1 }));
      assert.equal(e.kind, 'configuration');
      assert.equal(e.status, 410);
      assert.match(
        e.message,
        new RegExp(
          `^Sutro no longer serves ${dep.url} \\(410\\): Direct Sutro Batch API access is no longer supported by the Sutro SDK\\. .* \\(request ID rt_[0-9a-f]+\\)\\. Set aiFunctions\\.sutro\\.api to "deployment" and aiFunctions\\.sutro\\.apiUrl to your Sutro deployment URL`,
        ),
      );
      assert.equal(e.platformMessage, RETIRED_MESSAGE);

      // A deployment answering 410 itself: the same kind of error, naming the deployment setting.
      config = { api: 'deployment', apiUrl: dep.url, functionsUrl: '', functions: [] };
      dep.faults.set({ serverError: { match: 'list-jobs', status: 410 } });
      const own = await rejection(adapter().listJobs({ limit: 1 }));
      assert.equal(own.kind, 'configuration');
      assert.match(own.message, /\(410\).*Set aiFunctions\.sutro\.apiUrl to your Sutro deployment URL \(https:\/\/<your-deployment>\)\.$/);
    });

    it("messages show Sutro's detail and its request id; platformMessage keeps the detail alone", async () => {
      const e = await rejection(adapter().run({ platform: 'sutro', function: 'lead-qualifier', input: { query: 'x' } }));
      assert.equal(e.kind, 'invalidInput');
      assert.equal(e.status, 422);
      assert.match(e.message, /^Sutro refused the input \(422\): Missing required input field\(s\): region \(request ID (rt_[0-9a-f]+)\)\.$/);
      assert.equal(e.platformMessage, 'Missing required input field(s): region');
      assert.equal(e.requestId, /\(request ID (rt_[0-9a-f]+)\)/.exec(e.message)![1]);

      const missing = await rejection(adapter().getJob('job-99999'));
      assert.match(missing.message, /^Sutro could not find job job-99999 \(404\): Job not found \(request ID rt_[0-9a-f]+\)\.$/);
    });

    it('a request id that is not id-like is left out (it could carry markup)', async () => {
      const server = await jsonServer(() => ({ status: 422, body: { detail: 'bad', code: 'invalid_input', request_id: '[x](command:evil)' } }));
      try {
        config.apiUrl = server.url;
        credentials = { apiKey: SUTRO_DEFAULT_KEY, endpoint: server.url };
        const e = await rejection(adapter().listJobs({ limit: 1 }));
        assert.equal(e.message, 'Sutro refused the input (422): bad.');
        assert.equal(e.requestId, undefined);
      } finally {
        await server.close();
      }
    });
  });

  describe('524 (Cloudflare timeout): retried only where sending twice is harmless', () => {
    const fault = (match: string, count = 1): void => dep.faults.set({ serverError: { match, status: 524, count } });

    it('reads, cancel and job-results are sent again', async () => {
      const sutro = adapter();
      fault('list-jobs');
      assert.equal((await sutro.listJobs({ limit: 1 })).items.length, 1);
      assert.equal(dep.requestsTo('/v1/list-jobs').length, 2);

      fault('job-results');
      await sutro.jobResults('job-00012');
      assert.equal(dep.requestsTo('/v1/job-results').length, 2);

      fault('job-cancel');
      await sutro.cancelJob('job-00025');
      assert.equal(dep.requestsTo('/v1/job-cancel/job-00025').length, 2);
    });

    it('a Function run and a batch submission are sent once', async () => {
      const sutro = adapter();
      fault('functions', 5);
      const run = await rejection(sutro.run({ platform: 'sutro', function: 'sentiment', input: 'great' }));
      assert.equal(run.kind, 'server');
      assert.equal(run.status, 524);
      assert.match(run.message, /^Sutro had a server error \(524\)/);
      assert.equal(dep.requestsTo('/v1/functions/sentiment/run').length, 1);

      fault('batch-inference', 5);
      const batch = await rejection(sutro.submitBatch('sentiment', [{ text: 'x' }]));
      assert.equal(batch.status, 524);
      assert.equal(dep.requestsTo('/v1/batch-inference').length, 1);
    });
  });

  describe('jobs', () => {
    it('reads STARTING as running, case-insensitively', async () => {
      const sutro = adapter();
      const { items } = await sutro.listJobs({ limit: 2 });
      assert.deepEqual(
        items.map((j) => [j.id, j.status, j.rawStatus]),
        [
          ['job-00025', 'running', 'RUNNING'],
          ['job-00024', 'running', 'STARTING'],
        ],
      );
      dep.lowercaseStatuses = true;
      const status = await sutro.jobStatus('job-00024');
      assert.deepEqual([status.status, status.rawStatus], ['running', 'starting']);
    });

    it('cancels with GET job-cancel/{id}: CANCELLING stays unfinished until CANCELLED', async () => {
      const sutro = adapter();
      dep.cancelDelayMs = 300;
      const id = await sutro.submitBatch('sentiment', [{ text: 'great' }, { text: 'bad' }]);
      await sutro.cancelJob(id);
      assert.deepEqual(
        dep.requestsTo(`/v1/job-cancel/${id}`).map((r) => r.method),
        ['GET'],
      );
      const cancelling = await sutro.getJob(id);
      assert.deepEqual([cancelling.status, cancelling.rawStatus], ['running', 'CANCELLING']);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const cancelled = await sutro.getJob(id);
      assert.deepEqual([cancelled.status, cancelled.rawStatus], ['cancelled', 'CANCELLED']);
      // The deployment routes GET only (a POST would be refused).
      const post = await fetch(`${dep.url}/v1/job-cancel/${id}`, { method: 'POST', headers: { authorization: `Key ${SUTRO_DEFAULT_KEY}` } });
      assert.equal(post.status, 405);
    });

    it('declares the same abilities through the lazy adapter, which loads the client only when called', async () => {
      const lazy = new LazySutroAdapter({ http, logger: silentLogger, credentials: async () => credentials, config: () => config });
      assert.deepEqual(
        (['listJobs', 'getJob', 'cancelJob', 'jobResults', 'submitBatch'] as const).filter((a) => can(lazy, a)),
        ['listJobs', 'getJob', 'cancelJob', 'jobResults', 'submitBatch'],
      );
      assert.equal(lazy.keyBinding(), dep.url);
      assert.match(lazy.endpointProblem('https://x.example/api') ?? '', /path \/api/);
      assert.equal((await lazy.getJob('job-00012')).status, 'succeeded');
    });
  });

  describe('results that lag behind SUCCEEDED', () => {
    it('waits as the SDK does (tries 5 s apart), telling progress, until the results are there', async () => {
      dep.resultsLagPolls = 3;
      const progress: string[] = [];
      const results = await adapter({ resultsPoll: { attempts: 20, intervalMs: 5_000 } }).jobResults('job-00012', undefined, (m) => progress.push(m));
      assert.equal(results.rows.length, dep.jobOutputs(dep.getJob('job-00012')!).length);
      assert.equal(dep.requestsTo('/v1/job-results').length, 4);
      assert.equal(dep.requestsTo('/v1/job-status/job-00012').length, 1, 'the job was seen SUCCEEDED once');
      assert.deepEqual(sleeps, [5_000, 5_000, 5_000]);
      assert.deepEqual(progress, [
        'Sutro is still publishing the results; trying again in 5 s (try 2 of 20, at most 95 s more)',
        'Sutro is still publishing the results; trying again in 5 s (try 3 of 20, at most 90 s more)',
        'Sutro is still publishing the results; trying again in 5 s (try 4 of 20, at most 85 s more)',
      ]);
    });

    it('gives up after the last try with a message that says to try again', async () => {
      dep.resultsLagPolls = 100;
      const e = await rejection(adapter({ resultsPoll: { attempts: 3, intervalMs: 5_000 } }).jobResults('job-00012'));
      assert.equal(e.kind, 'server');
      assert.equal(e.message, 'Sutro has not published the results of job job-00012 yet (waited 10 s). Try Open Results again in a minute.');
      assert.match(e.requestId ?? '', /^rt_/);
      assert.equal(dep.requestsTo('/v1/job-results').length, 3);
    });

    it('does not wait for a job that has not succeeded', async () => {
      const e = await rejection(adapter().jobResults('job-00025'));
      assert.equal(e.status, 409);
      assert.match(e.message, /results are only available for SUCCEEDED jobs/);
      assert.deepEqual(sleeps, []);
      assert.equal(dep.requestsTo('/v1/job-results').length, 1);
    });

    it('stops waiting when cancelled', async () => {
      dep.resultsLagPolls = 100;
      const controller = new AbortController();
      const sutro = adapter({
        sleep: async () => {
          controller.abort();
          throw new Error('aborted');
        },
      });
      const e = await rejection(sutro.jobResults('job-00012', controller.signal));
      assert.equal(e.kind, 'cancelled');
    });
  });

  describe('results larger than the reply cap: a Parquet file', () => {
    it('fetches results-url, streams the presigned file to disk without the key, and reads its rows', async () => {
      const inline = await adapter().jobResults('job-00012');
      dep.clearRequests();
      dep.resultsPaddingBytes = 64 * 1024;
      const progress: string[] = [];
      const results = await adapter({ inlineResultsMaxBytes: 32 * 1024 }).jobResults('job-00012', undefined, (m) => progress.push(m));

      assert.deepEqual(results.rows, inline.rows, 'the file holds the same rows, inputs included');
      assert.ok(results.file);
      assert.equal(results.file.format, 'parquet');
      assert.equal(results.file.totalRows, inline.rows.length);
      assert.ok(existsSync(results.file.path));
      assert.equal(results.file.path, join(resultsDir, 'sutro-job-00012.parquet'));
      assert.deepEqual(readdirSync(resultsDir), ['sutro-job-00012.parquet'], 'no partial file left');
      assert.ok(!JSON.stringify(results.raw).includes('X-Amz-Signature'), 'the presigned link is not kept');

      const [urlRequest] = dep.requestsTo('/v1/jobs/job-00012/results-url', 'GET');
      assert.deepEqual(urlRequest!.query, { format: 'parquet', include_inputs: 'true', include_cumulative_logprobs: 'false', expires_in_seconds: '3600' });
      const [download] = dep.requestsTo(/^\/presigned\//, 'GET');
      assert.ok(download, 'the presigned link was fetched');
      assert.equal(download.headers.authorization, undefined, 'the key is never sent with a presigned link');
      assert.equal(download.status, 200);
      assert.equal(progress.length, 3);
      assert.equal(progress[0], 'The results are larger than 32 KiB: asking Sutro for a download link');
      assert.match(progress[1]!, /^Downloading the results file \(\d KiB\)$/);
      assert.equal(progress[2], 'Reading the results file');
    });

    it('shows only the first rows of a big file', async () => {
      dep.resultsPaddingBytes = 64 * 1024;
      const results = await adapter({ inlineResultsMaxBytes: 32 * 1024, previewRows: 2 }).jobResults('job-00012');
      assert.equal(results.rows.length, 2);
      assert.ok(results.file!.totalRows > 2);
    });

    it('the shared API has no results file: a clear error says what to set', async () => {
      const shared = await startSutro({ resultsPaddingBytes: 64 * 1024 });
      try {
        config = { api: 'shared', apiUrl: shared.url, functionsUrl: shared.url, functions: [] };
        credentials = { apiKey: SUTRO_DEFAULT_KEY, endpoint: shared.url };
        const e = await rejection(adapter({ inlineResultsMaxBytes: 32 * 1024 }).jobResults('job-00012'));
        assert.match(e.message, /are larger than 32 KiB; the shared API cannot send them as a file/);
        assert.match(e.message, /Set aiFunctions\.sutro\.api to "deployment"/);
      } finally {
        await shared.close();
      }
    });

    it('refuses a download link that is not https, and a file that does not have the announced size', async () => {
      let link = 'http://results.example.com/file.parquet';
      let size = 10;
      const server = await jsonServer((method, path) => {
        if (path.startsWith('/v1/job-results')) return { status: 200, body: { results: { outputs: ['x'.repeat(5000)] } } };
        if (path.startsWith('/v1/jobs/j1/results-url')) return { status: 200, body: { job_id: 'j1', format: 'parquet', artifact: { filename: 'f.parquet', size_bytes: size }, urls: { get: link, head: link } } };
        if (path.startsWith('/file')) return { status: 200, body: 'not a parquet file at all' };
        return { status: 404, body: { detail: `${method} ${path}` } };
      });
      try {
        config.apiUrl = server.url;
        credentials = { apiKey: SUTRO_DEFAULT_KEY, endpoint: server.url };
        const sutro = adapter({ inlineResultsMaxBytes: 1024 });
        const e = await rejection(sutro.jobResults('j1'));
        assert.equal(e.kind, 'invalidResponse');
        assert.equal(e.message, 'Sutro sent a results download link that is not https:// (http://results.example.com); it was not followed.');

        link = `${server.url}/file?sig=secret`;
        size = 1_000;
        const short = await rejection(sutro.jobResults('j1'));
        assert.match(short.message, /^Sutro's results file for job j1 ended after 25 of 1000 bytes/);
        size = 5;
        const long = await rejection(sutro.jobResults('j1'));
        assert.match(long.message, /larger than/);
        assert.deepEqual(readdirSync(resultsDir), [], 'no partial file is left behind');
        assert.ok(!`${e.message}${short.message}${long.message}`.includes('secret'));
      } finally {
        await server.close();
      }
    });

    it('an expired link (403) says to open the results again', async () => {
      dep.resultsPaddingBytes = 64 * 1024;
      const server = await jsonServer((_method, path) =>
        path.startsWith('/v1/jobs/')
          ? { status: 200, body: { job_id: 'job-00012', urls: { get: `${server.url}/expired` } } }
          : path.startsWith('/expired')
            ? { status: 403, body: '<Error><Code>AccessDenied</Code></Error>' }
            : { status: 200, body: { results: { outputs: ['x'.repeat(5000)] } } },
      );
      try {
        config.apiUrl = server.url;
        credentials = { apiKey: SUTRO_DEFAULT_KEY, endpoint: server.url };
        const e = await rejection(adapter({ inlineResultsMaxBytes: 1024 }).jobResults('job-00012'));
        assert.equal(e.kind, 'server');
        assert.equal(e.message, "The download link of job job-00012's results was refused (403). Open the results again for a new link.");
      } finally {
        await server.close();
      }
    });
  });
});

/** A loopback server answering `{status, body}` per request (a string body is sent as text). */
async function jsonServer(
  answer: (method: string, path: string) => { status: number; body: unknown },
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { status, body } = answer(req.method ?? 'GET', req.url ?? '/');
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'application/octet-stream' : 'application/json' });
      res.end(text);
    });
  });
  const url = await listenOnLoopback(server);
  return { url, close: () => closeServer(server) };
}
