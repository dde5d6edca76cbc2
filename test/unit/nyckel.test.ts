import assert from 'node:assert/strict';
import { can, hasJobs } from '../../src/platforms/types';
import { AiFunctionsError } from '../../src/core/errors';
import { HttpClient } from '../../src/core/http';
import type { Logger } from '../../src/core/log';
import type { Credentials } from '../../src/core/model';
import { MAX_LISTED_FUNCTIONS, NyckelAdapter, renewalMarginMs, type NyckelConfig } from '../../src/platforms/nyckel';
import type { NyckelRunOptions } from '../../src/core/model';
import { classificationResult } from '../../src/platforms/nyckel/mapping';
import { nextLink } from '../../src/platforms/nyckel/paging';
import {
  modelsOf,
  NYCKEL_DEFAULT_CLIENT_ID,
  NYCKEL_DEFAULT_CLIENT_SECRET,
  NYCKEL_FUNCTIONS,
  NyckelEmulator,
  startNyckel,
} from '../emulator/nyckel';
import { reply, type ApiRequest, type Reply } from '../emulator';
import { rejection, testHttpClient } from './support';

const CLIENT_ID = NYCKEL_DEFAULT_CLIENT_ID;
const CLIENT_SECRET = NYCKEL_DEFAULT_CLIENT_SECRET;
const LEAD = 'function_leadintent';
/** Says up front whether the function is a Tags function, so no type lookup is made. */
const CLASSIFY: NyckelRunOptions = { tags: false };
const TAGS: NyckelRunOptions = { tags: true };
const QUALIFIED_TEXT = 'We have budget approved and want a demo and pricing this week';


/** Keeps every log line, to check that no token or secret is ever written. */
function recordingLogger(lines: string[]): Logger {
  const write = (message: string): void => {
    lines.push(message);
  };
  return { trace: write, debug: write, info: write, warn: write, error: write };
}

/** An emulator whose function list pages point back to the first page, or to another host. */
class OddLinksNyckel extends NyckelEmulator {
  link = '</v1/functions>; rel="next"';

  protected override handle(req: ApiRequest): Reply | Promise<Reply> {
    if (req.path === '/v1/functions' && req.method === 'GET') {
      return reply.json(200, [{ id: 'function_a', name: 'A', input: 'Text', output: 'Classification' }], { link: this.link });
    }
    return super.handle(req);
  }
}

/**
 * An emulator whose function list never ends: every page has `pageSize` functions and a link to
 * the next page; with `fresh` false, every page repeats the same functions.
 */
class EndlessNyckel extends NyckelEmulator {
  pageSize = 1_500;
  fresh = true;

  protected override handle(req: ApiRequest): Reply | Promise<Reply> {
    if (req.path === '/v1/functions' && req.method === 'GET') {
      const page = Number(req.query.get('page') ?? '0');
      const first = this.fresh ? page * this.pageSize : 0;
      const functions = Array.from({ length: this.pageSize }, (_, i) => ({
        id: `function_${first + i}`,
        name: `F${first + i}`,
        input: 'Text',
        output: 'Classification',
      }));
      return reply.json(200, functions, { link: `</v1/functions?page=${page + 1}>; rel="next"` });
    }
    return super.handle(req);
  }
}

describe('Nyckel adapter', function () {
  this.timeout(20_000);

  let emulator: NyckelEmulator;
  let http: HttpClient;
  let config: NyckelConfig;
  let credentials: Credentials | undefined;
  let logLines: string[];
  let clock: number | undefined;
  let nyckel: NyckelAdapter;

  const newAdapter = (): NyckelAdapter =>
    new NyckelAdapter({
      http,
      credentials: async () => credentials,
      config: () => config,
      logger: recordingLogger(logLines),
      now: () => clock ?? Date.now(),
    });

  const tokenRequests = (): number => emulator.tokenRequests;
  const invokes = (id = LEAD, version = 'v1') => emulator.requestsTo(`/${version}/functions/${id}/invoke`, 'POST');

  before(async () => {
    emulator = await startNyckel();
    http = testHttpClient({ logger: silentLogger() });
  });

  after(async () => {
    await http.close();
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    config = { baseUrl: emulator.url };
    credentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
    logLines = [];
    clock = undefined;
    nyckel = newAdapter();
  });

  afterEach(() => {
    // Whatever a test did, no log line may hold the secret or an access token.
    const tokens = [...emulator.tokens.keys()];
    for (const line of logLines) {
      assert.ok(!line.includes(CLIENT_SECRET), `a log line holds the client secret: ${line}`);
      for (const token of tokens) assert.ok(!line.includes(token), `a log line holds an access token: ${line}`);
    }
  });

  function silentLogger(): Logger {
    return recordingLogger([]);
  }

  describe('access tokens', () => {
    it('asks /connect/token with a form-encoded client_credentials grant, then sends the token as Bearer', async () => {
      await nyckel.run({ platform: 'nyckel', function: LEAD, input: 'hello', options: CLASSIFY });
      const [tokenRequest, ...more] = emulator.requestsTo('/connect/token');
      assert.equal(more.length, 0);
      assert.equal(tokenRequest!.method, 'POST');
      assert.equal(tokenRequest!.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(tokenRequest!.body, `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`);
      assert.equal(tokenRequest!.headers.authorization, undefined);

      const [invoke] = invokes();
      const token = [...emulator.tokens.keys()][0]!;
      assert.equal(invoke!.headers.authorization, `Bearer ${token}`);
    });

    it('keeps the token across calls', async () => {
      await nyckel.listFunctions();
      await nyckel.run({ platform: 'nyckel', function: LEAD, input: 'one' });
      await nyckel.run({ platform: 'nyckel', function: 'function_sentiment', input: 'two' });
      assert.equal(tokenRequests(), 1);
    });

    it('20 concurrent calls share one token request', async () => {
      const runs = Array.from({ length: 20 }, (_, i) => nyckel.run({ platform: 'nyckel', function: LEAD, input: `text ${i}`, options: CLASSIFY }));
      const results = await Promise.all(runs);
      assert.equal(results.length, 20);
      assert.equal(tokenRequests(), 1);
    });

    it('gets a new token shortly before the old one expires', async () => {
      clock = 1_000_000;
      const run = () => nyckel.run({ platform: 'nyckel', function: LEAD, input: 'text', options: CLASSIFY });
      await run();
      clock += 3000_000; // 50 min of a 60 min token: still good (renewed 6 min early)
      await run();
      assert.equal(tokenRequests(), 1);
      clock += 300_000; // 55 min: inside the renewal margin
      await run();
      assert.equal(tokenRequests(), 2);
      assert.equal(invokes().length, 3);
      assert.ok(invokes().every((r) => r.status === 200));
    });

    it('renews 10% early, at least 5 s and at most 10 min, never more than half a short lifetime', () => {
      assert.equal(renewalMarginMs(3_600_000), 360_000);
      assert.equal(renewalMarginMs(86_400_000), 600_000);
      assert.equal(renewalMarginMs(20_000), 5_000);
      assert.equal(renewalMarginMs(4_000), 2_000);
    });

    it('a 401 on a call (revoked token) gets one new token and the call succeeds', async () => {
      await nyckel.run({ platform: 'nyckel', function: LEAD, input: 'before', options: CLASSIFY });
      emulator.revokeTokens();
      const result = await nyckel.run({ platform: 'nyckel', function: LEAD, input: QUALIFIED_TEXT, options: CLASSIFY });
      assert.equal(result.label, 'qualified');
      assert.equal(tokenRequests(), 2);
      assert.deepEqual(
        invokes().map((r) => r.status),
        [200, 401, 200],
      );
    });

    it('many calls refused with the same revoked token lead to one new token', async () => {
      await nyckel.run({ platform: 'nyckel', function: LEAD, input: 'warm up', options: CLASSIFY });
      emulator.revokeTokens();
      // 40 calls: some wait in the limiter while the new token is fetched ahead of them.
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => nyckel.run({ platform: 'nyckel', function: LEAD, input: `t${i}`, options: CLASSIFY })),
      );
      assert.equal(results.length, 40);
      assert.equal(tokenRequests(), 2);
    });

    it('a 401 with the new token too is an auth error (retried once, not forever)', async () => {
      await nyckel.run({ platform: 'nyckel', function: LEAD, input: 'warm up', options: CLASSIFY });
      // Every token the emulator issues from now on is refused: it forgets them at once.
      const issue = emulator.issueToken;
      emulator.issueToken = function (this: NyckelEmulator) {
        const token = issue.call(this);
        this.tokens.delete(token);
        return token;
      };
      emulator.revokeTokens();
      let error: AiFunctionsError;
      try {
        error = await rejection(nyckel.run({ platform: 'nyckel', function: LEAD, input: 'x', options: CLASSIFY }));
      } finally {
        emulator.issueToken = issue;
      }
      assert.equal(error.kind, 'auth');
      assert.equal(error.status, 401);
      assert.match(error.message, /Nyckel rejected the client credentials \(401\): Invalid access token/);
      assert.equal(invokes().length, 3, 'the first call, then one retry');
      assert.equal(tokenRequests(), 2);
    });

    it('wrong credentials: an auth error naming neither the client id nor the secret', async () => {
      credentials = { clientId: 'wrong_client_id_for_tests', clientSecret: 'wrong_secret_for_tests' };
      const error = await rejection(nyckel.listFunctions());
      assert.equal(error.kind, 'auth');
      assert.equal(error.status, 401);
      assert.match(error.message, /Nyckel rejected the client credentials \(401\): Invalid client credentials/);
      assert.ok(!error.message.includes('wrong_client_id_for_tests'));
      assert.ok(!error.message.includes('wrong_secret_for_tests'));
      assert.ok(!String(error.platformMessage).includes('wrong_secret_for_tests'));
      assert.equal(emulator.requestsTo('/v1/functions').length, 0);
    });

    it('drops the cached token when the credentials change', async () => {
      await nyckel.listFunctions();
      emulator.configure({ clientId: 'other_client_for_tests', clientSecret: 'other_secret_for_tests' });
      credentials = { clientId: 'other_client_for_tests', clientSecret: 'other_secret_for_tests' };
      await nyckel.listFunctions();
      assert.equal(tokenRequests(), 2);
      const last = emulator.requestsTo('/connect/token')[1]!;
      assert.match(last.body, /client_id=other_client_for_tests/);
      assert.ok(logLines.some((l) => /credentials or base URL changed/.test(l)));
      assert.ok(!logLines.some((l) => l.includes('other_secret_for_tests')));
    });

    it('without credentials: a clear auth error and no request', async () => {
      credentials = undefined;
      const error = await rejection(nyckel.run({ platform: 'nyckel', function: LEAD, input: 'x' }));
      assert.equal(error.kind, 'auth');
      assert.equal(error.message, 'Nyckel has no client credentials. Run "AI Functions: Set API Key…" to add them.');
      credentials = { apiKey: 'sk_test_emulator' };
      assert.equal((await rejection(nyckel.listFunctions())).kind, 'auth');
      assert.equal(emulator.requests.length, 0);
    });

    it('a base URL without a token endpoint is a configuration error', async () => {
      config = { baseUrl: `${emulator.url}/nowhere` };
      const error = await rejection(nyckel.listFunctions());
      assert.equal(error.kind, 'configuration');
      assert.match(error.message, /aiFunctions\.nyckel\.baseUrl/);
    });
  });

  describe('run', () => {
    it('sends every query parameter and body field, and maps the FunctionOutput', async () => {
      const modelId = modelsOf(NYCKEL_FUNCTIONS[0]!)[0]!;
      const result = await nyckel.run({
        platform: 'nyckel',
        function: LEAD,
        input: QUALIFIED_TEXT,
        options: { labelCount: 2, includeMetadata: true, modelId, capture: false, externalId: 'ext-42', metadata: { source: 'unit-test' } },
      });

      const [invoke, ...more] = invokes();
      assert.equal(more.length, 0);
      assert.deepEqual(invoke!.query, { labelCount: '2', includeMetadata: 'true', modelId, capture: 'false', externalId: 'ext-42' });
      assert.equal(invoke!.headers['content-type'], 'application/json');
      assert.deepEqual(invoke!.parsed, { data: QUALIFIED_TEXT, externalId: 'ext-42', metadata: { source: 'unit-test' } });
      assert.equal(emulator.captured.length, 0, 'capture=false was honoured');

      assert.equal(result.platform, 'nyckel');
      assert.equal(result.function, LEAD);
      assert.equal(result.kind, 'classification');
      assert.equal(result.label, 'qualified');
      assert.ok(result.confidence! > 0.8);
      assert.deepEqual(
        result.predictions.map((p) => p.label),
        ['qualified', 'not_qualified'],
      );
      assert.ok(result.predictions[0]!.confidence >= result.predictions[1]!.confidence);
      const output = result.output as Record<string, unknown>;
      assert.match(String(output.labelId), /^label_/);
      assert.deepEqual(output.labelMetadata, { crmStage: 'SQL', owner: 'sales' });
      assert.equal(output.externalId, 'ext-42');
      assert.ok(result.durationMs >= 0);
      const raw = result.raw as Record<string, unknown>;
      assert.equal(raw.labelName, 'qualified');
      assert.equal(raw.confidence, result.confidence);
      assert.equal((raw.labelConfidences as unknown[]).length, 2);
    });

    it('sends only the options given (no empty query parameters)', async () => {
      const result = await nyckel.run({ platform: 'nyckel', function: LEAD, input: 'just text' });
      const [invoke] = invokes();
      assert.deepEqual(invoke!.query, {});
      assert.deepEqual(invoke!.parsed, { data: 'just text' });
      assert.deepEqual(result.predictions, [{ label: result.label, confidence: result.confidence }]);
      assert.equal(emulator.captured.length, 1, 'capture defaults to Nyckel’s (on)');
    });

    it('learns a function’s type once (GET /v1/functions/{id}) and remembers it', async () => {
      await nyckel.run({ platform: 'nyckel', function: LEAD, input: 'one' });
      await nyckel.run({ platform: 'nyckel', function: LEAD, input: 'two' });
      await Promise.all([1, 2, 3].map((i) => nyckel.run({ platform: 'nyckel', function: 'function_sentiment', input: `t${i}` })));
      assert.equal(emulator.requestsTo(`/v1/functions/${LEAD}`, 'GET').length, 1);
      assert.equal(emulator.requestsTo('/v1/functions/function_sentiment', 'GET').length, 1, 'concurrent calls share the lookup');
    });

    it('sends tabular input as a data object', async () => {
      const input = { title: 'VP of Engineering', company: 'Acme' };
      const result = await nyckel.run({ platform: 'nyckel', function: 'function_tabular', input });
      assert.deepEqual(invokes('function_tabular')[0]!.parsed, { data: input });
      assert.equal(result.label, 'decision_maker');
    });

    it('invokes a Tags function (known from the list) at /v0.9 and returns every tag', async () => {
      await nyckel.listFunctions();
      const text = 'I was charged twice on my card and now the app crashes with an error';
      const result = await nyckel.run({ platform: 'nyckel', function: 'function_tags', input: text });
      assert.equal(invokes('function_tags', 'v0.9').length, 1);
      assert.equal(invokes('function_tags', 'v1').length, 0);
      assert.equal(emulator.requestsTo('/v1/functions/function_tags', 'GET').length, 0, 'the listing told the type');
      assert.deepEqual(invokes('function_tags', 'v0.9')[0]!.parsed, { data: text });
      assert.equal(result.kind, 'classification');
      assert.deepEqual(new Set(result.predictions.map((p) => p.label)), new Set(['billing', 'bug']));
      const confidences = result.predictions.map((p) => p.confidence);
      assert.deepEqual(confidences, [...confidences].sort((a, b) => b - a));
      assert.equal(result.label, result.predictions[0]!.label);
      assert.equal(result.confidence, result.predictions[0]!.confidence);
      assert.ok(Array.isArray(result.raw));
    });

    it('a Tags function can be named by option, and one with no tags has no label', async () => {
      const result = await nyckel.run({ platform: 'nyckel', function: 'function_tags', input: 'hello there', options: TAGS });
      assert.equal(emulator.requestsTo('/v1/functions/function_tags', 'GET').length, 0);
      assert.deepEqual(result.predictions, []);
      assert.equal(result.label, undefined);
    });

    it('orders labelConfidences by confidence, highest first', () => {
      const result = classificationResult(
        LEAD,
        {
          labelName: 'b',
          labelId: 'label_b',
          confidence: 0.6,
          labelConfidences: [
            { labelName: 'a', confidence: 0.1 },
            { labelName: 'b', confidence: 0.6 },
            { labelName: 'c', confidence: 0.3 },
          ],
        },
        5,
      );
      assert.deepEqual(result.predictions, [
        { label: 'b', confidence: 0.6 },
        { label: 'c', confidence: 0.3 },
        { label: 'a', confidence: 0.1 },
      ]);
      assert.deepEqual(result.output, { labelId: 'label_b' });
    });

    it('a 400 carries Nyckel’s message', async () => {
      const error = await rejection(nyckel.run({ platform: 'nyckel', function: LEAD, input: 'x', options: { modelId: 'model_missing' } }));
      assert.equal(error.kind, 'invalidInput');
      assert.equal(error.status, 400);
      assert.equal(error.platformMessage, "Model 'model_missing' not found for function 'function_leadintent'");
      assert.match(error.message, /^Nyckel refused the input \(400\): Model 'model_missing' not found/);

      const tabular = await rejection(nyckel.run({ platform: 'nyckel', function: 'function_tabular', input: 'plain text' }));
      assert.equal(tabular.kind, 'invalidInput');
      assert.match(tabular.message, /takes Tabular input/);
    });

    it('a 404 names the function and carries Nyckel’s message', async () => {
      for (const options of [undefined, { tags: false }]) {
        const error = await rejection(nyckel.run({ platform: 'nyckel', function: 'function_missing', input: 'x', options: options as never }));
        assert.equal(error.kind, 'notFound');
        assert.match(error.message, /^Nyckel could not find function function_missing \(404\): Function 'function_missing' not found\.$/);
      }
    });

    it('a reply missing `confidence` is an invalidResponse naming the field', async () => {
      emulator.faults.set({ wrongShape: { match: '/invoke$' } });
      const error = await rejection(nyckel.run({ platform: 'nyckel', function: LEAD, input: 'x', options: CLASSIFY }));
      assert.equal(error.kind, 'invalidResponse');
      assert.equal(error.field, 'confidence');
    });

    it('retries a 503 on invoke (Nyckel asks clients to retry 5xx)', async () => {
      emulator.faults.set({ serverError: { status: 503, match: '/invoke$' } });
      const result = await nyckel.run({ platform: 'nyckel', function: LEAD, input: QUALIFIED_TEXT, options: CLASSIFY });
      assert.equal(result.label, 'qualified');
      assert.deepEqual(
        invokes().map((r) => r.status),
        [503, 200],
      );
    });

    it('a function id of ".." or "." is refused before any request (it would leave its path segment)', async () => {
      for (const id of ['..', '.']) {
        const error = await rejection(nyckel.run({ platform: 'nyckel', function: id, input: 'x' }));
        assert.equal(error.kind, 'invalidInput');
        assert.equal(error.message, `The Nyckel function id "${id}" is not valid.`);
      }
      assert.equal(emulator.requests.length, 0);
    });

    it('an empty function id is refused before any request', async () => {
      const error = await rejection(nyckel.run({ platform: 'nyckel', function: '  ', input: 'x' }));
      assert.equal(error.kind, 'invalidInput');
      assert.equal(emulator.requests.length, 0);
    });
  });

  describe('listFunctions', () => {
    it('follows the Link header through every page', async () => {
      const functions = await nyckel.listFunctions();
      assert.deepEqual(
        functions.map((f) => f.id),
        NYCKEL_FUNCTIONS.map((f) => f.id),
      );
      const pages = emulator.requestsTo('/v1/functions', 'GET');
      assert.equal(pages.length, 3);
      assert.deepEqual(pages[0]!.query, {});
      assert.deepEqual(pages[1]!.query, { batchSize: '2', startAfter: 'function_sentiment' });
      assert.deepEqual(functions[0], {
        platform: 'nyckel',
        id: LEAD,
        name: 'Lead intent',
        description: 'Text → Classification',
        inputType: 'Text',
        outputType: 'Classification',
      });
      assert.equal(functions.find((f) => f.id === 'function_tags')!.description, 'Text → Tags');
    });

    describe('odd links', () => {
      let odd: OddLinksNyckel;
      before(async () => {
        odd = await new OddLinksNyckel().start();
      });
      after(() => odd.close());

      it('stops when the next link goes back to a page already read', async () => {
        config = { baseUrl: odd.url };
        const functions = await nyckel.listFunctions();
        assert.deepEqual(
          functions.map((f) => f.id),
          ['function_a'],
        );
        assert.equal(odd.requestsTo('/v1/functions').length, 1);
        assert.ok(logLines.some((l) => /round in circles/.test(l)));
      });

      it('never follows a next link to another host (it would carry the token)', async () => {
        odd.link = '<http://127.0.0.2:9/v1/functions?page=2>; rel="next"';
        config = { baseUrl: odd.url };
        const functions = await nyckel.listFunctions();
        assert.equal(functions.length, 1);
        assert.ok(logLines.some((l) => /not followed/.test(l)));
      });
    });

    describe('endless pages', () => {
      let endless: EndlessNyckel;
      before(async () => {
        endless = await new EndlessNyckel().start();
      });
      after(() => endless.close());
      beforeEach(() => {
        endless.reset();
        endless.fresh = true;
        config = { baseUrl: endless.url };
      });

      it(`holds at most ${MAX_LISTED_FUNCTIONS} functions and stops following links there, with a warning`, async () => {
        const functions = await nyckel.listFunctions();
        assert.equal(functions.length, MAX_LISTED_FUNCTIONS);
        assert.equal(functions.at(-1)!.id, `function_${MAX_LISTED_FUNCTIONS - 1}`);
        // 1,500 a page: the fourth page is cut, and no fifth is asked for.
        assert.equal(endless.requestsTo('/v1/functions').length, 4);
        assert.ok(logLines.some((l) => /cut at 5,000 functions/.test(l)));
      });

      it('stops at a page with no new functions', async () => {
        endless.fresh = false;
        const functions = await nyckel.listFunctions();
        assert.equal(functions.length, endless.pageSize);
        assert.equal(endless.requestsTo('/v1/functions').length, 2);
        assert.ok(logLines.some((l) => /no new functions/.test(l)));
      });
    });

    it('parses Link headers', () => {
      assert.equal(nextLink('</v1/functions?batchSize=2&startAfter=x>; rel="next"'), '/v1/functions?batchSize=2&startAfter=x');
      assert.equal(nextLink('</a>; rel="prev", </b?x=1,2>; rel=next'), '/b?x=1,2');
      assert.equal(nextLink('</a>; rel="first next"'), '/a');
      assert.equal(nextLink('</a>; rel="last"'), undefined);
      assert.equal(nextLink(undefined), undefined);
    });
  });

  describe('rate limits', () => {
    it('60 concurrent invokes stay within 25 in flight and 25 per second at Nyckel, and all succeed', async () => {
      emulator.configure({ processingMs: 1500 });
      const texts = Array.from({ length: 60 }, (_, i) => `message number ${i}`);
      const started = performance.now();
      const results = await Promise.all(texts.map((input) => nyckel.run({ platform: 'nyckel', function: LEAD, input, options: { capture: false } })));
      assert.equal(results.length, 60);
      const stats = emulator.stats();
      assert.equal(stats.limited, 0, 'the emulator never had to refuse a request');
      assert.ok(stats.maxInFlight <= 25, `max in flight ${stats.maxInFlight}`);
      assert.ok(stats.maxPerSecond <= 25, `max per second ${stats.maxPerSecond}`);
      // Slow answers (1.5 s) fill the 25 slots: the in-flight limit binds and is used, not undershot.
      assert.ok(stats.maxInFlight >= 23, `the in-flight limit is used, not undershot (${stats.maxInFlight})`);
      // Starts are spaced 40 ms apart, and there are at most 25 per 1.1 s: 60 calls take over 2 s.
      assert.ok(performance.now() - started >= 2000, 'the start limit held the calls back');
      assert.ok(invokes().every((r) => r.status === 200));
      assert.equal(nyckel.limiter.inFlight, 0);
    });

    it('is exposed so batch work shares it', () => {
      assert.equal(nyckel.limiter.maxInFlight, 25);
      assert.equal(nyckel.limiter.maxPerSecond, 25);
      assert.equal(nyckel.descriptor.limits.maxInFlight, 25);
    });
  });

  describe('cancellation', () => {
    it('aborts a call in flight at once', async () => {
      await nyckel.listFunctions(); // token and types known
      emulator.faults.set({ latency: { ms: 5_000, match: '/invoke$' } });
      const controller = new AbortController();
      const started = Date.now();
      const run = nyckel.run({ platform: 'nyckel', function: LEAD, input: 'slow' }, controller.signal);
      setTimeout(() => controller.abort(), 50);
      const error = await rejection(run);
      assert.equal(error.kind, 'cancelled');
      assert.ok(Date.now() - started < 1_000);
    });

    it('a call waiting in the limiter leaves the queue and is never sent', async () => {
      await nyckel.listFunctions();
      emulator.configure({ processingMs: 300 });
      const controller = new AbortController();
      const busy = Array.from({ length: 30 }, (_, i) => nyckel.run({ platform: 'nyckel', function: LEAD, input: `busy ${i}` }));
      const waiting = nyckel.run({ platform: 'nyckel', function: LEAD, input: 'cancelled while queued' }, controller.signal);
      await new Promise((r) => setTimeout(r, 50));
      const queued = nyckel.limiter.queued;
      assert.ok(queued >= 6, `${queued} calls wait for the limiter`);
      controller.abort();
      assert.equal(nyckel.limiter.queued, queued - 1, 'it left the queue at once');
      assert.equal((await rejection(waiting)).kind, 'cancelled');
      await Promise.all(busy);
      assert.ok(!invokes().some((r) => (r.parsed as { data?: string }).data === 'cancelled while queued'));
    });

    it('an aborted signal sends nothing', async () => {
      const error = await rejection(nyckel.run({ platform: 'nyckel', function: LEAD, input: 'x' }, AbortSignal.abort()));
      assert.equal(error.kind, 'cancelled');
      assert.equal(emulator.requestsTo(/invoke$/).length, 0);
    });
  });

  describe('jobs', () => {
    it('Nyckel has none', async () => {
      assert.equal(hasJobs(nyckel), false);
      assert.equal(can(nyckel, 'cancelJob'), false);
      assert.equal(nyckel.descriptor.functions.listed, true);
      assert.equal(emulator.requests.length, 0);
    });
  });
});
