// A platform that refuses (401: the client secret was rotated) or limits (429) the requests: the
// user reads one clear sentence, never a stack trace, and the key never shows up in the log.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { extensionLogs, screenshot, session, type Session } from './harness';
import { afterDecorations, assertNoStackTrace, ensureKey, rightClickLine, selectLine, waitUntil } from './steps';
import { exactly } from './workbench';

describe('Platform errors', function () {
  let s: Session;

  before(async function () {
    this.timeout(240_000);
    s = await session();
    await ensureKey(s, 'nyckel');
    await s.workbench.clearNotifications();
    await s.workbench.openFile('leads.txt');
  });

  afterEach(function () {
    s.emulators.nyckel.faults.clear();
    s.emulators.nyckel.configure({ clientSecret: 'nyckel_test_secret' });
  });

  async function classifyLine(line: number): Promise<void> {
    await selectLine(s.workbench, line);
    await rightClickLine(s.workbench, line, exactly('Classify Selection'));
    // The first file classified here may not have a default function yet.
    if (await s.workbench.quickInput.isVisible()) await s.workbench.pick(/Lead intent/);
  }

  it('401: says that Nyckel rejected the credentials and how to fix it', async function () {
    const wb = s.workbench;
    // The secret was rotated on the platform: the cached token is revoked, a new one is refused.
    s.emulators.nyckel.configure({ clientSecret: 'rotated_secret', revokeTokens: true });
    await classifyLine(1);
    const toast = await wb.notification(/Nyckel rejected the client credentials/);
    const message = await toast.locator('.notification-list-item-message').innerText();
    assert.match(message, /\(401\)/);
    assert.match(message, /Set API Key/);
    assertNoStackTrace(message);
    await waitUntil('the failure beside the text', async () => (await afterDecorations(wb)).some((d) => /failed/.test(d)));
    await screenshot(s.page, 'errors-1-unauthorized');
    await wb.clearNotifications();
  });

  it('429: says that Nyckel is rate limiting, after retrying as asked', async function () {
    this.timeout(60_000);
    const wb = s.workbench;
    const invoke = /\/v1\/functions\/function_leadintent\/invoke$/;
    const before = s.emulators.nyckel.requestsTo(invoke).length;
    s.emulators.nyckel.faults.set({ rateLimit: { count: 10, retryAfter: 1, match: 'invoke' } });
    await classifyLine(2);
    const toast = await wb.notification(/Nyckel is rate limiting requests \(429\)/, 30_000);
    const message = await toast.locator('.notification-list-item-message').innerText();
    assertNoStackTrace(message);
    const attempts = s.emulators.nyckel.requestsTo(invoke).slice(before);
    assert.ok(attempts.length >= 2, `retried after Retry-After (${attempts.length} attempts)`);
    assert.ok(attempts.every((r) => r.status === 429));
    await screenshot(s.page, 'errors-2-rate-limited');
    await wb.clearNotifications();
  });

  it('keeps the credentials out of the log', function () {
    const logs = extensionLogs(s.runDir);
    assert.ok(logs.length > 0, 'the extension wrote its log');
    const text = logs.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    assert.match(text, /rate limit|429/i, 'the log tells what happened');
    for (const secret of ['nyckel_test_secret', 'rotated_secret', 'sk_test_emulator', 'sk_inf_emulator']) {
      assert.ok(!text.includes(secret), `the log does not contain ${secret}`);
    }
  });
});
