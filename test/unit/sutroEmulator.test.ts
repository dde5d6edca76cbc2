// The Sutro emulator's two generations on the wire (fetch, no extension code in the way).
import assert from 'node:assert/strict';
import { RETIRED_MESSAGE, startSutro, SUTRO_DEFAULT_KEY, type SutroEmulator } from '../emulator/sutro';
import { call } from './support';

const SK = { authorization: `Key ${SUTRO_DEFAULT_KEY}` };

describe('Sutro emulator generations', () => {
  let emu: SutroEmulator;

  before(async () => {
    emu = await startSutro({ jobStepMs: 600_000 });
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  it("is the seed's shared generation by default, and a knob makes it one deployment", async () => {
    assert.equal(emu.config().generation, 'shared');
    assert.equal((await call(emu.url, '/list-jobs?limit=1', { headers: SK })).status, 200);
    assert.equal((await call(emu.url, '/job-cancel/job-00025', { headers: SK, method: 'POST' })).status, 200, 'the shared API took POST');

    emu.configure({ generation: 'deployment' });
    const retired = await call(emu.url, '/list-jobs?limit=1', { headers: SK });
    assert.equal(retired.status, 410);
    assert.equal(retired.json.detail, RETIRED_MESSAGE);
    assert.equal(retired.json.code, 'retired');
    assert.match(retired.json.request_id, /^rt_/);
    const jobs = await call(emu.url, '/v1/list-jobs?limit=2', { headers: SK });
    assert.deepEqual(
      jobs.json.jobs.map((j: { status: string }) => j.status),
      ['RUNNING', 'STARTING'],
    );
    assert.throws(() => emu.configure({ generation: 'v2' }), /generation must be 'shared' or 'deployment'/);
  });

  it('a deployment answers {detail, code, request_id}, knows only its own keys, and cancels with GET only', async () => {
    emu.configure({ generation: 'deployment' });
    const wrongKey = await call(emu.url, '/v1/list-jobs', { headers: { authorization: 'Key sk_of_another_deployment' } });
    assert.equal(wrongKey.status, 401);
    assert.deepEqual(Object.keys(wrongKey.json).sort(), ['code', 'detail', 'request_id']);
    assert.equal(wrongKey.json.code, 'invalid_api_key');
    const missing = await call(emu.url, '/v1/jobs/job-99999', { headers: SK });
    assert.deepEqual([missing.status, missing.json.code, missing.json.detail], [404, 'not_found', 'Job not found']);
    assert.equal((await call(emu.url, '/v1/job-cancel/job-00025', { headers: SK, method: 'POST' })).status, 405);
    const cancel = await call(emu.url, '/v1/job-cancel/job-00025', { headers: SK });
    assert.deepEqual(cancel.json, { cancelled: true, message: 'Job job-00025 is being cancelled' });
    assert.equal((await call(emu.url, '/v1/jobs/job-00025', { headers: SK })).json.job.status, 'CANCELLING');
  });

  it('job-results lags N polls after SUCCEEDED, per job', async () => {
    emu.configure({ resultsLagPolls: 2 });
    const ask = () => call(emu.url, '/v1/job-results', { headers: SK, json: { job_id: 'job-00012' } });
    for (let i = 0; i < 2; i++) {
      const r = await ask();
      assert.equal(r.status, 409);
      assert.match(r.json.detail, /not ready yet/);
    }
    assert.equal((await ask()).status, 200);
    assert.equal((await ask()).status, 200);
  });

  it('results-url hands out presigned links to a real Parquet file: HEAD, Range, ETag, no Authorization', async () => {
    const reply = await call(emu.url, '/v1/jobs/job-00012/results-url?format=parquet&include_inputs=true&expires_in_seconds=600', { headers: SK });
    assert.equal(reply.status, 200);
    const { artifact, urls } = reply.json as { artifact: { size_bytes: number; filename: string }; urls: { get: string; head: string } };
    assert.equal(artifact.filename, 'job-00012-results.parquet');
    assert.match(urls.get, /\/presigned\/.*X-Amz-Signature=/);

    const file = await fetch(urls.get);
    const bytes = Buffer.from(await file.arrayBuffer());
    assert.equal(file.status, 200);
    assert.equal(bytes.length, artifact.size_bytes);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PAR1');
    assert.equal(bytes.subarray(-4).toString('latin1'), 'PAR1');
    const etag = file.headers.get('etag');
    assert.ok(etag);

    const head = await fetch(urls.head, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(artifact.size_bytes));
    const tail = await fetch(urls.get, { headers: { range: 'bytes=4-' } });
    assert.equal(tail.status, 206);
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(4));

    assert.equal((await fetch(urls.get, { headers: SK })).status, 400, 'a presigned link refuses a second auth mechanism');
    assert.equal((await fetch(urls.get.replace(/X-Amz-Signature=[^&]+/, 'X-Amz-Signature=00'))).status, 403);
    const running = await call(emu.url, '/v1/jobs/job-00025/results-url', { headers: SK });
    assert.equal(running.status, 409);
  });
});
