import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Settings, URL_SETTINGS } from '../../src/vscode/settings';

describe('URL settings', () => {
  const settings = new Settings();
  const config = () => vscode.workspace.getConfiguration('aiFunctions');

  let saved: string | undefined;
  beforeEach(() => {
    saved = config().inspect<string>('sutro.apiUrl')?.globalValue;
  });
  afterEach(async () => {
    await config().update('sutro.apiUrl', saved, vscode.ConfigurationTarget.Global);
  });

  it('are contributed with application scope and listed as restricted', () => {
    const pkg = vscode.extensions.getExtension('aifn.ai-functions')!.packageJSON;
    const properties = pkg.contributes.configuration.properties;
    for (const name of URL_SETTINGS) {
      assert.equal(properties[`aiFunctions.${name}`].scope, 'application', name);
      assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`aiFunctions.${name}`), name);
    }
  });

  it('ignore the workspace .vscode/settings.json', () => {
    // The fixture workspace points every URL at attacker.example.com.
    for (const name of URL_SETTINGS) {
      const inspected = config().inspect<string>(name);
      const expected = (inspected?.globalValue ?? inspected?.defaultValue ?? '').replace(/\/+$/, '');
      assert.equal(settings.url(name), expected, name);
      assert.ok(!settings.url(name).includes('attacker'), name);
    }
  });

  it('use the user setting, normalized', async () => {
    await config().update('sutro.apiUrl', 'https://acme.sutro.dev/v1/', vscode.ConfigurationTarget.Global);
    assert.equal(settings.url('sutro.apiUrl'), 'https://acme.sutro.dev/v1');
  });

  it('refuse http:// to a host that is not loopback, naming the setting', async () => {
    await config().update('sutro.apiUrl', 'http://api.example.com', vscode.ConfigurationTarget.Global);
    assert.throws(
      () => settings.url('sutro.apiUrl'),
      (error: Error) => /aiFunctions\.sutro\.apiUrl/.test(error.message) && /loopback/.test(error.message),
    );
  });
});
