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
  });

  it('classifies several selections at once and shows the predictions on hover', async function () {
    const wb = s.workbench;
    // Three cursors (lines 4–6), each selecting its line.
    await selectLine(wb, 4);
    await s.page.keyboard.press('Home');
    for (let i = 0; i < 2; i++) await wb.command('Add Cursor Below');
    await wb.focusEditorKeepingSelections();
    await s.page.keyboard.press('Shift+End');
    await waitUntil('three selections', async () => /\b3 selections\b/.test(await s.page.locator('.statusbar').innerText()));
    await rightClickLine(wb, 5, exactly('Classify Selection'));
    await waitUntil('six answers', async () => (await afterDecorations(wb)).length === 6);
    const labels = await afterDecorations(wb);
    assert.deepEqual(
      labels.slice(3).map((label) => label.replace(/ · \d+%$/, '')),
      ['not_qualified', 'qualified', 'not_qualified'],
    );

    // Hovering an answer shows every prediction and a way to the run panel.
    await s.page.keyboard.press('Escape');
    await s.page.keyboard.press('Control+End');
    const last = await wb.lineGeometry(6);
    const y = last.y + last.height / 2;
    // Just after the last character: the answer is an empty-range decoration at the line's end.
    await s.page.mouse.move(last.textRight - 20, y);
    await s.page.mouse.move(last.textRight + 4, y, { steps: 4 });
    const hover = s.page.locator('.monaco-hover:not(.hidden)', { hasText: '· Nyckel' });
    await hover.waitFor({ state: 'visible' });
    const text = await hover.innerText();
    assert.match(text, /Open in Run Panel/);
    assert.match(text, /qualified/);
    assert.match(text, /not_qualified/);
    // Let the fade-in finish before the picture.
    await hover.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
    await screenshot(s.page, 'classify-1-selection-labels', 'classify');
    await s.page.mouse.move(5, 5);
  });
});
