import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension } from './helpers';

describe('activation', () => {
  it('is lazy: the extension activates when its view opens', async () => {
    const ext = extension();
    assert.equal(ext.isActive, false, 'nothing should activate the extension before its view opens');
    await vscode.commands.executeCommand('workbench.view.extension.aiFunctions');
    const deadline = Date.now() + 10_000;
    while (!ext.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(ext.isActive, true);
    assert.equal(ext.exports.version, 1);
  });

  it('never declares a * activation event', () => {
    const events: string[] = extension().packageJSON.activationEvents ?? [];
    assert.ok(!events.includes('*'));
  });

  it('registers every contributed command', async () => {
    const contributed: { command: string }[] = extension().packageJSON.contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
    assert.ok(contributed.length >= 3);
  });

  it('puts every command in the AI Functions category', () => {
    const contributed: { command: string; category?: string }[] = extension().packageJSON.contributes.commands;
    assert.deepEqual(contributed.filter((c) => c.category !== 'AI Functions').map((c) => c.command), []);
  });
});
