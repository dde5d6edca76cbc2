// Reliability of many-row runs end to end, over real HTTP: the row runner (core/rowRunner.ts) and
// the real platform adapters against the emulators with faults injected. What must hold: every
// row ends answered or failed with a clear message, none lost, none sent twice unless the platform
// said it had not processed it (429) or the call is idempotent (Nyckel), results in input order,
// a complete record when the server goes away or the user cancels, and clean refusals of replies
// that are too large or too slow.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { HttpClient, type HttpTimeouts } from '../../src/core/http';
import { silentLogger } from '../../src/core/log';
import type { RunResult } from '../../src/core/model';
import { countRecords, recordFor, recordsToJsonLines } from '../../src/core/rowResults';
import { INTERRUPTED_MESSAGE, NOT_RUN_MESSAGE, type RowOutcome } from '../../src/core/rowOutcome';
import { runRows, type RowProgress } from '../../src/core/rowRunner';
import { NyckelAdapter } from '../../src/platforms/nyckel';
import { SutroAdapter } from '../../src/platforms/sutro';
import { NYCKEL_DEFAULT_CLIENT_ID, NYCKEL_DEFAULT_CLIENT_SECRET, NyckelEmulator } from '../emulator/nyckel';
import type { RecordedRequest } from '../emulator';
import { runSutroFunction, SUTRO_DEFAULT_KEY, SUTRO_FUNCTIONS, SutroEmulator } from '../emulator/sutro';
import { closeServer, listenOnLoopback, sleep } from './support';

const SENTIMENT = SUTRO_FUNCTIONS.find((f) => f.name === 'sentiment')!;
const TEXTS = ['I love the new dashboard, great work!', 'The export is broken again and support is slow.', 'What time does the webinar start?', 'Fast and excellent, thanks'];
const RUN_PATH = '/functions/run';

/** Unique inputs, so that every recorded request names its row. */
function rows(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${TEXTS[i % TEXTS.length]} [row ${i}]`);
}

function client(options: { timeouts?: Partial<HttpTimeouts>; maxResponseBytes?: number } = {}): HttpClient {
  return new HttpClient({
    logger: silentLogger,
    timeouts: () => ({ connectMs: 2_000, firstByteMs: 10_000, totalMs: 20_000, ...options.timeouts }),
    maxResponseBytes: options.maxResponseBytes,
    // Short backoffs keep the test fast; Retry-After waits are real.
    baseBackoffMs: 5,
  });
}

function sutroAdapter(http: HttpClient, url: string): SutroAdapter {
  return new SutroAdapter({
    http,
    logger: silentLogger,
    credentials: async () => ({ apiKey: SUTRO_DEFAULT_KEY }),
    config: () => ({ apiUrl: url, functionsUrl: url, functions: [{ name: 'sentiment', inputFields: ['text'] }] }),
  });
}

const sutroTask = (sutro: SutroAdapter) => (input: string, _index: number, signal: AbortSignal) =>
  sutro.run({ platform: 'sutro', function: 'sentiment', input }, signal);

/** The recorded run requests by the row they carry (its text), in arrival order. */
function requestsByInput(requests: RecordedRequest[], path = RUN_PATH): Map<string, RecordedRequest[]> {
  const byInput = new Map<string, RecordedRequest[]>();
  for (const r of requests) {
    if (r.path !== path || r.method !== 'POST') continue;
    const parsed = r.parsed as { input_data?: { text?: string }; data?: string } | undefined;
    const text = parsed?.input_data?.text ?? parsed?.data;
    if (typeof text !== 'string') continue;
    const list = byInput.get(text) ?? [];
    list.push(r);
    byInput.set(text, list);
  }
  return byInput;
}

/** The answer the emulator gives for a row (deterministic). */
function expected(text: string): { label: string; confidence: number } {
  const out = runSutroFunction(SENTIMENT, { text });
  return { label: out.label!, confidence: out.confidence };
}

function assertAnswered(outcome: RowOutcome<RunResult>, text: string, row: number): void {
  assert.ok(outcome.ok, `row ${row} should be answered`);
  const want = expected(text);
  assert.equal(outcome.value.label, want.label, `row ${row}: the answer belongs to another row`);
  assert.equal(outcome.value.confidence, want.confidence, `row ${row}: the answer belongs to another row`);
}

describe('reliability: many rows over real HTTP with faults', function () {
  this.timeout(60_000);

  let sutroEmu: SutroEmulator;
  before(async () => {
    sutroEmu = await new SutroEmulator().start();
  });
  after(async () => {
    await sutroEmu.close();
  });
  beforeEach(() => sutroEmu.reset());

  it('2,000 Sutro rows under 5% 503, 2% dropped connections and bursts of 429: each answered or failed once, in order', async () => {
    const http = client();
    try {
      const inputs = rows(2_000);
      sutroEmu.faults.set({ random: { seed: 20_251_123, rates: { '503': 0.05, drop: 0.02 }, match: RUN_PATH } });
      // A burst of 429s (Retry-After: 1 s) after every 500 rows.
      const bursts = new Set([500, 1_000, 1_500]);
      let burstsFired = 0;
      const onProgress = (p: RowProgress) => {
        if (!bursts.has(p.done)) return;
        bursts.delete(p.done);
        burstsFired++;
        sutroEmu.faults.set({ rateLimit: { count: 12, retryAfter: 1, match: RUN_PATH } });
      };
      const outcomes = await runRows(inputs, sutroTask(sutroAdapter(http, sutroEmu.url)), { concurrency: 8, onProgress });

      assert.equal(outcomes.length, inputs.length);
      assert.equal(burstsFired, 3);
      const sent = requestsByInput(sutroEmu.requests);
      const tally = { answered: 0, failed503: 0, failedDrop: 0, failed429: 0, retried429: 0 };
      outcomes.forEach((outcome, i) => {
        const text = inputs[i]!;
        const requests = sent.get(text) ?? [];
        assert.ok(requests.length >= 1, `row ${i} was never sent`);
        // Sent again only after a 429, which says the request was not processed.
        for (const earlier of requests.slice(0, -1)) {
          assert.equal(earlier.status, 429, `row ${i} was sent again after ${earlier.fault ?? earlier.status}`);
        }
        if (requests.length > 1) tally.retried429++;
        const last = requests.at(-1)!;
        if (outcome.ok) {
          assert.equal(last.status, 200, `row ${i} answered, but its last request got ${last.status}`);
          assertAnswered(outcome, text, i);
          tally.answered++;
          return;
        }
        assert.notEqual(outcome.error.kind, 'cancelled', `row ${i} was not run`);
        if (last.fault === 'random:503') {
          assert.equal(outcome.error.kind, 'server');
          assert.match(outcome.error.message, /^Sutro had a server error \(503\)/);
          tally.failed503++;
        } else if (last.fault === 'random:drop') {
          assert.equal(outcome.error.kind, 'network');
          assert.match(outcome.error.message, /^Could not reach Sutro at http:\/\/127\.0\.0\.1:\d+: connection (closed|reset)/);
          tally.failedDrop++;
        } else {
          assert.equal(last.status, 429, `row ${i} failed (${outcome.error.message}) after a ${last.status}`);
          assert.equal(outcome.error.kind, 'rateLimited');
          tally.failed429++;
        }
      });
      // Nothing else reached the server: every run request belongs to a row.
      const runRequests = sutroEmu.requestsTo(RUN_PATH, 'POST').length;
      assert.equal([...sent.values()].reduce((n, list) => n + list.length, 0), runRequests);
      assert.ok(tally.failed503 > 40 && tally.failed503 < 170, `503s: ${tally.failed503}`);
      assert.ok(tally.failedDrop > 10 && tally.failedDrop < 80, `drops: ${tally.failedDrop}`);
      assert.ok(tally.retried429 >= 12, `rows retried after a 429: ${tally.retried429}`);
      assert.equal(tally.answered + tally.failed503 + tally.failedDrop + tally.failed429, inputs.length);

      // The record the user gets: one line per row, in order, answer or error.
      const records = outcomes.map((outcome, i) => recordFor(i + 1, inputs[i]!, outcome));
      const lines = recordsToJsonLines(records).trimEnd().split('\n');
      assert.equal(lines.length, inputs.length);
      lines.forEach((line, i) => assert.equal(JSON.parse(line).input, inputs[i]));
      const counts = countRecords(records);
      assert.equal(counts.succeeded, tally.answered);
      assert.equal(counts.failed, inputs.length - tally.answered);
      assert.equal(counts.cancelled, 0);
    } finally {
      await http.close();
    }
  });

  it('Nyckel rows (idempotent invoke) under 503s and dropped connections: retried until answered, each answer in its place', async () => {
    const emu = await new NyckelEmulator().start();
    const http = client();
    try {
      const nyckel = new NyckelAdapter({
        http,
        logger: silentLogger,
        credentials: async () => ({ clientId: NYCKEL_DEFAULT_CLIENT_ID, clientSecret: NYCKEL_DEFAULT_CLIENT_SECRET }),
        config: () => ({ baseUrl: emu.url }),
      });
      const invoke = '/v1/functions/function_sentiment/invoke';
      emu.faults.set({ random: { seed: 7, rates: { '503': 0.05, drop: 0.02 }, match: invoke } });
      const inputs = rows(120);
      const outcomes = await runRows(
        inputs,
        (input, _i, signal) => nyckel.run({ platform: 'nyckel', function: 'function_sentiment', input }, signal),
        { concurrency: 8 },
      );
      const sent = requestsByInput(emu.requests, invoke);
      outcomes.forEach((outcome, i) => {
        assert.ok(outcome.ok, `row ${i}: ${outcome.ok ? '' : outcome.error.message}`);
        const requests = sent.get(inputs[i]!) ?? [];
        assert.equal(requests.at(-1)?.status, 200);
        // Sent again only after a failure that says nothing was answered.
        for (const earlier of requests.slice(0, -1)) assert.ok(earlier.status === 0 || earlier.status === 503 || earlier.status === 429, `row ${i}`);
        // Nyckel's answer for this row's text.
        const want = inputs[i]!.startsWith('I love') || inputs[i]!.startsWith('Fast') ? 'positive' : inputs[i]!.startsWith('The export') ? 'negative' : 'neutral';
        assert.equal(outcome.value.label, want, `row ${i}: the answer belongs to another row`);
      });
      assert.ok(emu.stats().faulted > 0, 'faults were injected');
      assert.ok(emu.stats().maxInFlight <= 25);
    } finally {
      await http.close();
      await emu.close();
    }
  });

  it('a server that stops mid-run: the finished rows are kept, the rest fail with a clear message', async () => {
    const emu = await new SutroEmulator().start();
    const http = client();
    try {
      emu.faults.set({ latencyMs: 5 });
      const inputs = rows(400);
      let stopped = false;
      const outcomes = await runRows(inputs, sutroTask(sutroAdapter(http, emu.url)), {
        concurrency: 8,
        onProgress: (p) => {
          if (!stopped && p.done >= 100) {
            stopped = true;
            void emu.stop();
          }
        },
      });
      assert.ok(stopped);
      const sent = requestsByInput(emu.requests);
      const answered = outcomes.filter((o) => o.ok).length;
      assert.ok(answered >= 100 && answered < 120, `answered: ${answered}`);
      outcomes.forEach((outcome, i) => {
        const requests = sent.get(inputs[i]!) ?? [];
        assert.ok(requests.length <= 1, `row ${i} was sent ${requests.length} times`);
        if (outcome.ok) {
          assertAnswered(outcome, inputs[i]!, i);
          assert.equal(requests[0]?.status, 200);
          return;
        }
        assert.equal(outcome.error.kind, 'network', `row ${i}: ${outcome.error.message}`);
        assert.match(
          outcome.error.message,
          /^Could not reach Sutro at http:\/\/127\.0\.0\.1:\d+: connection (refused \(ECONNREFUSED\)|closed|reset)[^.]*\. Check your network and the aiFunctions\.sutro\.functionsUrl setting\.$/,
        );
      });
      // The rows after the stop never reached a server.
      const refused = outcomes.filter((o) => !o.ok && /ECONNREFUSED/.test(o.error.message)).length;
      assert.ok(refused >= 400 - answered - 8, `refused: ${refused}`);
    } finally {
      await http.close();
      await emu.close();
    }
  });

  it('a run cancelled midway leaves a complete record: answered, not run, or interrupted, matching what the server saw', async () => {
    const http = client();
    try {
      sutroEmu.faults.set({ latencyMs: 20 });
      const inputs = rows(300);
      const controller = new AbortController();
      const outcomes = await runRows(inputs, sutroTask(sutroAdapter(http, sutroEmu.url)), {
        concurrency: 8,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done >= 60) controller.abort();
        },
      });
      // Requests already on their way may still arrive; after that, nothing more (no late retries).
      await sleep(100);
      const seenAtCancel = sutroEmu.requestsTo(RUN_PATH).length;
      await sleep(300);
      assert.equal(sutroEmu.requestsTo(RUN_PATH).length, seenAtCancel, 'nothing is sent after the cancel');

      const sent = requestsByInput(sutroEmu.requests);
      let answered = 0;
      let notRun = 0;
      let interrupted = 0;
      outcomes.forEach((outcome, i) => {
        const requests = sent.get(inputs[i]!) ?? [];
        assert.ok(requests.length <= 1, `row ${i} was sent twice`);
        if (outcome.ok) {
          answered++;
          assertAnswered(outcome, inputs[i]!, i);
          assert.equal(requests[0]?.status, 200);
        } else if (outcome.error.message === NOT_RUN_MESSAGE) {
          notRun++;
          assert.equal(outcome.error.kind, 'cancelled');
          assert.equal(requests.length, 0, `row ${i} is "not run" but the server received it`);
        } else {
          interrupted++;
          assert.equal(outcome.error.kind, 'cancelled');
          assert.equal(outcome.error.message, INTERRUPTED_MESSAGE);
        }
      });
      assert.ok(answered >= 60, `answered: ${answered}`);
      assert.ok(interrupted <= 8, `interrupted: ${interrupted}`);
      assert.equal(answered + notRun + interrupted, inputs.length);
      assert.ok(notRun > 100);
      // Every request the server received belongs to an answered or interrupted row.
      assert.ok(seenAtCancel <= answered + interrupted);

      const records = outcomes.map((outcome, i) => recordFor(i + 1, inputs[i]!, outcome));
      const counts = countRecords(records);
      assert.deepEqual(counts, { total: 300, succeeded: answered, failed: 0, cancelled: notRun + interrupted, unreadable: 0 });
      assert.equal(recordsToJsonLines(records).trimEnd().split('\n').length, 300);
    } finally {
      await http.close();
    }
  });

  it('a reply 10× larger than the size cap is refused cleanly, and the next rows still run', async () => {
    const cap = 64 * 1024;
    const http = client({ maxResponseBytes: cap });
    // The same, without a content-length: the cap is enforced while the body streams.
    const chunked: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      let sentBytes = 0;
      const pump = () => {
        while (sentBytes < cap * 10) {
          sentBytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const chunkedUrl = await listenOnLoopback(chunked);
    try {
      sutroEmu.faults.set({ largeBody: { count: 3, bytes: cap * 10, match: RUN_PATH } });
      const inputs = rows(20);
      const outcomes = await runRows(inputs, sutroTask(sutroAdapter(http, sutroEmu.url)), { concurrency: 4 });
      const refused = outcomes.filter((o) => !o.ok);
      assert.equal(refused.length, 3);
      for (const o of refused) {
        assert.ok(!o.ok);
        assert.equal(o.error.kind, 'invalidResponse');
        assert.equal(o.error.message, 'Sutro sent a reply larger than the 64 KB limit.');
        assert.equal(o.attempts, 1, 'a refused reply is not fetched again');
      }
      outcomes.forEach((o, i) => o.ok && assertAnswered(o, inputs[i]!, i));

      const started = performance.now();
      await assert.rejects(sutroAdapter(http, chunkedUrl).run({ platform: 'sutro', function: 'sentiment', input: 'hello' }), {
        kind: 'invalidResponse',
        message: 'Sutro sent a reply larger than the 64 KB limit.',
      });
      assert.ok(performance.now() - started < 5_000);
      // The client is fine afterwards.
      const after = await sutroAdapter(http, sutroEmu.url).run({ platform: 'sutro', function: 'sentiment', input: TEXTS[0]! });
      assert.equal(after.label, 'positive');
    } finally {
      await closeServer(chunked);
      await http.close();
    }
  });

  it('a slow server hits the timeout with a message naming the wait and the setting; rows are not sent twice', async () => {
    const http = client({ timeouts: { firstByteMs: 300, totalMs: 5_000 } });
    try {
      sutroEmu.faults.set({ latency: { ms: 2_000, match: RUN_PATH } });
      const inputs = rows(6);
      const started = performance.now();
      const outcomes = await runRows(inputs, sutroTask(sutroAdapter(http, sutroEmu.url)), { concurrency: 6 });
      assert.ok(performance.now() - started < 1_500, 'the timeout fired, not the server');
      for (const o of outcomes) {
        assert.ok(!o.ok);
        assert.equal(o.error.kind, 'timeout');
        assert.match(o.error.message, /^Sutro did not answer within 0\.3 s\. Try again, or raise aiFunctions\.http\.\w+\.$/);
        assert.equal(o.attempts, 1);
      }
      assert.equal(sutroEmu.requestsTo(RUN_PATH).length, inputs.length);

      // The total timeout: a server that answers headers, then trickles the body forever.
      const trickle: Server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(timer));
      });
      const url = await listenOnLoopback(trickle);
      const slow = client({ timeouts: { firstByteMs: 1_000, totalMs: 700 } });
      try {
        await assert.rejects(sutroAdapter(slow, url).run({ platform: 'sutro', function: 'sentiment', input: 'hello' }), (e: Error & { kind?: string }) => {
          assert.equal(e.kind, 'timeout');
          assert.match(e.message, /^Sutro did not answer within 0\.7 s\. Try again, or raise aiFunctions\.http\.totalTimeoutSeconds\.$/);
          return true;
        });
      } finally {
        await slow.close();
        await closeServer(trickle);
      }
    } finally {
      await http.close();
    }
  });
});
