// Nyckel's retry guidance inside the one retry policy (core/http.ts): its idempotent requests
// (invoke, reads, the token) are sent again after 500 as well as 502/503/504, with exponential
// backoff and jitter or the Retry-After given, never more than MAX_SENDS times; Sutro and
// Inferable are unchanged. Then what a retry means for capture (externalId), rows' own ids, and
// the Tags lookup that no longer decides a run's fate. Sends are counted at the emulators.
import assert from 'node:assert/strict';
import { AiFunctionsError } from '../../src/core/errors';
import { HttpClient, MAX_SENDS, mayResend } from '../../src/core/http';
import { silentLogger, type Logger } from '../../src/core/log';
import type { RunResult } from '../../src/core/model';
import { runRows } from '../../src/core/rowRunner';
import { parseRows } from '../../src/core/rows';
import { InferableAdapter } from '../../src/platforms/inferable';
import { NYCKEL_RETRY_STATUSES } from '../../src/platforms/nyckel/descriptor';
import { NyckelAdapter } from '../../src/platforms/nyckel';
import { ownId } from '../../src/platforms/nyckel/client';
import { SutroAdapter } from '../../src/platforms/sutro';
import { RunService } from '../../src/vscode/run/runService';
import type { RecentFunctions } from '../../src/vscode/run/recentFunctions';
import { reply, type ApiRequest, type Reply } from '../emulator';
import { INFERABLE_DEFAULT_CLUSTER, INFERABLE_DEFAULT_KEY, InferableEmulator } from '../emulator/inferable';
import { NYCKEL_DEFAULT_CLIENT_ID, NYCKEL_DEFAULT_CLIENT_SECRET, NyckelEmulator } from '../emulator/nyckel';
import { SUTRO_DEFAULT_KEY, SutroEmulator } from '../emulator/sutro';
import { rejection } from './support';

const LEAD = 'function_leadintent';
const TABULAR = 'function_tabular';
const QUALIFIED = 'We have budget approved and want a demo';
const INVOKE = { match: '/invoke$', method: 'POST' };

/** Keeps the HttpClient's lines, to check what a retry logs (never a token). */
function recordingLogger(lines: string[]): Logger {
  const keep = (message: string): void => void lines.push(message);
  return { trace: keep, debug: keep, info: keep, warn: keep, error: keep };
}

/** A Nyckel emulator whose `GET /v1/functions/{id}` answers `lookupStatus` instead (when set). */
class LookupFailingNyckel extends NyckelEmulator {
  lookupStatus: number | undefined;

  protected override handle(req: ApiRequest): Reply | Promise<Reply> {
    if (this.lookupStatus !== undefined && req.method === 'GET' && /^\/v1\/functions\/[^/]+$/.test(req.path)) {
      return reply.json(this.lookupStatus, { message: `lookup refused (${this.lookupStatus})` });
    }
    return super.handle(req);
  }

  protected override resetState(): void {
    super.resetState();
    this.lookupStatus = undefined;
  }
}

describe('Nyckel retries, capture and the Tags lookup', function () {
  this.timeout(30_000);

  const emulator = new LookupFailingNyckel({ limits: null });
  /** Every wait before a send again, in ms (recorded, not slept). */
  let waits: number[];
  let random: () => number;
  let logLines: string[];
  let http: HttpClient;
  let nyckel: NyckelAdapter;

  const invokes = (id = LEAD, version = 'v1') => emulator.requestsTo(`/${version}/functions/${id}/invoke`, 'POST');
  const statuses = (requests: { status?: number }[]) => requests.map((r) => r.status);
  const run = (input: unknown, options: Record<string, unknown> = { tags: false }, fn = LEAD) =>
    nyckel.run({ platform: 'nyckel', function: fn, input: input as string, options });

  before(async () => {
    await emulator.start();
  });

  after(async () => {
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    waits = [];
    random = () => 0.5;
    logLines = [];
    http = new HttpClient({
      logger: recordingLogger(logLines),
      timeouts: () => ({ connectMs: 2_000, firstByteMs: 5_000, totalMs: 10_000 }),
      sleep: async (ms) => void waits.push(ms),
      random: () => random(),
    });
    nyckel = new NyckelAdapter({
      http,
      logger: recordingLogger(logLines),
      credentials: async () => ({ clientId: NYCKEL_DEFAULT_CLIENT_ID, clientSecret: NYCKEL_DEFAULT_CLIENT_SECRET }),
      config: () => ({ baseUrl: emulator.url }),
    });
  });

  afterEach(async () => {
    await http.close();
    const tokens = [...emulator.tokens.keys()];
    for (const line of logLines) {
      assert.ok(!line.includes(NYCKEL_DEFAULT_CLIENT_SECRET), line);
      for (const token of tokens) assert.ok(!line.includes(token), line);
    }
  });

  describe('the policy', () => {
    const error = (status: number, retryAfterMs?: number) => new AiFunctionsError('server', `(${status})`, { platform: 'nyckel', status, retryAfterMs });

    it("retryStatuses add statuses to 'idempotent' only; without them 500 is never sent again", () => {
      assert.deepEqual(NYCKEL_RETRY_STATUSES, [500]);
      assert.equal(mayResend(error(500), 'idempotent', [500]), true);
      assert.equal(mayResend(error(500), 'idempotent'), false, 'Sutro and Inferable reads: unchanged');
      assert.equal(mayResend(error(500), 'notProcessed', [500]), false, 'a POST that may have run is never sent again after a 500');
      assert.equal(mayResend(error(500), 'notProcessed'), false);
      for (const status of [502, 503, 504]) assert.equal(mayResend(error(status), 'idempotent', [500]), true, String(status));
      assert.equal(mayResend(error(501), 'idempotent', [500]), false);
    });
  });

  describe('sends again after 500 and 503, with exponential backoff and jitter', () => {
    it('a 500 on invoke: sent again, and the run succeeds', async () => {
      emulator.faults.set({ serverError: { status: 500, ...INVOKE } });
      const result = await run(QUALIFIED);
      assert.equal(result.label, 'qualified');
      assert.deepEqual(statuses(invokes()), [500, 200]);
    });

    for (const status of [500, 503]) {
      it(`${status} every time: the invoke is sent ${MAX_SENDS} times, then fails with Nyckel's status`, async () => {
        emulator.faults.set({ serverError: { status, count: 100, ...INVOKE } });
        const error = await rejection(run(QUALIFIED));
        assert.equal(error.kind, 'server');
        assert.equal(error.status, status);
        assert.equal(invokes().length, MAX_SENDS);
      });
    }

    it('waits grow exponentially with full jitter: random × 250 ms × 2^(n−1)', async () => {
      emulator.faults.set({ serverError: { status: 500, count: MAX_SENDS - 1, ...INVOKE } });
      random = () => 0.999;
      await run(QUALIFIED);
      assert.deepEqual(waits, [249, 499, 999]);
      assert.equal(invokes().length, MAX_SENDS);

      emulator.clearRequests();
      waits = [];
      random = () => 0.5;
      emulator.faults.set({ serverError: { status: 503, count: MAX_SENDS - 1, ...INVOKE } });
      await run(QUALIFIED);
      assert.deepEqual(waits, [125, 250, 500], 'the same for 503');
    });

    it('honours Retry-After on a 500 (seconds), and fails at once when it asks for more than a minute', async () => {
      emulator.faults.set({ serverError: { status: 500, count: 2, retryAfter: 2, ...INVOKE } });
      await run(QUALIFIED);
      assert.deepEqual(waits, [2000, 2000]);

      emulator.clearRequests();
      waits = [];
      emulator.faults.set({ serverError: { status: 500, count: 1, retryAfter: 3600, ...INVOKE } });
      const error = await rejection(run(QUALIFIED));
      assert.equal(error.status, 500);
      assert.equal(error.retryAfterMs, 3_600_000);
      assert.equal(invokes().length, 1);
      assert.deepEqual(waits, []);
    });

    it('reads and the token too: the function list, the type lookup, the Tags invoke, /connect/token', async () => {
      emulator.faults.set({ serverError: { status: 500, match: '^/connect/token$' } });
      await nyckel.listFunctions(); // the token first, then the list
      assert.deepEqual(statuses(emulator.requestsTo('/connect/token', 'POST')), [500, 200]);

      emulator.clearRequests();
      emulator.faults.set({ serverError: { status: 500, match: '^/v1/functions$', method: 'GET' } });
      await nyckel.listFunctions();
      // The first page twice, then the others (the list is paged).
      assert.deepEqual(statuses(emulator.requestsTo('/v1/functions', 'GET')).slice(0, 3), [500, 200, 200]);
      assert.equal(emulator.requestsTo('/v1/functions', 'GET')[0]!.query.startAfter, undefined);
      assert.equal(emulator.requestsTo('/v1/functions', 'GET')[1]!.query.startAfter, undefined);

      emulator.faults.set({ serverError: { status: 500, match: `^/v1/functions/${LEAD}$`, method: 'GET' } });
      const fresh = new NyckelAdapter({
        http,
        logger: silentLogger,
        credentials: async () => ({ clientId: NYCKEL_DEFAULT_CLIENT_ID, clientSecret: NYCKEL_DEFAULT_CLIENT_SECRET }),
        config: () => ({ baseUrl: emulator.url }),
      });
      await fresh.run({ platform: 'nyckel', function: LEAD, input: QUALIFIED });
      assert.deepEqual(statuses(emulator.requestsTo(`/v1/functions/${LEAD}`, 'GET')), [500, 200]);

      emulator.faults.set({ serverError: { status: 500, match: '/v0.9/functions/function_tags/invoke' } });
      await run('my card was charged twice', { tags: true }, 'function_tags');
      assert.deepEqual(statuses(invokes('function_tags', 'v0.9')), [500, 200]);
    });

    it('Sutro and Inferable are unchanged: a 500 is not sent again, their reads included', async () => {
      const sutroEmu = new SutroEmulator();
      const inferableEmu = new InferableEmulator({ runStepMs: 20 });
      await Promise.all([sutroEmu.start(), inferableEmu.start()]);
      try {
        const sutro = new SutroAdapter({
          http,
          logger: silentLogger,
          credentials: async () => ({ apiKey: SUTRO_DEFAULT_KEY }),
          config: () => ({ apiUrl: sutroEmu.url, functionsUrl: sutroEmu.url, functions: [{ name: 'sentiment', inputFields: ['text'] }] }),
        });
        const inferable = new InferableAdapter({
          http,
          logger: silentLogger,
          credentials: async () => ({ apiKey: INFERABLE_DEFAULT_KEY }),
          config: () => ({ baseUrl: inferableEmu.url, clusterId: INFERABLE_DEFAULT_CLUSTER, pollIntervalMs: 10, maxPollIntervalMs: 20, runTimeoutMs: 5_000 }),
        });
        sutroEmu.faults.set({ serverError: { status: 500, count: 100 } });
        inferableEmu.faults.set({ serverError: { status: 500, count: 100 } });
        for (const call of [
          () => sutro.run({ platform: 'sutro', function: 'sentiment', input: 'x' }),
          () => sutro.listJobs(),
          () => inferable.run({ platform: 'inferable', function: '', input: 'x' }),
          () => inferable.listJobs(),
        ]) {
          const before = sutroEmu.requests.length + inferableEmu.requests.length;
          const error = await rejection(call());
          assert.equal(error.status, 500);
          assert.equal(sutroEmu.requests.length + inferableEmu.requests.length - before, 1, 'sent once');
        }
      } finally {
        await Promise.all([sutroEmu.close(), inferableEmu.close()]);
      }
    });
  });

  describe('capture: what a retry means', () => {
    it('Nyckel ran the invoke, then answered 500: with an externalId every send carries it, and one sample is kept', async () => {
      emulator.configure({ failAfterCapture: 1 });
      const result = await run(QUALIFIED, { tags: false, externalId: 'lead-42' });
      assert.equal(result.label, 'qualified');
      const sends = invokes();
      assert.deepEqual(statuses(sends), [500, 200]);
      for (const send of sends) {
        assert.equal(send.query.externalId, 'lead-42', 'in the query');
        assert.equal((send.parsed as { externalId?: string }).externalId, 'lead-42', 'and in the body');
      }
      assert.equal(emulator.captures, 2, 'both sends were captured');
      // The emulator keeps one sample per externalId; Nyckel's docs do not say (see test/emulator/nyckel.ts).
      assert.deepEqual(
        emulator.captured.map((s) => s.externalId),
        ['lead-42'],
      );
    });

    it('without an externalId the retry captures a duplicate (why rows send their own id)', async () => {
      emulator.configure({ failAfterCapture: 1 });
      await run(QUALIFIED);
      assert.equal(emulator.captured.length, 2);
      assert.ok(emulator.captured.every((s) => s.externalId === undefined));
    });

    it('capture: false captures nothing, retried or not', async () => {
      emulator.configure({ failAfterCapture: 1 });
      await run(QUALIFIED, { tags: false, capture: false });
      assert.equal(invokes().length, 2);
      assert.equal(emulator.captures, 0);
    });
  });

  describe("rows: a row's own id is its externalId", () => {
    it('an object input with `externalId`, else `id`, sends it as externalId and not as a field of the data', () => {
      assert.deepEqual(ownId('plain text'), { data: 'plain text' });
      assert.deepEqual(ownId({ externalId: ' crm-1 ', title: 'VP' }), { data: { title: 'VP' }, id: 'crm-1' });
      assert.deepEqual(ownId({ id: 17, title: 'VP' }), { data: { title: 'VP' }, id: '17' });
      assert.deepEqual(ownId({ externalId: 'a', id: 'b' }), { data: { id: 'b' }, id: 'a' });
      for (const input of [{ title: 'VP' }, { externalId: '', id: 'b' }, { id: '  ' }, { id: { nested: 1 } }, { id: 'x'.repeat(201) }, { id: null }]) {
        assert.deepEqual(ownId(input), { data: input }, JSON.stringify(input).slice(0, 40));
      }
      const input = { id: 'k', title: 'VP' };
      ownId(input);
      assert.deepEqual(input, { id: 'k', title: 'VP' }, 'the row itself is left as it is');
    });

    it('Run Function on Each Line (RunService.runRows): each JSON Lines and CSV row sends its id on every send; text rows none', async () => {
      const service = new RunService({ nyckel } as never, { record: async () => undefined } as unknown as RecentFunctions, silentLogger);
      const jsonl = parseRows(
        [
          '{"externalId": "crm-1", "title": "VP of Sales", "company": "Acme"}',
          '{"id": 2, "title": "Engineer", "company": "Initech"}',
          '{"title": "Founder", "company": "Hooli"}',
        ].join('\n'),
        'jsonl',
      );
      const csv = parseRows('id,title,company\ncsv-7,Head of Data,Globex\n', 'csv');
      const inputs = [...jsonl.rows, ...csv.rows].map((r) => r.input!);
      // Every row's first invoke runs (and is captured), then fails: each row is sent twice.
      emulator.configure({ failAfterCapture: inputs.length });
      const outcomes = await service.runRows({ platform: 'nyckel', function: TABULAR, options: { tags: false } }, inputs, { concurrency: 1 });
      assert.ok(outcomes.every((o) => o.ok), JSON.stringify(outcomes.map((o) => (o.ok ? 'ok' : o.error.message))));
      const sends = invokes(TABULAR);
      assert.equal(sends.length, 2 * inputs.length);
      const sentIds = sends.map((s) => s.query.externalId);
      assert.deepEqual(sentIds, ['crm-1', 'crm-1', '2', '2', undefined, undefined, 'csv-7', 'csv-7']);
      for (const send of sends) {
        const data = (send.parsed as { data: Record<string, unknown> }).data;
        assert.deepEqual(Object.keys(data).sort(), ['company', 'title'], 'the id is not a field of the data');
      }
      // Rows with an id: one sample each; the row without one: a duplicate.
      assert.deepEqual(
        emulator.captured.map((s) => s.externalId ?? '-'),
        ['crm-1', '2', '-', '-', 'csv-7'],
      );

      const text = await runRows(['one line', 'another line'], (input, _i, signal) => nyckel.run({ platform: 'nyckel', function: LEAD, input, options: { tags: false } }, signal), {
        concurrency: 2,
      });
      assert.ok(text.every((o) => o.ok));
      assert.ok(invokes().every((s) => s.query.externalId === undefined), 'text rows have no id');
    });

    it('the run option wins over the row’s own id', async () => {
      await run({ id: 'row-id', title: 'VP', company: 'Acme' }, { tags: false, externalId: 'chosen' }, TABULAR);
      assert.equal(invokes(TABULAR)[0]!.query.externalId, 'chosen');
    });
  });

  describe('the Tags lookup (GET /v1/functions/{id}) only chooses the endpoint', () => {
    const lookups = () => emulator.requestsTo(`/v1/functions/${LEAD}`, 'GET');
    const untold = (input = QUALIFIED): Promise<RunResult> => nyckel.run({ platform: 'nyckel', function: LEAD, input });

    it('a 404 from the lookup: invoked as a classification, which works; not looked up again', async () => {
      emulator.lookupStatus = 404;
      assert.equal((await untold()).label, 'qualified');
      assert.equal((await untold('just browsing')).label, 'not_qualified');
      assert.equal(lookups().length, 1, 'the 404 is remembered: rows do not look it up once each');
      assert.equal(invokes().length, 2);
    });

    for (const status of [401, 403, 500, 502]) {
      it(`a ${status} from the lookup does not block the invoke; the next run looks it up again`, async () => {
        emulator.lookupStatus = status;
        assert.equal((await untold()).label, 'qualified');
        assert.equal((await untold()).label, 'qualified');
        assert.equal(invokes().length, 2);
        assert.ok(lookups().length >= 2, 'not remembered');
        assert.ok(logLines.some((l) => l.includes(`could not read function ${LEAD}'s type (${status})`)));
      });
    }

    it('a lookup reply of the wrong shape does not block the invoke either', async () => {
      emulator.faults.set({ wrongShape: { match: `^/v1/functions/${LEAD}$`, method: 'GET' } });
      assert.equal((await untold()).label, 'qualified');
    });

    it('a function that does not exist: the invoke’s own 404 is the "not found"', async () => {
      const error = await rejection(nyckel.run({ platform: 'nyckel', function: 'function_missing', input: 'x' }));
      assert.equal(error.kind, 'notFound');
      assert.match(error.message, /^Nyckel could not find function function_missing \(404\)/);
      assert.equal(emulator.requestsTo('/v1/functions/function_missing/invoke', 'POST').length, 1, 'the invoke was sent and answered 404');
    });

    it('wrong credentials still fail at once: the token is asked for before the lookup', async () => {
      nyckel = new NyckelAdapter({
        http,
        logger: silentLogger,
        credentials: async () => ({ clientId: 'nope', clientSecret: 'wrong-secret-value' }),
        config: () => ({ baseUrl: emulator.url }),
      });
      const error = await rejection(untold());
      assert.equal(error.kind, 'auth');
      assert.equal(lookups().length + invokes().length, 0);
    });
  });
});
