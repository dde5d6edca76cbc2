// Sutro, deployment first, in a real extension host: the Sutro URL given as a bare origin; runs,
// jobs, cancel and results (lagging, and too large to hold: a Parquet file) against a deployment
// emulator; the key bound to it and asked for again when the URL changes; Set API Key asking for
// the deployment first; no request to any other host. Then the shared API once more.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startSutro, type SutroEmulator } from '../emulator/sutro';
import { emulators, KEYS, setAllKeys, testing } from './environment';
import { api, config, GLOBAL, waitFor } from './helpers';

/** The key the deployment emulator issues (the shared emulator's is KEYS.sutro). */
const DEPLOYMENT_KEY = 'sk_deployment_emulator_key';

type Window = Record<string, (...args: unknown[]) => unknown>;

/** Shown text without the invisible joiners inert() puts into URLs. */
const plain = (text: unknown): string => String(text).replace(/\u2060/g, '');

/** Records notifications and progress messages, answers input boxes; restore() puts the originals back. */
function watchWindow(answers: { inputs?: string[]; warning?: (message: string, buttons: string[]) => string | undefined } = {}) {
  const window = vscode.window as unknown as Window;
  const originals = { ...pick(window, ['showWarningMessage', 'showInformationMessage', 'showInputBox', 'withProgress']) };
  const warnings: string[] = [];
  const infos: string[] = [];
  const progress: string[] = [];
  const inputBoxes: vscode.InputBoxOptions[] = [];
  window.showWarningMessage = (message: unknown, ...rest: unknown[]) => {
    const buttons = rest.filter((r): r is string => typeof r === 'string');
    if (typeof rest[0] === 'object' && rest[0] !== null && (rest[0] as vscode.MessageOptions).modal) return originals.showWarningMessage!.call(vscode.window, message, ...rest);
    warnings.push(plain(message));
    return Promise.resolve(answers.warning?.(String(message), buttons));
  };
  window.showInformationMessage = (message: unknown) => {
    infos.push(plain(message));
    return Promise.resolve(undefined);
  };
  window.showInputBox = (options: unknown) => {
    inputBoxes.push(options as vscode.InputBoxOptions);
    return Promise.resolve(answers.inputs?.shift());
  };
  window.withProgress = (options: unknown, task: unknown) =>
    originals.withProgress!.call(vscode.window, options, (p: vscode.Progress<{ message?: string }>, token: vscode.CancellationToken) =>
      (task as (p: vscode.Progress<{ message?: string }>, t: vscode.CancellationToken) => unknown)(
        {
          report: (value) => {
            if (value.message) progress.push(plain(value.message));
            p.report(value);
          },
        },
        token,
      ),
    );
  return { warnings, infos, progress, inputBoxes, restore: () => Object.assign(window, originals) };
}

function pick(window: Window, names: string[]): Partial<Window> {
  return Object.fromEntries(names.map((name) => [name, window[name]]));
}

describe('Sutro deployment (a bare origin) in the extension host', function () {
  this.timeout(120_000);
  let dep: SutroEmulator;
  let sharedRequestsBefore: number;

  before(async () => {
    await emulators();
    await setAllKeys();
    dep = await startSutro({ generation: 'deployment', keys: [DEPLOYMENT_KEY], jobStepMs: 600_000, cancelDelayMs: 60_000 });
  });

  after(async () => {
    // Back to the shared API the other suites use, with its key bound to it again.
    const emu = await emulators();
    await config().update('sutro.api', 'shared', GLOBAL);
    await config().update('sutro.apiUrl', emu.urls.sutro, GLOBAL);
    await (await api()).setApiKey('sutro', KEYS.sutro);
    await dep.close();
  });

  it('asks for the key again when the URL moves to another deployment, and never sends the old key there', async () => {
    const emu = await emulators();
    const window = watchWindow();
    try {
      // The URL first: no moment points the deployment API at the shared emulator.
      await config().update('sutro.apiUrl', dep.url, GLOBAL);
      await config().update('sutro.api', 'deployment', GLOBAL);
      const warning = await waitFor('the key notification', () => window.warnings.find((w) => w.includes('API key was set for')));
      assert.equal(
        warning,
        `The Sutro API key was set for ${emu.urls.sutro}; Sutro now points at ${dep.url}. Set the key again for ${dep.url}: a key is never sent to another host.`,
      );
      await assert.rejects((await api()).listJobs('sutro', { limit: 1 }), (e: Error) => {
        assert.equal(e.message, `The Sutro key was set for ${emu.urls.sutro}; set it again for ${dep.url}. Run "AI Functions: Set API Key…".`);
        return true;
      });
      assert.equal(dep.requests.length, 0, 'the old key went nowhere');
    } finally {
      window.restore();
    }
  });

  it('with no deployment set, the Functions and Jobs views say what to set', async () => {
    await config().update('sutro.apiUrl', '', GLOBAL);
    const t = await testing();
    await t.functionsTree.refresh('sutro');
    const functions = await t.functionsTree.getChildren({ kind: 'platform', platform: 'sutro' });
    const fnError = functions.find((n) => n.kind === 'message' && n.icon === 'error');
    assert.ok(fnError && fnError.kind === 'message');
    assert.equal(fnError.text, 'Check settings');
    assert.match(plain(fnError.tooltip), /Sutro has no deployment URL\. Set aiFunctions\.sutro\.apiUrl to your Sutro deployment URL/);
    const jobs = await t.jobsTree.getChildren({ kind: 'platform', platform: 'sutro' });
    const jobsError = jobs.find((n) => n.kind === 'message' && n.icon === 'error');
    assert.ok(jobsError && jobsError.kind === 'message');
    assert.match(plain(jobsError.tooltip), /Sutro has no deployment URL/);
    await assert.rejects((await api()).setApiKey('sutro', { apiKey: DEPLOYMENT_KEY }), /Sutro has no deployment URL/);
  });

  it('Set API Key asks for the deployment URL first, writes it to user settings, and binds the key to it', async () => {
    const window = watchWindow({ inputs: [`  ${dep.url}/v1/ `, DEPLOYMENT_KEY] });
    try {
      assert.equal(await vscode.commands.executeCommand('aiFunctions.setApiKey', { platform: 'sutro' }), true);
      assert.deepEqual(
        window.inputBoxes.map((box) => [box.title, box.password ?? false]),
        [
          ['Sutro deployment URL', false],
          ['Sutro API key', true],
        ],
      );
      const validate = window.inputBoxes[0]!.validateInput!;
      assert.match(String(await validate('https://api.sutro.sh')), /retired shared API/);
      assert.match(String(await validate('https://acme.example/api')), /path \/api/);
      assert.match(String(await validate('http://acme.example')), /loopback/);
      assert.equal(await validate(dep.url), undefined);
      assert.equal(config().inspect<string>('sutro.apiUrl')?.globalValue, `${dep.url}/v1/`);
      assert.ok(window.infos.some((m) => m === `Sutro credentials saved in VS Code's secret storage. They are sent only to ${dep.url}.`), window.infos.join('\n'));
    } finally {
      window.restore();
    }
    // As a user would give it: the bare origin.
    await config().update('sutro.apiUrl', dep.url, GLOBAL);
    // From here on the deployment is all there is: the shared API must hear nothing more.
    sharedRequestsBefore = (await emulators()).sutro.requests.length;
  });

  it('runs a Function, lists jobs (STARTING is running) and cancels with GET on the deployment', async () => {
    const extension = await api();
    dep.clearRequests();
    const result = await extension.runFunction({ platform: 'sutro', function: 'lead-qualifier', input: { query: 'We have budget and want a demo', region: 'APAC' } });
    assert.equal(result.label, 'qualified');
    assert.match((result.raw as { request_id: string }).request_id, /^rt_/);

    const page = await extension.listJobs('sutro', { limit: 3 });
    assert.deepEqual(
      page.items.slice(0, 2).map((j) => [j.id, j.status, j.rawStatus]),
      [
        ['job-00025', 'running', 'RUNNING'],
        ['job-00024', 'running', 'STARTING'],
      ],
    );
    const cancelled = await extension.cancelJob('sutro', 'job-00024');
    assert.deepEqual([cancelled.status, cancelled.rawStatus], ['running', 'CANCELLING'], 'CANCELLING is not finished yet');

    // In this order, among the Jobs view's own listings.
    const sent = dep.requests.map((r) => `${r.method} ${r.path}`);
    const expected = ['POST /v1/functions/lead-qualifier/run', 'GET /v1/list-jobs', 'GET /v1/job-cancel/job-00024', 'GET /v1/jobs/job-00024'];
    let next = 0;
    for (const r of sent) if (r === expected[next]) next++;
    assert.equal(next, expected.length, sent.join(', '));
    assert.ok(sent.every((r) => r.includes(' /v1/')), sent.join(', '));
    for (const r of dep.requests) assert.equal(r.headers.authorization, `Key ${DEPLOYMENT_KEY}`);
  });

  it('a Sutro error shows its detail and request id', async () => {
    await assert.rejects((await api()).runFunction({ platform: 'sutro', function: 'lead-qualifier', input: { query: 'no region' } }), (e: Error) => {
      assert.match(e.message, /^Sutro refused the input \(422\): Missing required input field\(s\): region \(request ID rt_[0-9a-f]+\)\.$/);
      return true;
    });
  });

  it('Open Results waits for results that lag, in its progress notification', async () => {
    dep.resultsLagPolls = 1;
    const window = watchWindow();
    try {
      await vscode.commands.executeCommand('aiFunctions.openJobResults', { kind: 'job', platform: 'sutro', id: 'job-00012' });
      const editor = await waitFor('the results document', () => (vscode.window.activeTextEditor?.document.uri.path.includes('/sutro/results/job-00012') ? vscode.window.activeTextEditor : undefined));
      const lines = editor.document.getText().trim().split('\n');
      assert.equal(lines.length, dep.jobOutputs(dep.getJob('job-00012')!).length);
      assert.ok('output' in JSON.parse(lines[0]!) && 'input' in JSON.parse(lines[0]!));
      assert.ok(window.progress.some((m) => /^Sutro is still publishing the results; trying again in 5 s \(try 2 of 20, at most 95 s more\)$/.test(m)), window.progress.join('\n'));
      assert.equal(dep.requestsTo('/v1/job-results').length >= 2, true);
    } finally {
      window.restore();
      dep.resultsLagPolls = 0;
    }
  });

  it('results larger than 10 MiB come as a Parquet file: the document shows the rows, a notification names the file', async () => {
    dep.resultsPaddingBytes = 11 * 1024 * 1024;
    dep.clearRequests();
    const window = watchWindow();
    try {
      await vscode.commands.executeCommand('aiFunctions.openJobResults', { kind: 'job', platform: 'sutro', id: 'job-00011' });
      const info = await waitFor('the file notification', () => window.infos.find((m) => m.includes('Parquet')));
      const rows = dep.jobOutputs(dep.getJob('job-00011')!).length;
      assert.match(info, new RegExp(`^All ${rows} rows are shown\\. The full results are saved as Parquet in .*sutro-job-00011\\.parquet\\.$`));
      const editor = vscode.window.activeTextEditor!;
      assert.ok(editor.document.uri.path.includes('/sutro/results/job-00011'));
      const lines = editor.document.getText().trim().split('\n').map((l) => JSON.parse(l) as { input: unknown; output: unknown });
      assert.equal(lines.length, rows);
      assert.deepEqual(
        lines.map((l) => l.output),
        dep.jobOutputs(dep.getJob('job-00011')!).map((o) => (o.startsWith('{') ? JSON.parse(o) : o)),
      );
      assert.deepEqual(
        window.progress.slice(-3).map((m) => m.replace(/\(\d+ KiB\)/, '(n KiB)')),
        ['The results are larger than 10 MiB: asking Sutro for a download link', 'Downloading the results file (n KiB)', 'Reading the results file'],
      );
      const download = dep.requestsTo(/^\/presigned\//, 'GET');
      assert.equal(download.length, 1);
      assert.equal(download[0]!.headers.authorization, undefined, 'the presigned link gets no key');
    } finally {
      window.restore();
      dep.resultsPaddingBytes = 0;
    }
  });

  it('sent nothing to any other host', async () => {
    const emu = await emulators();
    assert.equal(emu.sutro.requests.length, sharedRequestsBefore, 'the shared API got no Sutro request');
    const host = new URL(dep.url).host;
    for (const r of dep.requests) assert.equal(r.headers.host, host);
  });

  it('the shared API still works when chosen', async () => {
    const emu = await emulators();
    await config().update('sutro.api', 'shared', GLOBAL);
    await config().update('sutro.apiUrl', emu.urls.sutro, GLOBAL);
    const extension = await api();
    await extension.setApiKey('sutro', KEYS.sutro);
    emu.sutro.clearRequests();
    const result = await extension.runFunction({ platform: 'sutro', function: 'lead-qualifier', input: { query: 'budget for a demo', region: 'NA' } });
    assert.equal(result.label, 'qualified');
    assert.equal((await extension.listJobs('sutro', { limit: 2 })).items.length, 2);
    // The Jobs view lists the shared API's jobs again on its own; these are the calls made here.
    const sent = emu.sutro.requests.map((r) => `${r.method} ${r.path}`);
    assert.ok(sent.includes('POST /functions/run') && sent.includes('GET /list-jobs'), sent.join(', '));
    assert.ok(sent.every((r) => !r.includes('/v1/')), sent.join(', '));
  });
});
