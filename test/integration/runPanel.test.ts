// The run panel as wired in the real extension, against the emulators: the command opens one
// webview panel, the host handles the webview's messages (through the controller's message
// handler, the same entry the webview's postMessage reaches), runs functions, keeps recent runs,
// inserts results and restores its state through the serializer.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RunPanelController } from '../../src/vscode/panel/runPanel';
import type { HostMessage, PanelState, RunForm } from '../../src/shared/panelProtocol';
import type { RunResult } from '../../src/core/model';
import { emulators, KEYS, setAllKeys, testing } from './environment';
import { api, waitFor } from './helpers';

const VIEW_TYPE = 'aiFunctions.runPanel';

async function controller(): Promise<RunPanelController> {
  return (await testing()).runPanel;
}

const qualifierForm = (over: Partial<RunForm> = {}): RunForm => ({
  platform: 'sutro',
  function: 'lead-qualifier',
  inputMode: 'fields',
  input: '',
  fields: { query: 'We have budget and want a demo', region: 'APAC' },
  options: {},
  ...over,
});

function ofType<T extends HostMessage['type']>(messages: HostMessage[], type: T, runId?: string): Extract<HostMessage, { type: T }>[] {
  return messages.filter((m): m is Extract<HostMessage, { type: T }> => m.type === type && (runId === undefined || !('runId' in m) || m.runId === runId));
}

describe('run panel', function () {
  this.timeout(60_000);
  let posted: HostMessage[] = [];
  let subscription: vscode.Disposable | undefined;
  /** What the real webview reported to the host's log (rejected host messages, script errors). */
  const webviewProblems: string[] = [];
  let restoreLog: (() => void) | undefined;

  before(async () => {
    await emulators();
    await setAllKeys();
    const log = (await controller()).deps.log;
    const { warn, error } = log;
    log.warn = (message: string) => {
      if (message.includes('(webview)')) webviewProblems.push(message);
      warn.call(log, message);
    };
    log.error = (message: string) => {
      if (message.includes('(webview)')) webviewProblems.push(message);
      error.call(log, message);
    };
    restoreLog = () => Object.assign(log, { warn, error });
  });

  after(() => {
    restoreLog?.();
    assert.deepEqual(webviewProblems, [], 'the webview accepted every host message and ran without errors');
  });

  beforeEach(async () => {
    posted = [];
    subscription = (await controller()).onDidPostMessage((message) => posted.push(message));
  });

  afterEach(async () => {
    subscription?.dispose();
    (await emulators()).sutro.faults.clear();
    // The host never hands a key to the webview, whatever happened in the test.
    const all = JSON.stringify(posted);
    for (const secret of [KEYS.sutro.apiKey, KEYS.nyckel.clientSecret, KEYS.inferable.apiKey]) assert.ok(!all.includes(secret), 'a key was posted to the webview');
  });

  it('opens one webview panel from the command, titled after the function, and its webview loads', async () => {
    const runPanel = await controller();
    const { functionsTree } = await testing();
    const [sutro] = await functionsTree.getChildren();
    const node = (await functionsTree.getChildren(sutro)).find((n) => n.kind === 'function' && n.fn.id === 'lead-qualifier');
    assert.ok(node, 'lead-qualifier is in the Functions view');
    await vscode.commands.executeCommand('aiFunctions.openRunPanel', node);
    const panel = runPanel.currentPanel;
    assert.ok(panel, 'a panel is open');
    assert.equal(panel.viewType, VIEW_TYPE);
    assert.equal(panel.title, 'AI Functions: lead-qualifier');
    assert.equal(panel.webview.options.enableScripts, true);
    assert.deepEqual(
      panel.webview.options.localResourceRoots?.map((uri) => uri.path.split('/').slice(-1)[0]),
      ['dist'],
    );
    // The real webview (dist/webview.js under the CSP) starts and says `ready`; the host answers with `init`.
    await waitFor('the webview to say ready', () => runPanel.isReady, 20_000);
    const init = ofType(posted, 'init')[0] ?? ofType(posted, 'prefill')[0];
    assert.ok(init, 'the host posted the prefill');
    const prefill = init.type === 'init' ? init.prefill : init.prefill;
    assert.deepEqual({ platform: prefill?.platform, function: prefill?.function }, { platform: 'sutro', function: 'lead-qualifier' });

    // Opening again reveals the same panel.
    await vscode.commands.executeCommand('aiFunctions.openRunPanel', { platform: 'sutro', function: 'lead-extractor' });
    assert.equal(runPanel.currentPanel, panel);
    assert.equal(panel.title, 'AI Functions: lead-extractor');
  });

  it('serves HTML with a strict CSP: scripts only with a fresh random nonce, no inline script or style', async () => {
    const runPanel = await controller();
    if (!runPanel.currentPanel) await vscode.commands.executeCommand('aiFunctions.openRunPanel');
    const panel = runPanel.currentPanel;
    assert.ok(panel);
    const html = panel.webview.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'a CSP meta tag');
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name ?? '', values]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    const scriptSrc = directives.get('script-src') ?? [];
    assert.equal(scriptSrc.length, 1);
    const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(scriptSrc[0] ?? '')?.[1];
    assert.ok(nonce, `script-src is a nonce only: ${scriptSrc.join(' ')}`);
    const own = panel.webview.cspSource.split(/\s+/);
    assert.deepEqual(directives.get('style-src'), own);
    assert.deepEqual(directives.get('font-src'), own);
    assert.deepEqual([...directives.keys()].sort(), ['base-uri', 'default-src', 'font-src', 'form-action', 'script-src', 'style-src']);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp));
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts.every((tag) => tag.includes(`nonce="${nonce}"`) && / src="[^"]+\/dist\/webview\.js"/.test(tag)), scripts.join('\n'));
    assert.ok(!/<script[^>]*>[^<]+<\/script>/.test(html), 'no inline script body');
    assert.ok(!/\son[a-z]+=|\sstyle=|<style/i.test(html), 'no inline handlers or styles');
    assert.notEqual(runPanel.html(panel.webview), html, 'a new nonce every time');
  });

  it('runs a Sutro function from a run message and posts the result', async () => {
    const runPanel = await controller();
    const emu = await emulators();
    emu.sutro.clearRequests();
    assert.equal(await runPanel.handleMessage({ type: 'run', runId: 'itRun1', form: qualifierForm() }), true);
    assert.equal(ofType(posted, 'running', 'itRun1').length, 1);
    const [result] = ofType(posted, 'result', 'itRun1');
    assert.ok(result, `a result was posted (got ${posted.map((m) => m.type).join(', ')})`);
    assert.equal(result.view.kind, 'classification');
    assert.equal(result.view.label, 'qualified');
    assert.ok(result.view.confidence !== undefined && result.view.confidence > 0.5);
    assert.ok(result.view.predictions.length >= 2);
    assert.ok(result.view.predictions.some((p) => p.label === 'not_qualified'));
    assert.ok(result.view.durationMs >= 0);
    assert.ok(!('raw' in result.view), 'the raw reply stays in the host');
    const [request] = emu.sutro.requestsTo('/functions/run', 'POST');
    assert.deepEqual(request?.parsed, { name: 'lead-qualifier', input_data: { query: 'We have budget and want a demo', region: 'APAC' } });
  });

  it('refuses invalid JSON input with its line and column before anything is sent', async () => {
    const runPanel = await controller();
    const emu = await emulators();
    emu.sutro.clearRequests();
    const input = '{\n  "query": "We have budget",\n  "region" "APAC"\n}';
    await runPanel.handleMessage({ type: 'run', runId: 'itBadJson', form: qualifierForm({ inputMode: 'json', input, fields: {} }) });
    const [error] = ofType(posted, 'error', 'itBadJson');
    assert.ok(error, 'an error was posted');
    assert.equal(error.error.kind, 'invalidInput');
    assert.equal(error.error.field, 'input');
    assert.deepEqual({ line: error.error.line, column: error.error.column }, { line: 3, column: 12 });
    assert.equal(ofType(posted, 'running').length, 0);
    assert.equal(emu.sutro.requestsTo('/functions/run').length, 0, 'the emulator received nothing');
  });

  it('rejects unknown and malformed messages without acting on them', async () => {
    const runPanel = await controller();
    const emu = await emulators();
    emu.sutro.clearRequests();
    assert.equal(await runPanel.handleMessage({ type: 'runShell', command: 'rm -rf /' }), false);
    assert.equal(await runPanel.handleMessage({ type: 'run', runId: 'itX', form: { ...qualifierForm(), platform: 'openai' } }), false);
    assert.equal(await runPanel.handleMessage({ type: 'run', runId: '../x', form: qualifierForm() }), false);
    assert.equal(await runPanel.handleMessage({ type: 'setApiKey', platform: 'sutro', apiKey: 'sk_other' }), false);
    assert.equal(await runPanel.handleMessage('ready'), false);
    assert.equal(posted.length, 0, 'nothing was posted back');
    assert.equal(emu.sutro.requests.length, 0, 'nothing was sent');
  });

  it('keeps recent runs across restarts (a new controller sees them) and re-runs one', async () => {
    const runPanel = await controller();
    await runPanel.handleMessage({ type: 'run', runId: 'itRecent', form: qualifierForm({ fields: { query: 'Requesting pricing for a trial', region: 'EMEA' } }) });
    assert.equal(ofType(posted, 'result', 'itRecent').length, 1);
    const [summaries] = ofType(posted, 'recentRuns');
    assert.equal(summaries?.runs[0]?.id, 'itRecent');

    const fresh = new RunPanelController(runPanel.deps);
    try {
      const [latest] = fresh.recentRuns.list();
      assert.equal(latest?.id, 'itRecent');
      assert.equal(latest?.result?.view.label, 'qualified');
      assert.deepEqual(latest?.form.fields, { query: 'Requesting pricing for a trial', region: 'EMEA' });
      assert.ok(latest && latest.at <= Date.now() && latest.at > Date.now() - 60_000);
      const stored = JSON.stringify(runPanel.deps.state.get('aiFunctions.recentRuns'));
      assert.ok(!stored.includes(KEYS.sutro.apiKey), 'no key in the stored runs');
    } finally {
      fresh.dispose();
    }

    posted.length = 0;
    const emu = await emulators();
    emu.sutro.clearRequests();
    await runPanel.handleMessage({ type: 'rerun', id: 'itRecent' });
    const [prefill] = ofType(posted, 'prefill');
    assert.deepEqual(prefill?.prefill.fields, { query: 'Requesting pricing for a trial', region: 'EMEA' });
    assert.equal(ofType(posted, 'result').length, 1);
    assert.equal(emu.sutro.requestsTo('/functions/run', 'POST').length, 1);
  });

  it('inserts the result below the selection in the editor it was opened from', async () => {
    const runPanel = await controller();
    const document = await vscode.workspace.openTextDocument({ content: 'We have budget and want a demo\nsecond line\n', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(0, 0, 0, 30);
    await vscode.commands.executeCommand('aiFunctions.openRunPanel');
    const [prefill] = ofType(posted, 'prefill');
    const init = ofType(posted, 'init')[0];
    const filled = prefill?.prefill ?? init?.prefill;
    assert.equal(filled?.input, 'We have budget and want a demo');
    assert.equal(filled?.inputMode, 'text');

    await runPanel.handleMessage({ type: 'run', runId: 'itInsert', form: qualifierForm({ fields: { query: filled?.input ?? '', region: 'NA' } }) });
    assert.equal(ofType(posted, 'result', 'itInsert')[0]?.view.label, 'qualified');
    await runPanel.handleMessage({ type: 'insertResult', runId: 'itInsert' });
    assert.equal(document.getText(), 'We have budget and want a demo\nqualified\nsecond line\n');
    assert.match(ofType(posted, 'notice').at(-1)?.text ?? '', /^Inserted into /);

    // Copy (JSON) goes through the host's clipboard.
    await runPanel.handleMessage({ type: 'copyResult', runId: 'itInsert' });
    const copied = JSON.parse(await vscode.env.clipboard.readText()) as { label?: string; raw?: unknown };
    assert.equal(copied.label, 'qualified');
    assert.equal(copied.raw, undefined);
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('shows a rejected key (401) as an error with the Set API Key action and no stack', async () => {
    const runPanel = await controller();
    await (await api()).setApiKey('sutro', { apiKey: 'sk_wrong_key_for_test' });
    try {
      await runPanel.handleMessage({ type: 'run', runId: 'itAuth', form: qualifierForm() });
      const [error] = ofType(posted, 'error', 'itAuth');
      assert.ok(error, `an error was posted (got ${posted.map((m) => m.type).join(', ')})`);
      assert.equal(error.error.kind, 'auth');
      assert.equal(error.error.platform, 'sutro');
      assert.ok(error.error.actions.includes('setApiKey'));
      assert.match(error.error.message, /401/);
      assert.ok(!/\n\s+at /.test(error.error.message), 'no stack trace');
      assert.ok(!JSON.stringify(posted).includes('sk_wrong_key_for_test'), 'the key is not echoed');
    } finally {
      await setAllKeys();
    }
  });

  it('cancels a run in progress', async () => {
    const runPanel = await controller();
    const emu = await emulators();
    emu.sutro.faults.set({ latencyMs: 5_000 });
    const started = Date.now();
    const running = runPanel.handleMessage({ type: 'run', runId: 'itCancel', form: qualifierForm() });
    await waitFor('the run to start', () => ofType(posted, 'running', 'itCancel').length > 0);
    await runPanel.handleMessage({ type: 'cancel', runId: 'itCancel' });
    await running;
    assert.equal(ofType(posted, 'cancelled', 'itCancel').length, 1);
    assert.equal(ofType(posted, 'result', 'itCancel').length, 0);
    assert.ok(Date.now() - started < 4_000, 'it did not wait for the reply');
  });

  it('opens with a result handed over by Classify Selection and can copy it', async () => {
    const runPanel = await controller();
    const result = {
      platform: 'sutro',
      function: 'lead-qualifier',
      kind: 'classification',
      label: '<img src=x onerror=alert(1)>',
      confidence: 0.8,
      predictions: [{ label: '<img src=x onerror=alert(1)>', confidence: 0.8 }],
      durationMs: 120,
      raw: { response: 'x' },
    };
    // The hover's link carries an id of the extension's own; a result given as an argument is ignored.
    const { handoffs } = await testing();
    const handoff = handoffs.add({ platform: 'sutro', function: 'lead-qualifier', input: 'Some text', result: result as RunResult });
    await vscode.commands.executeCommand('aiFunctions.openRunPanel', { handoff });
    // A new panel gets it with `init` once its webview is ready; an open one with `prefill`.
    const filled = await waitFor('the handed-over result', () => ofType(posted, 'prefill')[0]?.prefill ?? ofType(posted, 'init')[0]?.prefill);
    assert.equal(filled.result?.view.label, '<img src=x onerror=alert(1)>');
    const runId = filled.result?.runId ?? '';
    await runPanel.handleMessage({ type: 'copyResult', runId });
    assert.equal((JSON.parse(await vscode.env.clipboard.readText()) as { label: string }).label, '<img src=x onerror=alert(1)>');
  });

  it('restores its state through the serializer', async () => {
    const runPanel = await controller();
    runPanel.currentPanel?.dispose();
    await waitFor('the panel to close', () => runPanel.currentPanel === undefined || undefined);
    const state: PanelState = {
      version: 1,
      form: { platform: 'sutro', function: 'lead-qualifier', inputMode: 'fields', input: '', fields: { query: 'restored query', region: 'APAC' }, options: {} },
      optionsOpen: true,
      result: { runId: 'itRestored', view: { platform: 'sutro', function: 'lead-qualifier', kind: 'classification', label: 'qualified', confidence: 0.9, predictions: [], durationMs: 5 } },
    };
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'restored', vscode.ViewColumn.One, {});
    await runPanel.restore(panel, JSON.parse(JSON.stringify(state)));
    assert.equal(runPanel.currentPanel, panel);
    assert.equal(panel.title, 'AI Functions: lead-qualifier');
    assert.equal(panel.webview.options.enableScripts, true);
    assert.match(panel.webview.html, /Content-Security-Policy/);
    await runPanel.handleMessage({ type: 'ready' });
    const init = ofType(posted, 'init').find((m) => m.state !== undefined);
    assert.deepEqual(init?.state, state);

    // A state that does not match is not handed back.
    panel.dispose();
    posted.length = 0;
    const second = vscode.window.createWebviewPanel(VIEW_TYPE, 'restored', vscode.ViewColumn.One, {});
    await runPanel.restore(second, { version: 1, form: { platform: 'evil' } });
    await runPanel.handleMessage({ type: 'ready' });
    assert.ok(ofType(posted, 'init').length > 0);
    assert.ok(ofType(posted, 'init').every((m) => m.state === undefined));
    second.dispose();
  });
});
