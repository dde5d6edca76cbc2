// Right-click a selection → Classify Selection: the label and confidence appear right after the
// selected text. The first time the function is picked (and remembered as the default); after
// that no picker is needed.
import * as assert from 'node:assert/strict';
import { INBOX_LINES } from './demoFiles';
import { screenshot, session, type Session } from './harness';
import { afterDecorations, ensureKey, rightClickLine, selectLine, waitUntil } from './steps';
import { exactly } from './workbench';

describe('Classify Selection', function () {
  let s: Session;

  before(async function () {
    this.timeout(240_000);
    s = await session();
    await ensureKey(s, 'nyckel');
    await s.workbench.clearNotifications();
    await s.workbench.openContainer();
    const functions = await s.workbench.expandView('Functions');
    await s.workbench.rows(functions, exactly('Lead intent')).waitFor({ state: 'visible' });
    await s.workbench.openFile('inbox.txt');
  });

  it('picks a function, shows "label · NN%" after the selection and offers to remember it', async function () {
    const wb = s.workbench;
    const invokes = () => s.emulators.nyckel.requestsTo('/v1/functions/function_leadintent/invoke');
    const before = invokes().length;
    await selectLine(wb, 1);
    await rightClickLine(wb, 1, exactly('Classify Selection'));
    // No default function yet: a picker asks which one.
    await wb.pick(/Lead intent/);
    const labels = await waitUntil('the decoration', async () => {
      const found = await afterDecorations(wb);
      return found.length > 0 ? found : undefined;
    });
    assert.match(labels[0], /^qualified · \d{1,3}%$/);
    const sent = invokes().slice(before);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].parsed, { data: INBOX_LINES[0] });

    const offer = await wb.notification('Always classify selections with Lead intent (Nyckel)?');
    await offer.locator('.monaco-button', { hasText: 'Remember' }).click();
    const functions = wb.view('Functions');
    await waitUntil('Lead intent marked as the default', async () => (await wb.rows(functions, exactly('Lead intent')).getAttribute('aria-label'))?.includes('default'));
  });

  it('classifies the next selections with the default function, without a picker', async function () {
    const wb = s.workbench;
    await wb.clearNotifications();
    for (const line of [2, 3]) {
      await selectLine(wb, line);
      await rightClickLine(wb, line, exactly('Classify Selection'));
      await waitUntil(`the decoration of line ${line}`, async () => (await afterDecorations(wb)).length === line);
      assert.equal(await wb.quickInput.isVisible(), false, 'no picker');
    }
    const labels = await afterDecorations(wb);
    assert.match(labels[1], /^not_qualified · \d{1,3}%$/);
    assert.match(labels[2], /^qualified · \d{1,3}%$/);
    // The hover holds the predictions.
    await wb.activeEditor.locator('.view-line').nth(2).hover();
    await s.page.mouse.move(10, 10);
    await screenshot(s.page, 'classify-1-selection-labels', 'classify');
  });
});
