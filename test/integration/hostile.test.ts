// Hostile platforms, in the real extension host: every emulator puts link, Markdown and codicon
// syntax in every text field, echoes the caller's key (whole and cut) in its errors, and on demand
// nests replies 10,000 deep, serves endless pages and lists ids like `..`. Every notification,
// progress title, status bar message, quick pick, tree label, description and tooltip, hover and
// document title the extension shows is captured; none may hold a link or a command, nothing may
// hang, no key may leak, and the user's key must be the one they set.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { containsLink } from '../../src/core/untrusted';
import { classificationHover } from '../../src/vscode/classify/classifySelection';
import type { FunctionsNode } from '../../src/vscode/functions/functionsTree';
import type { JobsNode } from '../../src/vscode/jobs/jobsTree';
import { HOSTILE_TEXT } from '../emulator';
import { emulators, KEYS, setAllKeys, testing } from './environment';
import { answerModals, api, textOf, waitFor } from './helpers';

/** The one trusted link: Classify's "Open in Run Panel", whose argument is a handoff id. */
const OPEN_IN_PANEL = /\[\$\(preview\) Open in Run Panel\]\(command:aiFunctions\.openRunPanel\?%5B%7B%22handoff%22%3A%22h\d+%22%7D%5D\)/g;

describe('hostile platforms: no platform text becomes a link, nothing hangs, nothing leaks', function () {
  this.timeout(180_000);

  /** Everything shown, by where it was shown. */
  const shown: [where: string, text: string][] = [];
  const restore: (() => void)[] = [];
  const show = (where: string, text: string | undefined) => void (text && shown.push([where, text]));

  before(async () => {
    const emu = await emulators();
    await setAllKeys();
    for (const e of [emu.sutro, emu.nyckel, emu.inferable]) e.configure({ hostile: true });

    const window = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
    const wrap = (name: string, capture: (...args: unknown[]) => unknown, replace?: (original: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown) => {
      const original = window[name]!;
      const call = (...args: unknown[]) => original.apply(vscode.window, args);
      window[name] = (...args: unknown[]) => {
        capture(...args);
        return replace ? replace(call, ...args) : call(...args);
      };
      restore.push(() => void (window[name] = original));
    };
    const captureItems = (items: readonly (vscode.QuickPickItem | string)[]) => {
      for (const item of items) {
        if (typeof item === 'string') show('quick pick', item);
        else for (const part of [item.label.replace(/^\$\([a-z-]+\) /, ''), item.description, item.detail]) show('quick pick', part);
      }
    };
    for (const name of ['showErrorMessage', 'showWarningMessage', 'showInformationMessage']) {
      wrap(name, (message, options) => {
        show(name, String(message));
        if (typeof options === 'object' && options !== null) show(`${name} detail`, (options as vscode.MessageOptions).detail);
      });
    }
    wrap('withProgress', (options) => show('progress title', (options as vscode.ProgressOptions).title));
    wrap('setStatusBarMessage', (text) => show('status bar', String(text).replace(/^\$\([a-z-]+\) /, '')));
    wrap('showQuickPick', async (items) => captureItems((await items) as (vscode.QuickPickItem | string)[]), () => Promise.resolve(undefined));
    // A quick pick records its title and items, then is dismissed as soon as it has items.
    wrap(
      'createQuickPick',
      () => undefined,
      (create) => {
        const quickPick = create() as vscode.QuickPick<vscode.QuickPickItem>;
        return new Proxy(quickPick, {
          set(target, property, value) {
            (target as unknown as Record<PropertyKey, unknown>)[property] = value;
            if (property === 'title') show('quick pick title', String(value));
            if (property === 'items' && (value as unknown[]).length > 0) {
              captureItems(value as vscode.QuickPickItem[]);
              setTimeout(() => target.hide(), 0);
            }
            return true;
          },
          get(target, property) {
            const value = (target as unknown as Record<PropertyKey, unknown>)[property];
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
      },
    );
  });

  after(async () => {
    for (const undo of restore.reverse()) undo();
    const emu = await emulators();
    for (const e of [emu.sutro, emu.nyckel, emu.inferable]) {
      e.configure({ hostile: false });
      e.faults.clear();
    }
    await setAllKeys();
  });

  function captureTree<N>(where: string, tree: vscode.TreeDataProvider<N>, nodes: readonly N[]): void {
    for (const node of nodes) {
      const item = tree.getTreeItem(node) as vscode.TreeItem;
      show(`${where} label`, textOf(item.label));
      show(`${where} description`, typeof item.description === 'string' ? item.description : undefined);
      show(`${where} tooltip`, textOf(item.tooltip));
    }
  }

  it('lists hostile functions and jobs in the views, and opens them as documents', async () => {
    const { functionsTree, jobsTree, jobsStore } = await testing();
    for (const platform of ['sutro', 'nyckel', 'inferable'] as const) {
      await functionsTree.refresh(platform);
      const children = (await functionsTree.getChildren({ kind: 'platform', platform })) ?? [];
      captureTree<FunctionsNode>(`Functions view (${platform})`, functionsTree, [{ kind: 'platform', platform }, ...children]);
    }
    assert.ok(shown.some(([, text]) => text.includes('Sign in again')), 'the hostile names were shown');
    for (const platform of ['sutro', 'inferable'] as const) {
      await jobsTree.refresh(platform);
      const children = (await jobsTree.getChildren({ kind: 'platform', platform })) ?? [];
      captureTree<JobsNode>(`Jobs view (${platform})`, jobsTree, children);
    }
    const job = jobsStore.get('sutro').jobs.find((j) => j.status === 'failed') ?? jobsStore.get('sutro').jobs[0];
    assert.ok(job, 'Sutro listed jobs');
    await vscode.commands.executeCommand('aiFunctions.openJobDetails', jobsTree.jobNode('sutro', job.id));
    // The Run Function picker shows every function of every platform.
    await vscode.commands.executeCommand('aiFunctions.runFunction');
  });

  it('runs, classifies and runs rows with hostile answers', async () => {
    const { functionsTree, classify } = await testing();
    const document = await vscode.workspace.openTextDocument({ content: 'We have budget and want a demo\nJust browsing\n', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selections = [new vscode.Selection(0, 0, 0, 30), new vscode.Selection(1, 0, 1, 13)];
    await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'nyckel', function: 'function_leadintent' });
    await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'sutro', function: 'sentiment' });
    const items = classify.classifications(document.uri);
    assert.ok(items.some((item) => item.result), 'Classify got answers');
    for (const item of items) {
      const hover = classificationHover(item).value;
      assert.ok(item.error || hover.match(OPEN_IN_PANEL)?.length === 1, 'the hover links to the run panel by a handoff id');
      show('Classify hover', hover.replace(OPEN_IN_PANEL, ''));
    }
    // Quick run from the Functions view: a result document and a status bar message.
    const [fn] = (await functionsTree.getChildren({ kind: 'platform', platform: 'nyckel' })) ?? [];
    assert.ok(fn && fn.kind === 'function');
    editor.selection = new vscode.Selection(0, 0, 0, 30);
    await vscode.commands.executeCommand('aiFunctions.runFunction', fn);
    const confirm = answerModals((_message, buttons) => buttons.find((b) => b === 'Run'));
    try {
      await vscode.commands.executeCommand('aiFunctions.runOnEachLine', { platform: 'sutro', function: 'sentiment', text: 'one\ntwo\n', mode: 'rows' });
    } finally {
      confirm.restore();
    }
  });

  it('tells of a failed run with its hostile failure reason, inert', async () => {
    const extension = await api();
    const emu = await emulators();
    const run = emu.inferable.createRun('please fail');
    await vscode.commands.executeCommand('aiFunctions.openJob', { platform: 'inferable', id: run.id });
    await waitFor('the failed run notification', () => shown.some(([where, text]) => /Warning/.test(where) && /failed/.test(text)) || undefined, 60_000);
    assert.equal((await extension.getJob('inferable', run.id)).status, 'failed');
  });

  it('refuses replies nested 10,000 deep with a clear error, and Classify keeps working after one', async () => {
    const emu = await emulators();
    const { classify } = await testing();
    const document = await vscode.workspace.openTextDocument({ content: 'budget approved\n', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, 15);
    emu.sutro.faults.set({ deepNesting: { count: 1, depth: 10_000 } });
    const started = Date.now();
    await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'sutro', function: 'sentiment' });
    assert.ok(Date.now() - started < 30_000);
    assert.match(classify.classifications(document.uri)[0]?.error ?? '', /nested deeper than \d+ levels/);
    await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'sutro', function: 'sentiment' });
    assert.ok(classify.classifications(document.uri)[0]?.result, 'the next answer is shown');
  });

  it('holds a bounded list from endless Nyckel pages, and refuses `..` ids before sending anything', async () => {
    const emu = await emulators();
    const extension = await api();
    emu.nyckel.faults.set({ hugePage: { count: 1, items: 1e9 } });
    const started = Date.now();
    const functions = await extension.listFunctions('nyckel');
    assert.ok(functions.length <= 10_000, `the listing is bounded (${functions.length})`);
    assert.ok(Date.now() - started < 60_000);
    emu.nyckel.faults.clear();

    emu.sutro.faults.set({ oddIds: { count: 1 } });
    const page = await extension.listJobs('sutro', { limit: 5 });
    const odd = page.items.find((job) => job.id === '..');
    assert.ok(odd, 'the hostile listing has a ".." id');
    emu.sutro.clearRequests();
    await assert.rejects(extension.getJob('sutro', '..'), /not valid/);
    await assert.rejects(extension.getJob('sutro', '.'), /not valid/);
    assert.equal(emu.sutro.requests.length, 0, 'nothing was sent');
  });

  it('shows a 401 that echoes the key without the key, whole or cut', async () => {
    const extension = await api();
    const wrong = 'sk_wrong_hostile_key_4f9c2a7e81b3';
    await extension.setApiKey('sutro', { apiKey: wrong });
    try {
      const document = await vscode.workspace.openTextDocument({ content: 'budget approved\n', language: 'plaintext' });
      const editor = await vscode.window.showTextDocument(document);
      editor.selection = new vscode.Selection(0, 0, 0, 15);
      await vscode.commands.executeCommand('aiFunctions.classifySelection', { platform: 'sutro', function: 'sentiment' });
      await waitFor('the 401 notification', () => shown.some(([, text]) => /rejected the API key \(401\)/.test(text)) || undefined);
      for (const [where, text] of shown) {
        for (let n = 8; n <= wrong.length; n++) assert.ok(!text.includes(wrong.slice(0, n)), `${where} shows ${n} characters of the key`);
      }
    } finally {
      await setAllKeys();
    }
  });

  it('shows nothing clickable anywhere, and the user’s key is still theirs', async () => {
    const emu = await emulators();
    assert.ok(shown.length > 20, `many things were shown (${shown.length})`);
    assert.ok(shown.some(([, text]) => text.includes('Sign in again')), 'the hostile text reached the screen as text');
    for (const document of vscode.workspace.textDocuments) show('document title', document.uri.path.split('/').pop());
    for (const tab of vscode.window.tabGroups.all.flatMap((group) => group.tabs)) show('tab', tab.label);

    for (const [where, text] of shown) {
      assert.ok(!containsLink(text), `${where} holds a link: ${text.slice(0, 300)}`);
      assert.ok(!/\$\((?!preview\))/.test(text) || where === 'Classify hover', `${where} holds codicon syntax: ${text.slice(0, 300)}`);
      for (const key of [KEYS.sutro.apiKey, KEYS.nyckel.clientSecret, KEYS.inferable.apiKey]) assert.ok(!text.includes(key), `${where} shows a key`);
    }
    assert.ok(HOSTILE_TEXT.includes('command:aiFunctions.setApiKey'), 'the emulators sent the key-swapping link');

    // A command link that tries to swap the key stores nothing; the next request uses the user's key.
    assert.equal(await vscode.commands.executeCommand('aiFunctions.setApiKey', { platform: 'sutro', apiKey: 'sk_attacker_key_0001' }), false);
    emu.sutro.clearRequests();
    await (await api()).listJobs('sutro', { limit: 1 });
    assert.equal(emu.sutro.requests[0]?.headers.authorization, `Key ${KEYS.sutro.apiKey}`);
  });
});
