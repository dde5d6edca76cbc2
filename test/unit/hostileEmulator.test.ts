// The emulators' hostile-server mode (test/emulator/core/hostile.ts): hostile text in valid shapes,
// credential echoes in errors, and the deepNesting, hugePage and oddIds shaping faults.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { HOSTILE_TEXT, ODD_IDS, cutCredential, startEmulators, type Emulators } from '../emulator';
import { call, sleep, type CallResult } from './support';

/** How deep `{"a":{"a":…}}` goes (iteratively: the value may be too deep to recurse into). */
function depthOf(value: unknown): number {
  let depth = 0;
  let v = value;
  while (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const values = Object.values(v);
    if (values.length !== 1) break;
    v = values[0];
    depth++;
  }
  return depth;
}

const COMMAND_LINK = '](command:aiFunctions.setApiKey?';
/** A long key, so that its cut (20 characters) is a real prefix. */
const LONG_KEY = 'sk_test_emulator_not_a_real_key_for_redaction';

/** An error message of hostile mode: long, hostile text, `credential` whole and cut, part of it before char 80. */
function assertEchoes(message: unknown, credential: string): void {
  assert.equal(typeof message, 'string');
  const m = message as string;
  assert.ok(m.length >= 1000, `long message (${m.length})`);
  assert.ok(m.includes(HOSTILE_TEXT));
  assert.ok(m.includes(COMMAND_LINK));
  assert.ok(m.includes(credential), 'the credential, whole');
  assert.ok(m.includes(cutCredential(credential)), 'the credential, cut');
  assert.ok(m.slice(0, 80).includes(credential.slice(0, 4)) && !m.slice(0, 80).includes(credential), 'cut by truncation at 80');
  assert.ok(m.slice(0, 300).includes(credential), 'whole within 300');
}

function assertHostile(text: unknown, original?: string): void {
  assert.equal(typeof text, 'string');
  assert.ok((text as string).endsWith(HOSTILE_TEXT), `hostile: ${String(text).slice(0, 60)}`);
  if (original !== undefined) assert.equal(text, `${original} ${HOSTILE_TEXT}`);
}

describe('emulators in hostile mode', function () {
  this.timeout(30_000);
  let emu: Emulators;
  let S: string;
  let N: string;
  let I: string;
  const SK = { authorization: 'Key sk_test_emulator' };
  const IK = { authorization: 'sk_inf_emulator' };
  const runs = '/clusters/clu_emulator/runs';

  async function nyckelAuth(): Promise<Record<string, string>> {
    const r = await call(N, '/connect/token', { form: { grant_type: 'client_credentials', client_id: 'nyckel_test_client', client_secret: 'nyckel_test_secret' } });
    assert.equal(r.status, 200);
    assert.equal(typeof r.json.access_token, 'string');
    return { authorization: `Bearer ${r.json.access_token}` };
  }

  before(async () => {
    emu = await startEmulators();
    S = emu.sutro.url;
    N = emu.nyckel.url;
    I = emu.inferable.url;
  });
  after(async () => emu.close());
  beforeEach(async () => {
    emu.reset();
    emu.sutro.configure({ hostile: true });
    emu.nyckel.configure({ hostile: true });
    assert.equal((await call(I, '/__emulator/config', { json: { hostile: true } })).status, 204);
  });

  it('exports the hostile snippets', () => {
    for (const snippet of ['[Sign in again](command:aiFunctions.setApiKey?', '[open](command:workbench.action.terminal.new)', '[x](https://evil.example/phish)', '<a href="command:', '**bold**', '$(alert)', '![img](', '\u202E', '\n']) {
      assert.ok(HOSTILE_TEXT.includes(snippet), snippet);
    }
    assert.equal(cutCredential(LONG_KEY), `${LONG_KEY.slice(0, 20)}…`);
    assert.equal(cutCredential('sk_short'), 'sk_s…');
  });

  describe('sutro', () => {
    it('echoes the key, whole and cut, with hostile text in every error', async () => {
      let r = await call(S, '/list-jobs', { headers: { authorization: `Key ${LONG_KEY}` } });
      assert.equal(r.status, 401);
      assert.deepEqual(Object.keys(r.json), ['detail']);
      assert.match(r.json.detail, /^Invalid or missing API key /);
      assertEchoes(r.json.detail, LONG_KEY);
      assert.ok(r.json.detail.includes(`Key ${LONG_KEY}`), 'the Authorization value');
      r = await call(S, '/jobs/job-99999', { headers: SK });
      assert.equal(r.status, 404);
      assertEchoes(r.json.message, 'sk_test_emulator');
      r = await call(S, '/v1/functions/nope/run', { headers: SK, json: { input: 'x' } });
      assert.equal(r.status, 404);
      assert.equal(r.json.code, 'function_not_found');
      assertEchoes(r.json.detail, 'sk_test_emulator');
      r = await call(S, '/list-jobs?limit=0', { headers: SK });
      assert.equal(r.status, 422);
      assert.ok(r.json.detail.includes(COMMAND_LINK));
      emu.sutro.faults.set({ rateLimit: { count: 1, retryAfter: 2 }, serverError: { count: 1, status: 502 } });
      r = await call(S, '/list-jobs?limit=1', { headers: SK });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '2');
      assertEchoes(r.json.detail, 'sk_test_emulator');
      r = await call(S, '/list-jobs?limit=1', { headers: SK });
      assert.equal(r.status, 502);
      assert.equal(r.json.code, 'provider_error');
      assert.ok(r.json.detail.includes(COMMAND_LINK));
    });

    it('puts hostile text in job names, descriptions, failures, labels and rationales; ids and statuses stay', async () => {
      const r = await call(S, '/list-jobs?limit=20', { headers: SK });
      assert.equal(r.status, 200);
      assert.equal(r.json.jobs.length, 20);
      for (const job of r.json.jobs) {
        assert.match(job.job_id, /^job-\d{5}$/);
        assert.match(job.status, /^(QUEUED|RUNNING|SUCCEEDED|FAILED|CANCELLING|CANCELLED)$/);
        assertHostile(job.model);
        if (job.name !== null) assertHostile(job.name);
        if (job.description !== null) assertHostile(job.description);
        if (job.failure_reason) assertHostile(job.failure_reason.message);
        assert.equal(job.sampling_params.temperature, 0);
      }
      assert.ok(r.json.jobs.some((j: { failure_reason: unknown }) => j.failure_reason));
      assert.equal(typeof r.json.next_cursor, 'string');
      const all = await call(S, '/list-jobs', { headers: SK });
      assertHostile(all.json.message, 'Jobs retrieved');

      const legacy = await call(S, '/functions/run', { headers: SK, json: { name: 'lead-qualifier', input_data: { query: 'budget approved for a demo', region: 'NA' } } });
      assert.equal(legacy.status, 200);
      assertHostile(legacy.json.response, 'qualified');
      assertHostile(legacy.json.predictions[0].label, 'qualified');
      assert.equal(typeof legacy.json.confidence, 'number');
      assertHostile(legacy.json.rationale);
      const v1 = await call(S, '/v1/functions/lead-extractor/run', { headers: SK, json: { input: { text: 'Acme Labs wants analytics in Singapore' } } });
      assertHostile(v1.json.function.name, 'lead-extractor');
      assertHostile(v1.json.output.company, 'Acme Labs');
      assert.match(v1.json.request_id, /^rt_/);

      const results = await call(S, '/job-results', { headers: SK, json: { job_id: 'job-00002' } });
      assert.equal(results.status, 200);
      const outputs: string[] = results.json.results.outputs;
      assert.ok(outputs.length > 0);
      for (const o of outputs) {
        const parsed = JSON.parse(o) as Record<string, string>;
        assertHostile(parsed.company);
      }
      const status = await call(S, '/job-status/job-00007', { headers: SK });
      assert.equal(status.json.job_status['job-00007'], 'FAILED');
      assertHostile(status.json.metadata.failure_reason.message);
    });
  });

  describe('nyckel', () => {
    it('echoes the client secret and the token in errors', async () => {
      let r = await call(N, '/connect/token', { form: { grant_type: 'client_credentials', client_id: 'nyckel_test_client', client_secret: LONG_KEY } });
      assert.equal(r.status, 401);
      assert.match(r.json.message, /^Invalid client credentials /);
      assertEchoes(r.json.message, LONG_KEY);
      const basic = Buffer.from(`nyckel_test_client:${LONG_KEY}`).toString('base64');
      r = await call(N, '/connect/token', { headers: { authorization: `Basic ${basic}` }, form: { grant_type: 'client_credentials' } });
      assert.equal(r.status, 401);
      assertEchoes(r.json.message, LONG_KEY);
      r = await call(N, '/v1/functions', { headers: { authorization: `Bearer ${LONG_KEY}` } });
      assert.equal(r.status, 401);
      assertEchoes(r.json.message, LONG_KEY);
      const h = await nyckelAuth();
      r = await call(N, '/v1/functions/function_nope', { headers: h });
      assert.equal(r.status, 404);
      assert.ok(r.json.message.includes(COMMAND_LINK));
      assert.ok(r.json.message.includes(h.authorization.slice('Bearer '.length)));
    });

    it('puts hostile text in function and label names, label metadata and invoke labels; ids and types stay', async () => {
      const h = await nyckelAuth();
      const fns = await call(N, '/v1/functions?batchSize=10', { headers: h });
      assert.equal(fns.json.length, 5);
      for (const f of fns.json) {
        assert.match(f.id, /^function_\w+$/);
        assert.match(f.input, /^(Text|Tabular)$/);
        assertHostile(f.name);
      }
      const labels = await call(N, '/v1/functions/function_leadintent/labels?batchSize=10', { headers: h });
      assertHostile(labels.json[0].name, 'qualified');
      assertHostile(labels.json[0].description, 'Ready for sales follow-up');
      assertHostile(labels.json[0].metadata.crmStage, 'SQL');
      const out = await call(N, '/v1/functions/function_leadintent/invoke?labelCount=2&includeMetadata=true', { headers: h, json: { data: 'we have budget for a demo' } });
      assert.equal(out.status, 200);
      assertHostile(out.json.labelName, 'qualified');
      assertHostile(out.json.labelConfidences[1].labelName, 'not_qualified');
      assertHostile(out.json.labelMetadata.owner, 'sales');
      assert.match(out.json.labelId, /^label_/);
      const tags = await call(N, '/v0.9/functions/function_tags/invoke', { headers: h, json: { data: 'the invoice page crashes' } });
      assert.ok(tags.json.length > 0);
      for (const t of tags.json) assertHostile(t.labelName);
      // The emulator's own state is not poisoned.
      assert.equal(emu.nyckel.functions[0].labels[0].metadata?.crmStage, 'SQL');
    });
  });

  describe('inferable', () => {
    it('gives the empty 401 a body that echoes the key, and poisons other errors', async () => {
      let r = await call(I, runs, { headers: { authorization: LONG_KEY } });
      assert.equal(r.status, 401);
      assertEchoes(r.json.error.message, LONG_KEY);
      r = await call(I, runs, { headers: { authorization: `Bearer ${LONG_KEY}` } });
      assertEchoes(r.json.error.message, LONG_KEY);
      r = await call(I, `${runs}/01NOPE`, { headers: IK });
      assert.equal(r.status, 404);
      assertEchoes(r.json.message, 'sk_inf_emulator');
      r = await call(I, runs, { headers: IK, json: { message: '' } });
      assert.equal(r.status, 400);
      assert.ok(r.json.error.message.includes(COMMAND_LINK));
    });

    it('puts hostile text in services, runs, summaries, results and input requests; runs still work', async () => {
      emu.inferable.configure({ runStepMs: 20 });
      const services = await call(I, '/clusters/clu_emulator/services', { headers: IK });
      assertHostile(services.json[0].name, 'default');
      assertHostile(services.json[0].functions[0].name, 'searchInventory');
      assertHostile(services.json[0].functions[0].description);
      assert.deepEqual(JSON.parse(services.json[0].functions[0].schema).required, ['query'], 'schemas stay');
      const list = await call(I, `${runs}?limit=10`, { headers: IK });
      for (const run of list.json) {
        assertHostile(run.name);
        assert.match(run.status, /^(pending|running|paused|done|failed)$/);
      }

      // A run on a function whose name the client took from the poisoned list.
      const attached = `${services.json[1].name}_${services.json[1].functions[0].name}`;
      const created = await call(I, runs, { headers: IK, json: { message: 'Find Acme', attachedFunctions: [attached], result: { schema: { type: 'object', properties: { name: { type: 'string' } } } } } });
      assert.equal(created.status, 201);
      await sleep(80);
      const done = await call(I, `${runs}/${created.json.id}`, { headers: IK });
      assert.equal(done.json.run.status, 'done');
      assertHostile(done.json.run.summary);
      assertHostile(done.json.run.result.name);
      assertHostile(done.json.jobs[0].targetFn, 'lookupLead');
      assertHostile(done.json.jobs[0].status, 'success');

      const ask = await call(I, runs, { headers: IK, json: { message: 'Please approve the update', attachedFunctions: ['crm_updateLead'] } });
      await sleep(80);
      const paused = await call(I, `${runs}/${ask.json.id}`, { headers: IK });
      assert.equal(paused.json.run.status, 'paused');
      const request = paused.json.inputRequests[0];
      assert.equal(request.type, 'approval');
      assertHostile(request.description);
      assertHostile(request.presentedOptions[1], 'deny');
      assertHostile(JSON.parse(request.requestArgs).message);
      const answer = await call(I, `${runs}/${ask.json.id}/input-requests/${request.id}`, { headers: IK, json: { input: request.presentedOptions[1] } });
      assert.equal(answer.status, 204);
      await sleep(60);
      const denied = await call(I, `${runs}/${ask.json.id}`, { headers: IK });
      assert.equal(denied.json.run.status, 'done');
      assert.equal(denied.json.run.result, null, 'the poisoned "deny" still denies');
    });
  });

  describe('shaping faults', () => {
    it('deepNesting: run and result replies nest deeper than 1,000 levels, then stop', async () => {
      emu.sutro.faults.set({ deepNesting: { count: 2 } });
      const v1 = await call(S, '/v1/functions/sentiment/run', { headers: SK, json: { input: 'great' } });
      assert.equal(v1.status, 200);
      assert.equal(depthOf(v1.json.output), 10_000);
      assertHostile(v1.json.function.name, 'sentiment');
      const results = await call(S, '/job-results', { headers: SK, json: { job_id: 'job-00002' } });
      assert.ok(depthOf(results.json.results.outputs[0]) > 1000);
      assert.equal(typeof results.json.results.outputs[1], 'string');
      const again = await call(S, '/v1/functions/sentiment/run', { headers: SK, json: { input: 'great' } });
      assert.equal(typeof again.json.output, 'string');
      assert.deepEqual(emu.sutro.requests.map((r) => r.fault), ['deepNesting', 'deepNesting', undefined]);
      assert.equal(emu.sutro.faults.get().deepNesting?.count, 0);

      emu.sutro.faults.set({ deepNesting: { count: 1, depth: 1500 } });
      const legacy = await call(S, '/functions/run', { headers: SK, json: { name: 'sentiment', input_data: { text: 'great' } } });
      assertHostile(legacy.json.response, 'positive');
      assert.equal(depthOf(legacy.json.output), 1500);

      const h = await nyckelAuth();
      emu.nyckel.faults.set({ deepNesting: { count: 1 } });
      const bad = await call(N, '/v1/functions/function_sentiment/invoke', { headers: h, json: {} });
      assert.equal(bad.status, 400, 'errors do not use it up');
      const n = await call(N, '/v1/functions/function_sentiment/invoke', { headers: h, json: { data: 'great' } });
      assert.ok(depthOf(n.json.labelMetadata) > 1000);

      emu.inferable.faults.set({ deepNesting: { count: 1 } });
      const doneRun = emu.inferable.runs.find((r) => emu.inferable.statusOf(r) === 'done' && r.schema)!;
      const run = await call(I, `${runs}/${doneRun.id}`, { headers: IK });
      assert.equal(run.json.run.status, 'done');
      assert.ok(depthOf(run.json.run.result) > 1000);
    });

    it('hugePage: 20,000 entries in one page (Sutro, Inferable), an endless Link chain (Nyckel)', async () => {
      emu.sutro.configure({ hostile: false });
      emu.sutro.faults.set({ hugePage: { count: 1 } });
      const s = await call(S, '/list-jobs?limit=10', { headers: SK });
      assert.equal(s.json.jobs.length, 20_000);
      assert.equal(new Set(s.json.jobs.map((j: { job_id: string }) => j.job_id)).size, 20_000);
      assert.equal(s.json.next_cursor, null);
      assert.equal((await call(S, '/list-jobs?limit=10', { headers: SK })).json.jobs.length, 10);

      emu.inferable.faults.set({ hugePage: { count: 1, match: '/runs$' } });
      const i = await call(I, `${runs}?limit=10`, { headers: IK });
      assert.equal(i.json.length, 20_000);
      assertHostile(i.json[0].name);
      emu.inferable.faults.set({ hugePage: { count: 1, items: 500, match: '/services$' } });
      const sv = await call(I, '/clusters/clu_emulator/services', { headers: IK });
      assert.equal(sv.json[sv.json.length - 1].functions.length, 500);

      const h = await nyckelAuth();
      emu.nyckel.configure({ limits: null });
      emu.nyckel.faults.set({ hugePage: { count: 1, items: 1e9 } });
      let next: string | null = '/v1/functions?batchSize=3';
      const ids = new Set<string>();
      for (let page = 0; page < 40; page++) {
        assert.ok(next, `page ${page} links to the next`);
        const r: CallResult = await call(N, next, { headers: h });
        assert.equal(r.status, 200);
        assert.equal(r.json.length, 3);
        for (const f of r.json) ids.add(f.id);
        assertHostile(r.json[0].name);
        next = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get('link') ?? '')?.[1] ?? null;
      }
      assert.equal(ids.size, 120);
      assert.match(next ?? '', /^\/v1\/functions\?batchSize=3&startAfter=function_huge_120$/);
      emu.nyckel.faults.set({ hugePage: { count: 1, items: 5 } });
      const first = await call(N, '/v1/functions/function_leadintent/labels?batchSize=3', { headers: h });
      const link = /<([^>]+)>/.exec(first.headers.get('link') ?? '')?.[1];
      assert.ok(link);
      const last = await call(N, link, { headers: h });
      assert.equal(last.json.length, 2);
      assert.equal(last.headers.get('link'), null, 'a finite chain ends');
    });

    it("oddIds: listings start with '.', '..' and ids with '/', '?', '#'", async () => {
      emu.sutro.faults.set({ oddIds: { count: 1 } });
      const s = await call(S, '/list-jobs?limit=5', { headers: SK });
      const sIds: string[] = s.json.jobs.map((j: { job_id: string }) => j.job_id);
      assert.deepEqual(sIds.slice(0, ODD_IDS.length), [...ODD_IDS]);
      assert.ok(sIds.includes('.') && sIds.includes('..') && sIds.includes(''));
      assert.equal(sIds.length, ODD_IDS.length + 5);
      assert.equal(typeof s.json.next_cursor, 'string', 'paging goes on');
      assert.ok(!(await call(S, '/list-jobs?limit=5', { headers: SK })).json.jobs.some((j: { job_id: string }) => j.job_id === '.'));

      const h = await nyckelAuth();
      emu.nyckel.faults.set({ oddIds: { count: 1 } });
      const n = await call(N, '/v1/functions', { headers: h });
      const nIds: string[] = n.json.map((f: { id: string }) => f.id);
      assert.ok(nIds.includes('.') && nIds.includes('..') && nIds.includes('../../x'));
      assert.ok(nIds.some((id) => id.includes('/')) && nIds.some((id) => id.includes('?')) && nIds.some((id) => id.includes('#')));
      assert.ok(!nIds.includes(''), "Nyckel's schema needs a non-empty id");

      emu.inferable.faults.set({ oddIds: { count: 1 } });
      const i = await call(I, `${runs}?limit=10`, { headers: IK });
      const iIds: string[] = i.json.map((r: { id: string }) => r.id);
      assert.ok(iIds.includes('.') && iIds.includes('..') && iIds.includes(''));
    });
  });

  describe('switching', () => {
    it('reset clears hostile mode and the shaping faults: replies are byte-for-byte the plain ones', async () => {
      emu.reset();
      const h = await nyckelAuth();
      const plain = {
        sutro: (await call(S, '/list-jobs', { headers: { authorization: `Key ${LONG_KEY}` } })).text,
        nyckel: (await call(N, '/v1/functions?batchSize=10', { headers: h })).text,
        inferable: (await call(I, '/clusters/clu_emulator/services', { headers: IK })).text,
        inferable401: (await call(I, runs, { headers: { authorization: LONG_KEY } })).text,
      };
      assert.equal(plain.inferable401, '');
      for (const e of [emu.sutro, emu.nyckel, emu.inferable]) {
        e.configure({ hostile: true });
        e.faults.set({ deepNesting: { count: 5 }, hugePage: { count: 5 }, oddIds: { count: 5 } });
      }
      assert.equal((await call(S, '/__emulator/config')).json.hostile, true);
      assert.notEqual((await call(S, '/list-jobs', { headers: { authorization: `Key ${LONG_KEY}` } })).text, plain.sutro);
      await call(N, '/__emulator/reset', { method: 'POST' });
      emu.sutro.reset();
      emu.inferable.reset();
      assert.equal((await call(S, '/__emulator/config')).json.hostile, false);
      assert.deepEqual(emu.nyckel.faults.get(), {});
      const h2 = await nyckelAuth();
      assert.equal((await call(S, '/list-jobs', { headers: { authorization: `Key ${LONG_KEY}` } })).text, plain.sutro);
      assert.equal((await call(N, '/v1/functions?batchSize=10', { headers: h2 })).text, plain.nyckel);
      assert.equal((await call(I, '/clusters/clu_emulator/services', { headers: IK })).text, plain.inferable);
      assert.equal((await call(I, runs, { headers: { authorization: LONG_KEY } })).text, '');
    });

    it('can start hostile (reset keeps a start-up knob) and be switched off', async () => {
      const own = await startEmulators({ hostile: true });
      try {
        own.reset();
        const r = await call(own.sutro.url, '/list-jobs', { headers: { authorization: 'Key nope_nope_nope' } });
        assertEchoes(r.json.detail, 'nope_nope_nope');
        assert.equal(own.nyckel.config().hostile, true);
        assert.equal((await call(own.inferable.url, '/__emulator/config', { json: { hostile: false } })).status, 204);
        assert.equal((await call(own.inferable.url, runs, { headers: { authorization: 'nope' } })).text, '');
      } finally {
        await own.close();
      }
    });

    it('documents the knobs in the CLI help', () => {
      const cli = spawnSync(process.execPath, [join(__dirname, '..', 'emulator', 'index.js'), '--help'], { encoding: 'utf8' });
      assert.equal(cli.status, 0);
      for (const word of ['--hostile', 'deepNesting', 'hugePage', 'oddIds', '/__emulator/config']) assert.ok(cli.stdout.includes(word), word);
    });
  });
});
