import assert from 'node:assert/strict';
import { can } from '../../src/platforms/types';
import { createServer, type Server } from 'node:http';
import { HttpClient } from '../../src/core/http';
import { silentLogger } from '../../src/core/log';
import { normalizeStatus, SutroAdapter, type BoundCredentials, type SutroConfig } from '../../src/platforms/sutro';
import { RETIRED_MESSAGE, startSutro, SUTRO_FUNCTIONS, type SutroEmulator, type SutroFunctionDef } from '../emulator/sutro';
import { closeServer, listenOnLoopback, rejection, testHttpClient } from './support';

const KEY = 'sk_test_emulator';

/** Functions beyond the emulator's defaults: a single non-`text` field, and one that cannot run in real time. */
const EXTRA_FUNCTIONS: SutroFunctionDef[] = [
  {
    name: 'ticket-router',
    kind: 'classification',
    inputFields: ['ticket'],
    labels: [
      { name: 'billing', keywords: ['invoice', 'refund', 'charge'] },
      { name: 'other', keywords: [] },
    ],
    fallback: 'other',
    model: 'qwen-3-14b',
    modelSource: 'sutro',
    systemPrompt: 'Route the ticket.',
  },
  { ...SUTRO_FUNCTIONS[2]!, name: 'batch-only', realtime: false },
];


describe('Sutro adapter', () => {
  let emulator: SutroEmulator;
  let http: HttpClient;
  let config: SutroConfig;
  let credentials: BoundCredentials | undefined;
  let sleeps: number[];
  let sutro: SutroAdapter;

  before(async () => {
    // Seeded jobs keep their status for the whole run (the newest stays RUNNING, the next QUEUED).
    emulator = await startSutro({ functions: [...SUTRO_FUNCTIONS, ...EXTRA_FUNCTIONS], jobStepMs: 600_000 });
    http = testHttpClient({
      // Retry-After waits are recorded, not slept.
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    sutro = new SutroAdapter({
      http,
      credentials: async () => credentials,
      config: () => config,
      logger: silentLogger,
    });
  });

  after(async () => {
    await http.close();
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    sleeps = [];
    credentials = { apiKey: KEY };
    // The shared generation of the emulator serves both APIs; these tests start on the shared one.
    config = {
      api: 'shared',
      apiUrl: emulator.url,
      functionsUrl: emulator.url,
      functions: [
        { name: 'lead-qualifier', inputFields: ['query', 'region'] },
        { name: 'ticket-router', inputFields: ['ticket'] },
      ],
    };
  });

  /** The same server as a deployment (its `/v1`), given as a bare origin, with a key set for it. */
  const useDeployment = (): void => {
    config.api = 'deployment';
    config.apiUrl = emulator.url;
    credentials = { apiKey: KEY, endpoint: emulator.url };
  };

  it('declares its abilities and describes itself', () => {
    assert.deepEqual((['listJobs', 'getJob', 'cancelJob', 'jobResults', 'submitBatch'] as const).filter((a) => can(sutro, a)), ['listJobs', 'getJob', 'cancelJob', 'jobResults', 'submitBatch']);
    assert.equal(sutro.descriptor.functions.listed, false);
  });

  it('lists the configured Functions once each, without a request', async () => {
    config.functions.push({ name: 'lead-qualifier' }, { name: 'sentiment' }, { name: '  ' });
    const functions = await sutro.listFunctions();
    assert.deepEqual(functions, [
      { platform: 'sutro', id: 'lead-qualifier', name: 'lead-qualifier', inputFields: ['query', 'region'], description: 'Inputs: query, region' },
      { platform: 'sutro', id: 'ticket-router', name: 'ticket-router', inputFields: ['ticket'], description: 'Inputs: ticket' },
      { platform: 'sutro', id: 'sentiment', name: 'sentiment' },
    ]);
    assert.equal(emulator.requests.length, 0);
  });

  describe('run on the legacy Functions host', () => {
    it('posts {name, input_data} with the Key header and maps a classification', async () => {
      const input = { query: 'Find cybersecurity leaders evaluating AI vendors with budget.', region: 'APAC' };
      const result = await sutro.run({ platform: 'sutro', function: 'lead-qualifier', input });

      const [req] = emulator.requests;
      assert.equal(emulator.requests.length, 1);
      assert.equal(req!.method, 'POST');
      assert.equal(req!.path, '/functions/run');
      assert.equal(req!.headers.authorization, `Key ${KEY}`);
      assert.match(String(req!.headers['content-type']), /application\/json/);
      assert.deepEqual(req!.parsed, { name: 'lead-qualifier', input_data: input });

      const raw = result.raw as { response: string; confidence: number; rationale: string; usage: { input_tokens: number; output_tokens: number } };
      assert.equal(result.platform, 'sutro');
      assert.equal(result.function, 'lead-qualifier');
      assert.equal(result.kind, 'classification');
      assert.equal(result.label, 'qualified');
      assert.equal(result.label, raw.response);
      assert.equal(result.confidence, raw.confidence);
      assert.equal(result.rationale, raw.rationale);
      assert.equal(result.predictions.length, 2);
      assert.equal(result.predictions[0]!.label, 'qualified');
      assert.ok(result.predictions[0]!.confidence >= result.predictions[1]!.confidence);
      assert.deepEqual(result.usage, { inputTokens: raw.usage.input_tokens, outputTokens: raw.usage.output_tokens, costUsd: undefined });
      assert.equal(result.output, undefined);
      assert.ok(result.durationMs >= 0);
    });

    it('sorts predictions by confidence, highest first', async () => {
      // A reply whose predictions arrive in ascending order.
      const server = await replyServer(() => ({
        response: 'b',
        confidence: 0.7,
        predictions: [
          { label: 'c', confidence: 0.1 },
          { label: 'a', confidence: 0.2 },
          { label: 'b', confidence: 0.7 },
        ],
      }));
      try {
        config.functionsUrl = server.url;
        const result = await sutro.run({ platform: 'sutro', function: 'f', input: 'x' });
        assert.deepEqual(
          result.predictions.map((p) => p.label),
          ['b', 'a', 'c'],
        );
        assert.equal(result.usage, undefined);
        assert.equal(result.rationale, undefined);
      } finally {
        await server.close();
      }
    });

    it('sends text as the one known input field, else as `text`', async () => {
      const routed = await sutro.run({ platform: 'sutro', function: 'ticket-router', input: 'Please refund the duplicate charge.' });
      assert.equal(routed.label, 'billing');
      await sutro.run({ platform: 'sutro', function: 'sentiment', input: 'I love the new dashboard' });
      assert.deepEqual(
        emulator.requests.map((r) => r.parsed),
        [
          { name: 'ticket-router', input_data: { ticket: 'Please refund the duplicate charge.' } },
          { name: 'sentiment', input_data: { text: 'I love the new dashboard' } },
        ],
      );
    });

    it('maps a structured reply to an extraction', async () => {
      const input = { text: 'Acme Labs wants a demo of the analytics suite for Singapore.' };
      const result = await sutro.run({ platform: 'sutro', function: 'lead-extractor', input });
      assert.deepEqual(emulator.requests[0]!.parsed, { name: 'lead-extractor', input_data: input });
      assert.equal(result.kind, 'extraction');
      assert.deepEqual(result.output, { company: 'Acme Labs', segment: 'B2B analytics', region: 'APAC' });
      assert.equal(result.rationale, 'The requested company, segment, and region are present in the input.');
      assert.equal(typeof result.confidence, 'number');
      assert.deepEqual(result.predictions, []);
      assert.equal(result.label, undefined);
      assert.equal(typeof result.usage?.inputTokens, 'number');
    });

    it('422 → invalidInput with the platform message', async () => {
      const e = await rejection(sutro.run({ platform: 'sutro', function: 'lead-qualifier', input: { query: 'x' } }));
      assert.equal(e.kind, 'invalidInput');
      assert.equal(e.status, 422);
      assert.equal(e.message, 'Sutro refused the input (422): Missing required input field(s): region.');
    });

    it('404 → notFound naming the Function', async () => {
      const e = await rejection(sutro.run({ platform: 'sutro', function: 'nope', input: 'x' }));
      assert.equal(e.kind, 'notFound');
      assert.equal(e.message, `Sutro could not find the Function "nope" (404): Function 'nope' not found.`);
    });

    it('401 → auth; a missing key fails before any request', async () => {
      credentials = { apiKey: 'sk_test_wrong' };
      const e = await rejection(sutro.run({ platform: 'sutro', function: 'sentiment', input: 'x' }));
      assert.equal(e.kind, 'auth');
      assert.equal(e.status, 401);
      assert.match(e.message, /^Sutro rejected the API key \(401\)/);
      assert.ok(!e.message.includes('sk_test_wrong'));

      emulator.clearRequests();
      credentials = undefined;
      const missing = await rejection(sutro.run({ platform: 'sutro', function: 'sentiment', input: 'x' }));
      assert.equal(missing.kind, 'auth');
      assert.equal(missing.message, 'Sutro has no API key. Run "AI Functions: Set API Key…" to add one.');
      assert.equal(emulator.requests.length, 0);
    });

    it('410 from the retired host → configuration error naming aiFunctions.sutro.apiUrl', async () => {
      emulator.retired = true;
      for (const call of [
        () => sutro.run({ platform: 'sutro', function: 'sentiment', input: 'x' }),
        () => sutro.listJobs({ limit: 10 }),
      ]) {
        const e = await rejection(call());
        assert.equal(e.kind, 'configuration');
        assert.equal(e.status, 410);
        assert.equal(
          e.message,
          `Sutro no longer serves ${emulator.url} (410): ${RETIRED_MESSAGE.replace(/\.$/, '')}. Set aiFunctions.sutro.api to "deployment" and aiFunctions.sutro.apiUrl to your Sutro deployment URL (https://<your-deployment>).`,
        );
        assert.match(e.platformMessage ?? '', /no longer supported/);
      }
      // The deployment on the same server still answers.
      useDeployment();
      const result = await sutro.run({ platform: 'sutro', function: 'sentiment', input: 'great' });
      assert.equal(result.label, 'positive');
    });

    it('wrong-shape replies → invalidResponse naming the field', async () => {
      emulator.faults.set({ wrongShape: { match: 'functions/run' } });
      const e = await rejection(sutro.run({ platform: 'sutro', function: 'sentiment', input: 'x' }));
      assert.equal(e.kind, 'invalidResponse');
      assert.equal(e.field, 'response');
      assert.match(e.message, /field `response`/);

      const server = await replyServer(() => ({ output: { a: 1 }, confidence: 0.5 }));
      try {
        config.functionsUrl = server.url;
        const missing = await rejection(sutro.run({ platform: 'sutro', function: 'f', input: 'x' }));
        assert.equal(missing.field, 'rationale');
      } finally {
        await server.close();
      }
    });
  });

  describe('run on a deployment (an origin, /v1 added)', () => {
    beforeEach(useDeployment);

    it('posts {input} as a string and maps a string output to a classification', async () => {
      const result = await sutro.run({ platform: 'sutro', function: 'sentiment', input: 'I love it, great work' });
      const [req] = emulator.requests;
      assert.equal(req!.path, '/v1/functions/sentiment/run');
      assert.equal(req!.headers.authorization, `Key ${KEY}`);
      assert.deepEqual(req!.parsed, { input: 'I love it, great work' });

      const raw = result.raw as { confidence: number; request_id: string; usage: { input_tokens: number; output_tokens: number; cost_usd: number } };
      assert.match(raw.request_id, /^rt_/);
      assert.equal(result.kind, 'classification');
      assert.equal(result.label, 'positive');
      assert.equal(result.confidence, raw.confidence);
      assert.deepEqual(result.predictions, [{ label: 'positive', confidence: raw.confidence }]);
      assert.deepEqual(result.usage, { inputTokens: raw.usage.input_tokens, outputTokens: raw.usage.output_tokens, costUsd: raw.usage.cost_usd });
      assert.ok(result.usage!.costUsd! > 0);
    });

    it('posts {input} as an object and maps an object output to an extraction', async () => {
      const input = { text: 'Globex Corp is evaluating a contract for their retail stores in Germany.' };
      const result = await sutro.run({ platform: 'sutro', function: 'lead-extractor', input });
      assert.deepEqual(emulator.requests[0]!.parsed, { input });
      assert.equal(result.kind, 'extraction');
      assert.deepEqual(result.output, { company: 'Globex Corp', segment: 'Retail', region: 'EMEA' });
      assert.deepEqual(result.predictions, []);
    });

    it('encodes the Function name in the path; 404 carries the platform message', async () => {
      const e = await rejection(sutro.run({ platform: 'sutro', function: 'my func/1', input: 'x' }));
      assert.equal(emulator.requests[0]!.path, '/v1/functions/my%20func%2F1/run');
      assert.equal(e.kind, 'notFound');
      assert.equal(e.platformMessage, "Function 'my func/1' not found");
    });

    it('422 and 409 carry the platform message', async () => {
      const e = await rejection(sutro.run({ platform: 'sutro', function: 'lead-qualifier', input: 'text only' }));
      assert.equal(e.kind, 'invalidInput');
      assert.equal(e.status, 422);
      assert.match(e.message, /send input as an object/);

      const conflict = await rejection(sutro.run({ platform: 'sutro', function: 'batch-only', input: 'x' }));
      assert.equal(conflict.status, 409);
      assert.equal(conflict.platformMessage, "Function 'batch-only' has no runnable prompt for real-time runs; use batch");
      assert.match(conflict.message, /no runnable prompt/);
    });

    it('a 429 with Retry-After is waited for and sent once more', async () => {
      emulator.faults.set({ rateLimit: { match: 'functions', retryAfter: 1 } });
      const result = await sutro.run({ platform: 'sutro', function: 'sentiment', input: 'great' });
      assert.equal(result.label, 'positive');
      assert.equal(emulator.requestsTo('/v1/functions/sentiment/run').length, 2);
      assert.deepEqual(sleeps, [1000]);
    });

    it('a 502 is not retried: the run may have happened', async () => {
      emulator.faults.set({ serverError: { match: 'functions', status: 502 } });
      const e = await rejection(sutro.run({ platform: 'sutro', function: 'sentiment', input: 'great' }));
      assert.equal(e.kind, 'server');
      assert.equal(e.status, 502);
      assert.equal(emulator.requestsTo('/v1/functions/sentiment/run').length, 1);
    });

    it('a reply without output → invalidResponse naming `output`', async () => {
      emulator.faults.set({ wrongShape: { match: 'functions' } });
      const e = await rejection(sutro.run({ platform: 'sutro', function: 'sentiment', input: 'x' }));
      assert.equal(e.kind, 'invalidResponse');
      assert.equal(e.field, 'output');
    });

    it('cancels a run in flight when the signal aborts', async () => {
      emulator.faults.set({ latency: { ms: 5_000, match: 'functions' } });
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 50);
      const e = await rejection(sutro.run({ platform: 'sutro', function: 'sentiment', input: 'x' }, controller.signal));
      assert.equal(e.kind, 'cancelled');
      assert.ok(Date.now() - started < 2_000, 'the request stopped when the signal aborted');
      assert.equal(emulator.requests.length, 1);
    });

    it('job calls use the deployment base', async () => {
      const page = await sutro.listJobs({ limit: 2 });
      assert.equal(page.items.length, 2);
      assert.equal(emulator.requests[0]!.path, '/v1/list-jobs');
    });
  });

  describe('jobs', () => {
    it('maps every job field', async () => {
      const job = await sutro.getJob('job-00007');
      const req = emulator.requests[0]!;
      assert.equal(req.method, 'GET');
      assert.equal(req.path, '/jobs/job-00007');
      assert.equal(req.headers.authorization, `Key ${KEY}`);
      const raw = job.raw as Record<string, unknown>;
      assert.deepEqual({ ...job, raw: undefined }, {
        platform: 'sutro',
        id: 'job-00007',
        status: 'failed',
        rawStatus: 'FAILED',
        name: raw.name,
        model: raw.model,
        createdAt: raw.datetime_created,
        startedAt: raw.datetime_started,
        completedAt: raw.datetime_completed,
        inputTokens: raw.input_tokens,
        outputTokens: raw.output_tokens,
        cost: raw.job_cost,
        costEstimate: raw.cost_estimate,
        rows: raw.num_rows,
        failureReason: (raw.failure_reason as { message: string }).message,
        raw: undefined,
      });
      assert.equal(job.name, `Lead extraction #7`);
      assert.match(job.failureReason ?? '', /^Row \d+ exceeded the model's context window$/);
      assert.equal(raw.run_type, 'FULL', 'raw keeps fields the model does not name');
    });

    it('maps null fields to absent ones', async () => {
      const job = await sutro.getJob('job-00024'); // QUEUED: not started, no tokens, no cost
      assert.equal(job.status, 'queued');
      assert.equal(job.startedAt, undefined);
      assert.equal(job.completedAt, undefined);
      assert.equal(job.inputTokens, undefined);
      assert.equal(job.cost, undefined);
      assert.equal(job.failureReason, undefined);
      const unnamed = await sutro.getJob('job-00013'); // seq % 9 === 4: name null
      assert.equal(unnamed.name, undefined);
    });

    it('a job id of "..", "." or blanks is refused before any request (it would leave its path segment)', async () => {
      for (const id of ['..', '.', ' ']) {
        for (const call of [() => sutro.getJob(id), () => sutro.jobStatus(id), () => sutro.cancelJob(id)]) {
          const e = await rejection(call());
          assert.equal(e.kind, 'invalidInput');
          assert.equal(e.platform, 'sutro');
        }
      }
      assert.equal((await rejection(sutro.getJob('..'))).message, 'The Sutro job id ".." is not valid.');
      useDeployment();
      emulator.clearRequests();
      const run = await rejection(sutro.run({ platform: 'sutro', function: '..', input: 'x' }));
      assert.equal(run.message, 'The Sutro Function name ".." is not valid.');
      assert.equal(emulator.requests.length, 0);
    });

    it('an unknown job → notFound with the platform message', async () => {
      const e = await rejection(sutro.getJob('job-99999'));
      assert.equal(e.kind, 'notFound');
      assert.equal(e.message, 'Sutro could not find job job-99999 (404): Job not found.');
    });

    it('lists one page with a cursor, and the last page without one', async () => {
      const first = await sutro.listJobs({ limit: 10 });
      assert.deepEqual(emulator.requests[0]!.query, { limit: '10' });
      assert.deepEqual(
        first.items.map((j) => j.id),
        Array.from({ length: 10 }, (_, i) => `job-000${25 - i}`),
      );
      assert.ok(first.nextCursor);
      const second = await sutro.listJobs({ limit: 10, cursor: first.nextCursor! });
      assert.deepEqual(emulator.requests[1]!.query, { limit: '10', cursor: first.nextCursor });
      assert.equal(second.items[0]!.id, 'job-00015');
      const last = await sutro.listJobs({ limit: 10, cursor: second.nextCursor! });
      assert.equal(last.items.length, 5);
      assert.ok(!('nextCursor' in last), 'the last page has no nextCursor');
    });

    it('without a limit lists every job in one reply', async () => {
      const page = await sutro.listJobs();
      assert.deepEqual(emulator.requests[0]!.query, {});
      assert.equal(page.items.length, 25);
      assert.ok(!('nextCursor' in page));
      assert.equal(page.items[0]!.id, 'job-00025');
      assert.equal(page.items[0]!.status, 'running');
    });

    it('validates the page size before sending anything', async () => {
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        const e = await rejection(sutro.listJobs({ limit }));
        assert.equal(e.kind, 'invalidInput');
        assert.match(e.message, /whole number from 1 to 100/);
      }
      const e = await rejection(sutro.listJobs({ cursor: 'abc' }));
      assert.equal(e.kind, 'invalidInput');
      assert.match(e.message, /cursor can only be used together with a page size/);
      assert.equal(emulator.requests.length, 0);

      const clamped = await sutro.listJobs({ limit: 500 });
      assert.deepEqual(emulator.requests[0]!.query, { limit: '100' });
      assert.equal(clamped.items.length, 25);
    });

    it('normalizes statuses case-insensitively', async () => {
      emulator.lowercaseStatuses = true;
      const { items } = await sutro.listJobs({ limit: 10 });
      assert.equal(items[0]!.status, 'running');
      assert.equal(items[0]!.rawStatus, 'running');
      assert.equal(items[1]!.status, 'queued');
      assert.equal(items[1]!.rawStatus, 'queued');
      const failed = await sutro.jobStatus('job-00017');
      assert.deepEqual({ ...failed, raw: undefined }, { status: 'failed', rawStatus: 'failed', failureReason: 'Quota exceeded for priority 0 jobs', raw: undefined });

      const expected: Record<string, string> = {
        QUEUED: 'queued', pending: 'queued', Submitted: 'queued', starting: 'running', STARTING: 'running',
        RUNNING: 'running', cancelling: 'running', CANCELLING: 'running', succeeded: 'succeeded', FAILED: 'failed',
        Cancelled: 'cancelled', UNKNOWN: 'unknown', weird: 'unknown', '': 'unknown',
      };
      for (const [raw, status] of Object.entries(expected)) assert.equal(normalizeStatus(raw), status, raw);
    });

    it('reads a job status, with the failure reason', async () => {
      const running = await sutro.jobStatus('job-00025');
      assert.equal(emulator.requests[0]!.path, '/job-status/job-00025');
      assert.deepEqual({ ...running, raw: undefined }, { status: 'running', rawStatus: 'RUNNING', raw: undefined });
      const failed = await sutro.jobStatus('job-00007');
      assert.equal(failed.status, 'failed');
      assert.match(failed.failureReason ?? '', /^Row \d+ exceeded the model's context window$/);
    });

    it('submits a batch, then cancels it; a second cancel is refused with the platform message', async () => {
      const rows = [{ text: 'I love it' }, { text: 'The export is broken' }];
      const id = await sutro.submitBatch('sentiment', rows, 'Review sentiment from the April export of the CRM');
      const submit = emulator.requests[0]!;
      assert.equal(submit.path, '/batch-inference');
      assert.equal(submit.headers.authorization, `Key ${KEY}`);
      assert.deepEqual(submit.parsed, {
        model: 'sentiment',
        inputs: rows,
        job_priority: 0,
        truncate_rows: false,
        name: 'Review sentiment from the April export of the',
      });

      const queued = await sutro.getJob(id);
      assert.equal(queued.status, 'queued');
      assert.equal(queued.rows, 2);

      await sutro.cancelJob(id);
      const cancel = emulator.requestsTo(`/job-cancel/${id}`);
      assert.equal(cancel.length, 1);
      assert.equal(cancel[0]!.method, 'GET', "the SDK's method");
      const cancelling = await sutro.getJob(id);
      assert.equal(cancelling.status, 'running');
      assert.equal(cancelling.rawStatus, 'CANCELLING');

      const e = await rejection(sutro.cancelJob(id));
      assert.equal(e.kind, 'invalidInput');
      assert.equal(e.message, `Sutro did not cancel job ${id}: Job ${id} is already being cancelled.`);

      const missing = await rejection(sutro.cancelJob('job-99999'));
      assert.equal(missing.kind, 'notFound');
    });

    it('cancels with one GET (the SDK sends no POST first); the SDK test reply {status} is accepted', async () => {
      const server = await replyServer((method) => (method === 'POST' ? new Reply(405, { detail: 'Method Not Allowed' }) : { status: 'CANCELLED' }));
      try {
        config.apiUrl = server.url;
        await sutro.cancelJob('job 1');
        assert.deepEqual(server.requests, ['GET /job-cancel/job%201']);
      } finally {
        await server.close();
      }
    });

    it("estimates a batch's cost as the SDK does: a job with cost_estimate true, read until SUCCEEDED, then its cost_estimate", async () => {
      emulator.configure({ jobStepMs: 30 });
      try {
        const polls: number[] = [];
        const estimating = new SutroAdapter({
          http,
          credentials: async () => credentials,
          config: () => config,
          logger: silentLogger,
          sleep: async (ms) => {
            polls.push(ms);
            await new Promise((resolve) => setTimeout(resolve, 20));
          },
        });
        const rows = [{ text: 'I love it' }, { text: 'The export is broken' }];
        assert.equal(await estimating.estimateBatchCost('sentiment', rows), 0.0008);
        const submits = emulator.requestsTo('/batch-inference');
        assert.equal(submits.length, 1);
        assert.deepEqual(submits[0]!.parsed, { model: 'sentiment', inputs: rows, job_priority: 0, truncate_rows: false, cost_estimate: true });
        assert.ok(polls.length >= 1 && polls.every((ms) => ms === 1_000), `read again every second (${polls.join(', ')})`);
      } finally {
        emulator.configure({ jobStepMs: 600_000 });
      }
    });

    it('refuses an empty batch without a request', async () => {
      const e = await rejection(sutro.submitBatch('sentiment', []));
      assert.equal(e.kind, 'invalidInput');
      assert.equal(emulator.requests.length, 0);
    });

    it('a batch submission is not retried after a 502', async () => {
      emulator.faults.set({ serverError: { match: 'batch-inference', status: 502 } });
      const e = await rejection(sutro.submitBatch('sentiment', [{ text: 'x' }]));
      assert.equal(e.kind, 'server');
      assert.equal(emulator.requestsTo('/batch-inference').length, 1);
    });

    it('reads results with inputs; JSON-string outputs are parsed', async () => {
      const structured = await sutro.jobResults('job-00012'); // lead-extractor
      const req = emulator.requests[0]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/job-results');
      assert.deepEqual(req.parsed, { job_id: 'job-00012', include_inputs: true });
      const rawResults = (structured.raw as { results: { outputs: string[]; inputs: unknown[] } }).results;
      assert.equal(structured.rows.length, rawResults.outputs.length);
      structured.rows.forEach((row, i) => {
        assert.deepEqual(row, { input: rawResults.inputs[i], output: JSON.parse(rawResults.outputs[i]!) });
      });
      assert.deepEqual(Object.keys((structured.rows[0] as { output: object }).output), ['company', 'segment', 'region']);

      const labels = await sutro.jobResults('job-00011'); // lead-qualifier: plain labels stay strings
      for (const row of labels.rows as { output: unknown }[]) assert.ok(row.output === 'qualified' || row.output === 'not_qualified');
    });

    it('results of a running job → the platform message', async () => {
      const e = await rejection(sutro.jobResults('job-00025'));
      assert.equal(e.status, 409);
      assert.match(e.message, /results are only available for SUCCEEDED jobs/);
    });

    it('malformed JSON and wrong shapes → invalidResponse', async () => {
      emulator.faults.set({ malformed: { match: 'list-jobs' } });
      const malformed = await rejection(sutro.listJobs({ limit: 5 }));
      assert.equal(malformed.kind, 'invalidResponse');
      assert.match(malformed.message, /not JSON/);

      const cases: [string, () => Promise<unknown>, string][] = [
        ['list-jobs', () => sutro.listJobs({ limit: 5 }), 'jobs'],
        ['jobs/', () => sutro.getJob('job-00001'), 'job'],
        ['job-status', () => sutro.jobStatus('job-00001'), 'job_status'],
        ['job-results', () => sutro.jobResults('job-00001'), 'results'],
        ['batch-inference', () => sutro.submitBatch('sentiment', [{ text: 'x' }]), 'results'],
      ];
      for (const [match, call, field] of cases) {
        emulator.faults.set({ wrongShape: { match } });
        const e = await rejection(call());
        assert.equal(e.kind, 'invalidResponse', match);
        assert.equal(e.field, field, match);
        assert.match(e.message, new RegExp(`field \`${field}\``));
      }

      const server = await replyServer(() => ({ jobs: [{ job_id: 'a', status: 'RUNNING' }, { status: 'RUNNING' }], next_cursor: null }));
      try {
        config.apiUrl = server.url;
        const e = await rejection(sutro.listJobs({ limit: 5 }));
        assert.equal(e.field, 'jobs.1.job_id');
      } finally {
        await server.close();
      }
    });

    it('cancels a job listing in flight when the signal aborts', async () => {
      emulator.faults.set({ latency: { ms: 5_000, match: 'list-jobs' } });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const started = Date.now();
      const e = await rejection(sutro.listJobs({ limit: 100 }, controller.signal));
      assert.equal(e.kind, 'cancelled');
      assert.ok(Date.now() - started < 2_000);
    });
  });
});

/**
 * A loopback server for replies the emulator never sends: `answer` gets the method and path and
 * returns a JSON body (status 200), or `{status, body}` wrapped in `reply()`.
 */
async function replyServer(
  answer: (method: string, path: string) => unknown,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const answered = answer(req.method ?? 'GET', req.url ?? '/');
      const { status, body } = answered instanceof Reply ? answered : new Reply(200, answered);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  const url = await listenOnLoopback(server);
  return { url, requests, close: () => closeServer(server) };
}

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}
