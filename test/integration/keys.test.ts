import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, recordContextKeys, waitFor } from './helpers';

describe('API keys', () => {
  let contextKeys: ReturnType<typeof recordContextKeys>;

  before(async () => {
    await api();
    contextKeys = recordContextKeys();
  });

  after(async () => {
    contextKeys.restore();
    for (const platform of ['sutro', 'nyckel', 'inferable']) {
      await vscode.commands.executeCommand('aiFunctions.clearApiKey', { platform });
    }
  });

  it('setApiKey with arguments stores the key and sets aiFunctions.sutro.hasKey', async () => {
    await vscode.commands.executeCommand('aiFunctions.setApiKey', { platform: 'sutro', apiKey: 'sk_test_keys_1' });
    await waitFor('hasKey true', () => contextKeys.values.get('aiFunctions.sutro.hasKey') === true);
  });

  it('stores Nyckel client credentials', async () => {
    await vscode.commands.executeCommand('aiFunctions.setApiKey', {
      platform: 'nyckel',
      clientId: 'nyckel_test_client',
      clientSecret: 'nyckel_test_secret',
    });
    await waitFor('nyckel hasKey true', () => contextKeys.values.get('aiFunctions.nyckel.hasKey') === true);
  });

  it('the public API stores a key too', async () => {
    await (await api()).setApiKey('inferable', { apiKey: 'sk_inf_keys_test' });
    await waitFor('inferable hasKey true', () => contextKeys.values.get('aiFunctions.inferable.hasKey') === true);
  });

  it('clearApiKey removes it and clears the context key', async () => {
    await vscode.commands.executeCommand('aiFunctions.clearApiKey', { platform: 'sutro' });
    await waitFor('hasKey false', () => contextKeys.values.get('aiFunctions.sutro.hasKey') === false);
  });

  it('refuses a key with whitespace and does not echo it', async () => {
    const secret = 'sk_test_with space_unique_91823';
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('aiFunctions.setApiKey', { platform: 'sutro', apiKey: secret })),
      (error: Error) => /whitespace/.test(error.message) && !error.message.includes(secret),
    );
  });

  it('refuses credentials of the wrong form for the platform', async () => {
    await assert.rejects((async () => (await api()).setApiKey('nyckel', { apiKey: 'sk_x' }))(), /client ID is missing/);
  });
});
