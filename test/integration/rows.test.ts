// Run Function on Each Line… and Re-run Failed Rows in the real extension host, against the
// emulators: order, completeness, faults, cancellation, and Sutro batch jobs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RecordedRequest } from '../emulator';
import type { RowsCommandResult } from '../../src/vscode/rows/rowCommands';
import { emulators, KEYS, setAllKeys, testing } from './environment';
import { answerModals, waitFor } from './helpers';

const ROWS = 200;
const REGIONS = ['EMEA', 'NA', 'APAC', 'LATAM'];
const PHRASES = [
  'budget approved, wants a demo',
  'just browsing',
  'asked for "pricing" for 40 seats',
  'please unsubscribe me',
  'evaluating a contract, next quarter',
];

/** The query of row `i` (0-based): unique, some with commas and quotes. */
const query = (i: number): string => `Lead ${i}: ${PHRASES[i % PHRASES.length]}`;
const expectedLabel = (i: number): string => (/budget|pricing|evaluating/.test(query(i)) ? 'qualified' : 'not_qualified');
const csvField = (value: string): string => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

interface Source {
  text: string;
  /** The document line number of row i. */
  lines: number[];
}

/** A CSV document: a header, then ROWS records, with an empty line every 50 rows. */
function leadsCsv(): Source {
  const out = ['query,region'];
  const lines: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    if (i > 0 && i % 50 === 0) out.push('');
    out.push(`${csvField(query(i))},${REGIONS[i % REGIONS.length]}`);
    lines.push(out.length);
  }
  return { text: out.join('\n') + '\n', lines };
}

/** A plain text document of ROWS lines, with two empty lines in it. */
function leadsText(): Source {
  const out: string[] = [];
  const lines: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    if (i === 10 || i === 120) out.push('');
    out.push(query(i));
    lines.push(out.length);
  }
  return { text: out.join('\r\n'), lines };
}

interface ResultLine {
  line: number;
  input?: unknown;
  output?: { label?: string; confidence?: number };
  error?: { kind: string; message: string };
}

async function resultLines(result: RowsCommandResult | undefined, expectText?: (text: string) => boolean): Promise<{ text: string; lines: ResultLine[] }> {
  assert.ok(result && result.mode === 'rows', 'a rows result');
  const uri = vscode.Uri.parse(result.uri);
  assert.equal(uri.scheme, 'ai-functions');
  assert.match(uri.path, /^\/rows\/.+\.jsonl$/);
  const text = await waitFor(
    'the results document',
    async () => {
      const t = (await vscode.workspace.openTextDocument(uri)).getText();
      return !expectText || expectText(t) ? t : undefined;
    },
    10_000,
  );
  return { text, lines: text.trimEnd().split('\n').map((l) => JSON.parse(l) as ResultLine) };
}

/** Modal confirmations asked by scripted runs (their arguments could come from a command link). */
const confirmations: string[] = [];

/** Runs the command with arguments, answering its modal confirmation "Run" as a person would. */
async function runOnEachLine(args: Record<string, unknown>): Promise<RowsCommandResult | undefined> {
  const modals = answerModals((_message, buttons) => buttons.find((b) => b === 'Run'));
  try {
    return await vscode.commands.executeCommand<RowsCommandResult | undefined>('aiFunctions.runOnEachLine', args);
  } finally {
    modals.restore();
    confirmations.push(...modals.asked);
  }
}

function assertInOrder(lines: ResultLine[], source: Source, inputOf: (i: number) => unknown): void {
  assert.equal(lines.length, ROWS, 'one line per input line');
  lines.forEach((l, i) => {
    assert.equal(l.line, source.lines[i], `row ${i} keeps its line number`);
    assert.deepEqual(l.input, inputOf(i), `row ${i} keeps its input`);
    assert.ok((l.output === undefined) !== (l.error === undefined), `row ${i} has an output or an error`);
  });
}

const csvInput = (i: number) => ({ query: query(i), region: REGIONS[i % REGIONS.length] });

/** Sutro run requests by the row's query, in the order they arrived. */
function sutroRunsByQuery(requests: RecordedRequest[]): Map<string, RecordedRequest[]> {
  const byQuery = new Map<string, RecordedRequest[]>();
  for (const r of requests) {
    const q = (r.parsed as { input_data?: { query?: string } } | undefined)?.input_data?.query ?? '';
    byQuery.set(q, [...(byQuery.get(q) ?? []), r]);
  }
  return byQuery;
}

describe('Run Function on Each Line (rows)', function () {
  this.timeout(180_000);

  before(async () => {
    await emulators();
    await setAllKeys();
  });

  afterEach(async () => {
    const emu = await emulators();
    emu.sutro.faults.clear();
    emu.nyckel.faults.clear();
  });

  it('runs Sutro lead-qualifier on 200 CSV rows of the active editor: one line per input line, in order, with labels', async () => {
    const emu = await emulators();
    const source = leadsCsv();
    const document = await vscode.workspace.openTextDocument({ content: source.text, language: 'csv' });
    await vscode.window.showTextDocument(document);
    emu.sutro.clearRequests();
    const result = await runOnEachLine({ platform: 'sutro', function: 'lead-qualifier', mode: 'rows' });
    assert.deepEqual(result && { ...result, uri: undefined }, { mode: 'rows', uri: undefined, total: ROWS, succeeded: ROWS, failed: 0, cancelled: 0, unreadable: 0 });
    const { lines } = await resultLines(result);
    assertInOrder(lines, source, csvInput);
    lines.forEach((l, i) => assert.equal(l.output?.label, expectedLabel(i), `row ${i}`));
    assert.equal(emu.sutro.requestsTo('/functions/run', 'POST').length, ROWS, 'each row sent once');
    assert.match(vscode.window.activeTextEditor?.document.uri.path ?? '', /\.jsonl$/, 'the results are shown');
    assert.match(confirmations.at(-1) ?? '', /^Send 200 rows of .+ to Sutro, to run lead-qualifier\?/, 'the run was confirmed first');
  });

  it('sends nothing when the confirmation of a scripted run is declined', async () => {
    const emu = await emulators();
    emu.sutro.clearRequests();
    const declined = answerModals(() => undefined);
    try {
      const result = await vscode.commands.executeCommand('aiFunctions.runOnEachLine', { platform: 'sutro', function: 'lead-qualifier', text: 'one\ntwo\n', mode: 'rows' });
      assert.equal(result, undefined);
    } finally {
      declined.restore();
    }
    assert.match(declined.asked[0] ?? '', /Send 2 rows of text to Sutro/);
    assert.equal(emu.sutro.requestsTo('/functions/run', 'POST').length, 0);
  });

  it('runs Nyckel function_leadintent on 200 text lines, within Nyckel’s limits', async () => {
    const emu = await emulators();
    const source = leadsText();
    emu.nyckel.clearRequests();
    emu.nyckel.resetStats();
    const result = await runOnEachLine({ platform: 'nyckel', function: 'function_leadintent', text: source.text, mode: 'rows', concurrency: 64 });
    assert.ok(result?.mode === 'rows');
    assert.equal(result.succeeded, ROWS);
    const { lines } = await resultLines(result);
    assertInOrder(lines, source, query);
    lines.forEach((l, i) => assert.equal(l.output?.label, expectedLabel(i), `row ${i}`));
    // Every row answered once; a request Nyckel refused with 429 (it counts arrivals, which a
    // loaded machine can bunch) was not processed and may be sent again.
    const invokes = emu.nyckel.requestsTo('/v1/functions/function_leadintent/invoke', 'POST');
    assert.equal(invokes.filter((r) => r.status === 200).length, ROWS);
    assert.deepEqual(invokes.filter((r) => r.status !== 200 && r.status !== 429), []);
    assert.ok(emu.nyckel.stats().accepted.maxInFlight <= 25, 'never more than 25 in flight');
  });

  it('with faults (5% 503, 2% drops, a burst of 429s) accounts for every row, keeps order, sends no row twice unless a 429 said so; re-running fills the failures in', async () => {
    const emu = await emulators();
    const source = leadsCsv();
    emu.sutro.clearRequests();
    emu.sutro.faults.set({
      random: { seed: 5, rates: { '503': 0.05, drop: 0.02 }, match: '^/functions/run' },
      rateLimit: { count: 30, retryAfter: 1, match: '^/functions/run' },
    });
    const result = await runOnEachLine({ platform: 'sutro', function: 'lead-qualifier', text: source.text, format: 'csv', mode: 'rows' });
    assert.ok(result?.mode === 'rows');
    assert.equal(result.total, ROWS);
    assert.equal(result.succeeded + result.failed, ROWS, 'every row accounted for');
    assert.ok(result.failed > 0, 'the injected faults failed some rows');
    const { text, lines } = await resultLines(result);
    assertInOrder(lines, source, csvInput);
    assert.ok(!text.includes(KEYS.sutro.apiKey), 'no key in the results');

    const byQuery = sutroRunsByQuery(emu.sutro.requestsTo('/functions/run', 'POST'));
    assert.equal(byQuery.size, ROWS, 'every row was sent');
    assert.ok(emu.sutro.requestsTo('/functions/run', 'POST').some((r) => r.status === 429), 'the 429 burst happened');
    lines.forEach((l, i) => {
      const sent = byQuery.get(query(i))!;
      const last = sent[sent.length - 1]!;
      for (const earlier of sent.slice(0, -1)) assert.equal(earlier.status, 429, `row ${i} was sent again only after a 429`);
      if (l.output) assert.equal(last.status, 200, `row ${i}`);
      else {
        assert.ok(['server', 'network', 'rateLimited'].includes(l.error!.kind), `row ${i}: ${l.error!.kind}`);
        assert.ok(l.error!.message.length > 0 && Object.keys(l.error!).sort().join() === 'kind,message');
      }
    });

    emu.sutro.faults.clear();
    emu.sutro.clearRequests();
    const failedQueries = lines.flatMap((l, i) => (l.error ? [query(i)] : []));
    const rerun = await vscode.commands.executeCommand<RowsCommandResult>('aiFunctions.rerunFailedRows', { uri: result.uri });
    assert.ok(rerun?.mode === 'rows');
    assert.equal(rerun.uri, result.uri, 'the same document');
    assert.equal(rerun.succeeded, ROWS);
    const after = await resultLines(rerun, (t) => !t.includes('"error"'));
    assertInOrder(after.lines, source, csvInput);
    after.lines.forEach((l, i) => {
      if (!lines[i]!.error) assert.deepEqual(l, lines[i], `row ${i} is unchanged`);
    });
    assert.deepEqual(
      [...sutroRunsByQuery(emu.sutro.requestsTo('/functions/run', 'POST')).keys()].sort(),
      failedQueries.sort(),
      'only the failed rows were sent again, once each',
    );
  });

  it('retries Nyckel rows through drops and 503s (its invoke is idempotent): every row answered, in order', async () => {
    const emu = await emulators();
    const source = leadsText();
    emu.nyckel.faults.set({
      random: { seed: 11, rates: { '503': 0.05, drop: 0.02 }, match: '/invoke$' },
      rateLimit: { count: 10, retryAfter: 1, match: '/invoke$' },
    });
    const result = await runOnEachLine({ platform: 'nyckel', function: 'function_leadintent', text: source.text, mode: 'rows' });
    assert.ok(result?.mode === 'rows');
    assert.equal(result.succeeded, ROWS);
    const { lines } = await resultLines(result);
    assertInOrder(lines, source, query);
  });

  it('cancelled midway, leaves a complete record: done + cancelled = total; re-running fills it in', async () => {
    const emu = await emulators();
    const source = leadsCsv();
    emu.sutro.clearRequests();
    emu.sutro.faults.set({ latencyMs: 50 });
    const cancel = new vscode.CancellationTokenSource();
    const watcher = setInterval(() => {
      if (emu.sutro.requestsTo('/functions/run', 'POST').length >= 60) cancel.cancel();
    }, 5);
    let result: RowsCommandResult | undefined;
    try {
      result = await runOnEachLine({ platform: 'sutro', function: 'lead-qualifier', text: source.text, mode: 'rows', concurrency: 8, token: cancel.token });
    } finally {
      clearInterval(watcher);
      cancel.dispose();
    }
    assert.ok(result?.mode === 'rows');
    assert.ok(result.succeeded >= 20 && result.succeeded < ROWS, `succeeded ${result.succeeded}`);
    assert.equal(result.succeeded + result.failed + result.cancelled, ROWS);
    assert.ok(result.cancelled > 0);
    const { lines } = await resultLines(result);
    assertInOrder(lines, source, csvInput);
    const byQuery = sutroRunsByQuery(emu.sutro.requestsTo('/functions/run', 'POST'));
    lines.forEach((l, i) => {
      const sent = byQuery.get(query(i)) ?? [];
      assert.ok(sent.length <= 1, `row ${i} sent at most once`);
      if (l.output) assert.equal(sent.length, 1);
      if (l.error?.message === 'not run: cancelled') assert.equal(sent.length, 0, `row ${i} was not sent`);
      if (l.error) assert.equal(l.error.kind, 'cancelled');
    });

    emu.sutro.faults.clear();
    const rerun = await vscode.commands.executeCommand<RowsCommandResult>('aiFunctions.rerunFailedRows', { uri: result.uri });
    assert.ok(rerun?.mode === 'rows');
    assert.equal(rerun.succeeded, ROWS);
    const after = await resultLines(rerun, (t) => !t.includes('"error"'));
    assertInOrder(after.lines, source, csvInput);
    after.lines.forEach((l, i) => assert.equal(l.output?.label, expectedLabel(i), `row ${i}`));
  });

  it('asks for confirmation when no mode is given, and runs the rows when it is accepted', async () => {
    const text = ['query,region', `${csvField(query(0))},EMEA`, `${csvField(query(1))},NA`].join('\n');
    const pending = runOnEachLine({ platform: 'sutro', function: 'lead-qualifier', text });
    await new Promise((resolve) => setTimeout(resolve, 800));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const result = await pending;
    assert.ok(result?.mode === 'rows', 'the first choice runs the rows');
    assert.equal(result.succeeded, 2);
    const { lines } = await resultLines(result);
    assert.deepEqual(lines.map((l) => l.input), [csvInput(0), { query: query(1), region: 'NA' }]);
  });

  it('keeps an unreadable JSON line as an error row and does not re-run it', async () => {
    const text = [JSON.stringify(csvInput(0)), '{"query": "broken', '', JSON.stringify(csvInput(1))].join('\n');
    const result = await runOnEachLine({ platform: 'sutro', function: 'lead-qualifier', text, mode: 'rows' });
    assert.ok(result?.mode === 'rows');
    assert.deepEqual({ ...result, uri: '' }, { mode: 'rows', uri: '', total: 3, succeeded: 2, failed: 0, cancelled: 0, unreadable: 1 });
    const { lines } = await resultLines(result);
    assert.deepEqual(lines.map((l) => l.line), [1, 2, 4]);
    assert.equal(lines[1]!.error?.kind, 'invalidInput');
    const rerun = await vscode.commands.executeCommand<RowsCommandResult>('aiFunctions.rerunFailedRows', { uri: result.uri });
    assert.ok(rerun?.mode === 'rows' && rerun.unreadable === 1 && rerun.succeeded === 2);
  });

  it('submits the rows as a Sutro batch job: it appears in the Jobs view, is watched, and its results open as JSON Lines', async () => {
    const emu = await emulators();
    const { jobsStore, jobsTree, poller } = await testing();
    const stepMs = emu.sutro.jobStepMs;
    emu.sutro.configure({ jobStepMs: 300 });
    try {
      const source = leadsCsv();
      emu.sutro.clearRequests();
      const result = await runOnEachLine({ platform: 'sutro', function: 'lead-qualifier', text: source.text, mode: 'batch', jobName: 'rows test' });
      assert.ok(result?.mode === 'batch');
      assert.equal(result.rows, ROWS);
      const submitted = emu.sutro.requestsTo('/batch-inference', 'POST');
      assert.equal(submitted.length, 1);
      assert.deepEqual((submitted[0]!.parsed as { inputs: unknown[] }).inputs, Array.from({ length: ROWS }, (_, i) => csvInput(i)));
      assert.equal(emu.sutro.requestsTo('/functions/run').length, 0, 'no row was run one by one');
      const listed = jobsStore.find('sutro', result.jobId);
      assert.ok(listed, 'the job is in the Jobs view');
      assert.equal(listed.name, 'rows test');
      assert.equal(jobsStore.get('sutro').jobs[0]?.id, result.jobId, 'at the top');
      assert.ok(poller.isTracking('sutro', result.jobId) || listed.status === 'succeeded', 'watched until it finishes');

      const extension = await setAllKeys();
      await waitFor('the job to succeed', async () => (await extension.getJob('sutro', result.jobId)).status === 'succeeded', 20_000);
      await vscode.commands.executeCommand('aiFunctions.openJobResults', jobsTree.jobNode('sutro', result.jobId));
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor);
      assert.match(editor.document.uri.path, /results\.jsonl$/);
      const rows = editor.document.getText().trimEnd().split('\n').map((l) => JSON.parse(l) as { input?: unknown; output?: unknown });
      assert.equal(rows.length, ROWS);
      rows.forEach((row, i) => assert.deepEqual(row.input, csvInput(i), `row ${i} in order`));
    } finally {
      emu.sutro.configure({ jobStepMs: stepMs });
    }
  });

  it("asks Sutro for a cost estimate before a batch job (its SDK's cost_estimate job) and submits only once it is accepted", async () => {
    const emu = await emulators();
    const stepMs = emu.sutro.jobStepMs;
    emu.sutro.configure({ jobStepMs: 300 });
    const submit = async (answer: 'Submit' | undefined) => {
      const modals = answerModals((_message, buttons) => buttons.find((b) => b === 'Run') ?? (answer && buttons.find((b) => b === answer)));
      try {
        const result = await vscode.commands.executeCommand<RowsCommandResult | undefined>('aiFunctions.runOnEachLine', {
          platform: 'sutro',
          function: 'lead-qualifier',
          text: leadsCsv().text,
          mode: 'batch',
          estimate: true,
          jobName: 'estimated',
        });
        return { result, asked: modals.asked };
      } finally {
        modals.restore();
      }
    };
    try {
      emu.sutro.clearRequests();
      const declined = await submit(undefined);
      assert.equal(declined.result, undefined, 'declined: nothing submitted');
      const estimateOnly = emu.sutro.requestsTo('/batch-inference', 'POST');
      assert.equal(estimateOnly.length, 1, 'only the estimate job');
      assert.equal((estimateOnly[0]!.parsed as { cost_estimate?: unknown }).cost_estimate, true);
      // The emulator's estimate: $0.0004 a row.
      assert.match(declined.asked[1] ?? '', new RegExp(`^Submit ${ROWS} rows as a Sutro batch job to run lead-qualifier\\?.*Sutro estimates \\$${(ROWS * 0.0004).toFixed(2)}\\.`, 's'));

      emu.sutro.clearRequests();
      const accepted = await submit('Submit');
      assert.ok(accepted.result?.mode === 'batch', 'accepted: submitted');
      const sent = emu.sutro.requestsTo('/batch-inference', 'POST').map((r) => (r.parsed as { cost_estimate?: unknown }).cost_estimate);
      assert.deepEqual(sent, [true, undefined], 'the estimate job, then the batch job itself');
    } finally {
      emu.sutro.configure({ jobStepMs: stepMs });
    }
  });
});
