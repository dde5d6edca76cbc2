// Run Function on Each Line… over a saved 200-line document: pick the function, confirm the rows,
// watch the progress, and read the results file written beside it (one JSON line per input line,
// the line's text with the answer fields added), opened when the run is done.
import * as assert from 'node:assert/strict';
import { rowLines } from './demoFiles';
import { screenshot, session, type Session } from './harness';
import { ensureKey, waitUntil } from './steps';

describe('Run Function on Each Line', function () {
  let s: Session;

  before(async function () {
    this.timeout(240_000);
    s = await session();
    await ensureKey(s, 'nyckel');
    await s.workbench.clearNotifications();
    s.emulators.nyckel.faults.clear();
    // A clean editor area (earlier tests leave editors open).
    await s.workbench.closeAllEditors();
  });

  it('runs a function on the 200 lines of a document and opens the results', async function () {
    this.timeout(120_000);
    const wb = s.workbench;
    const invoke = /\/v1\/functions\/function_leadintent\/invoke$/;
    const before = s.emulators.nyckel.requestsTo(invoke).length;
    s.emulators.nyckel.resetStats();
    await wb.openFile('leads-200.txt');
    await wb.command('AI Functions: Run Function on Each Line…');
    await wb.pick(/Lead intent/, 'Lead intent');
    // The confirmation: the rows found and how to run them.
    await wb.quickInput.locator('.quick-input-title', { hasText: 'Run Lead intent on each row of leads-200.txt' }).waitFor({ state: 'visible' });
    await wb.pick(/Run 200 rows now/);

    const results = wb.tab('leads-200.results.jsonl');
    await results.waitFor({ state: 'visible', timeout: 90_000 });
    const summary = await wb.notification(/Ran Lead intent on 200 rows of leads-200\.txt: 200 succeeded\. Results: leads-200\.results\.jsonl\./, 30_000);
    assert.ok(summary);

    // One JSON line per input line, in order: the line's text with its label, confidence and error.
    const text = await waitUntil('the first results', async () => {
      const shown = await wb.editorText();
      return shown.startsWith('{"text":') ? shown : undefined;
    });
    const first = JSON.parse(text.split('\n')[0]!);
    assert.equal(first.text, rowLines()[0]);
    assert.match(first.label, /^(qualified|not_qualified)$/);
    assert.equal(first.error, '');

    const sent = s.emulators.nyckel.requestsTo(invoke).slice(before).filter((r) => r.status === 200);
    assert.equal(new Set(sent.map((r) => (r.parsed as { data: string }).data)).size, 200, 'every line was sent once and answered');
    const stats = s.emulators.nyckel.stats();
    assert.ok(stats.accepted.maxInFlight <= 8, `never more than 8 rows at once (${stats.accepted.maxInFlight})`);
    await screenshot(s.page, 'rows-1-200-lines-results', 'rows');
    await wb.clearNotifications();
  });
});
