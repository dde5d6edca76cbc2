// A first-time user: the sidebar asks for a key; the key is typed into a password box from the
// command palette; the welcome view turns into the platforms' tree.
import * as assert from 'node:assert/strict';
import { screenshot, session, type Session } from './harness';
import { setKeyFromPalette, waitUntil } from './steps';
import { exactly } from './workbench';

describe('Keys from the command palette', function () {
  let s: Session;

  before(async function () {
    this.timeout(240_000);
    s = await session();
  });

  it('shows the welcome view with a button per platform before any key is set', async function () {
    const wb = s.workbench;
    await wb.openContainer();
    const functions = wb.view('Functions');
    for (const button of ['Set Sutro API Key', 'Set Nyckel Credentials', 'Set Inferable API Key']) {
      await functions.locator('.welcome-view-content .monaco-button', { hasText: exactly(button) }).waitFor({ state: 'visible' });
    }
    const jobs = await wb.expandView('Jobs');
    await jobs.locator('.welcome-view-content .monaco-button', { hasText: exactly('Set Sutro API Key') }).waitFor({ state: 'visible' });
    assert.equal(await wb.rows(functions).count(), 0, 'no tree rows without a key');
    await screenshot(s.page, 'keys-1-welcome');
  });

  it('sets the Sutro key in a password box and the welcome view turns into the tree', async function () {
    this.timeout(90_000);
    const wb = s.workbench;
    await setKeyFromPalette(s, 'sutro');

    const functions = wb.view('Functions');
    await functions.locator('.welcome-view-content').waitFor({ state: 'hidden' });
    const sutro = wb.rows(functions, exactly('Sutro'));
    await sutro.waitFor({ state: 'visible' });
    await waitUntil('the Sutro functions', async () => (await sutro.getAttribute('aria-label'))?.includes('3 functions'));
    for (const name of ['lead-qualifier', 'lead-extractor', 'sentiment']) await wb.rows(functions, exactly(name)).waitFor({ state: 'visible' });
    // The other platforms ask for their keys inside the tree.
    assert.equal(await functions.locator('.monaco-list-row', { hasText: 'Set API key…' }).count(), 2);

    const jobs = wb.view('Jobs');
    await jobs.locator('.welcome-view-content').waitFor({ state: 'hidden' });
    await wb.rows(jobs, exactly('Sutro')).waitFor({ state: 'visible' });
    await wb.rows(jobs, /^Lead qualification #\d+$/).first().waitFor({ state: 'visible' });

    // The key went to the platform, as Sutro expects it.
    const listJobs = s.emulators.sutro.requestsTo(/list-jobs$/);
    assert.ok(listJobs.length > 0, 'the Jobs view listed the jobs');
    assert.equal(listJobs.at(-1)!.headers.authorization, 'Key sk_test_emulator');
    await screenshot(s.page, 'keys-2-sutro-tree');
  });

  it('sets the Nyckel client credentials and the Inferable key the same way', async function () {
    this.timeout(90_000);
    const wb = s.workbench;
    await setKeyFromPalette(s, 'nyckel');
    await setKeyFromPalette(s, 'inferable');
    const functions = wb.view('Functions');
    await waitUntil('the Nyckel functions', async () => (await wb.rows(functions, exactly('Nyckel')).getAttribute('aria-label'))?.includes('5 functions'));
    await wb.rows(functions, exactly('Lead intent')).waitFor({ state: 'visible' });
    await wb.rows(functions, exactly('Inferable')).waitFor({ state: 'visible' });
    await waitUntil('no platform asking for a key', async () => (await functions.locator('.monaco-list-row', { hasText: 'Set API key…' }).count()) === 0);
    const token = s.emulators.nyckel.requestsTo('/connect/token').at(-1);
    assert.ok(token, 'Nyckel got a token request');
    assert.equal((token.parsed as Record<string, string>).client_id, 'nyckel_test_client');
    await screenshot(s.page, 'keys-3-all-platforms');
  });
});
