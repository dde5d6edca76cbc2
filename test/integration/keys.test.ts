import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { answerModals, api, clearAllKeys, recordContextKeys, waitFor } from './helpers';

describe('API keys', () => {
  let contextKeys: ReturnType<typeof recordContextKeys>;

  before(async () => {
    await api();
    contextKeys = recordContextKeys();
  });

  after(async () => {
    contextKeys.restore();
    await clearAllKeys();
  });

  it('the public API stores a key and sets aiFunctions.sutro.hasKey', async () => {
    await (await api()).setApiKey('sutro', { apiKey: 'sk_test_keys_1' });
    await waitFor('hasKey true', () => contextKeys.values.get('aiFunctions.sutro.hasKey') === true);
  });

  it('stores Nyckel client credentials', async () => {
    await (await api()).setApiKey('nyckel', { clientId: 'nyckel_test_client', clientSecret: 'nyckel_test_secret' });
    await waitFor('nyckel hasKey true', () => contextKeys.values.get('aiFunctions.nyckel.hasKey') === true);
  });

  it('the Set API Key command stores nothing it is given as arguments (a command link could give them)', async () => {
    const extension = await api();
    await extension.clearApiKey('inferable');
    await waitFor('inferable hasKey false', () => contextKeys.values.get('aiFunctions.inferable.hasKey') === false);
    const stored = await vscode.commands.executeCommand('aiFunctions.setApiKey', { platform: 'inferable', apiKey: 'sk_inf_from_a_link' });
    assert.equal(stored, false);
    const nyckel = await vscode.commands.executeCommand('aiFunctions.setApiKey', { platform: 'inferable', clientId: 'a_link_id', clientSecret: 'a_link_secret' });
    assert.equal(nyckel, false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(contextKeys.values.get('aiFunctions.inferable.hasKey'), false, 'nothing was stored');
    await assert.rejects(extension.listFunctions('inferable'), /key/i);
  });

  it('the public API stores a key too', async () => {
    await (await api()).setApiKey('inferable', { apiKey: 'sk_inf_keys_test' });
    await waitFor('inferable hasKey true', () => contextKeys.values.get('aiFunctions.inferable.hasKey') === true);
  });

  it('clearApiKey with arguments asks first, and keeps the key when the answer is no', async () => {
    const declined = answerModals(() => undefined);
    try {
      assert.equal(await vscode.commands.executeCommand('aiFunctions.clearApiKey', { platform: 'sutro' }), false);
      assert.match(declined.asked[0] ?? '', /Remove the Sutro credentials\?/);
    } finally {
      declined.restore();
    }
    assert.equal(contextKeys.values.get('aiFunctions.sutro.hasKey'), true);
  });

  it('clearApiKey removes it and clears the context key once confirmed', async () => {
    const confirmed = answerModals((_message, buttons) => buttons[0]);
    try {
      await vscode.commands.executeCommand('aiFunctions.clearApiKey', { platform: 'sutro' });
    } finally {
      confirmed.restore();
    }
    await waitFor('hasKey false', () => contextKeys.values.get('aiFunctions.sutro.hasKey') === false);
  });

  it('refuses a key with whitespace and does not echo it', async () => {
    const secret = 'sk_test_with space_unique_91823';
    await assert.rejects(
      (async () => (await api()).setApiKey('sutro', { apiKey: secret }))(),
      (error: Error) => /whitespace/.test(error.message) && !error.message.includes(secret),
    );
  });

  it('refuses credentials of the wrong form for the platform', async () => {
    await assert.rejects((async () => (await api()).setApiKey('nyckel', { apiKey: 'sk_x' }))(), /client ID is missing/);
  });
});
