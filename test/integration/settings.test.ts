import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Settings, URL_SETTINGS, USER_ONLY_SETTINGS } from '../../src/vscode/base/settings';
import { config, GLOBAL } from './helpers';

describe('URL settings', () => {
  const settings = new Settings();

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

describe('Settings that choose where data goes, and numbers', () => {
  const settings = new Settings();

  it('are all application-scoped and restricted in untrusted workspaces', () => {
    const pkg = vscode.extensions.getExtension('aifn.ai-functions')!.packageJSON;
    const properties = pkg.contributes.configuration.properties;
    for (const name of USER_ONLY_SETTINGS) {
      assert.equal(properties[`aiFunctions.${name}`].scope, 'application', name);
      assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`aiFunctions.${name}`), name);
    }
  });

  it('ignore the workspace defaultFunction, cluster and Sutro functions', async () => {
    // The fixture workspace sets all three to an attacker's (VS Code does not even report workspace
    // values of application-scoped settings, so the file is read).
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, 'the test workspace is open');
    const file = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, '.vscode', 'settings.json')));
    assert.equal((JSON.parse(file) as Record<string, unknown>)['aiFunctions.defaultFunction'], 'inferable:attacker-tool', 'the workspace sets it');
    const saved = config().inspect<string>('defaultFunction')?.globalValue;
    try {
      await config().update('defaultFunction', undefined, GLOBAL);
      assert.equal(settings.defaultFunction(), undefined);
      await config().update('defaultFunction', 'sutro:sentiment', GLOBAL);
      assert.deepEqual(settings.defaultFunction(), { platform: 'sutro', id: 'sentiment' });
    } finally {
      await config().update('defaultFunction', saved, GLOBAL);
    }
    assert.notEqual(settings.inferableClusterId(), 'attacker-cluster');
    assert.ok(!settings.sutroFunctions().some((f) => f.name === 'attacker-function'));
  });

  it('clamp every number to the range its schema declares', async () => {
    const names = ['http.totalTimeoutSeconds', 'concurrency', 'jobs.pageSize'] as const;
    const saved = names.map((name) => config().inspect<number>(name)?.globalValue);
    try {
      await config().update('http.totalTimeoutSeconds', 1e7, GLOBAL);
      await config().update('concurrency', 0, GLOBAL);
      await config().update('jobs.pageSize', 5000, GLOBAL);
      assert.equal(settings.timeouts().totalMs, 900_000, 'the total timeout stays at most 900 s');
      assert.equal(settings.concurrency(), 1);
      assert.equal(settings.jobsPageSize(), 100);
      await config().update('http.totalTimeoutSeconds', -5, GLOBAL);
      assert.equal(settings.timeouts().totalMs, 1000);
    } finally {
      for (const [i, name] of names.entries()) await config().update(name, saved[i], GLOBAL);
    }
  });
});
