// Inferable's two API generations: the adapter against the emulator over real HTTP (detection per
// cluster, runs, tools, the text answer, approvals, errors), and the emulator's current-generation
// routes on the wire. The Oct 2024 ("seed") generation's own behaviour is in inferable.test.ts.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { silentLogger } from '../../src/core/log';
import type { Credentials } from '../../src/core/model';
import { InferableAdapter, type InferableConfig } from '../../src/platforms/inferable';
import { lastAgentText, parseJobArgs } from '../../src/platforms/inferable/mapping';
import { decisionAnswer, type PendingDecision } from '../../src/platforms/types';
import type { HttpClient } from '../../src/core/http';
import {
  INFERABLE_AUTH_DOCS,
  INFERABLE_DEFAULT_CLUSTER,
  INFERABLE_DEFAULT_KEY,
  INFERABLE_TOOLS,
  NO_TOOLS_REASON,
  startInferable,
  valueForSchema,
  type InferableEmulator,
} from '../emulator';
import { call, closeServer, listenOnLoopback, rejection, sleep, testHttpClient } from './support';

const STEP_MS = 30;
const CLUSTER = `/clusters/${INFERABLE_DEFAULT_CLUSTER}`;
const IK = { authorization: INFERABLE_DEFAULT_KEY };
const OBJECT_SCHEMA = { type: 'object', properties: { total: { type: 'number' }, name: { type: 'string' } } };
const UPDATE_LEAD_ARGS = JSON.stringify(valueForSchema(INFERABLE_TOOLS.find((t) => t.name === 'updateLead')!.schema));

describe('Inferable, both generations', function () {
  let emu: InferableEmulator;
  let http: HttpClient;
  let config: InferableConfig;
  let credentials: Credentials | undefined;

  function adapter(): InferableAdapter {
    return new InferableAdapter({ http, credentials: async () => credentials, config: () => config, logger: silentLogger });
  }

  const paths = (): string[] => emu.requests.map((r) => `${r.method} ${r.path.replace(CLUSTER, '')}`);

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

  describe('detection', () => {
    it('tells the current generation from GET /tools, and asks once per cluster', async () => {
      emu.configure({ generation: 'current' });
      const a = adapter();
      assert.equal(await a.generation(), 'current');
      assert.equal(await a.generation(), 'current');
      await a.listFunctions();
      assert.deepEqual(paths(), ['GET /tools', 'GET /tools']);
    });

    it('tells the Oct 2024 generation from /tools missing and /services there', async () => {
      const a = adapter();
      assert.equal(await a.generation(), 'seed');
      assert.deepEqual(paths(), ['GET /tools', 'GET /services']);
      assert.equal(emu.requests[0]?.status, 404);
      // Listing right away costs nothing more than the probe: the listing answered it.
      const b = adapter();
      assert.deepEqual((await b.listFunctions()).map((f) => f.id).slice(0, 1), ['default.searchInventory']);
      assert.deepEqual(paths().slice(2), ['GET /tools', 'GET /services']);
    });

    it('remembers the generation per base URL and cluster: changed settings are detected anew', async () => {
      const other = await startInferable({ runStepMs: STEP_MS, generation: 'current', clusterId: 'clu_other' });
      try {
        const a = adapter();
        assert.equal(await a.generation(), 'seed');
        config = { ...config, baseUrl: other.url, clusterId: 'clu_other' };
        assert.equal(await a.generation(), 'current');
        assert.deepEqual(other.requests.map((r) => `${r.method} ${r.path}`), ['GET /clusters/clu_other/tools']);
        config = { ...config, baseUrl: emu.url, clusterId: INFERABLE_DEFAULT_CLUSTER };
        assert.equal(await a.generation(), 'seed');
        assert.equal(emu.requests.length, 2, 'the first cluster was remembered');
      } finally {
        await other.close();
      }
    });

    it('detects again when a listing route is gone (the control plane was upgraded, or downgraded)', async () => {
      const a = adapter();
      assert.equal((await a.listFunctions())[0]?.id, 'default.searchInventory');
      emu.configure({ generation: 'current' });
      assert.equal((await a.listFunctions())[0]?.id, 'searchInventory');
      emu.configure({ generation: 'seed' });
      assert.equal((await a.listFunctions())[0]?.id, 'default.searchInventory');
      // A route that is gone: the other generation's is asked first.
      assert.deepEqual(paths(), ['GET /tools', 'GET /services', 'GET /services', 'GET /tools', 'GET /tools', 'GET /services']);
    });

    it('a run created in the old shape on a current control plane is deleted and created again in the new one', async () => {
      const a = adapter();
      assert.equal(await a.generation(), 'seed');
      emu.configure({ generation: 'current' });
      emu.clearRequests();
      const result = await a.run({ platform: 'inferable', function: '', input: 'How many towels are left?' });
      assert.equal(result.status, 'done');
      const [stale, fresh] = emu.requestsTo(`${CLUSTER}/runs`, 'POST');
      assert.deepEqual(stale?.parsed, { message: 'How many towels are left?' });
      assert.deepEqual(fresh?.parsed, { initialPrompt: 'How many towels are left?' });
      const [deleted] = emu.requestsTo(/\/runs\/[^/]+$/, 'DELETE');
      assert.ok(deleted, 'the run that would stay pending for ever is deleted');
      assert.equal(emu.runs.filter((r) => r.message === '').length, 0);
      assert.equal(result.runId, emu.runs[0]?.id);
    });

    it('a run the Oct 2024 control plane refuses in the new shape is sent again in its own', async () => {
      emu.configure({ generation: 'current' });
      const a = adapter();
      assert.equal(await a.generation(), 'current');
      emu.configure({ generation: 'seed' });
      emu.clearRequests();
      const result = await a.run({ platform: 'inferable', function: 'default.searchInventory', input: 'Towels?', options: { resultSchema: OBJECT_SCHEMA } });
      assert.equal(result.status, 'done');
      const posts = emu.requestsTo(`${CLUSTER}/runs`, 'POST');
      assert.deepEqual(posts.map((p) => p.status), [400, 201]);
      assert.deepEqual(posts[1]?.parsed, { message: 'Towels?', result: { schema: OBJECT_SCHEMA }, attachedFunctions: ['default_searchInventory'] });
    });

    it('a 400 of the current control plane is not sent again', async () => {
      emu.configure({ generation: 'current' });
      const error = await rejection(adapter().run({ platform: 'inferable', function: '', input: 'List', options: { resultSchema: { type: 'array' } } }));
      assert.equal(error.kind, 'invalidInput');
      assert.match(error.message, /resultSchema must be an object/);
      assert.equal(emu.requestsTo(`${CLUSTER}/runs`, 'POST').length, 1);
    });

    it('an address with neither route is a configuration error', async () => {
      const server = createServer((req, res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `Route ${req.method}:${req.url} not found`, error: 'Not Found', statusCode: 404 }));
      });
      config = { ...config, baseUrl: await listenOnLoopback(server) };
      try {
        const error = await rejection(adapter().listFunctions());
        assert.equal(error.kind, 'configuration');
        assert.match(error.message, /has neither \/clusters\/\{id\}\/tools nor \/clusters\/\{id\}\/services: set aiFunctions\.inferable\.baseUrl/);
      } finally {
        await closeServer(server);
      }
    });
  });

  describe('current generation', () => {
    beforeEach(() => emu.configure({ generation: 'current' }));

    it('creates a run with {initialPrompt, resultSchema, tools: [name]} and returns its result and text answer', async () => {
      const result = await adapter().run({ platform: 'inferable', function: 'searchInventory', input: 'How many towels?', options: { resultSchema: OBJECT_SCHEMA } });
      const [post] = emu.requestsTo(`${CLUSTER}/runs`, 'POST');
      assert.deepEqual(post?.parsed, { initialPrompt: 'How many towels?', resultSchema: OBJECT_SCHEMA, tools: ['searchInventory'] });
      assert.equal(post?.headers.authorization, INFERABLE_DEFAULT_KEY);
      assert.equal(result.kind, 'run');
      assert.equal(result.status, 'done');
      assert.deepEqual(result.output, valueForSchema(OBJECT_SCHEMA));
      assert.equal(result.summary, 'I found the following items');
      assert.equal((result.raw as { type?: string }).type, 'multi-step', 'raw is the current flat reply');
      const [messages] = emu.requestsTo(`${CLUSTER}/runs/${result.runId}/messages`, 'GET');
      assert.equal(messages?.query.limit, '10');
    });

    it('without a function lets Inferable choose (no `tools`), and an object input is sent as JSON text', async () => {
      const result = await adapter().run({ platform: 'inferable', function: ' ', input: { item: 'Towel' } });
      const [post] = emu.requestsTo(`${CLUSTER}/runs`, 'POST');
      assert.deepEqual(post?.parsed, { initialPrompt: '{"item":"Towel"}' });
      assert.equal(result.output, undefined, 'no schema: no structured result');
      assert.equal(result.summary, 'Completed "{"item":"Towel"}" using searchInventory.');
    });

    it('a summary-only run answers with text alone; a failed run is a runFailed error', async () => {
      const a = adapter();
      const summary = await a.run({ platform: 'inferable', function: '', input: 'A summary only of last week' });
      assert.equal(summary.output, undefined);
      assert.match(summary.summary ?? '', /^Summary: handled "A summary only of last week" with searchInventory/);
      const error = await rejection(a.run({ platform: 'inferable', function: '', input: 'This should fail' }));
      assert.equal(error.kind, 'runFailed');
      assert.equal(error.platformMessage, NO_TOOLS_REASON);
      const unknownTool = await rejection(a.run({ platform: 'inferable', function: 'noSuchTool', input: 'Hello' }));
      assert.equal(unknownTool.kind, 'runFailed');
    });

    it('a text answer that cannot be read leaves the result without one', async () => {
      emu.faults.set({ serverError: { status: 500, match: '/messages$', count: 10 } });
      const result = await adapter().run({ platform: 'inferable', function: '', input: 'Inventory', options: { resultSchema: OBJECT_SCHEMA } });
      assert.equal(result.status, 'done');
      assert.deepEqual(result.output, valueForSchema(OBJECT_SCHEMA));
      assert.equal(result.summary, undefined);
    });

    it('lists the tools: name, description, fields of the JSON-string schema', async () => {
      emu.configure({ tools: [...INFERABLE_TOOLS, { name: 'ping' }] });
      const functions = await adapter().listFunctions();
      assert.deepEqual(functions.map((f) => f.id), ['searchInventory', 'getInventoryItem', 'lookupLead', 'updateLead', 'ping']);
      assert.deepEqual(functions[0], {
        platform: 'inferable',
        id: 'searchInventory',
        name: 'searchInventory',
        description: 'Search the inventory by item name',
        inputType: 'JSON schema',
        inputFields: ['query'],
      });
      assert.deepEqual(functions[4], { platform: 'inferable', id: 'ping', name: 'ping', description: undefined, inputType: undefined, inputFields: undefined });
      assert.equal(emu.requestsTo(`${CLUSTER}/services`).length, 0);
    });

    it('stops at `paused` with the approval and its arguments; approving lets the run finish', async () => {
      const a = adapter();
      const result = await a.run({ platform: 'inferable', function: 'updateLead', input: 'Move Acme Labs to negotiation (approve first)' });
      assert.equal(result.status, 'paused');
      const run = emu.getRun(result.runId!)!;
      const approval: PendingDecision = { kind: 'approval', id: run.jobId, function: 'updateLead', description: 'Approve the call to updateLead?', args: UPDATE_LEAD_ARGS };
      assert.deepEqual(result.output, [approval]);
      assert.equal(result.summary, `The run waits for your approval of updateLead ${UPDATE_LEAD_ARGS}: approve or deny it from the Jobs view.`);
      assert.deepEqual(await a.pendingDecisions(run.id), [approval]);
      await assert.rejects(a.decide(run.id, approval, { input: 'yes' }), /An approval is answered with approve or deny/);

      await a.decide(run.id, approval, { approved: true });
      const [post] = emu.requestsTo(`${CLUSTER}/jobs/${run.jobId}/approval`, 'POST');
      assert.deepEqual(post?.parsed, { approved: true });
      assert.equal(post?.status, 204);
      const done = await a.waitForRun(run.id);
      assert.equal(done.status, 'done');
      assert.deepEqual(done.decisions, []);
      assert.equal(await a.textAnswer(run.id), 'Done after your approval, using updateLead.');
      assert.deepEqual(await a.pendingDecisions(run.id), []);
    });

    it('denying: the run finishes without the call', async () => {
      const a = adapter();
      const result = await a.run({ platform: 'inferable', function: 'updateLead', input: 'Approve moving Acme Labs' });
      const [decision] = result.output as PendingDecision[];
      await a.decide(result.runId!, decision!, { approved: false });
      await a.waitForRun(result.runId!);
      assert.equal(await a.textAnswer(result.runId!), 'The call to updateLead was not approved, so no changes were made.');
      const timeline = await call(emu.url, `${CLUSTER}/runs/${result.runId}/timeline`, { headers: IK });
      assert.deepEqual(
        timeline.json.jobs.map((j: Record<string, unknown>) => [j.status, j.resultType, j.approved, j.approvalRequested]),
        [['success', 'rejection', false, true]],
      );
    });

    it('an approval shows without its arguments when the job cannot be read', async () => {
      emu.faults.set({ serverError: { status: 500, match: '/jobs/[^/]+$', method: 'GET', count: 10 } });
      const result = await adapter().run({ platform: 'inferable', function: 'updateLead', input: 'Approve it' });
      const run = emu.getRun(result.runId!)!;
      assert.deepEqual(result.output, [{ kind: 'approval', id: run.jobId, function: 'updateLead', description: 'Approve the call to updateLead?' }]);
    });

    it('runs as jobs: listed and read in the current shapes', async () => {
      const a = adapter();
      const { items } = await a.listJobs();
      assert.equal(items.length, 12);
      assert.equal(items[1]?.status, 'paused');
      const paused = await a.getJob(items[1]!.id);
      assert.equal(paused.status, 'paused');
      assert.equal(emu.requestsTo(`${CLUSTER}/runs/${items[1]!.id}/timeline`).length, 1, 'a paused flat run reads its timeline');
      const decisions = await a.pendingDecisions(items[1]!.id);
      assert.deepEqual(decisions.map((d) => [d.kind, d.kind === 'approval' ? d.function : undefined]), [['approval', 'updateLead']]);
    });

    it('errors: {error: {message}} and {message} are read, docsLink is never shown, the key never', async () => {
      credentials = { apiKey: 'sk_inf_not_this_one_at_all' };
      const auth = await rejection(adapter().listFunctions());
      assert.equal(auth.kind, 'auth');
      assert.equal(auth.status, 401);
      assert.match(auth.message, /^Inferable rejected the API key \(401\): Auth not extracted from request\. Run "AI Functions: Set API Key…"/);
      assert.ok(!auth.message.includes('docs.inferable.ai') && !auth.message.includes('sk_inf_not'));

      credentials = { apiKey: INFERABLE_DEFAULT_KEY };
      config = { ...config, clusterId: 'clu_someone_else' };
      const cluster = await rejection(adapter().listFunctions());
      assert.match(cluster.message, /API Key does not have access to this cluster/);

      config = { ...config, clusterId: INFERABLE_DEFAULT_CLUSTER };
      const a = adapter();
      const stale = await rejection(a.decide('run-1', { kind: 'approval', id: '01JNOSUCHJOB000000000000000' }, { approved: true }));
      assert.equal(stale.kind, 'notFound');
      assert.match(stale.message, /could not find job 01JNOSUCHJOB000000000000000 of run run-1 \(404\): Job not found/);
      const missing = await rejection(a.getRun('01J8GNNHRRZA9E605BEM57A3HT'));
      assert.match(missing.message, /could not find run 01J8GNNHRRZA9E605BEM57A3HT \(404\): Run not found/);
    });
  });

  it('keeps working against hostile replies of both generations (text is data; shapes and flags decide)', async () => {
    emu.configure({ generation: 'current', hostile: true });
    const a = adapter();
    assert.equal(await a.generation(), 'current');
    const tools = await a.listFunctions();
    const updateLead = tools.find((t) => t.id.startsWith('updateLead'))!;
    assert.ok(updateLead.id.includes('command:'), 'the tool names carry the hostile text');
    const paused = await a.run({ platform: 'inferable', function: updateLead.id, input: 'Approve the stage change' });
    assert.equal(paused.status, 'paused');
    const [approval] = paused.output as PendingDecision[];
    assert.equal(approval?.kind, 'approval');
    assert.ok(approval?.kind === 'approval' && approval.function?.includes('command:') && approval.args?.includes('command:'));
    await a.decide(paused.runId!, approval!, { approved: true });
    await a.waitForRun(paused.runId!);
    assert.match((await a.textAnswer(paused.runId!)) ?? '', /^Done after your approval, using updateLead\. .*command:/s);

    emu.configure({ generation: 'seed' });
    assert.equal(await adapter().generation(), 'seed', 'a hostile route-miss 404 still tells the generation');
  });

  describe('helpers', () => {
    it('decisionAnswer: an input takes the text; an approval takes approve or deny words only', () => {
      const input: PendingDecision = { kind: 'input', id: 'r' };
      const approval: PendingDecision = { kind: 'approval', id: 'j' };
      assert.deepEqual(decisionAnswer(input, 'approve'), { input: 'approve' });
      assert.deepEqual(['approve', 'Approved', ' yes '].map((t) => decisionAnswer(approval, t)), [{ approved: true }, { approved: true }, { approved: true }]);
      assert.deepEqual(['deny', 'DENIED', 'no', 'reject', 'rejected'].map((t) => decisionAnswer(approval, t)), Array(5).fill({ approved: false }));
      assert.equal(decisionAnswer(approval, 'maybe'), undefined);
    });

    it('lastAgentText: the newest agent message with text, whatever the order', () => {
      const m = (id: string, type: string, data: unknown, createdAt: string) => ({ id, type, data, createdAt });
      const messages = [
        m('01A', 'human', { message: 'hi' }, '2025-01-01T00:00:00.000Z'),
        m('01C', 'agent', { done: true, message: 'the answer' }, '2025-01-01T00:00:02.000Z'),
        m('01B', 'agent', { invocations: [] }, '2025-01-01T00:00:01.000Z'),
        m('01D', 'invocation-result', { message: 'not the agent' }, '2025-01-01T00:00:03.000Z'),
      ];
      assert.equal(lastAgentText(messages), 'the answer');
      assert.equal(lastAgentText([...messages].reverse()), 'the answer');
      assert.equal(lastAgentText([]), undefined);
      assert.throws(() => lastAgentText([{ type: 'agent' }]), (e: Error & { field?: string }) => e.field === '0.id');
    });

    it('parseJobArgs: unpacks {"value": …} JSON text; other text stays as sent', () => {
      assert.equal(parseJobArgs({ id: 'j', targetArgs: '{"value":{"leadId":"L1"}}' }), '{"leadId":"L1"}');
      assert.equal(parseJobArgs({ id: 'j', targetArgs: '{"leadId":"L1","x":1}' }), '{"leadId":"L1","x":1}');
      assert.equal(parseJobArgs({ id: 'j', targetArgs: 'not json' }), 'not json');
      assert.equal(parseJobArgs({ id: 'j', targetArgs: null }), undefined);
    });
  });

  describe('the current-generation emulator on the wire', () => {
    const I = (): string => emu.url;
    beforeEach(() => emu.configure({ generation: 'current', runStepMs: 20 }));

    it('has /tools and no /services or input requests (Fastify 404s)', async () => {
      const tools = await call(I(), `${CLUSTER}/tools`, { headers: IK });
      assert.equal(tools.status, 200);
      const [first] = tools.json;
      assert.deepEqual(Object.keys(first).sort(), ['config', 'createdAt', 'description', 'lastPingAt', 'name', 'schema', 'shouldExpire']);
      assert.deepEqual(JSON.parse(first.schema), INFERABLE_TOOLS[0]!.schema);
      const services = await call(I(), `${CLUSTER}/services`, { headers: IK });
      assert.equal(services.status, 404);
      assert.deepEqual(services.json, { message: `Route GET:${CLUSTER}/services not found`, error: 'Not Found', statusCode: 404 });
      const input = await call(I(), `${CLUSTER}/runs/${emu.runs[1]!.id}/input-requests/x`, { headers: IK, json: { input: 'yes' } });
      assert.equal(input.status, 404);
    });

    it('answers 401 with {error: {message, docsLink}}', async () => {
      const cases: [Record<string, string>, string][] = [
        [{}, 'No authorization token found'],
        [{ authorization: 'Basic abc' }, 'Invalid authorization scheme'],
        [{ authorization: 'sk_inf_unknown' }, 'Auth not extracted from request'],
      ];
      for (const [headers, message] of cases) {
        const r = await call(I(), `${CLUSTER}/runs`, { headers });
        assert.equal(r.status, 401);
        assert.deepEqual(r.json, { error: { message, docsLink: INFERABLE_AUTH_DOCS } });
      }
      assert.equal((await call(I(), `${CLUSTER}/runs`, { headers: { authorization: `Bearer ${INFERABLE_DEFAULT_KEY}` } })).status, 200);
      const other = await call(I(), '/clusters/clu_other/tools', { headers: IK });
      assert.equal(other.status, 401);
      assert.equal(other.json.error.message, 'API Key does not have access to this cluster');
    });

    it('creates runs: a `message`-only run stays pending for ever; checks tools and resultSchema; a client id is idempotent', async () => {
      const runs = `${CLUSTER}/runs`;
      const old = await call(I(), runs, { headers: IK, json: { message: 'What does our inventory look like?', result: { schema: OBJECT_SCHEMA } } });
      assert.equal(old.status, 201);
      assert.deepEqual(old.json, { id: old.json.id, status: 'pending', result: null });
      await sleep(100);
      const still = await call(I(), `${runs}/${old.json.id}`, { headers: IK });
      assert.equal(still.json.status, 'pending');
      assert.deepEqual((await call(I(), `${runs}/${old.json.id}/messages`, { headers: IK })).json, []);

      const emptyTools = await call(I(), runs, { headers: IK, json: { initialPrompt: 'x', tools: [] } });
      assert.deepEqual([emptyTools.status, emptyTools.json], [400, { message: 'tools cannot be an empty array' }]);
      const arraySchema = await call(I(), runs, { headers: IK, json: { initialPrompt: 'x', resultSchema: { type: 'array' } } });
      assert.deepEqual([arraySchema.status, arraySchema.json], [400, { message: 'resultSchema must be an object' }]);
      const strings = await call(I(), runs, { headers: IK, json: { initialPrompt: 'x', attachedFunctions: ['default_searchInventory'] } });
      assert.equal(strings.status, 400);
      assert.ok(strings.json.error.message);

      const first = await call(I(), runs, { headers: IK, json: { id: 'my-run-0001', initialPrompt: 'Towels?' } });
      const again = await call(I(), runs, { headers: IK, json: { id: 'my-run-0001', initialPrompt: 'Something else' } });
      assert.equal(first.json.id, 'my-run-0001');
      assert.equal(again.json.id, 'my-run-0001');
      assert.equal(emu.runs.filter((r) => r.id === 'my-run-0001').length, 1);
    });

    it('serves the run flat, its timeline with approval flags, and its messages newest first', async () => {
      const runs = `${CLUSTER}/runs`;
      const created = await call(I(), runs, { headers: IK, json: { initialPrompt: 'Stock check', resultSchema: OBJECT_SCHEMA, tools: ['getInventoryItem'] } });
      const id = created.json.id;
      let run: Record<string, unknown> = {};
      for (let i = 0; i < 100 && run.status !== 'done'; i++) {
        run = (await call(I(), `${runs}/${id}`, { headers: IK })).json;
        await sleep(10);
      }
      assert.deepEqual(Object.keys(run).sort(), ['authContext', 'context', 'failureReason', 'feedbackComment', 'feedbackScore', 'id', 'result', 'status', 'test', 'tools', 'type', 'userId']);
      assert.deepEqual(run.tools, ['getInventoryItem']);
      assert.deepEqual(run.result, valueForSchema(OBJECT_SCHEMA));

      const timeline = (await call(I(), `${runs}/${id}/timeline?messagesAfter=0&activityAfter=0`, { headers: IK })).json;
      assert.deepEqual(Object.keys(timeline).sort(), ['activity', 'jobs', 'messages', 'run']);
      assert.deepEqual(Object.keys(timeline.jobs[0]).sort(), ['approvalRequested', 'approved', 'createdAt', 'id', 'resultType', 'status', 'targetFn']);
      assert.equal(timeline.jobs[0].targetFn, 'getInventoryItem');

      const messages = (await call(I(), `${runs}/${id}/messages`, { headers: IK })).json;
      assert.deepEqual(messages.map((m: { type: string }) => m.type), ['agent', 'invocation-result', 'agent', 'human']);
      assert.deepEqual(messages[0].data, { done: true, message: 'I found the following items', result: valueForSchema(OBJECT_SCHEMA) });
      const after = (await call(I(), `${runs}/${id}/messages?after=${messages[2].id}`, { headers: IK })).json;
      assert.deepEqual(after.map((m: { id: string }) => m.id), [messages[0].id, messages[1].id]);
      assert.equal((await call(I(), `${runs}/${id}/messages?limit=5`, { headers: IK })).status, 400);
      assert.equal((await call(I(), `${runs}/${id}/messages?waitTime=21`, { headers: IK })).status, 400);
    });

    it('jobs: read one, approve it once (again is a no-op), unknown → 404 {message}', async () => {
      const paused = emu.runs[1]!;
      const job = await call(I(), `${CLUSTER}/jobs/${paused.jobId}`, { headers: IK });
      assert.equal(job.json.approvalRequested, true);
      assert.equal(job.json.approved, null);
      assert.equal(job.json.status, 'interrupted');
      assert.deepEqual(JSON.parse(job.json.targetArgs), { value: JSON.parse(UPDATE_LEAD_ARGS) });
      assert.equal((await call(I(), `${CLUSTER}/jobs/${paused.jobId}/approval`, { headers: IK, json: { approved: 'yes' } })).status, 400);
      assert.equal((await call(I(), `${CLUSTER}/jobs/${paused.jobId}/approval`, { headers: IK, json: { approved: true } })).status, 204);
      assert.equal((await call(I(), `${CLUSTER}/jobs/${paused.jobId}/approval`, { headers: IK, json: { approved: false } })).status, 204);
      assert.equal(paused.approved, true, 'a decided job keeps its decision');
      const unknown = await call(I(), `${CLUSTER}/jobs/nope/approval`, { headers: IK, json: { approved: true } });
      assert.deepEqual([unknown.status, unknown.json], [404, { message: 'Job not found' }]);
    });

    it('the seed generation (default) has no /tools: a route-miss 404', async () => {
      emu.configure({ generation: 'seed' });
      const r = await call(I(), `${CLUSTER}/tools`, { headers: IK });
      assert.equal(r.status, 404);
      assert.match(r.json.error.message, /^Route GET:\S+\/tools not found$/);
      assert.deepEqual(emu.config().generation, 'seed');
    });
  });
});
