// The Functions and Jobs views as wired in the real extension, against the emulators.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FunctionsNode } from '../../src/vscode/functions/functionsTree';
import type { JobsNode } from '../../src/vscode/jobs/jobsTree';
import { emulators, KEYS, setAllKeys, testing } from './environment';
import { answerModals, api, clearAllKeys, labelOf, waitFor } from './helpers';

describe('Functions view', function () {
  this.timeout(60_000);

  before(async () => {
    await emulators();
  });

  after(async () => {
    await setAllKeys();
  });

  it('is empty with no key, so the welcome buttons show', async () => {
    await clearAllKeys();
    const { functionsTree } = await testing();
    assert.deepEqual(await functionsTree.getChildren(), []);
  });

  it('shows every platform once a key is set, with "Set API key…" under those without one', async () => {
    await clearAllKeys();
    await (await api()).setApiKey('sutro', KEYS.sutro);
    const { functionsTree } = await testing();
    const roots = await functionsTree.getChildren();
    assert.deepEqual(roots.map((node) => labelOf(functionsTree.getTreeItem(node))), ['Sutro', 'Nyckel', 'Inferable']);
    const nyckel = await functionsTree.getChildren(roots[1]);
    assert.equal(nyckel.length, 1);
    const setKey = functionsTree.getTreeItem(nyckel[0]);
    assert.equal(labelOf(setKey), 'Set API key…');
    assert.equal(setKey.command?.command, 'aiFunctions.setApiKey');
    assert.deepEqual(setKey.command?.arguments, [{ platform: 'nyckel' }]);
    const sutro = await functionsTree.getChildren(roots[0]);
    const names = sutro.map((node) => labelOf(functionsTree.getTreeItem(node)));
    assert.ok(names.includes('lead-qualifier') && names.includes('lead-extractor'), names.join(', '));
    const item = functionsTree.getTreeItem(sutro.find((n) => n.kind === 'function' && n.fn.id === 'lead-qualifier') as FunctionsNode);
    assert.match(String(item.contextValue), /^function\b.*\bconfigured\b/);
    assert.equal(item.description, 'query, region');
  });

  it('lists Nyckel functions with their types and Inferable functions by service', async () => {
    await setAllKeys();
    const { functionsTree } = await testing();
    await functionsTree.refresh();
    const roots = await functionsTree.getChildren();
    const nyckel = (await functionsTree.getChildren(roots[1])).map((node) => functionsTree.getTreeItem(node));
    const leadIntent = nyckel.find((item) => item.id === 'function:nyckel:function_leadintent');
    assert.ok(leadIntent, 'function_leadintent is listed');
    assert.equal(leadIntent.description, 'Text → Classification');
    assert.ok(leadIntent.tooltip instanceof vscode.MarkdownString);
    const inferable = (await functionsTree.getChildren(roots[2])).map((node) => labelOf(functionsTree.getTreeItem(node)));
    assert.ok(inferable.some((name) => name.includes('.')), inferable.join(', '));
  });

  it('shows a rejected key on the platform node with "Set API key…" and "Retry"', async () => {
    await setAllKeys();
    await (await api()).setApiKey('nyckel', { clientId: 'nyckel_test_client', clientSecret: 'wrong_secret_value' });
    const { functionsTree } = await testing();
    await functionsTree.refresh('nyckel');
    const roots = await functionsTree.getChildren();
    assert.match(String(functionsTree.getTreeItem(roots[1]).description), /Key rejected \(401\)/);
    const children = (await functionsTree.getChildren(roots[1])).map((node) => functionsTree.getTreeItem(node));
    assert.deepEqual(children.map(labelOf).slice(1), ['Set API key…', 'Retry']);
    assert.equal(children[2].command?.command, 'aiFunctions.refreshFunctions');
  });

  it('shows an unreachable platform with the reason and "Retry"', async () => {
    await setAllKeys();
    const config = vscode.workspace.getConfiguration('aiFunctions');
    const emu = await emulators();
    await config.update('inferable.baseUrl', 'http://127.0.0.1:9', vscode.ConfigurationTarget.Global);
    try {
      const { functionsTree } = await testing();
      await functionsTree.refresh('inferable');
      const roots = await functionsTree.getChildren();
      assert.equal(functionsTree.getTreeItem(roots[2]).description, 'Unreachable');
      const children = (await functionsTree.getChildren(roots[2])).map((node) => functionsTree.getTreeItem(node));
      assert.match(String(children[0].tooltip), /Could not reach Inferable/);
      const retry = children.find((child) => labelOf(child) === 'Retry');
      assert.equal(retry?.command?.command, 'aiFunctions.refreshFunctions');
    } finally {
      await config.update('inferable.baseUrl', emu.urls.inferable, vscode.ConfigurationTarget.Global);
    }
  });

  it('adds a Sutro function, copies its id, and removes it', async () => {
    await setAllKeys();
    const { functionsTree } = await testing();
    await vscode.commands.executeCommand('aiFunctions.addSutroFunction', { name: 'sentiment', inputFields: ['text'] });
    const sutroNode = (await functionsTree.getChildren())[0];
    const added = (await functionsTree.getChildren(sutroNode)).find((n) => n.kind === 'function' && n.fn.id === 'sentiment');
    assert.ok(added, 'the added function is listed');
    assert.match(String(functionsTree.getTreeItem(added).contextValue), /\bconfigured\b/);
    await vscode.commands.executeCommand('aiFunctions.copyFunctionId', added);
    assert.equal(await vscode.env.clipboard.readText(), 'sentiment');
    await vscode.commands.executeCommand('aiFunctions.removeSutroFunction', added);
    const configured = vscode.workspace.getConfiguration('aiFunctions').inspect<{ name: string }[]>('sutro.functions')?.globalValue ?? [];
    assert.ok(!configured.some((f) => f.name === 'sentiment'));
  });

  it('sets the default function from a node', async () => {
    await setAllKeys();
    const { functionsTree } = await testing();
    const roots = await functionsTree.getChildren();
    const node = (await functionsTree.getChildren(roots[0])).find((n) => n.kind === 'function' && n.fn.id === 'lead-qualifier');
    await vscode.commands.executeCommand('aiFunctions.setDefaultFunction', node);
    assert.equal(vscode.workspace.getConfiguration('aiFunctions').get('defaultFunction'), 'sutro:lead-qualifier');
    assert.match(String(functionsTree.getTreeItem(node as FunctionsNode).description), /default/);
  });
});

describe('Jobs view', function () {
  this.timeout(120_000);

  before(async () => {
    await emulators();
    await setAllKeys();
  });

  afterEach(async () => {
    const emu = await emulators();
    emu.sutro.faults.clear();
    await vscode.commands.executeCommand('aiFunctions.filterJobs.all');
  });

  it('lists Sutro jobs newest first with status icons, descriptions, tooltips and "Load more…"', async () => {
    const emu = await emulators();
    emu.sutro.jobCount = 120;
    const { jobsTree } = await testing();
    await jobsTree.refresh('sutro');
    const roots = await jobsTree.getChildren();
    assert.deepEqual(roots.map((n) => labelOf(jobsTree.getTreeItem(n))), ['Sutro', 'Inferable']);
    const children = await jobsTree.getChildren(roots[0]);
    const jobs = children.filter((n) => n.kind === 'job');
    assert.equal(jobs.length, 50, 'one page of the default size');
    assert.equal(children[children.length - 1].kind, 'loadMore');
    const items = jobs.map((n) => jobsTree.getTreeItem(n));
    assert.match(String(items[0].description), /^(Queued|Running|Paused|Succeeded|Failed|Cancelled)( · [^·]+)+$/);
    for (const item of items) assert.ok(item.iconPath instanceof vscode.ThemeIcon);
    const running = items.find((item) => /^Running/.test(String(item.description)));
    if (running) assert.equal((running.iconPath as vscode.ThemeIcon).id, 'loading~spin');
    const tooltip = items[0].tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /Created/);
  });

  it('loads each page once even when "Load more…" is clicked twice', async () => {
    const emu = await emulators();
    emu.sutro.jobCount = 120;
    const { jobsStore, jobsTree } = await testing();
    await jobsTree.refresh('sutro');
    emu.sutro.clearRequests();
    const node = (await jobsTree.getChildren((await jobsTree.getChildren())[0])).find((n) => n.kind === 'loadMore') as JobsNode;
    await Promise.all([
      vscode.commands.executeCommand('aiFunctions.loadMoreJobs', node),
      vscode.commands.executeCommand('aiFunctions.loadMoreJobs', node),
    ]);
    assert.equal(emu.sutro.requestsTo('/list-jobs').length, 1);
    const ids = jobsStore.get('sutro').jobs.map((j) => j.id);
    assert.equal(ids.length, 100);
    assert.equal(new Set(ids).size, 100);
  });

  it('pages through 10,000 jobs with no duplicate and no gap, and reports time and memory', async () => {
    const emu = await emulators();
    emu.sutro.jobCount = 10_000;
    await vscode.workspace.getConfiguration('aiFunctions').update('jobs.pageSize', 100, vscode.ConfigurationTarget.Global);
    try {
      const { jobsStore } = await testing();
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      await jobsStore.refresh('sutro');
      const firstPageMs = performance.now() - started;
      await jobsStore.loadAll('sutro');
      const allMs = performance.now() - started;
      const jobs = jobsStore.get('sutro').jobs;
      assert.equal(jobs.length, 10_000);
      assert.equal(new Set(jobs.map((j) => j.id)).size, 10_000);
      const expected = (await setAllKeys()).listJobs('sutro');
      assert.deepEqual(jobs.map((j) => j.id), (await expected).items.map((j) => j.id), 'same ids, same order as the unpaged list');
      const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
      const rssMb = process.memoryUsage().rss / 1024 / 1024;
      console.log(`      [measure] jobs first page ${firstPageMs.toFixed(0)} ms, all 10,000 in ${allMs.toFixed(0)} ms, heap +${heapMb.toFixed(1)} MB, extension host RSS ${rssMb.toFixed(0)} MB`);
    } finally {
      await vscode.workspace.getConfiguration('aiFunctions').update('jobs.pageSize', undefined, vscode.ConfigurationTarget.Global);
      emu.sutro.jobCount = 25;
    }
  });

  it('filters by status and remembers the filter', async () => {
    const emu = await emulators();
    emu.sutro.jobCount = 60;
    const { jobsTree } = await testing();
    await jobsTree.refresh('sutro');
    await vscode.commands.executeCommand('aiFunctions.filterJobs.failed');
    assert.equal(jobsTree.currentFilter, 'failed');
    const roots = await jobsTree.getChildren();
    const items = (await jobsTree.getChildren(roots[0])).filter((n) => n.kind === 'job').map((n) => jobsTree.getTreeItem(n));
    assert.ok(items.length > 0, 'the seeded jobs include failed ones');
    for (const item of items) assert.match(String(item.description), /^(Failed|Cancelled)/);
    await vscode.commands.executeCommand('aiFunctions.filterJobs.succeeded');
    const succeeded = (await jobsTree.getChildren(roots[0])).filter((n) => n.kind === 'job').map((n) => jobsTree.getTreeItem(n));
    for (const item of succeeded) assert.match(String(item.description), /^Succeeded/);
  });

  it('polls a running job until it succeeds, says so when watched, then stops polling it', async () => {
    const emu = await emulators();
    const { jobsStore, jobsTree } = await testing();
    await vscode.commands.executeCommand('workbench.view.extension.aiFunctions');
    const id = emu.sutro.submitJob('lead-qualifier', [{ query: 'budget', region: 'EU' }], { name: 'poll me' });
    await jobsTree.refresh('sutro');
    assert.notEqual(jobsStore.find('sutro', id)?.status, 'succeeded');
    const messages: string[] = [];
    const original = vscode.window.showInformationMessage;
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = (message: string, ...items: string[]) => {
      messages.push(message);
      return (original as (message: string, ...items: string[]) => Thenable<string | undefined>).call(vscode.window, message, ...items);
    };
    try {
      // Opening a running job's details watches it.
      await vscode.commands.executeCommand('aiFunctions.openJobDetails', jobsTree.jobNode('sutro', id));
      await waitFor('the job to succeed in the view', () => jobsStore.find('sutro', id)?.status === 'succeeded', 30_000);
      await waitFor('the finished notification', () => messages.some((m) => m === 'Sutro job "poll me" succeeded.'), 5000);
    } finally {
      (vscode.window as { showInformationMessage: unknown }).showInformationMessage = original;
    }
    const item = jobsTree.getTreeItem(jobsTree.jobNode('sutro', id));
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
    const polls = emu.sutro.requestsTo(`/jobs/${id}`).length;
    assert.ok(polls > 0, 'the job was polled');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    assert.equal(emu.sutro.requestsTo(`/jobs/${id}`).length, polls, 'no polls after the job finished');
  });

  it('cancels a running job', async () => {
    const emu = await emulators();
    const { jobsStore, jobsTree } = await testing();
    const id = emu.sutro.submitJob('lead-qualifier', [{ query: 'budget', region: 'EU' }], { name: 'cancel me' });
    await jobsTree.refresh('sutro');
    emu.sutro.clearRequests();
    // Arguments could come from a command link: the command asks, and does nothing on "no".
    const declined = answerModals(() => undefined);
    try {
      await vscode.commands.executeCommand('aiFunctions.cancelJob', { platform: 'sutro', id });
    } finally {
      declined.restore();
    }
    assert.match(declined.asked[0] ?? '', /Cancel Sutro job "cancel me"\?/);
    assert.equal(emu.sutro.requestsTo(`/job-cancel/${id}`).length, 0, 'nothing was cancelled without a yes');
    const confirmed = answerModals((_message, buttons) => buttons.find((b) => b === 'Cancel Job'));
    try {
      await vscode.commands.executeCommand('aiFunctions.cancelJob', { platform: 'sutro', id });
    } finally {
      confirmed.restore();
    }
    assert.equal(emu.sutro.requestsTo(`/job-cancel/${id}`).length, 1);
    await waitFor('the job to be cancelled', () => /CANCEL/.test(jobsStore.find('sutro', id)?.rawStatus ?? ''), 20_000);
  });

  it('opens a job as a read-only JSON document titled with its name and status', async () => {
    const emu = await emulators();
    emu.sutro.jobCount = 25;
    const { jobsStore, jobsTree } = await testing();
    await jobsTree.refresh('sutro');
    const job = jobsStore.get('sutro').jobs.find((j) => j.status === 'succeeded');
    assert.ok(job);
    await vscode.commands.executeCommand('aiFunctions.openJobDetails', jobsTree.jobNode('sutro', job.id));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.document.uri.scheme, 'ai-functions');
    assert.match(editor.document.uri.path, /· Succeeded\.json$/);
    const parsed = JSON.parse(editor.document.getText());
    assert.equal(parsed.job_id, job.id);
  });

  it('opens the results of a succeeded job as JSON Lines, one row per line', async () => {
    const { jobsStore, jobsTree } = await testing();
    const job = jobsStore.get('sutro').jobs.find((j) => j.status === 'succeeded' && (j.rows ?? 0) > 0);
    assert.ok(job);
    await vscode.commands.executeCommand('aiFunctions.openJobResults', jobsTree.jobNode('sutro', job.id));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.match(editor.document.uri.path, /results\.jsonl$/);
    const lines = editor.document.getText().trim().split('\n');
    assert.equal(lines.length, job.rows);
    for (const line of lines) JSON.parse(line);
  });

  it('keeps the last good list and shows the error on the platform node when a refresh fails', async () => {
    const emu = await emulators();
    const { jobsStore, jobsTree } = await testing();
    await jobsTree.refresh('sutro');
    const before = jobsStore.get('sutro').jobs.length;
    emu.sutro.faults.set({ unavailable: true });
    await jobsTree.refresh('sutro');
    const roots = await jobsTree.getChildren();
    assert.match(String(jobsTree.getTreeItem(roots[0]).description), /Server error \(503\)/);
    const children = await jobsTree.getChildren(roots[0]);
    assert.equal(children.filter((n) => n.kind === 'job').length, before);
    assert.equal(children[0].kind, 'message');
    emu.sutro.faults.clear();
    await jobsTree.refresh('sutro');
    assert.equal(jobsStore.get('sutro').error, undefined);
  });

  it('shows Inferable runs and opens a run with its result and summary', async () => {
    const { jobsTree, jobsStore } = await testing();
    await jobsTree.refresh('inferable');
    const run = jobsStore.get('inferable').jobs.find((j) => j.status === 'succeeded');
    assert.ok(run, 'a finished run is listed');
    const item = jobsTree.getTreeItem(jobsTree.jobNode('inferable', run.id));
    assert.match(String(item.contextValue), /\brun\b/);
    await vscode.commands.executeCommand('aiFunctions.openRun', jobsTree.jobNode('inferable', run.id));
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    const parsed = JSON.parse(text);
    assert.equal(parsed.status, 'done');
    assert.ok('summary' in parsed && 'result' in parsed && 'jobs' in parsed);
  });

  it('answers the input request of a paused Inferable run, which then finishes', async () => {
    const emu = await emulators();
    const { jobsTree, jobsStore } = await testing();
    const run = emu.inferable.createRun('Please ask me to approve the refund', {});
    await waitFor('the run to pause', async () => (await (await setAllKeys()).getJob('inferable', run.id)).status === 'paused', 20_000);
    // A refresh already in flight (auto-refresh) may have listed the runs before this one existed.
    await waitFor('the paused run in the Jobs view', async () => {
      await jobsTree.refresh('inferable');
      return jobsStore.find('inferable', run.id)?.status === 'paused' || undefined;
    });
    const item = jobsTree.getTreeItem(jobsTree.jobNode('inferable', run.id));
    assert.match(String(item.contextValue), /\banswerable\b/);
    const confirmed = answerModals((_message, buttons) => buttons.find((b) => b === 'Send Answer'));
    try {
      await vscode.commands.executeCommand('aiFunctions.answerInputRequest', { platform: 'inferable', id: run.id, answer: 'approved' });
    } finally {
      confirmed.restore();
    }
    assert.match(confirmed.asked[0] ?? '', /Send the answer "approved" to Inferable run/);
    const [answer] = emu.inferable.requestsTo(new RegExp(`/runs/${run.id}/input-requests/`), 'POST');
    assert.deepEqual(answer.parsed, { input: 'approved' });
    await waitFor('the run to finish', () => jobsStore.find('inferable', run.id)?.status === 'succeeded', 30_000);
  });
});
