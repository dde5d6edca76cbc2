// The one retry policy (core/http.ts): a request is sent again only inside HttpClient.request,
// and never more than MAX_SENDS times in all, whatever fails: for single runs and for rows, for
// idempotent calls and not, with a rate limiter and without. Sends are counted where they arrive
// (a local server, the emulators), not where they are made.
import { networkError, rateLimited, serverError } from './support';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AiFunctionsError } from '../../src/core/errors';
import { HttpClient, MAX_SENDS, mayResend, type RetryPolicy } from '../../src/core/http';
import { RateLimiter, type RunOptions } from '../../src/core/limiter';
import { silentLogger, type Logger } from '../../src/core/log';
import type { RunResult } from '../../src/core/model';
import { runRows } from '../../src/core/rowRunner';
import { InferableAdapter } from '../../src/platforms/inferable';
import { NyckelAdapter } from '../../src/platforms/nyckel';
import { SutroAdapter } from '../../src/platforms/sutro';
import { INFERABLE_DEFAULT_CLUSTER, INFERABLE_DEFAULT_KEY, InferableEmulator } from '../emulator/inferable';
import { NYCKEL_DEFAULT_CLIENT_ID, NYCKEL_DEFAULT_CLIENT_SECRET, NyckelEmulator } from '../emulator/nyckel';
import type { Emulator, FaultSpec, RecordedRequest } from '../emulator';
import { SUTRO_DEFAULT_KEY, SutroEmulator } from '../emulator/sutro';
import { rejection } from './support';

const POLICIES: RetryPolicy[] = ['notProcessed', 'idempotent'];


describe('retry policy: which failures are sent again', () => {
  it('sends again what proves the request was not processed, under every policy', () => {
    for (const policy of POLICIES) {
      assert.equal(mayResend(rateLimited(1000), policy), true);
      assert.equal(mayResend(rateLimited(), policy), true);
      assert.equal(mayResend(serverError(503, 1000), policy), true);
      for (const code of ['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']) assert.equal(mayResend(networkError(code), policy), true, code);
    }
  });

  it('never sends again what the platform may have run, unless the call is idempotent', () => {
    for (const error of [serverError(503), serverError(502), serverError(504), networkError('ECONNRESET'), networkError('UND_ERR_SOCKET')]) {
      assert.equal(mayResend(error, 'notProcessed'), false, error.message);
      assert.equal(mayResend(error, 'idempotent'), true, error.message);
    }
    assert.equal(mayResend(serverError(500), 'notProcessed'), false);
    assert.equal(mayResend(serverError(500), 'idempotent'), false);
  });

  it('never sends again timeouts, refusals, cancellations or unknown network errors', () => {
    for (const kind of ['timeout', 'invalidInput', 'auth', 'notFound', 'cancelled', 'invalidResponse', 'configuration'] as const) {
      assert.equal(mayResend(new AiFunctionsError(kind, kind), 'idempotent'), false, kind);
    }
    assert.equal(mayResend(networkError('ENOTFOUND'), 'idempotent'), false);
  });
});

/** A limiter on a virtual clock (its waits pass at once) that counts the tasks it starts and the holds it is asked for. */
class CountingLimiter extends RateLimiter {
  granted = 0;
  holds: number[] = [];

  constructor() {
    let time = 0;
    super({
      maxInFlight: 25,
      maxPerSecond: 25,
      now: () => time,
      sleep: async (ms) => {
        time += ms;
      },
    });
  }

  override run<T>(task: () => Promise<T>, signal?: AbortSignal, options?: RunOptions): Promise<T> {
    return super.run(
      () => {
        this.granted++;
        return task();
      },
      signal,
      options,
    );
  }

  override holdOff(ms: number): void {
    this.holds.push(ms);
    super.holdOff(ms);
  }
}

/** Keeps the HttpClient's debug lines: one per send. */
function recordingLogger(lines: string[]): Logger {
  const ignore = (): void => undefined;
  return { trace: ignore, debug: (message) => lines.push(message), info: ignore, warn: ignore, error: ignore };
}

/** An HttpClient whose retry waits are recorded, not slept. */
function client(waits: number[], logger: Logger = silentLogger): HttpClient {
  return new HttpClient({
    logger,
    timeouts: () => ({ connectMs: 2_000, firstByteMs: 5_000, totalMs: 10_000 }),
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
  });
}

const ROWS = Array.from({ length: 8 }, (_, i) => `row-${i}`);

type Fault = '429 with Retry-After' | '429' | '503 with Retry-After' | '503' | '502' | '504' | '500' | 'dropped connection';

const ANSWERS: Record<Fault, (req: IncomingMessage, res: ServerResponse) => void> = {
  '429 with Retry-After': (_req, res) => answer(res, 429, { 'retry-after': '1' }),
  '429': (_req, res) => answer(res, 429),
  '503 with Retry-After': (_req, res) => answer(res, 503, { 'retry-after': '1' }),
  '503': (_req, res) => answer(res, 503),
  '502': (_req, res) => answer(res, 502),
  '504': (_req, res) => answer(res, 504),
  '500': (_req, res) => answer(res, 500),
  'dropped connection': (req) => req.socket.destroy(),
};

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ detail: 'no' });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sent again under every policy: the reply proves the request was not processed. */
const NOT_PROCESSED = new Set<Fault>(['429 with Retry-After', '429', '503 with Retry-After']);
/** Sent again only when the call is idempotent. */
const IDEMPOTENT_ONLY = new Set<Fault>(['503', '502', '504', 'dropped connection']);

function expectedSends(fault: Fault, policy: RetryPolicy): number {
  return NOT_PROCESSED.has(fault) || (policy === 'idempotent' && IDEMPOTENT_ONLY.has(fault)) ? MAX_SENDS : 1;
}

describe(`retry policy: no request sent more than MAX_SENDS (${MAX_SENDS}) times, counted at a local server`, () => {
  let server: Server;
  let origin: string;
  let fault: Fault;
  /** Sends received, by row. */
  const sends = new Map<string, number>();

  before(async () => {
    server = createServer((req, res) => {
      const row = decodeURIComponent(req.url!.slice('/run/'.length));
      sends.set(row, (sends.get(row) ?? 0) + 1);
      req.resume();
      req.on('end', () => ANSWERS[fault](req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  for (const policy of POLICIES) {
    for (const limited of [false, true]) {
      describe(`${policy}, ${limited ? 'each send through a limiter' : 'no limiter'}`, () => {
        for (const f of Object.keys(ANSWERS) as Fault[]) {
          const expected = expectedSends(f, policy);
          it(`${f} every time: a single call and each of ${ROWS.length} rows sent ${expected === 1 ? 'once' : `${expected} times`}`, async () => {
            fault = f;
            sends.clear();
            const waits: number[] = [];
            const http = client(waits);
            const limiter = limited ? new CountingLimiter() : undefined;
            const send = (row: string, signal?: AbortSignal) =>
              http.request({ platform: 'sutro', method: 'POST', url: `${origin}/run/${row}`, json: { row }, retry: policy, limiter, signal });
            try {
              const single = await rejection(send('single'));
              const outcomes = await runRows(ROWS, (row, _i, signal) => send(row, signal), { concurrency: 4 });

              for (const row of ['single', ...ROWS]) assert.equal(sends.get(row), expected, `${row} was sent ${sends.get(row)} times`);
              // A row fails as a single call does.
              for (const outcome of outcomes) {
                assert.ok(!outcome.ok);
                assert.equal(outcome.attempts, 1, 'the row runner adds no attempt of its own');
                assert.equal(outcome.error.kind, single.kind);
                if (f !== 'dropped connection') assert.equal(outcome.error.message, single.message);
              }
              const total = [...sends.values()].reduce((a, b) => a + b, 0);
              if (limiter) {
                assert.equal(limiter.granted, total, 'every send took a slot of its own');
                assert.equal(limiter.inFlight, 0);
              }
              // Retry-After is honoured: each wait before sending again is the second asked for.
              if (f.endsWith('with Retry-After')) {
                const held = limiter && f.startsWith('429') ? limiter.holds : waits;
                assert.deepEqual(held, new Array<number>(total - ROWS.length - 1).fill(1000));
              }
            } finally {
              await http.close();
            }
          });
        }
      });
    }
  }

  it(`a connection never made: sent ${MAX_SENDS} times under either policy, with and without a limiter`, async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    for (const policy of POLICIES) {
      for (const limiter of [undefined, new CountingLimiter()]) {
        const lines: string[] = [];
        const http = client([], recordingLogger(lines));
        const send = (row: string, signal?: AbortSignal) =>
          http.request({ platform: 'sutro', method: 'POST', url: `http://127.0.0.1:${port}/run/${row}`, json: {}, retry: policy, limiter, signal });
        try {
          const single = await rejection(send('single'));
          assert.equal(single.kind, 'network');
          const outcomes = await runRows(ROWS, (row, _i, signal) => send(row, signal), { concurrency: 4 });
          assert.ok(outcomes.every((o) => !o.ok && o.error.message === single.message));
          for (const row of ['single', ...ROWS]) {
            const attempts = lines.filter((line) => line.startsWith(`POST /run/${row} ECONNREFUSED`));
            assert.equal(attempts.length, MAX_SENDS, `${policy}: ${row}`);
          }
          if (limiter) assert.equal(limiter.granted, (ROWS.length + 1) * MAX_SENDS);
        } finally {
          await http.close();
        }
      }
    }
  });
});

interface Platform {
  name: string;
  emulator: Emulator;
  /** Its run requests (the one that must not be repeated unless idempotent), by the input they carry. */
  runSends(): Map<string, number>;
  /** The fault knob's `match` and `method` for those requests. */
  match: { match: string; method: string };
  idempotent: boolean;
  run(input: string, signal?: AbortSignal): Promise<RunResult>;
  limiter?: CountingLimiter;
}

function byInput(requests: RecordedRequest[], inputOf: (body: unknown) => unknown): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const input = inputOf(r.parsed);
    if (typeof input === 'string') counts.set(input, (counts.get(input) ?? 0) + 1);
  }
  return counts;
}

/** Faults that last: every send of a run fails the same way. */
const LASTING: Array<{ name: string; spec: (m: Platform['match']) => FaultSpec; retried: 'always' | 'idempotent' }> = [
  { name: '429 with Retry-After', spec: (m) => ({ rateLimit: { count: 1_000, retryAfter: 1, ...m } }), retried: 'always' },
  { name: '503 with Retry-After', spec: (m) => ({ serverError: { status: 503, retryAfter: 1, count: 1_000, ...m } }), retried: 'always' },
  { name: '503', spec: (m) => ({ serverError: { status: 503, count: 1_000, ...m } }), retried: 'idempotent' },
  { name: 'dropped connection', spec: (m) => ({ drop: { count: 1_000, ...m } }), retried: 'idempotent' },
];

describe(`retry policy: no run sent more than MAX_SENDS (${MAX_SENDS}) times, counted at the emulators`, function () {
  this.timeout(30_000);

  const waits: number[] = [];
  const http = client(waits);
  const sutroEmu = new SutroEmulator();
  const nyckelEmu = new NyckelEmulator({ limits: null });
  const inferableEmu = new InferableEmulator({ runStepMs: 20 });
  let nyckelLimiter: CountingLimiter;
  /** New for each test: the emulator forgets its tokens when reset. */
  let nyckel: NyckelAdapter;

  const platforms: Platform[] = [
    {
      name: 'Sutro function run (not idempotent)',
      emulator: sutroEmu,
      runSends: () => byInput(sutroEmu.requestsTo('/functions/run', 'POST'), (b) => (b as { input_data?: { text?: unknown } }).input_data?.text),
      match: { match: 'functions/run', method: 'POST' },
      idempotent: false,
      run: (input, signal) => {
        const sutro = new SutroAdapter({
          http,
          logger: silentLogger,
          credentials: async () => ({ apiKey: SUTRO_DEFAULT_KEY }),
          config: () => ({ apiUrl: sutroEmu.url, functionsUrl: sutroEmu.url, functions: [{ name: 'sentiment', inputFields: ['text'] }] }),
        });
        return sutro.run({ platform: 'sutro', function: 'sentiment', input }, signal);
      },
    },
    {
      name: 'Inferable run creation (not idempotent)',
      emulator: inferableEmu,
      runSends: () => byInput(inferableEmu.requestsTo(/\/runs$/, 'POST'), (b) => (b as { message?: unknown }).message),
      match: { match: '/runs$', method: 'POST' },
      idempotent: false,
      run: (input, signal) => {
        const inferable = new InferableAdapter({
          http,
          logger: silentLogger,
          credentials: async () => ({ apiKey: INFERABLE_DEFAULT_KEY }),
          config: () => ({ baseUrl: inferableEmu.url, clusterId: INFERABLE_DEFAULT_CLUSTER, pollIntervalMs: 10, maxPollIntervalMs: 20, runTimeoutMs: 5_000 }),
        });
        return inferable.run({ platform: 'inferable', function: '', input }, signal);
      },
    },
    {
      name: 'Nyckel invoke (idempotent, through its limiter)',
      emulator: nyckelEmu,
      runSends: () => byInput(nyckelEmu.requestsTo(/\/invoke$/, 'POST'), (b) => (b as { data?: unknown }).data),
      match: { match: '/invoke$', method: 'POST' },
      idempotent: true,
      get limiter() {
        return nyckelLimiter;
      },
      run: (input, signal) => nyckel.run({ platform: 'nyckel', function: 'function_sentiment', input, options: { tags: false } }, signal),
    },
  ];

  before(async () => {
    await Promise.all([sutroEmu.start(), nyckelEmu.start(), inferableEmu.start()]);
  });

  after(async () => {
    await http.close();
    await Promise.all([sutroEmu.close(), nyckelEmu.close(), inferableEmu.close()]);
  });

  beforeEach(() => {
    waits.length = 0;
    for (const p of platforms) p.emulator.reset();
    nyckelLimiter = new CountingLimiter();
    nyckel = new NyckelAdapter({
      http,
      logger: silentLogger,
      credentials: async () => ({ clientId: NYCKEL_DEFAULT_CLIENT_ID, clientSecret: NYCKEL_DEFAULT_CLIENT_SECRET }),
      config: () => ({ baseUrl: nyckelEmu.url }),
      limiter: nyckelLimiter,
    });
  });

  for (const platform of platforms) {
    describe(platform.name, () => {
      for (const fault of LASTING) {
        const expected = fault.retried === 'always' || platform.idempotent ? MAX_SENDS : 1;
        it(`${fault.name} every time: a single run and each row sent ${expected === 1 ? 'once' : `${expected} times`}`, async () => {
          platform.emulator.faults.set(fault.spec(platform.match));
          const single = await rejection(platform.run('a single run'));
          const inputs = ROWS.map((row) => `a run of ${row}`);
          const outcomes = await runRows(inputs, (input, _i, signal) => platform.run(input, signal), { concurrency: 4 });

          const sends = platform.runSends();
          for (const input of ['a single run', ...inputs]) assert.equal(sends.get(input), expected, `"${input}" was sent ${sends.get(input)} times`);
          for (const outcome of outcomes) {
            assert.ok(!outcome.ok);
            assert.equal(outcome.error.kind, single.kind);
            if (fault.name !== 'dropped connection') assert.equal(outcome.error.message, single.message);
          }
          if (platform.limiter) {
            const total = [...sends.values()].reduce((a, b) => a + b, 0);
            assert.equal(platform.limiter.granted, total + nyckelEmu.tokenRequests, 'every send took a slot of its own');
            assert.equal(platform.limiter.inFlight, 0);
            if (fault.name.startsWith('429')) assert.ok(platform.limiter.holds.every((ms) => ms === 1000));
          } else if (fault.name.endsWith('with Retry-After')) {
            assert.ok(waits.length > 0 && waits.every((ms) => ms === 1000), `waits: ${waits.join(', ')}`);
          }
        });
      }

      it('a few 429s: every row answered, none sent more than MAX_SENDS times', async () => {
        // Fewer than MAX_SENDS, so that even a row that gets them all is answered.
        platform.emulator.faults.set({ rateLimit: { count: MAX_SENDS - 1, retryAfter: 1, ...platform.match } });
        const inputs = ROWS.map((row) => `an answered run of ${row}`);
        const outcomes = await runRows(inputs, (input, _i, signal) => platform.run(input, signal), { concurrency: 4 });
        assert.ok(
          outcomes.every((o) => o.ok),
          outcomes.map((o) => (o.ok ? 'ok' : o.error.message)).join('; '),
        );
        const sends = platform.runSends();
        assert.ok([...sends.values()].some((n) => n > 1), 'some rows were sent again');
        for (const input of inputs) assert.ok(sends.get(input)! <= MAX_SENDS, `"${input}" was sent ${sends.get(input)} times`);
      });
    });
  }
});
