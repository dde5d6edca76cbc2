// The run panel on a JSON selection: right-click → Run AI Function on Selection…, pick the
// function, run, and read the label, the confidence bars and the predictions in the webview. An
// invalid JSON input shows where it is wrong and sends nothing; a platform that refuses the key
// or rate-limits shows a clear error in the panel.
import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { LEAD_JSON } from './demoFiles';
import { screenshot, session, type Session } from './harness';
import { assertNoStackTrace, chooseFunctionInPanel, ensureKey, rightClickLine, waitUntil } from './steps';
import { exactly } from './workbench';

describe('Run panel', function () {
  let s: Session;
  let frame: Frame;
  const runs = () => s.emulators.sutro.requestsTo('/functions/run');

  before(async function () {
    this.timeout(240_000);
    s = await session();
    await ensureKey(s, 'sutro');
    await s.workbench.clearNotifications();
    // A clean editor area (earlier tests leave editors open).
    await s.workbench.closeAllEditors();
  });

  afterEach(function () {
    s.emulators.sutro.faults.clear();
    s.emulators.sutro.configure({ keys: ['sk_test_emulator'] });
  });

  it('opens on a JSON selection, runs it and shows the label, confidence bars and predictions', async function () {
    this.timeout(90_000);
    const wb = s.workbench;
    await wb.openFile('lead.json');
    await wb.focusEditor();
    await s.page.keyboard.press('Control+A');
    await rightClickLine(wb, 2, exactly('Run AI Function on Selection…'));
    frame = await wb.webviewFrame();
    // The selection is the input, recognised as JSON.
    await frame.locator('#platform-picker').waitFor({ state: 'visible' });
    // Its icons draw with the codicon font that dist/webview.js registers (webview/codiconFont.ts).
    const codicons = await frame.evaluate(async () => {
      await document.fonts.ready;
      const icon = document.querySelector('#run .codicon');
      const font: string[] = [];
      document.fonts.forEach((face) => face.family === 'codicon' && font.push(face.status));
      return {
        font,
        iconFamily: icon ? getComputedStyle(icon, '::before').fontFamily : undefined,
      };
    });
    assert.deepEqual(codicons, { font: ['loaded'], iconFamily: 'codicon' });
    const prefilled = await waitUntil('the selection in the input', async () => (await frame.locator('#input').inputValue()).trim() || undefined);
    assert.deepEqual(JSON.parse(prefilled), LEAD_JSON);
    await waitUntil('JSON mode', () => frame.locator('#mode-json').isChecked());

    await chooseFunctionInPanel(frame, 'sutro', 'lead-qualifier');
    const before = runs().length;
    await frame.locator('#run').click();

    const card = frame.locator('.result-card');
    await card.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await card.locator('.result-label').innerText(), 'qualified');
    const confidence = Number(await card.locator('.confidence [role="meter"]').getAttribute('aria-valuenow'));
    assert.ok(confidence > 50 && confidence <= 100, `confidence ${confidence}`);
    assert.equal(await card.locator('.confidence-value').innerText(), `${confidence}%`);
    const predictions = await card.locator('.prediction-list .prediction').evaluateAll((items) =>
      items.map((item) => ({
        label: item.querySelector('.prediction-label')?.textContent,
        value: item.querySelector('.prediction-value')?.textContent,
        bar: item.querySelector('[role="meter"]')?.getAttribute('aria-valuenow'),
      })),
    );
    assert.deepEqual(predictions.map((p) => p.label), ['qualified', 'not_qualified']);
    assert.equal(predictions[0].value, `${predictions[0].bar}%`);
    assert.match(await card.locator('.result-rationale').innerText(), /indicates qualified/);

    const sent = runs().slice(before);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].parsed, { name: 'lead-qualifier', input_data: LEAD_JSON });
    assert.equal(sent[0].headers.authorization, 'Key sk_test_emulator');

    // The panel's own screenshot, with the room the sidebar would take.
    await wb.command('View: Toggle Primary Side Bar Visibility');
    await s.page.locator('.part.sidebar').waitFor({ state: 'hidden' });
    await screenshot(s.page, 'run-panel-1-result', 'run-panel');
    await wb.command('View: Toggle Primary Side Bar Visibility');
    await s.page.locator('.part.sidebar').waitFor({ state: 'visible' });
  });

  it('shows where a JSON input is invalid and sends nothing', async function () {
    const before = runs().length;
    const input = frame.locator('#input');
    await input.fill('{ "query": "Acme wants a demo",\n  "region": }');
    const error = frame.locator('#input-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /^Line 2, column \d+: /);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    await frame.locator('#run').click();
    await error.waitFor({ state: 'visible' });
    // Give a request that should not exist the time to arrive.
    await s.page.waitForTimeout(1000);
    assert.equal(runs().length, before, 'nothing was sent');
    await screenshot(s.page, 'run-panel-2-invalid-json');
  });

  it('shows a rejected key (401) and a rate limit (429) as clear errors in the panel', async function () {
    this.timeout(60_000);
    const input = frame.locator('#input');
    await input.fill(JSON.stringify(LEAD_JSON, null, 2));
    await frame.locator('#input-error').waitFor({ state: 'hidden' });

    s.emulators.sutro.configure({ keys: ['sk_rotated'] });
    await frame.locator('#run').click();
    const error = frame.locator('#result .error');
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    const unauthorized = await error.innerText();
    assert.match(unauthorized, /401/);
    assert.match(unauthorized, /Sutro/);
    assertNoStackTrace(await error.locator('.error-message').innerText());
    await error.locator('button', { hasText: 'Set API Key…' }).waitFor({ state: 'visible' });
    await screenshot(s.page, 'run-panel-3-unauthorized');

    s.emulators.sutro.configure({ keys: ['sk_test_emulator'] });
    s.emulators.sutro.faults.set({ rateLimit: { count: 10, retryAfter: 1, match: '^/functions/run$' } });
    await frame.locator('#run').click();
    await waitUntil('the rate limit error', async () => /429/.test(await frame.locator('#result .error').innerText().catch(() => '')), 30_000);
    const limited = await frame.locator('#result .error .error-message').innerText();
    assert.match(limited, /rate limit/i);
    assertNoStackTrace(limited);
    await screenshot(s.page, 'run-panel-4-rate-limited');
  });
});
