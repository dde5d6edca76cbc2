// Classify Selection in a real editor: the answer appears after the selected text.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { classificationHover, decorationText, type ClassifySelection } from '../../src/vscode/classify/classifySelection';
import { emulators, setAllKeys, testing } from './environment';

describe('Classify Selection', function () {
  this.timeout(60_000);
  let classify: ClassifySelection;

  before(async () => {
    await emulators();
    await setAllKeys();
    classify = (await testing()).classify;
  });

  async function openLeads(): Promise<vscode.TextEditor> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test workspace is open');
    const document = await vscode.workspace.openTextDocument(path.join(folder, 'leads.txt'));
    return vscode.window.showTextDocument(document);
  }

  it('classifies each selection and shows "label · NN%" after it, with a hover', async () => {
    const editor = await openLeads();
    const first = editor.document.lineAt(0).range;
    const second = editor.document.lineAt(1).range;
    editor.selections = [new vscode.Selection(first.start, first.end), new vscode.Selection(second.start, second.end)];
    await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'nyckel', function: 'function_leadintent' });
    const shown = classify.classifications(editor.document.uri);
    assert.equal(shown.length, 2);
    const byLine = [...shown].sort((a, b) => a.start - b.start);
    assert.match(byLine[0].result?.label ?? '', /^qualified$/);
    assert.match(byLine[1].result?.label ?? '', /^not_qualified$/);
    assert.equal(byLine[0].end, editor.document.offsetAt(first.end), 'the answer sits right after the selected text');
    assert.match(decorationText(byLine[0]), /^qualified · \d{1,3}%$/);
    const hover = classificationHover(byLine[0]);
    assert.match(hover.value, /\| qualified \| \d+% \|/);
    assert.match(hover.value, /\| not\\_qualified \| \d+% \|/);
    assert.match(hover.value, /\(command:aiFunctions\.openRunPanel\?/);
    assert.deepEqual((hover.isTrusted as { enabledCommands: string[] }).enabledCommands, ['aiFunctions.openRunPanel']);
  });

  it('uses the default function when none is given', async () => {
    await vscode.workspace.getConfiguration('aiFunctions').update('defaultFunction', 'sutro:sentiment', vscode.ConfigurationTarget.Global);
    const editor = await openLeads();
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    const emu = await emulators();
    emu.sutro.clearRequests();
    await vscode.commands.executeCommand('aiFunctions.classifySelection');
    const [run] = emu.sutro.requestsTo('/functions/run', 'POST');
    assert.equal((run.parsed as { name: string }).name, 'sentiment');
    const item = classify.classifications(editor.document.uri).find((c) => c.fn.id === 'sentiment');
    assert.ok(item?.result?.label);
  });

  it('moves an answer when text is inserted before it, and drops it when its text is edited', async () => {
    const editor = await openLeads();
    const line = editor.document.lineAt(1).range;
    editor.selection = new vscode.Selection(line.start, line.end);
    await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'nyckel', function: 'function_leadintent' });
    const before = classify.classifications(editor.document.uri).find((c) => c.start === editor.document.offsetAt(line.start));
    assert.ok(before);
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), 'NEW '));
    assert.equal(before.start, editor.document.offsetAt(line.start), "still at the start of line 2");
    await editor.edit((edit) => edit.insert(editor.document.positionAt(before.start + 2), 'x'));
    assert.ok(!classify.classifications(editor.document.uri).includes(before));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('says what to do when nothing is selected, and sends nothing', async () => {
    const editor = await openLeads();
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const emu = await emulators();
    emu.nyckel.clearRequests();
    await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'nyckel', function: 'function_leadintent' });
    assert.equal(emu.nyckel.requestsTo(/invoke/).length, 0);
  });

  it('shows a failure beside the text with the platform reason', async () => {
    const editor = await openLeads();
    editor.selection = new vscode.Selection(0, 0, 0, 10);
    await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'nyckel', function: 'function_missing' });
    const item = classify.classifications(editor.document.uri).find((c) => c.fn.id === 'function_missing');
    assert.ok(item?.error);
    assert.match(item.error, /Nyckel could not find/);
  });
});
