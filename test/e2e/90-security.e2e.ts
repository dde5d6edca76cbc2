// What a platform sends is shown as text, never as markup: a Sutro function whose label is an
// HTML snippet (`<img src=x onerror=alert(1)>`) shows that literal text in the run panel, and no
// element is created from it, no script runs. Checked in the real webview, in the browser.
import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { SUTRO_FUNCTIONS as EMULATOR_FUNCTIONS } from '../emulator/sutro';
import { screenshot, session, type Session } from './harness';
import { chooseFunctionInPanel, ensureKey, waitUntil } from './steps';

const MARKUP = '<img src=x onerror=alert(1)>';

describe('Run panel: platform replies render as text', function () {
  let s: Session;
  const dialogs: string[] = [];

  before(async function () {
    this.timeout(240_000);
    s = await session();
    await ensureKey(s, 'sutro');
    await s.workbench.clearNotifications();
    s.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // The emulator's sentiment function now answers every text with the markup as its label.
    s.emulators.sutro.configure({
      functions: EMULATOR_FUNCTIONS.map((fn) => (fn.name === 'sentiment' ? { ...fn, labels: [{ name: MARKUP, keywords: [] }], fallback: MARKUP } : fn)),
    });
  });

  after(() => {
    s?.emulators.sutro.configure({ functions: EMULATOR_FUNCTIONS });
  });

  it('shows a label that is HTML as its literal text, with no <img> element and no script run', async function () {
    this.timeout(90_000);
    const wb = s.workbench;
    await wb.command('AI Functions: Open Run Panel');
    const frame: Frame = await wb.webviewFrame();
    await frame.locator('#platform-picker').waitFor({ state: 'visible' });
    await chooseFunctionInPanel(frame, 'sutro', 'sentiment');
    await frame.locator('label[for="mode-text"]').click();
    await frame.locator('#input').fill('What time does the webinar start?');
    await frame.locator('#run').click();

    const result = frame.locator('#result');
    await waitUntil('the result with the label', async () => ((await result.innerText()).includes(MARKUP) ? true : undefined), 30_000);
    // The text is there as text; nothing was parsed out of it.
    const found = await frame.evaluate((markup) => {
      const text = document.body.innerText;
      return {
        literal: text.includes(markup),
        images: document.querySelectorAll('img').length,
        withHandlers: Array.from(document.querySelectorAll('*')).filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
        labelNodes: Array.from(document.querySelectorAll('#result *')).filter((e) => e.childElementCount === 0 && e.textContent === markup).length,
      };
    }, MARKUP);
    await screenshot(s.page, 'security-markup-label-as-text');
    assert.ok(found.literal, 'the label shows as its literal text');
    assert.ok(found.labelNodes >= 1, 'the label is the text of an element of the result card');
    assert.equal(found.images, 0, 'no <img> element exists in the webview');
    assert.equal(found.withHandlers, 0, 'no element carries an inline event handler');
    assert.deepEqual(dialogs, [], 'no script ran (alert)');
  });
});
