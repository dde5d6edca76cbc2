// The platform emulators (test/emulator/): documented shapes, auth, paging, limits and faults.

import assert from 'node:assert/strict';
import { startEmulators, type Emulators } from '../emulator';
import { call, sleep, type CallResult } from './support';

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await sleep(20);
  }
}

describe('emulators', function () {
  this.timeout(10_000);
  let emu: Emulators;
  let S: string;
  let N: string;
  let I: string;
  const SK = { authorization: 'Key sk_test_emulator' };
  const IK = { authorization: 'sk_inf_emulator' };

  before(async () => {
    emu = await startEmulators();
    S = emu.sutro.url;
    N = emu.nyckel.url;
    I = emu.inferable.url;
  });
  after(async () => emu.close());
  beforeEach(() => emu.reset());

  describe('sutro', () => {
    it('rejects a missing, wrong or Bearer key with 401 {detail}', async () => {
      for (const headers of [{}, { authorization: 'Key nope' }, { authorization: 'Bearer sk_test_emulator' }] as Record<string, string>[]) {
        const r = await call(S, '/list-jobs', { headers });
        assert.equal(r.status, 401);
        assert.deepEqual(r.json, { detail: 'Invalid or missing API key' });
      }
      const ok = await call(S, '/try-authentication', { headers: SK });
      assert.deepEqual(ok.json, { authenticated: true });
      assert.ok((await call(S, '/v1/auth/check', { headers: SK })).json.principal);
    });

    it('runs a classification function (legacy) with sorted predictions and usage', async () => {
      const r = await call(S, '/functions/run', {
        headers: SK,
        json: { name: 'lead-qualifier', input_data: { query: 'Find cybersecurity leaders evaluating AI vendors.', region: 'APAC', extra: 1 } },
      });
      assert.equal(r.status, 200);
      assert.equal(r.json.response, 'qualified');
      assert.equal(r.json.predictions[0].label, 'qualified');
      assert.equal(r.json.predictions[0].confidence, r.json.confidence);
      assert.ok(r.json.predictions[0].confidence >= r.json.predictions[1].confidence);
      assert.equal(typeof r.json.rationale, 'string');
      assert.deepEqual(Object.keys(r.json.usage).sort(), ['input_tokens', 'output_tokens', 'system_prompt']);
      const again = await call(S, '/functions/run', { headers: SK, json: { name: 'lead-qualifier', input_data: { query: 'Find cybersecurity leaders evaluating AI vendors.', region: 'APAC' } } });
      assert.equal(again.json.confidence, r.json.confidence, 'deterministic');
      const no = await call(S, '/functions/run', { headers: SK, json: { name: 'lead-qualifier', input_data: { query: 'just curious', region: 'EMEA' } } });
      assert.equal(no.json.response, 'not_qualified');
    });

    it('runs a structured function (legacy)', async () => {
      const r = await call(S, '/functions/run', { headers: SK, json: { name: 'lead-extractor', input_data: { text: 'Acme Labs wants the analytics suite in Singapore' } } });
      assert.deepEqual(r.json.output, { company: 'Acme Labs', segment: 'B2B analytics', region: 'APAC' });
      assert.equal(typeof r.json.confidence, 'number');
      assert.equal(typeof r.json.rationale, 'string');
    });

    it('validates legacy runs: 422 invalid_input, 404 function_not_found', async () => {
      let r = await call(S, '/functions/run', { headers: SK, json: { input_data: {} } });
      assert.equal(r.status, 422);
      assert.equal(r.json.code, 'invalid_input');
      r = await call(S, '/functions/run', { headers: SK, json: { name: 'sentiment', input_data: 'text' } });
      assert.equal(r.status, 422);
      r = await call(S, '/functions/run', { headers: SK, json: { name: 'lead-qualifier', input_data: { query: 'x' } } });
      assert.equal(r.status, 422);
      assert.match(r.json.detail, /region/);
      r = await call(S, '/functions/run', { headers: SK, json: { name: 'x', input_data: {} } });
      assert.equal(r.status, 404);
      assert.deepEqual(r.json, { detail: "Function 'x' not found", code: 'function_not_found' });
    });

    it('runs /v1 functions with {input}; strict fields; bare string only for one field', async () => {
      let r = await call(S, '/v1/functions/sentiment/run', { headers: SK, json: { input: 'I love it, great work' } });
      assert.equal(r.status, 200);
      assert.match(r.json.request_id, /^rt_/);
      assert.deepEqual(Object.keys(r.json.function).sort(), ['model', 'model_source', 'name']);
      assert.equal(r.json.output, 'positive');
      assert.deepEqual(Object.keys(r.json.usage).sort(), ['cost_usd', 'input_tokens', 'output_tokens']);
      r = await call(S, '/v1/functions/lead-extractor/run', { headers: SK, json: { input: { text: 'Globex Corp retail stores in Germany' } } });
      assert.deepEqual(r.json.output, { company: 'Globex Corp', segment: 'Retail', region: 'EMEA' });
      r = await call(S, '/v1/functions/lead-qualifier/run', { headers: SK, json: { input: 'budget' } });
      assert.equal(r.status, 422);
      r = await call(S, '/v1/functions/lead-qualifier/run', { headers: SK, json: { input: { query: 'q', region: 'NA', extra: 1 } } });
      assert.equal(r.status, 422);
      assert.equal(r.json.code, 'invalid_input');
      r = await call(S, '/v1/functions/nope/run', { headers: SK, json: { input: 'x' } });
      assert.equal(r.status, 404);
      assert.equal(r.json.code, 'function_not_found');
    });

    it('answers 410 on legacy paths when retired; /v1 keeps working', async () => {
      emu.sutro.retired = true;
      const r = await call(S, '/functions/run', { headers: SK, json: { name: 'sentiment', input_data: { text: 'x' } } });
      assert.equal(r.status, 410);
      assert.match(r.json.detail, /no longer supported by the Sutro SDK.*SUTRO_API_URL/);
      assert.equal((await call(S, '/v1/list-jobs?limit=1', { headers: SK })).status, 200);
    });

    it('pages 10,000 jobs to the end with no duplicate or gap, while new jobs arrive', async () => {
      const cfg = await call(S, '/__emulator/config', { json: { jobCount: 10_000 } });
      assert.equal(cfg.status, 204);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const r = await call(S, `/v1/list-jobs?limit=100${q}`, { headers: SK });
        assert.equal(r.status, 200);
        for (const j of r.json.jobs) seen.push(j.job_id);
        cursor = r.json.next_cursor;
        if (++pages === 3) {
          const b = await call(S, '/batch-inference', { headers: SK, json: { model: 'sentiment', inputs: ['new'] } });
          assert.equal(b.status, 200);
        }
      } while (cursor);
      assert.equal(seen.length, 10_000);
      assert.equal(new Set(seen).size, 10_000);
      assert.equal(seen[0], 'job-10000');
      assert.equal(seen[9_999], 'job-00001');
      const first = await call(S, '/list-jobs?limit=1', { headers: SK });
      assert.equal(first.json.jobs[0].job_id, 'job-10001');
      const job = first.json.jobs[0];
      for (const f of ['job_id', 'status', 'model', 'system_prompt', 'job_priority', 'datetime_created', 'datetime_started', 'datetime_completed', 'json_schema', 'sampling_params', 'name', 'description', 'dataset_id', 'input_tokens', 'output_tokens', 'job_cost', 'num_rows', 'failure_reason', 'cost_estimate']) {
        assert.ok(f in job, f);
      }
    });

    it('validates list-jobs: limit range 422, bad cursor 400, no limit = all', async () => {
      assert.equal((await call(S, '/list-jobs?limit=0', { headers: SK })).status, 422);
      assert.equal((await call(S, '/list-jobs?limit=101', { headers: SK })).status, 422);
      const bad = await call(S, '/list-jobs?limit=5&cursor=%%%', { headers: SK });
      assert.equal(bad.status, 400);
      assert.ok(bad.json.detail);
      const all = await call(S, '/list-jobs?cursor=ignored', { headers: SK });
      assert.equal(all.json.message, 'Jobs retrieved');
      assert.equal(all.json.jobs.length, 25);
      assert.ok(all.json.jobs.some((j: { status: string }) => j.status === 'FAILED'));
      for (const status of ['RUNNING', 'QUEUED', 'SUCCEEDED', 'CANCELLED']) {
        assert.ok(all.json.jobs.some((j: { status: string }) => j.status === status), status);
      }
    });

    it('fetches jobs and statuses; 404 {message}', async () => {
      const r = await call(S, '/jobs/job-00017', { headers: SK });
      assert.equal(r.json.job.job_id, 'job-00017');
      assert.equal(r.json.job.status, 'FAILED');
      assert.ok(r.json.job.failure_reason.message);
      const st = await call(S, '/job-status/job-00017', { headers: SK });
      assert.deepEqual(st.json.job_status, { 'job-00017': 'FAILED' });
      assert.ok(st.json.metadata.failure_reason.message);
      assert.equal((await call(S, '/job-status/job-00001', { headers: SK })).json.metadata, null);
      const missing = await call(S, '/jobs/job-99999', { headers: SK });
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json, { message: 'Job not found' });
      emu.sutro.lowercaseStatuses = true;
      assert.equal((await call(S, '/jobs/job-00001', { headers: SK })).json.job.status, 'succeeded');
    });

    it('submits a batch job that goes QUEUED → RUNNING → SUCCEEDED with results', async () => {
      emu.sutro.jobStepMs = 60;
      const inputs = [{ text: 'I love it' }, { text: 'terrible and broken' }, { text: 'ok' }];
      const sub = await call(S, '/v1/batch-inference', { headers: SK, json: { model: 'sentiment', inputs, name: 'my job', job_priority: 0 } });
      const id = sub.json.results as string;
      assert.equal((await call(S, '/v1/list-jobs?limit=1', { headers: SK })).json.jobs[0].job_id, id);
      assert.equal((await call(S, `/v1/jobs/${id}`, { headers: SK })).json.job.status, 'QUEUED');
      const early = await call(S, '/v1/job-results', { headers: SK, json: { job_id: id } });
      assert.equal(early.status, 409);
      const running = await until(() => call(S, `/v1/job-status/${id}`, { headers: SK }), (r) => r.json.job_status[id] !== 'QUEUED');
      assert.equal(running.json.job_status[id], 'RUNNING');
      await until(() => call(S, `/v1/job-status/${id}`, { headers: SK }), (r) => r.json.job_status[id] === 'SUCCEEDED');
      const res = await call(S, '/v1/job-results', { headers: SK, json: { job_id: id, include_inputs: true } });
      assert.deepEqual(res.json.results.outputs, ['positive', 'negative', 'neutral']);
      assert.deepEqual(res.json.results.inputs, inputs);
      for (const bad of [{ model: 'nope', inputs: ['x'] }, { model: 'sentiment', inputs: [] }, { model: 'sentiment', inputs: ['x'], name: 'x'.repeat(46) }]) {
        assert.equal((await call(S, '/batch-inference', { headers: SK, json: bad })).status, 422);
      }
      const seeded = await call(S, '/job-results', { headers: SK, json: { job_id: 'job-00002' } });
      assert.equal(seeded.json.results.outputs.length, (await call(S, '/jobs/job-00002', { headers: SK })).json.job.num_rows);
    });

    it('cancels running jobs (CANCELLING → CANCELLED) but not finished ones', async () => {
      emu.sutro.cancelDelayMs = 40;
      const r = await call(S, '/job-cancel/job-00025', { headers: SK, method: 'POST' });
      assert.equal(r.json.cancelled, true);
      assert.equal((await call(S, '/job-status/job-00025', { headers: SK })).json.job_status['job-00025'], 'CANCELLING');
      await sleep(60);
      assert.equal((await call(S, '/jobs/job-00025', { headers: SK })).json.job.status, 'CANCELLED');
      const done = await call(S, '/job-cancel/job-00001', { headers: SK });
      assert.equal(done.json.cancelled, false);
      assert.equal(typeof done.json.message, 'string');
    });
  });

  describe('nyckel', () => {
    async function token(): Promise<string> {
      const r = await call(N, '/connect/token', { form: { grant_type: 'client_credentials', client_id: 'nyckel_test_client', client_secret: 'nyckel_test_secret' } });
      assert.equal(r.status, 200);
      assert.equal(r.json.token_type, 'Bearer');
      assert.equal(r.json.expires_in, 3600);
      return r.json.access_token;
    }

    it('issues tokens for client credentials only', async () => {
      await token();
      let r = await call(N, '/connect/token', { form: { grant_type: 'client_credentials', client_id: 'nyckel_test_client', client_secret: 'bad' } });
      assert.equal(r.status, 401);
      assert.deepEqual(r.json, { message: 'Invalid client credentials' });
      r = await call(N, '/connect/token', { form: { grant_type: 'password', client_id: 'nyckel_test_client', client_secret: 'nyckel_test_secret' } });
      assert.equal(r.status, 400);
      r = await call(N, '/connect/token', { json: { grant_type: 'client_credentials' } });
      assert.equal(r.status, 400);
      assert.ok(r.json.message);
      assert.equal((await call(N, '/__emulator/stats')).json.tokenRequests, 4);
    });

    it('rejects missing, revoked and expired tokens with 401 {message}', async () => {
      const t = await token();
      assert.equal((await call(N, '/v1/functions', { headers: { authorization: `Bearer ${t}` } })).status, 200);
      const none = await call(N, '/v1/functions');
      assert.equal(none.status, 401);
      assert.equal(typeof none.json.message, 'string');
      emu.nyckel.revokeTokens();
      assert.equal((await call(N, '/v1/functions', { headers: { authorization: `Bearer ${t}` } })).status, 401);
      emu.nyckel.expiresIn = 0;
      const t2 = await token().catch(() => '');
      const expired = await call(N, '/v1/functions', { headers: { authorization: `Bearer ${t2 || emu.nyckel.issueToken()}` } });
      assert.equal(expired.status, 401);
    });

    it('pages functions with a relative Link header', async () => {
      const h = { authorization: `Bearer ${await token()}` };
      const ids: string[] = [];
      let next: string | null = '/v1/functions';
      let pages = 0;
      while (next) {
        const r = await call(N, next, { headers: h });
        assert.equal(r.status, 200);
        ids.push(...r.json.map((f: { id: string }) => f.id));
        for (const f of r.json) assert.deepEqual(Object.keys(f).sort(), ['id', 'input', 'name', 'output']);
        const link = r.headers.get('link');
        next = link ? (/<([^>]+)>;\s*rel="next"/.exec(link)?.[1] ?? null) : null;
        if (next) assert.match(next, /^\/v1\/functions\?batchSize=2&startAfter=function_/);
        pages++;
      }
      assert.equal(pages, 3);
      assert.deepEqual(ids, ['function_leadintent', 'function_sentiment', 'function_tabular', 'function_tags', 'function_spam']);
      const big = await call(N, '/v1/functions?batchSize=10', { headers: h });
      assert.equal(big.json.length, 5);
      assert.equal(big.headers.get('link'), null);
      assert.equal((await call(N, '/v1/functions?batchSize=0', { headers: h })).status, 400);
    });

    it('invokes with labelCount, includeMetadata and externalId; validates the query and body', async () => {
      const h = { authorization: `Bearer ${await token()}` };
      const path = '/v1/functions/function_leadintent/invoke';
      let r = await call(N, `${path}?labelCount=2&includeMetadata=true&capture=false&externalId=ext-1`, { headers: h, json: { data: 'We have budget and want a demo' } });
      assert.equal(r.status, 200);
      assert.equal(r.json.labelName, 'qualified');
      assert.match(r.json.labelId, /^label_/);
      assert.equal(r.json.labelConfidences.length, 2);
      assert.ok(r.json.labelConfidences[0].confidence >= r.json.labelConfidences[1].confidence);
      assert.deepEqual(r.json.labelMetadata, { crmStage: 'SQL', owner: 'sales' });
      assert.equal(r.json.externalId, 'ext-1');
      const rec = emu.nyckel.requestsTo(path).at(-1);
      assert.deepEqual(rec?.query, { labelCount: '2', includeMetadata: 'true', capture: 'false', externalId: 'ext-1' });
      r = await call(N, path, { headers: h, json: { data: 'hello there' } });
      assert.equal(r.json.labelName, 'not_qualified');
      assert.equal('labelConfidences' in r.json, false);
      assert.equal('labelMetadata' in r.json, false);
      for (const [q, body] of [
        ['', {}],
        ['?labelCount=0', { data: 'x' }],
        ['?capture=maybe', { data: 'x' }],
        ['?modelId=model_nope', { data: 'x' }],
        ['', { data: { text: 'x' } }],
      ] as const) {
        const bad = await call(N, path + q, { headers: h, json: body });
        assert.equal(bad.status, 400, q);
        assert.equal(typeof bad.json.message, 'string');
      }
      assert.equal((await call(N, '/v1/functions/function_nope/invoke', { headers: h, json: { data: 'x' } })).status, 404);
      const tab = await call(N, '/v1/functions/function_tabular/invoke', { headers: h, json: { data: { title: 'VP Engineering', company: 'Acme' } } });
      assert.equal(tab.json.labelName, 'decision_maker');
      assert.equal((await call(N, '/v1/functions/function_tabular/invoke', { headers: h, json: { data: 'x' } })).status, 400);
      const tags = await call(N, '/v0.9/functions/function_tags/invoke', { headers: h, json: { data: 'I was charged twice and the app crashes' } });
      assert.ok(Array.isArray(tags.json));
      assert.deepEqual(tags.json.map((t: { labelName: string }) => t.labelName).sort(), ['billing', 'bug']);
    });

    it('answers 429 {message} with Retry-After: 1 to the 26th concurrent request', async () => {
      const h = { authorization: `Bearer ${await token()}` };
      emu.nyckel.processingMs = 150;
      assert.equal((await call(N, '/__emulator/stats', { method: 'DELETE' })).status, 204);
      const results = await Promise.all(
        Array.from({ length: 26 }, () => call(N, '/v1/functions/function_sentiment/invoke', { headers: h, json: { data: 'great' } })),
      );
      const limited = results.filter((r) => r.status === 429);
      assert.equal(limited.length, 1);
      assert.deepEqual(limited[0].json, { message: 'Rate limit exceeded' });
      assert.equal(limited[0].headers.get('retry-after'), '1');
      const stats = (await call(N, '/__emulator/stats')).json;
      assert.equal(stats.accepted.total, 25);
      assert.ok(stats.accepted.maxInFlight <= 25);
      assert.ok(stats.accepted.maxPerSecond <= 25);
      assert.equal(stats.limited, 1);
    });
  });

  describe('inferable', () => {
    const runs = '/clusters/clu_emulator/runs';

    it('rejects bad auth (401 empty / scheme error) and unknown clusters', async () => {
      let r = await call(I, runs);
      assert.equal(r.status, 401);
      assert.equal(r.text, '');
      r = await call(I, runs, { headers: { authorization: 'sk_wrong' } });
      assert.equal(r.status, 401);
      assert.equal(r.text, '');
      r = await call(I, runs, { headers: { authorization: 'Basic x' } });
      assert.deepEqual(r.json, { error: { message: 'Invalid authorization scheme' } });
      assert.equal((await call(I, runs, { headers: { authorization: 'Bearer sk_inf_emulator' } })).status, 200);
      r = await call(I, '/clusters/clu_other/runs', { headers: IK });
      assert.equal(r.status, 404);
      assert.deepEqual(r.json, { message: 'Cluster not found' });
    });

    it('creates a run that goes pending → running → done with a result of the schema shape', async () => {
      emu.inferable.runStepMs = 60;
      const schema = { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, qty: { type: 'number' }, ok: { type: 'boolean' } } } };
      const c = await call(I, runs, { headers: IK, json: { message: 'What does our inventory look like?', result: { schema } } });
      assert.equal(c.status, 201);
      assert.match(c.json.id, /^01J[0-9A-HJKMNP-TV-Z]{23}$/);
      const first = await call(I, `${runs}/${c.json.id}`, { headers: IK });
      assert.equal(first.json.run.status, 'pending');
      assert.deepEqual(Object.keys(first.json).sort(), ['inputRequests', 'jobs', 'run']);
      const seen = new Set<string>();
      const done = await until(
        () => call(I, `${runs}/${c.json.id}`, { headers: IK }),
        (r) => (seen.add(r.json.run.status), r.json.run.status === 'done'),
      );
      assert.ok(seen.has('running'));
      assert.ok(Array.isArray(done.json.run.result));
      for (const item of done.json.run.result) {
        assert.equal(typeof item.name, 'string');
        assert.equal(typeof item.qty, 'number');
        assert.equal(typeof item.ok, 'boolean');
      }
      assert.equal(typeof done.json.run.summary, 'string');
      assert.equal(done.json.jobs[0].status, 'success');
      const tl = await call(I, `${runs}/${c.json.id}/timeline`, { headers: IK });
      for (const k of ['messages', 'activity', 'jobs', 'inputRequests', 'run']) assert.ok(k in tl.json, k);
    });

    it('fails, pauses for input, and gives a summary only, as the message says', async () => {
      emu.inferable.runStepMs = 30;
      const make = async (message: string): Promise<string> => (await call(I, runs, { headers: IK, json: { message, result: { schema: { type: 'object', properties: { a: { type: 'string' } } } } } })).json.id;
      const [fail, approve, summary] = await Promise.all([make('please fail'), make('approve the update'), make('summary only please')]);
      const get = (id: string): Promise<CallResult> => call(I, `${runs}/${id}`, { headers: IK });
      const f = await until(() => get(fail), (r) => r.json.run.status === 'failed');
      assert.match(f.json.run.failureReason, /^No tools found/);
      assert.equal(f.json.run.result, null);
      const s = await until(() => get(summary), (r) => r.json.run.status === 'done');
      assert.equal(s.json.run.result, null);
      assert.equal(typeof s.json.run.summary, 'string');
      const p = await until(() => get(approve), (r) => r.json.run.status === 'paused');
      assert.equal(p.json.run.status, 'paused');
      const ir = p.json.inputRequests[0];
      assert.equal(ir.type, 'approval');
      assert.ok(ir.description && ir.createdAt && ir.id);
      assert.equal((await call(I, `${runs}/${approve}/input-requests/nope`, { headers: IK, json: { input: 'x' } })).status, 404);
      const ans = await call(I, `${runs}/${approve}/input-requests/${ir.id}`, { headers: IK, json: { input: 'approve' } });
      assert.equal(ans.status, 204);
      assert.equal((await get(approve)).json.run.status, 'running');
      const d = await until(() => get(approve), (r) => r.json.run.status === 'done');
      assert.deepEqual(d.json.run.result, { a: 'a 1' });
    });

    it('validates run creation, lists runs and services, serves the flat shape', async () => {
      assert.equal((await call(I, runs, { headers: IK, json: {} })).status, 400);
      const bad = await call(I, runs, { headers: IK, json: { message: 'x', result: { schema: 'nope' } } });
      assert.equal(bad.status, 400);
      assert.ok(bad.json.error.message);
      const list = await call(I, runs, { headers: IK });
      assert.equal(list.json.length, 12);
      const statuses = list.json.map((r: { status: string }) => r.status);
      assert.ok(statuses.includes('paused'));
      assert.ok(statuses.includes('running') || statuses.includes('pending'));
      assert.ok(statuses.includes('failed'));
      assert.deepEqual(Object.keys(list.json[0]).sort(), ['createdAt', 'feedbackScore', 'id', 'name', 'status', 'test', 'userId']);
      assert.equal((await call(I, `${runs}?limit=10`, { headers: IK })).json.length, 10);
      assert.equal((await call(I, `${runs}?limit=5`, { headers: IK })).status, 400);
      const services = await call(I, '/clusters/clu_emulator/services', { headers: IK });
      assert.deepEqual(services.json.map((s: { name: string }) => s.name), ['default', 'crm']);
      assert.equal(services.json[0].functions[0].name, 'searchInventory');
      await call(I, '/__emulator/config', { json: { runShape: 'flat' } });
      const flat = await call(I, `${runs}/${list.json[2].id}`, { headers: IK });
      assert.equal(flat.json.id, list.json[2].id);
      assert.ok('status' in flat.json && 'result' in flat.json && 'summary' in flat.json && 'failureReason' in flat.json);
    });
  });

  describe('faults and control', () => {
    const jobs = '/list-jobs?limit=1';

    it('adds latency', async () => {
      emu.sutro.faults.set({ latencyMs: 120 });
      const t = Date.now();
      assert.equal((await call(S, jobs, { headers: SK })).status, 200);
      assert.ok(Date.now() - t >= 110);
    });

    it('rate limits with Retry-After (seconds or HTTP date) in the platform error body', async () => {
      const res = await call(S, '/__emulator/faults', { json: { rateLimit: { count: 2, retryAfter: 3 } } });
      assert.equal(res.status, 204);
      const a = await call(S, jobs, { headers: SK });
      assert.equal(a.status, 429);
      assert.equal(a.headers.get('retry-after'), '3');
      assert.equal(typeof a.json.detail, 'string');
      assert.equal((await call(S, jobs, { headers: SK })).status, 429);
      assert.equal((await call(S, jobs, { headers: SK })).status, 200);
      const date = new Date(Date.now() + 2000).toUTCString();
      emu.nyckel.faults.set({ rateLimit: { count: 1, retryAfter: date } });
      const n = await call(N, '/v1/functions');
      assert.equal(n.headers.get('retry-after'), date);
      assert.deepEqual(n.json, { message: 'Rate limit exceeded' });
    });

    it('limits counted faults to matching paths', async () => {
      emu.sutro.faults.set({ serverError: { count: 1, status: 502, match: '^/job-status/' } });
      assert.equal((await call(S, jobs, { headers: SK })).status, 200);
      const r = await call(S, '/job-status/job-00001', { headers: SK });
      assert.equal(r.status, 502);
      assert.equal(r.json.code, 'provider_error');
      assert.equal((await call(S, '/job-status/job-00001', { headers: SK })).status, 200);
    });

    it('drops, hangs, sends malformed, wrong-shaped and large bodies', async () => {
      emu.inferable.faults.set({ drop: { count: 1 } });
      await assert.rejects(call(I, '/clusters/clu_emulator/runs', { headers: IK, json: { message: 'x' } }));
      emu.inferable.faults.set({ hang: { count: 1 } });
      await assert.rejects(call(I, '/clusters/clu_emulator/runs', { headers: IK, signal: AbortSignal.timeout(150) }));
      emu.inferable.faults.set({ malformed: { count: 1 } });
      const m = await call(I, '/clusters/clu_emulator/runs', { headers: IK });
      assert.equal(m.status, 200);
      assert.throws(() => JSON.parse(m.text));
      emu.inferable.faults.set({ wrongShape: { count: 1 } });
      const w = await call(I, '/clusters/clu_emulator/runs', { headers: IK });
      assert.equal(w.status, 200);
      assert.equal(Array.isArray(w.json), false);
      emu.inferable.faults.set({ largeBody: { count: 1, bytes: 200_000 } });
      const l = await call(I, '/clusters/clu_emulator/runs', { headers: IK });
      assert.equal(l.text.length, 200_000);
      assert.ok(l.json);
      assert.equal((await call(I, '/clusters/clu_emulator/runs', { headers: IK })).status, 200);
      const recorded = emu.inferable.requests.map((r) => r.fault);
      assert.deepEqual(recorded.slice(0, 5), ['drop', 'hang', 'malformed', 'wrongShape', 'largeBody']);
    });

    it('injects seeded random faults deterministically', async () => {
      const sample = async (): Promise<number[]> => {
        emu.sutro.faults.set({ random: { seed: 7, rates: { '503': 0.3, '429': 0.2 } } });
        const out: number[] = [];
        for (let i = 0; i < 30; i++) out.push((await call(S, jobs, { headers: SK })).status);
        return out;
      };
      const a = await sample();
      const b = await sample();
      assert.deepEqual(a, b);
      assert.ok(a.includes(503) && a.includes(429) && a.includes(200));
    });

    it('is unavailable until cleared, and really stops and starts', async () => {
      emu.nyckel.faults.set({ unavailable: true });
      const r = await call(N, '/v1/functions');
      assert.equal(r.status, 503);
      assert.ok(r.json.message);
      await call(N, '/__emulator/faults', { method: 'DELETE' });
      assert.equal((await call(N, '/v1/functions')).status, 401);
      await emu.nyckel.stop();
      await assert.rejects(fetch(`${N}/v1/functions`));
      await emu.nyckel.start();
      assert.equal(emu.nyckel.url, N);
      assert.equal((await call(N, '/v1/functions')).status, 401);
    });

    it('records requests (not control ones) and serves them over HTTP', async () => {
      await call(S, '/functions/run', { headers: SK, json: { name: 'sentiment', input_data: { text: 'hi' } } });
      await call(S, '/list-jobs?limit=2&cursor=', { headers: SK });
      const recs = (await call(S, '/__emulator/requests')).json;
      assert.equal(recs.length, 2);
      assert.equal(recs[0].method, 'POST');
      assert.equal(recs[0].headers.authorization, 'Key sk_test_emulator');
      assert.deepEqual(recs[0].parsed, { name: 'sentiment', input_data: { text: 'hi' } });
      assert.deepEqual(recs[1].query, { limit: '2', cursor: '' });
      assert.equal((await call(S, '/__emulator/requests?since=1')).json.length, 1);
      const stats = (await call(S, '/__emulator/stats')).json;
      assert.equal(stats.total, 2);
      assert.ok(stats.maxInFlight >= 1 && stats.maxPerSecond >= 1);
      await call(S, '/__emulator/requests', { method: 'DELETE' });
      assert.equal(emu.sutro.requests.length, 0);
      assert.equal((await call(S, '/__emulator/reset', { method: 'POST' })).status, 204);
    });
  });
});
