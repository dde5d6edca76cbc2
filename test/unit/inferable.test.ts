import assert from 'node:assert/strict';
import { can, type PendingDecision } from '../../src/platforms/types';
import { AiFunctionsError } from '../../src/core/errors';
import { HttpClient } from '../../src/core/http';
import { silentLogger } from '../../src/core/log';
import type { Credentials } from '../../src/core/model';
import { InferableAdapter, type InferableConfig, type InferableRun } from '../../src/platforms/inferable';
import { parseRun, toJobStatus } from '../../src/platforms/inferable/mapping';
import { nextInterval } from '../../src/platforms/inferable/polling';
import {
  INFERABLE_DEFAULT_CLUSTER,
  INFERABLE_DEFAULT_KEY,
  NO_TOOLS_REASON,
  startInferable,
  valueForSchema,
  type InferableEmulator,
  type RecordedRequest,
} from '../emulator';
import { rejection, sleep, testHttpClient } from './support';

const INVENTORY_SCHEMA = {
  type: 'array',
  items: { type: 'object', properties: { name: { type: 'string' }, qty: { type: 'number' } } },
};
const STEP_MS = 30;



describe('Inferable adapter', function () {
  let emu: InferableEmulator;
  let http: HttpClient;
  let config: InferableConfig;
  let credentials: Credentials | undefined;

  function adapter(extra: Partial<ConstructorParameters<typeof InferableAdapter>[0]> = {}): InferableAdapter {
    return new InferableAdapter({
      http,
      credentials: async () => credentials,
      config: () => config,
      logger: silentLogger,
      ...extra,
    });
  }

  const gets = (runId: string): RecordedRequest[] => emu.requestsTo(`/clusters/${INFERABLE_DEFAULT_CLUSTER}/runs/${runId}`, 'GET');

  before(async () => {
    emu = await startInferable({ runStepMs: STEP_MS });
    http = testHttpClient();
  });

  after(async () => {
    await http.close();
    await emu.close();
  });

  beforeEach(() => {
    emu.reset();
    credentials = { apiKey: INFERABLE_DEFAULT_KEY };
    config = { baseUrl: emu.url, clusterId: INFERABLE_DEFAULT_CLUSTER, pollIntervalMs: 10, maxPollIntervalMs: 40, runTimeoutMs: 5_000 };
  });

  describe('createRun', () => {
    it('posts {message, result: {schema}} with the bare key in `authorization`', async () => {
      const id = await adapter().createRun({ message: 'What does our inventory look like?', resultSchema: INVENTORY_SCHEMA });
      const [post] = emu.requestsTo(`/clusters/${INFERABLE_DEFAULT_CLUSTER}/runs`, 'POST');
      assert.ok(post);
      assert.deepEqual(post.parsed, { message: 'What does our inventory look like?', result: { schema: INVENTORY_SCHEMA } });
      assert.equal(post.headers.authorization, INFERABLE_DEFAULT_KEY);
      assert.match(String(post.headers['content-type']), /^application\/json/);
      assert.ok(emu.getRun(id), 'the returned id is the created run');
    });

    it('omits `result` without a schema and attaches `service.function` as `service_function`', async () => {
      await adapter().createRun({ message: 'Find Acme Labs', attachedFunctions: ['crm.lookupLead'], name: 'Lead lookup' });
      await adapter().createRun({ message: 'How many towels are left?' });
      const [withFn, plain] = emu.requestsTo(`/clusters/${INFERABLE_DEFAULT_CLUSTER}/runs`, 'POST');
      assert.deepEqual(withFn?.parsed, { message: 'Find Acme Labs', attachedFunctions: ['crm_lookupLead'], name: 'Lead lookup' });
      assert.deepEqual(plain?.parsed, { message: 'How many towels are left?' });
    });

    it('never sends a run twice after a 500', async () => {
      emu.faults.set({ serverError: { status: 500, match: '/runs$', method: 'POST' } });
      const error = await rejection(adapter().createRun({ message: 'Once only' }));
      assert.equal(error.kind, 'server');
      assert.equal(emu.requestsTo(/\/runs$/, 'POST').length, 1);
    });
  });

  describe('run', () => {
    it('polls to `done` and returns the structured result', async () => {
      const statuses: string[] = [];
      const a = adapter();
      const result = await a.run({
        platform: 'inferable',
        function: '',
        input: 'What does our inventory look like?',
        options: { resultSchema: INVENTORY_SCHEMA },
      });
      assert.equal(result.kind, 'run');
      assert.equal(result.status, 'done');
      assert.deepEqual(result.output, valueForSchema(INVENTORY_SCHEMA));
      assert.equal(result.summary, 'I found the following items');
      assert.deepEqual(result.predictions, []);
      assert.equal(result.label, undefined);
      assert.equal(result.confidence, undefined);
      assert.ok(result.runId && emu.getRun(result.runId));
      assert.ok(result.durationMs >= 2 * STEP_MS);
      assert.ok((result.raw as { run: { status: string } }).run.status === 'done', 'raw keeps the reply');
      assert.ok(gets(result.runId).length >= 2, 'it polled more than once');

      const id = await a.createRun({ message: 'How many towels are left?' });
      await a.waitForRun(id, { onStatus: (run) => statuses.push(String(run.status)) });
      assert.deepEqual(statuses, ['pending', 'running', 'done']);
    });

    it('sends an object input as JSON text and attaches the named function', async () => {
      await adapter().run({ platform: 'inferable', function: 'default.searchInventory', input: { item: 'Towel', warehouse: 2 } });
      const [post] = emu.requestsTo(/\/runs$/, 'POST');
      assert.deepEqual(post?.parsed, { message: '{"item":"Towel","warehouse":2}', attachedFunctions: ['default_searchInventory'] });
    });

    it('treats `done` with `result: null` as a summary answer, not an error', async () => {
      const result = await adapter().run({ platform: 'inferable', function: '', input: 'Give me a summary only of last week' });
      assert.equal(result.status, 'done');
      assert.equal(result.output, undefined);
      assert.match(result.summary ?? '', /^Summary: handled/);
    });

    it('turns `failed` into a runFailed error with the failure reason', async () => {
      const error = await rejection(adapter().run({ platform: 'inferable', function: '', input: 'This should fail' }));
      assert.equal(error.kind, 'runFailed');
      assert.equal(error.platform, 'inferable');
      assert.equal(error.platformMessage, NO_TOOLS_REASON);
      assert.match(error.message, /No tools found/);
    });

    it('stops at `paused` with the input requests; answering one lets the run finish', async () => {
      const a = adapter();
      const result = await a.run({ platform: 'inferable', function: 'crm.updateLead', input: 'Move Acme Labs to negotiation (approve first)' });
      assert.equal(result.status, 'paused');
      const run = emu.getRun(result.runId!)!;
      const decision: PendingDecision = { kind: 'input', id: run.inputRequestId, type: 'approval', description: 'Approve the call to crm.updateLead?', options: ['approve', 'deny'] };
      assert.deepEqual(result.output, [decision]);
      assert.equal(result.summary, 'The run waits for your answer to an input request: answer it from the Jobs view.');
      assert.deepEqual(await a.pendingDecisions(result.runId!), result.output);
      await assert.rejects(a.decide(result.runId!, decision, { approved: true }), /An input request is answered with text/);

      await a.decide(result.runId!, decision, { input: 'approve' });
      const [answer] = emu.requestsTo(`/clusters/${INFERABLE_DEFAULT_CLUSTER}/runs/${run.id}/input-requests/${run.inputRequestId}`, 'POST');
      assert.deepEqual(answer?.parsed, { input: 'approve' });
      assert.equal(answer?.status, 204);
      assert.equal(answer?.headers.authorization, INFERABLE_DEFAULT_KEY);

      const done = await a.waitForRun(run.id);
      assert.equal(done.status, 'done');
      assert.deepEqual(done.decisions, [], 'answered requests are no longer pending');
      assert.match(done.summary ?? '', /Done after your input \("approve"\)/);
    });

    it('reads the flat reply shape too, and a paused flat run gets its input requests from the timeline', async () => {
      emu.configure({ runShape: 'flat' });
      const a = adapter();
      const done = await a.run({ platform: 'inferable', function: '', input: 'Inventory please', options: { resultSchema: INVENTORY_SCHEMA } });
      assert.equal(done.status, 'done');
      assert.deepEqual(done.output, valueForSchema(INVENTORY_SCHEMA));
      assert.equal((done.raw as { id: string }).id, done.runId, 'raw is the flat reply');

      const paused = await a.run({ platform: 'inferable', function: '', input: 'Ask me which region to use' });
      assert.equal(paused.status, 'paused');
      const run = emu.getRun(paused.runId!)!;
      assert.deepEqual(paused.output, [
        { kind: 'input', id: run.inputRequestId, type: 'approval', description: 'The agent needs more information before calling default.searchInventory: which region should it use?', options: undefined },
      ]);
      assert.equal(emu.requestsTo(`/clusters/${INFERABLE_DEFAULT_CLUSTER}/runs/${run.id}/timeline`, 'GET').length, 1);
    });

    it('refuses an empty message before sending anything', async () => {
      const error = await rejection(adapter().run({ platform: 'inferable', function: '', input: '  ' }));
      assert.equal(error.kind, 'invalidInput');
      assert.equal(emu.requests.length, 0);
    });
  });

  describe('waitForRun', () => {
    it('backs off ×1.5 from the first interval up to the cap (injected clock)', async () => {
      emu.runStepMs = 60_000; // stays pending
      let clock = 0;
      const waits: number[] = [];
      const a = adapter({
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
      });
      config = { ...config, pollIntervalMs: 500, maxPollIntervalMs: 4_000 };
      const id = await a.createRun({ message: 'Slow inventory' });
      const error = await rejection(a.waitForRun(id, { timeoutMs: 20_000 }));
      assert.deepEqual(waits, [500, 750, 1125, 1688, 2532, 3798, 4000, 4000, 1607]);
      assert.equal(waits.reduce((s, w) => s + w, 0), 20_000);
      assert.equal(gets(id).length, waits.length + 1, 'one last check at the deadline');
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, new RegExp(`run ${id} is still pending after 20 s`));
    });

    it('backs off with real time: far fewer requests than a fixed interval would send', async () => {
      emu.runStepMs = 60_000;
      config = { ...config, pollIntervalMs: 20, maxPollIntervalMs: 200 };
      const a = adapter();
      const id = await a.createRun({ message: 'Slow inventory' });
      const started = Date.now();
      const error = await rejection(a.waitForRun(id, { timeoutMs: 1_000 }));
      const elapsed = Date.now() - started;
      assert.equal(error.kind, 'timeout');
      const times = gets(id).map((r) => r.time);
      // 20, 30, 45, 68, 101, 152, 200, 200, … ms → about 9 requests in a second (a fixed 20 ms: 50).
      assert.ok(times.length >= 6 && times.length <= 12, `${times.length} GETs`);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      assert.ok(gaps[gaps.length - 2]! > gaps[0]! * 3, `gaps grow: ${gaps.join(', ')}`);
      assert.ok(elapsed >= 950 && elapsed < 1_600, `timed out after ${elapsed} ms`);
    });

    it('times out with the run id and leaves the run going', async () => {
      emu.runStepMs = 60_000;
      const a = adapter();
      const started = Date.now();
      const error = await rejection(
        a.run({ platform: 'inferable', function: '', input: 'Slow inventory', options: { pollTimeoutMs: 300 } }),
      );
      assert.ok(Date.now() - started < 1_000);
      assert.equal(error.kind, 'timeout');
      const [run] = emu.runs;
      assert.match(error.message, new RegExp(`Inferable run ${run!.id} is still pending after 0.3 s`));
      assert.match(error.message, /open it later/);
      assert.equal(emu.requestsTo(/\/runs\/[^/]+$/, 'DELETE').length, 0);
    });

    it('ends a request in flight at the deadline', async () => {
      emu.faults.set({ hang: { match: '/runs/[^/]+$', method: 'GET' } });
      const a = adapter();
      const id = await a.createRun({ message: 'Inventory' });
      const started = Date.now();
      const error = await rejection(a.waitForRun(id, { timeoutMs: 200 }));
      assert.equal(error.kind, 'timeout');
      assert.ok(Date.now() - started < 1_000);
    });

    it('stops polling at once when cancelled, without deleting the run', async () => {
      emu.runStepMs = 60_000;
      config = { ...config, pollIntervalMs: 20, maxPollIntervalMs: 20 };
      const a = adapter();
      const controller = new AbortController();
      const promise = a.run({ platform: 'inferable', function: '', input: 'Slow inventory' }, controller.signal);
      await sleep(150);
      controller.abort();
      const error = await rejection(promise);
      assert.equal(error.kind, 'cancelled');
      // A GET sent just before the abort may reach the emulator a moment later: let it land.
      await sleep(50);
      const [run] = emu.runs;
      const count = gets(run!.id).length;
      assert.ok(count >= 3, `${count} GETs before the abort`);
      await sleep(150);
      assert.equal(gets(run!.id).length, count, 'no request after the abort');
      assert.equal(emu.requestsTo(/\/runs\/[^/]+$/, 'DELETE').length, 0);
      assert.ok(emu.getRun(run!.id), 'the run is still there');
    });

    it('refuses to start with a signal already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(adapter().waitForRun('01J8GNNHRRZA9E605BEM57A3HT', { signal: controller.signal }));
      assert.equal(error.kind, 'cancelled');
      assert.equal(emu.requests.length, 0);
    });
  });

  describe('errors', () => {
    it('a 401 with an empty body is an auth error that names the cluster', async () => {
      credentials = { apiKey: 'sk_test_not_this_one' };
      const error = await rejection(adapter().listJobs());
      assert.equal(error.kind, 'auth');
      assert.equal(error.status, 401);
      assert.match(error.message, /^Inferable rejected the API key \(401\)\. Use a cluster consumer key/);
      assert.match(error.message, new RegExp(INFERABLE_DEFAULT_CLUSTER));
      assert.ok(!error.message.includes('sk_test_not_this_one'));
    });

    it('without a key: an auth error, nothing sent', async () => {
      credentials = undefined;
      const error = await rejection(adapter().listFunctions());
      assert.equal(error.kind, 'auth');
      assert.equal(error.message, 'Inferable has no API key. Run "AI Functions: Set API Key…" to add one.');
      assert.equal(emu.requests.length, 0);
    });

    it('without a clusterId: a configuration error, nothing sent', async () => {
      config = { ...config, clusterId: ' ' };
      const error = await rejection(adapter().createRun({ message: 'hi' }));
      assert.equal(error.kind, 'configuration');
      assert.equal(error.message, 'Set aiFunctions.inferable.clusterId to the cluster your Inferable key belongs to.');
      assert.equal(emu.requests.length, 0);
    });

    it('a run or input request id of ".." is refused before any request (it would leave its path segment)', async () => {
      const a = adapter();
      const getRun = await rejection(a.getRun('..'));
      assert.equal(getRun.kind, 'invalidInput');
      assert.equal(getRun.message, 'The Inferable run id ".." is not valid.');
      assert.equal((await rejection(a.getJob('.'))).kind, 'invalidInput');
      assert.equal((await rejection(a.decide('run-1', { kind: 'input', id: '..' }, { input: 'yes' }))).message, 'The Inferable input request id ".." is not valid.');
      assert.equal((await rejection(a.decide('..', { kind: 'input', id: 'req-1' }, { input: 'yes' }))).kind, 'invalidInput');
      assert.equal((await rejection(a.decide('run-1', { kind: 'approval', id: '..' }, { approved: true }))).message, 'The Inferable job id ".." is not valid.');
      config = { ...config, clusterId: '..' };
      assert.equal((await rejection(a.listFunctions())).kind, 'configuration');
      assert.equal(emu.requests.length, 0);
    });

    it('an unknown run is a notFound error that names it', async () => {
      const error = await rejection(adapter().getRun('01J8GNNHRRZA9E605BEM57A3HT'));
      assert.equal(error.kind, 'notFound');
      assert.match(error.message, /could not find run 01J8GNNHRRZA9E605BEM57A3HT \(404\): Run not found/);
    });

    it('malformed replies are invalidResponse errors naming the field', async () => {
      const a = adapter();
      emu.faults.set({ wrongShape: { match: '/runs$', method: 'POST' } });
      let error = await rejection(a.createRun({ message: 'hi' }));
      assert.equal(error.kind, 'invalidResponse');
      assert.equal(error.field, 'id');

      const [seeded] = emu.runs;
      emu.faults.set({ wrongShape: { match: '/runs/' } });
      error = await rejection(a.getRun(seeded!.id));
      assert.equal(error.field, 'id');

      emu.configure({ services: [{ name: 'crm', functions: [{ description: 'no name' }] }] });
      error = await rejection(a.listFunctions());
      assert.equal(error.kind, 'invalidResponse');
      assert.equal(error.field, '0.functions.0.name');
      assert.match(error.message, /field `0\.functions\.0\.name`/);

      emu.faults.set({ malformed: { match: '/runs$' } });
      error = await rejection(a.listJobs());
      assert.equal(error.kind, 'invalidResponse');
    });

    it('parseRun names the nested field that is missing or wrong', () => {
      assert.throws(() => parseRun({ run: { id: 'r1' }, jobs: [] }), (e: AiFunctionsError) => e.field === 'run.status');
      assert.throws(() => parseRun({ id: 'r1', status: 'done', jobs: [{ id: 5 }] }), (e: AiFunctionsError) => e.field === 'jobs.0.id');
    });
  });

  describe('runs as jobs', () => {
    it('lists the newest runs with the limit clamped to 10..50 and no cursor', async () => {
      const a = adapter();
      const small = await a.listJobs({ limit: 3 });
      assert.equal(small.items.length, 10);
      assert.equal('nextCursor' in small, false);
      const all = await a.listJobs({ limit: 500 });
      assert.equal(all.items.length, 12);
      const limits = emu.requestsTo(`/clusters/${INFERABLE_DEFAULT_CLUSTER}/runs`, 'GET').map((r) => r.query.limit);
      assert.deepEqual(limits, ['10', '50']);
      assert.deepEqual(await a.listJobs({ cursor: 'anything' }), { items: [] });

      const [newest, paused] = all.items;
      assert.equal(newest!.id, emu.runs[0]!.id);
      assert.equal(paused!.status, 'paused');
      assert.equal(paused!.name, 'Stage update');
      const failed = all.items.find((j) => j.name === 'Broken integration')!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.rawStatus, 'failed');
      const done = all.items.find((j) => j.name === 'Inventory status')!;
      assert.equal(done.status, 'succeeded');
      assert.ok(!Number.isNaN(Date.parse(done.createdAt ?? '')), 'createdAt is an ISO date');
      assert.equal(done.platform, 'inferable');
    });

    it('getJob reads one run, with its failure reason', async () => {
      const failed = emu.runs.find((r) => r.name === 'Broken integration')!;
      const job = await adapter().getJob(failed.id);
      assert.equal(job.status, 'failed');
      assert.equal(job.failureReason, NO_TOOLS_REASON);
      assert.equal(job.name, 'Broken integration');
    });

    it('maps every documented status', () => {
      assert.deepEqual(
        ['pending', 'running', 'paused', 'done', 'failed', 'success', 'weird'].map(toJobStatus).concat(toJobStatus(null)),
        ['queued', 'running', 'paused', 'succeeded', 'failed', 'succeeded', 'unknown', 'unknown'],
      );
    });
  });

  describe('listFunctions', () => {
    it('lists one function per service function, as `service.function`', async () => {
      const functions = await adapter().listFunctions();
      assert.deepEqual(
        functions.map((f) => f.id),
        ['default.searchInventory', 'default.getInventoryItem', 'crm.lookupLead', 'crm.updateLead'],
      );
      assert.deepEqual(functions[0], {
        platform: 'inferable',
        id: 'default.searchInventory',
        name: 'default.searchInventory',
        description: 'Search the inventory by item name',
        inputType: 'JSON schema',
        inputFields: ['query'],
      });
      assert.deepEqual(functions[2]?.inputFields, ['company', 'email']);
      const [get] = emu.requestsTo(`/clusters/${INFERABLE_DEFAULT_CLUSTER}/services`, 'GET');
      assert.equal(get?.headers.authorization, INFERABLE_DEFAULT_KEY);
    });

    it('a function without a schema has no input type', async () => {
      emu.configure({ services: [{ name: 'ops', functions: [{ name: 'ping' }] }] });
      const [ping] = await adapter().listFunctions();
      assert.equal(ping?.inputType, undefined);
      assert.equal(ping?.description, undefined);
    });
  });

  it('declares its abilities and describes itself', () => {
    const inferable = adapter();
    const abilities = ['listJobs', 'getJob', 'cancelJob', 'jobResults', 'submitBatch', 'pendingDecisions', 'decide'] as const;
    assert.deepEqual(abilities.filter((a) => can(inferable, a)), ['listJobs', 'getJob', 'pendingDecisions', 'decide']);
    assert.equal(inferable.descriptor.functions.listed, true);
    assert.equal(inferable.descriptor.functions.platformChooses, true);
  });

  it('nextInterval grows by half and stops at the cap', () => {
    assert.equal(nextInterval(500, 4000), 750);
    assert.equal(nextInterval(3798, 4000), 4000);
  });

  it('accepts the seed\'s `"status": "success"` and `"summary": "null"`', () => {
    const run: InferableRun = parseRun({ run: { id: 'r', status: 'success', result: null, summary: 'null' } });
    assert.equal(run.status, 'done');
    assert.equal(run.summary, undefined);
    assert.deepEqual(run.jobs, []);
  });
});
