// Inferable's current API generation in the real extension host, against the emulator switched to
// it: a run from the run panel finishes with its result and its text answer, and a paused run's
// approval is shown in the Jobs view and approved there (after the modal confirmation), from a
// command link (never silently) and through the public API. The Oct 2024 generation is the
// emulator's default, which the other suites use (sidebar: "answers the input request…").
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HostMessage } from '../../src/shared/panelProtocol';
import type { JobsNode } from '../../src/vscode/jobs/jobsTree';
import { emulators, setAllKeys, testing, useInferableGeneration } from './environment';
import { answerModals, labelOf, textOf, waitFor } from './helpers';

const SCHEMA = { type: 'object', properties: { total: { type: 'number' } } };

describe('Inferable generations', function () {
  this.timeout(90_000);

  before(async () => {
    await emulators();
    await useInferableGeneration('current');
  });

  after(async () => {
    (await emulators()).inferable.reset();
    // Back to the Oct 2024 generation for the suites that follow, detected again by the extension.
    await useInferableGeneration('seed');
  });

  /** A run created on the emulator that pauses for the approval of `updateLead`. */
  async function pausedRun(): Promise<{ id: string; jobId: string }> {
    const emu = await emulators();
    const run = emu.inferable.createRun('Move Acme Labs to negotiation (approve first)', { tools: ['updateLead'] });
    const extension = await setAllKeys();
    await waitFor('the run to pause', async () => (await extension.getJob('inferable', run.id)).status === 'paused', 20_000);
    return run;
  }

  it('lists the tools and runs from the run panel: the result and the text answer are shown', async () => {
    const emu = await emulators();
    const extension = await setAllKeys();
    assert.deepEqual((await extension.listFunctions('inferable')).map((f) => f.id), ['searchInventory', 'getInventoryItem', 'lookupLead', 'updateLead']);

    const { runPanel } = await testing();
    const posted: HostMessage[] = [];
    const subscription = runPanel.onDidPostMessage((message) => posted.push(message));
    emu.inferable.clearRequests();
    try {
      const form = { platform: 'inferable' as const, function: '', inputMode: 'text' as const, input: 'How many items are in stock?', fields: {}, options: { resultSchema: JSON.stringify(SCHEMA) } };
      assert.equal(await runPanel.handleMessage({ type: 'run', runId: 'itInferableCurrent', form }), true);
    } finally {
      subscription.dispose();
    }
    const result = posted.find((m): m is Extract<HostMessage, { type: 'result' }> => m.type === 'result' && m.runId === 'itInferableCurrent');
    assert.ok(result, `a result was posted (got ${posted.map((m) => m.type).join(', ')})`);
    assert.equal(result.view.kind, 'run');
    assert.equal(result.view.status, 'done');
    assert.equal(typeof (result.view.output as { total?: unknown }).total, 'number');
    assert.equal(result.view.summary, 'I found the following items', 'the text answer is in the result the webview shows');
    const [create] = emu.inferable.requestsTo('/clusters/clu_emulator/runs', 'POST');
    assert.deepEqual(create.parsed, { initialPrompt: 'How many items are in stock?', resultSchema: SCHEMA });
    assert.equal(emu.inferable.requestsTo(/\/messages$/, 'GET').length, 1);

    // The public API and Classify go through the same RunService → adapter.run.
    const summaryOnly = await extension.runFunction({ platform: 'inferable', function: 'searchInventory', input: 'A summary only of the stock' });
    assert.equal(summaryOnly.status, 'done');
    assert.match(summaryOnly.summary ?? '', /^Summary: handled "A summary only of the stock" with searchInventory/);
  });

  it('shows a paused run’s approval in the Jobs view and approves it after the modal confirmation', async () => {
    const emu = await emulators();
    const { jobsTree, jobsStore } = await testing();
    const run = await pausedRun();
    await jobsTree.refresh('inferable');
    const jobNode = jobsTree.jobNode('inferable', run.id);
    assert.equal(jobsTree.getTreeItem(jobNode).collapsibleState, vscode.TreeItemCollapsibleState.Expanded);

    const children = await jobsTree.getChildren(jobNode);
    assert.equal(children.length, 1);
    const decision = children[0] as JobsNode & { kind: 'decision' };
    assert.equal(decision.kind, 'decision');
    const item = jobsTree.getTreeItem(decision);
    assert.equal(labelOf(item), 'Approve the call to updateLead?');
    assert.match(String(item.description), /"leadId"/);
    assert.match(String(item.contextValue), /^decision\b.*\bapprovable\b/);
    assert.match(textOf(item.tooltip as vscode.MarkdownString), /Approve or deny it/);
    const runItem = jobsTree.getTreeItem(jobNode);
    assert.match(String(runItem.contextValue), /\bapprovable\b/, 'the run row offers Approve and Deny');
    assert.doesNotMatch(String(runItem.contextValue), /\banswerable\b/, 'and no input request');

    // Declined: nothing is sent.
    const declined = answerModals(() => undefined);
    try {
      await vscode.commands.executeCommand('aiFunctions.approveRun', decision);
    } finally {
      declined.restore();
    }
    assert.match(declined.asked[0] ?? '', /^Approve the call to updateLead with \{"leadId":.*\} of Inferable run "Move Acme Labs.*"\? \| The run goes on and makes the call\.$/);
    assert.equal(emu.inferable.requestsTo(`/clusters/clu_emulator/jobs/${run.jobId}/approval`, 'POST').length, 0);

    const confirmed = answerModals((_message, buttons) => buttons.find((b) => b === 'Approve'));
    try {
      await vscode.commands.executeCommand('aiFunctions.approveRun', decision);
    } finally {
      confirmed.restore();
    }
    assert.equal(confirmed.asked.length, 1);
    const [approval] = emu.inferable.requestsTo(`/clusters/clu_emulator/jobs/${run.jobId}/approval`, 'POST');
    assert.deepEqual(approval.parsed, { approved: true });
    await waitFor('the run to finish', () => jobsStore.find('inferable', run.id)?.status === 'succeeded', 30_000);
    assert.deepEqual(await jobsTree.getChildren(jobNode), [], 'nothing left to decide');
  });

  it('approves from the run panel: the approval shows with its call, Approve sends it, and the run is followed to its result', async () => {
    const emu = await emulators();
    await setAllKeys();
    const { runPanel } = await testing();
    const posted: HostMessage[] = [];
    const subscription = runPanel.onDidPostMessage((message) => posted.push(message));
    const results = (runId: string) => posted.filter((m): m is Extract<HostMessage, { type: 'result' }> => m.type === 'result' && m.runId === runId);
    emu.inferable.clearRequests();
    try {
      const form = { platform: 'inferable' as const, function: 'updateLead', inputMode: 'text' as const, input: 'Move Acme Labs to negotiation (approve first)', fields: {}, options: {} };
      assert.equal(await runPanel.handleMessage({ type: 'run', runId: 'itPanelApprove', form }), true);
      const [pausedResult] = results('itPanelApprove');
      assert.ok(pausedResult, `a result was posted (got ${posted.map((m) => m.type).join(', ')})`);
      assert.equal(pausedResult.view.status, 'paused');
      const [approval] = pausedResult.view.approvals ?? [];
      assert.ok(approval, 'the paused result carries its approval');
      assert.equal(approval.function, 'updateLead');
      assert.match(approval.args ?? '', /"leadId"/);
      const runId = pausedResult.view.platformRunId!;
      const [create] = emu.inferable.requestsTo('/clusters/clu_emulator/runs', 'POST');
      assert.deepEqual((create.parsed as { tools?: unknown }).tools, ['updateLead']);

      // An approval the result does not show is refused without a request.
      posted.length = 0;
      assert.equal(await runPanel.handleMessage({ type: 'decide', runId: 'itPanelApprove', decisionId: 'not-shown', approved: true }), true);
      assert.ok(posted.some((m) => m.type === 'notice' && m.level === 'error'), 'a notice says so');
      assert.equal(emu.inferable.requestsTo(/\/approval$/, 'POST').length, 0);
      // A message that does not match the protocol is rejected.
      assert.equal(await runPanel.handleMessage({ type: 'decide', runId: 'itPanelApprove', decisionId: approval.id, approved: 'yes' }), false);

      // Approve: the approval is read again, answered, and the run followed until it is done.
      posted.length = 0;
      assert.equal(await runPanel.handleMessage({ type: 'decide', runId: 'itPanelApprove', decisionId: approval.id, approved: true }), true);
      const [sent] = emu.inferable.requestsTo(`/clusters/clu_emulator/jobs/${approval.id}/approval`, 'POST');
      assert.deepEqual(sent?.parsed, { approved: true });
      assert.ok(posted.some((m) => m.type === 'running' && m.runId === 'itPanelApprove'), 'the panel shows the run going on');
      const [done] = results('itPanelApprove');
      assert.ok(done, `the new result was posted (got ${posted.map((m) => m.type).join(', ')})`);
      assert.equal(done.view.status, 'done');
      assert.equal(done.view.platformRunId, runId);
      assert.equal(done.view.approvals, undefined, 'nothing left to approve');
      assert.match(done.view.summary ?? '', /after your approval/i);
    } finally {
      subscription.dispose();
    }
  });

  it('shows the next approval of a run that pauses again after Approve, without a refresh', async () => {
    const emu = await emulators();
    await setAllKeys();
    const { runPanel } = await testing();
    const posted: HostMessage[] = [];
    const subscription = runPanel.onDidPostMessage((message) => posted.push(message));
    const lastResult = () => posted.filter((m): m is Extract<HostMessage, { type: 'result' }> => m.type === 'result' && m.runId === 'itPanelTwice').at(-1);
    try {
      const form = { platform: 'inferable' as const, function: 'updateLead', inputMode: 'text' as const, input: 'Move Acme Labs to negotiation (approve twice)', fields: {}, options: {} };
      await runPanel.handleMessage({ type: 'run', runId: 'itPanelTwice', form });
      const first = lastResult()?.view.approvals?.[0];
      assert.ok(first, 'the first approval is shown');
      posted.length = 0;
      await runPanel.handleMessage({ type: 'decide', runId: 'itPanelTwice', decisionId: first.id, approved: true });
      const again = lastResult();
      assert.equal(again?.view.status, 'paused', 'the run paused again');
      const second = again?.view.approvals?.[0];
      assert.ok(second, 'its next approval is shown');
      assert.notEqual(second.id, first.id);
      posted.length = 0;
      await runPanel.handleMessage({ type: 'decide', runId: 'itPanelTwice', decisionId: second.id, approved: true });
      assert.equal(lastResult()?.view.status, 'done');
      assert.deepEqual(
        [first.id, second.id].map((id) => emu.inferable.requestsTo(`/clusters/clu_emulator/jobs/${id}/approval`, 'POST').map((r) => r.parsed)),
        [[{ approved: true }], [{ approved: true }]],
      );
    } finally {
      subscription.dispose();
    }
  });

  it('denies from the run panel, and the run finishes without the call', async () => {
    const emu = await emulators();
    await setAllKeys();
    const { runPanel } = await testing();
    const posted: HostMessage[] = [];
    const subscription = runPanel.onDidPostMessage((message) => posted.push(message));
    try {
      const form = { platform: 'inferable' as const, function: 'updateLead', inputMode: 'text' as const, input: 'Move Acme Labs to negotiation (approve first)', fields: {}, options: {} };
      await runPanel.handleMessage({ type: 'run', runId: 'itPanelDeny', form });
      const paused = posted.find((m): m is Extract<HostMessage, { type: 'result' }> => m.type === 'result' && m.runId === 'itPanelDeny');
      const approval = paused?.view.approvals?.[0];
      assert.ok(approval);
      posted.length = 0;
      await runPanel.handleMessage({ type: 'decide', runId: 'itPanelDeny', decisionId: approval.id, approved: false });
      assert.deepEqual(emu.inferable.requestsTo(`/clusters/clu_emulator/jobs/${approval.id}/approval`, 'POST')[0]?.parsed, { approved: false });
      const done = posted.find((m): m is Extract<HostMessage, { type: 'result' }> => m.type === 'result' && m.runId === 'itPanelDeny');
      assert.equal(done?.view.status, 'done');
      assert.match(done?.view.summary ?? '', /not approved/);
    } finally {
      subscription.dispose();
    }
  });

  it('never approves from a command link without asking: {platform, id} and an answer both ask first', async () => {
    const emu = await emulators();
    const run = await pausedRun();
    const declined = answerModals(() => undefined);
    try {
      await vscode.commands.executeCommand('aiFunctions.approveRun', { platform: 'inferable', id: run.id });
      await vscode.commands.executeCommand('aiFunctions.answerInputRequest', { platform: 'inferable', id: run.id, answer: 'approve' });
    } finally {
      declined.restore();
    }
    assert.equal(declined.asked.length, 2);
    assert.ok(declined.asked.every((q) => q.startsWith('Approve the call to updateLead with ')), declined.asked.join('\n'));
    assert.equal(emu.inferable.requestsTo(`/clusters/clu_emulator/jobs/${run.jobId}/approval`, 'POST').length, 0);

    const denied = answerModals((_message, buttons) => buttons.find((b) => b === 'Deny'));
    try {
      await vscode.commands.executeCommand('aiFunctions.denyRun', { platform: 'inferable', id: run.id });
    } finally {
      denied.restore();
    }
    assert.match(denied.asked[0] ?? '', /^Deny the call to updateLead with .* \| The run goes on without making the call\.$/);
    const [denial] = emu.inferable.requestsTo(`/clusters/clu_emulator/jobs/${run.jobId}/approval`, 'POST');
    assert.deepEqual(denial.parsed, { approved: false });
  });

  it('the public API lists and answers approvals as it answers input requests', async () => {
    const emu = await emulators();
    const extension = await setAllKeys();
    const first = await pausedRun();
    const pending = await extension.pendingDecisions('inferable', first.id);
    assert.deepEqual(
      pending.map((d) => [d.kind, d.id, d.kind === 'approval' ? d.function : undefined]),
      [['approval', first.jobId, 'updateLead']],
    );
    await assert.rejects(extension.answerInputRequest('inferable', first.id, 'maybe'), /answer "approve" or "deny"/);
    await extension.answerInputRequest('inferable', first.id, 'approve');
    assert.deepEqual(emu.inferable.requestsTo(`/clusters/clu_emulator/jobs/${first.jobId}/approval`, 'POST')[0]?.parsed, { approved: true });

    const second = await pausedRun();
    await extension.decide('inferable', second.id, second.jobId, { approved: false });
    assert.deepEqual(emu.inferable.requestsTo(`/clusters/clu_emulator/jobs/${second.jobId}/approval`, 'POST')[0]?.parsed, { approved: false });
    await assert.rejects(extension.decide('inferable', second.id, 'not-pending', { approved: true }), /is not waiting for not-pending/);
    assert.deepEqual(await extension.pendingDecisions('sutro', 'job-1'), [], 'a platform without decisions has none');
  });
});
