// A file run stopped halfway the way a window reload stops it (deactivate: nothing more is sent,
// rows in flight finish and are journaled), then resumed by a RowFiles that knows only what is on
// disk: the emulator's recording shows no row sent twice and none lost, and the results file
// holds each row once, in source order, with the answer columns appended.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RowsCommandResult } from '../../src/vscode/rows/rowCommands';
import { emulators, setAllKeys, testing } from './environment';
import { answerModals, waitFor } from './helpers';

const ROWS = 300;
const query = (i: number): string => `Lead ${i}: ${i % 3 === 0 ? 'budget approved; wants a demo' : 'just browsing, "maybe"'}`;
const csvField = (value: string): string => (/[";\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** A semicolon-separated file (as spreadsheets in many locales write), CRLF, a blank line every 100 rows. */
function leadsCsv(): string {
  const out = ['query;region'];
  for (let i = 0; i < ROWS; i++) {
    if (i > 0 && i % 100 === 0) out.push('');
    out.push(`${csvField(query(i))};${i % 2 ? 'EMEA' : 'NA'}`);
  }
  return out.join('\r\n') + '\r\n';
}

function sentQueries(requests: { parsed?: unknown; status?: number }[]): Map<string, number> {
  const sent = new Map<string, number>();
  for (const r of requests) {
    const q = (r.parsed as { input_data?: { query?: string } } | undefined)?.input_data?.query ?? '';
    sent.set(q, (sent.get(q) ?? 0) + 1);
  }
  return sent;
}

describe('Resume a file run after a reload (resumeRows)', function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => {
    await emulators();
    await setAllKeys();
    dir = mkdtempSync(join(tmpdir(), 'ai-functions-resume-'));
  });

  after(async () => {
    (await emulators()).sutro.faults.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stopped halfway by a simulated reload, resumes from disk: no row sent twice, none lost, each once in order in the results file', async () => {
    const emu = await emulators();
    const { rowFiles, reloadedRowFiles } = await testing();
    const source = join(dir, 'leads.csv');
    const text = leadsCsv();
    writeFileSync(source, text);
    emu.sutro.clearRequests();
    emu.sutro.faults.set({ latencyMs: 40 });

    const modals = answerModals((_message, buttons) => buttons.find((b) => b === 'Run'));
    const running = Promise.resolve(
      vscode.commands.executeCommand<RowsCommandResult | undefined>('aiFunctions.runOnEachLine', {
        platform: 'sutro',
        function: 'lead-qualifier',
        uri: vscode.Uri.file(source),
        mode: 'rows',
        concurrency: 8,
      }),
    );
    let first: RowsCommandResult | undefined;
    try {
      await waitFor('half the rows to be sent', () => emu.sutro.requestsTo('/functions/run', 'POST').length >= ROWS / 2, 60_000);
      // What deactivate does when the window reloads.
      await rowFiles.stopAll(3_000);
      first = await running;
    } finally {
      modals.restore();
    }
    assert.match(modals.asked[0] ?? '', /^Send 300 rows of leads\.csv to Sutro, to run lead-qualifier\?.*results go to .*leads\.results\.csv/s);
    assert.ok(first?.mode === 'rows');
    const results = vscode.Uri.parse(first.uri).fsPath;
    assert.equal(results, join(dir, 'leads.results.csv'));
    const sentBefore = emu.sutro.requestsTo('/functions/run', 'POST').length;
    assert.ok(sentBefore < ROWS, `stopped before the end (${sentBefore} sent)`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(emu.sutro.requestsTo('/functions/run', 'POST').length, sentBefore, 'nothing is sent after the stop');
    // Every finished row is in the file already.
    const stoppedText = readFileSync(results, 'utf8');
    for (const [q] of sentQueries(emu.sutro.requestsTo('/functions/run', 'POST'))) assert.ok(stoppedText.includes(csvField(q)), `${q} is in the file`);

    // The reload: a fresh RowFiles reads the manifest and the journal.
    const reloaded = reloadedRowFiles();
    const manifest = reloaded.interrupted().find((m) => m.results.path === results);
    assert.ok(manifest, 'the stopped run is listed');
    assert.equal(manifest.state, 'stopped');
    assert.equal(manifest.counts.total, ROWS);
    const resumed = await reloaded.resume(manifest);
    assert.equal(resumed.complete, true);
    assert.deepEqual(resumed.counts, { total: ROWS, done: ROWS, failed: 0, unreadable: 0 });
    assert.deepEqual(resumed.answerColumns, ['label', 'confidence', 'error']);

    const sent = sentQueries(emu.sutro.requestsTo('/functions/run', 'POST'));
    assert.deepEqual([...sent].filter(([, n]) => n > 1), [], 'no row sent twice');
    assert.equal(sent.size, ROWS, 'no row lost');

    const out = readFileSync(results, 'utf8').split('\r\n');
    const src = text.split('\r\n');
    assert.equal(out.length, src.length, 'line for line');
    out.forEach((line, k) => {
      if (k === 0) assert.equal(line, 'query;region;label;confidence;error');
      else if (src[k] === '') assert.equal(line, '');
      else assert.match(line, new RegExp(`^${src[k]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};(qualified|not_qualified);[0-9.]+;$`), `line ${k + 1}`);
    });
    assert.equal(reloaded.interrupted().length, 0, 'nothing left to resume');
  });

  it('a cancelled run is resumed with Resume Run and its results file; Re-run Failed Rows fills failures in, line for line', async () => {
    const emu = await emulators();
    const source = join(dir, 'more.csv');
    const text = leadsCsv();
    writeFileSync(source, text);
    emu.sutro.clearRequests();
    emu.sutro.faults.set({ latencyMs: 20, random: { seed: 3, rates: { '503': 0.05 }, match: '^/functions/run' } });
    const cancel = new vscode.CancellationTokenSource();
    const watcher = setInterval(() => {
      if (emu.sutro.requestsTo('/functions/run', 'POST').length >= 100) cancel.cancel();
    }, 5);
    const modals = answerModals((_message, buttons) => buttons.find((b) => b === 'Run' || b === 'Resume'));
    try {
      const first = await vscode.commands.executeCommand<RowsCommandResult>('aiFunctions.runOnEachLine', {
        platform: 'sutro',
        function: 'lead-qualifier',
        uri: vscode.Uri.file(source).toString(),
        mode: 'rows',
        concurrency: 4,
        token: cancel.token,
      });
      clearInterval(watcher);
      assert.ok(first?.mode === 'rows' && first.cancelled > 0);
      const resumed = await vscode.commands.executeCommand<RowsCommandResult>('aiFunctions.resumeRun', { results: first.uri });
      assert.ok(resumed?.mode === 'rows');
      assert.equal(resumed.succeeded + resumed.failed, ROWS);
      assert.equal(resumed.cancelled, 0);
      assert.ok(modals.asked.some((m) => /^Resume lead-qualifier on more\.csv/.test(m)), 'the scripted resume was confirmed');
      const sent = sentQueries(emu.sutro.requestsTo('/functions/run', 'POST').filter((r) => r.status === 200));
      assert.deepEqual([...sent].filter(([, n]) => n > 1), [], 'no answered row sent again');

      emu.sutro.faults.clear();
      emu.sutro.clearRequests();
      const rerun = await vscode.commands.executeCommand<RowsCommandResult>('aiFunctions.rerunFailedRows', { uri: first.uri });
      assert.ok(rerun?.mode === 'rows');
      assert.equal(rerun.succeeded, ROWS);
      assert.equal(emu.sutro.requestsTo('/functions/run', 'POST').length, resumed.failed, 'only the failed rows were sent');
      const out = readFileSync(vscode.Uri.parse(first.uri).fsPath, 'utf8').split('\r\n');
      assert.equal(out.length, text.split('\r\n').length, 'line for line');
      assert.ok(out.slice(1).every((l) => l === '' || /;(qualified|not_qualified);[0-9.]+;$/.test(l)), 'every row answered');
    } finally {
      clearInterval(watcher);
      cancel.dispose();
      modals.restore();
    }
  });

  it('runs the active editor’s saved CSV file from the confirmation to a results file beside it, opened when done', async () => {
    const source = join(dir, 'picked.csv');
    writeFileSync(source, 'query,region,label\n"budget approved, wants a demo",NA,qualified\njust browsing,EMEA,not_qualified\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(source)));
    const pending = Promise.resolve(vscode.commands.executeCommand<RowsCommandResult>('aiFunctions.runOnEachLine', { platform: 'sutro', function: 'lead-qualifier' }));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const result = await pending;
    assert.ok(result?.mode === 'rows');
    assert.equal(vscode.Uri.parse(result.uri).fsPath, join(dir, 'picked.results.csv'));
    assert.equal(result.succeeded, 2);
    // The expected labels are in `label`, so the answer goes in `ai_label`.
    const out = readFileSync(join(dir, 'picked.results.csv'), 'utf8').split('\n');
    assert.equal(out[0], 'query,region,label,ai_label,confidence,error');
    assert.match(out[1]!, /^"budget approved, wants a demo",NA,qualified,qualified,[0-9.]+,$/);
    assert.match(out[2]!, /^just browsing,EMEA,not_qualified,not_qualified,[0-9.]+,$/);
    assert.equal(out[3], '');
    await waitFor('the results file to open', () => vscode.window.activeTextEditor?.document.uri.fsPath === join(dir, 'picked.results.csv'));
    const { rowFiles } = await testing();
    assert.deepEqual(rowFiles.manifestFor(vscode.Uri.file(join(dir, 'picked.results.csv')))?.layout?.columns, ['ai_label', 'confidence', 'error']);
  });

  it('the public runRows streams: rows from an async iterable, each result to onResult as it finishes, [] kept', async () => {
    const extension = await setAllKeys();
    const emu = await emulators();
    emu.sutro.faults.clear();
    let pulled = 0;
    async function* rows() {
      for (let i = 0; i < 50; i++) {
        pulled++;
        yield { query: query(i), region: 'NA' };
      }
    }
    const seen: number[] = [];
    const kept = await extension.runRows({ platform: 'sutro', function: 'lead-qualifier' }, rows(), {
      concurrency: 4,
      keepResults: false,
      onResult: (r) => {
        assert.ok(r.result?.label, `row ${r.index} answered`);
        assert.ok(pulled - seen.length <= 5, 'rows are read only as there is room');
        seen.push(r.index);
      },
    });
    assert.deepEqual(kept, []);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    const all = await extension.runRows({ platform: 'sutro', function: 'lead-qualifier' }, [{ query: 'one', region: 'NA' }, { query: 'two', region: 'NA' }]);
    assert.deepEqual(all.map((r) => [r.index, r.result?.label]), [[0, 'not_qualified'], [1, 'not_qualified']]);
  });
});
