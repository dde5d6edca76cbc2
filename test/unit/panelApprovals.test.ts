// Approve and Deny in the run panel: the message the webview sends, and the approvals the host
// shows for a paused run (read by the platforms' contract: status 'paused', output = the decisions).
import assert from 'node:assert/strict';
import type { RunResult } from '../../src/core/model';
import { pausedApprovals } from '../../src/platforms/types';
import { MAX_APPROVALS, parseHostMessage, parseWebviewMessage, resultViewSchema } from '../../src/shared/panelProtocol';
import { panelResultView } from '../../src/vscode/panel/resultView';

const paused = (output: unknown, over: Partial<RunResult> = {}): RunResult => ({
  platform: 'inferable',
  function: 'updateLead',
  kind: 'run',
  predictions: [],
  output,
  status: 'paused',
  runId: 'run_01',
  summary: 'The run waits for your approval of updateLead.',
  durationMs: 12,
  raw: {},
  ...over,
});

const approval = { kind: 'approval', id: 'job_01', function: 'updateLead', args: '{"leadId":"L-1"}', description: 'Approve the call to updateLead?' };

describe('run panel approvals', () => {
  describe('the decide message', () => {
    it('is accepted with a run id, a decision id and a boolean', () => {
      for (const approved of [true, false]) {
        const parsed = parseWebviewMessage({ type: 'decide', runId: 'w1', decisionId: 'job_01', approved });
        assert.ok(parsed.ok);
        assert.deepEqual(parsed.message, { type: 'decide', runId: 'w1', decisionId: 'job_01', approved });
      }
    });

    it('is rejected when any part is missing, of the wrong type, too long, or extra', () => {
      const bad: unknown[] = [
        { type: 'decide', runId: 'w1', decisionId: 'job_01' },
        { type: 'decide', runId: 'w1', decisionId: 'job_01', approved: 'true' },
        { type: 'decide', runId: 'w1', approved: true },
        { type: 'decide', runId: 'not a run id!', decisionId: 'job_01', approved: true },
        { type: 'decide', runId: 'w1', decisionId: 'x'.repeat(201), approved: true },
        { type: 'decide', runId: 'w1', decisionId: 'job_01', approved: true, platform: 'inferable' },
        { type: 'decide', runId: 'w1', decisionId: 7, approved: true },
      ];
      for (const message of bad) {
        const parsed = parseWebviewMessage(message);
        assert.equal(parsed.ok, false, JSON.stringify(message).slice(0, 120));
        if (!parsed.ok) assert.match(parsed.reason, /^type "decide"/);
      }
    });
  });

  describe('the approvals of a result', () => {
    it('are those of a paused run, with what the call is, and checked against the protocol', () => {
      const view = panelResultView(paused([approval, { kind: 'input', id: 'req_1', description: 'Which region?' }]), 'Update lead');
      assert.deepEqual(view.approvals, [{ id: 'job_01', function: 'updateLead', args: '{"leadId":"L-1"}', description: 'Approve the call to updateLead?' }]);
      assert.ok(resultViewSchema.safeParse(view).success);
      assert.ok(parseHostMessage({ type: 'result', runId: 'w1', view }).ok);
    });

    it('are none for a run that is not paused, has no run id, or whose output is not decisions', () => {
      assert.equal(panelResultView(paused([approval], { status: 'done' })).approvals, undefined);
      assert.equal(panelResultView(paused([approval], { runId: undefined })).approvals, undefined);
      assert.equal(panelResultView(paused({ total: 3 })).approvals, undefined);
      assert.deepEqual(pausedApprovals(paused([null, 'x', { kind: 'approval' }, { kind: 'approval', id: 5 }, { kind: 'approval', id: 'j', args: {} }])), []);
    });

    it('keep long platform text within the protocol’s caps, and never offer an approval whose id had to be cut', () => {
      const long = { kind: 'approval', id: 'job_02', function: 'f'.repeat(900), args: 'a'.repeat(20_000), description: 'd'.repeat(5000) };
      const cut = { kind: 'approval', id: 'j'.repeat(300) };
      const view = panelResultView(paused([long, cut]));
      assert.equal(view.approvals?.length, 1);
      assert.equal(view.approvals?.[0]?.id, 'job_02');
      assert.ok(resultViewSchema.safeParse(view).success);
      const many = panelResultView(paused(Array.from({ length: MAX_APPROVALS + 5 }, (_, i) => ({ kind: 'approval', id: `job_${i}` }))));
      assert.equal(many.approvals?.length, MAX_APPROVALS);
      assert.ok(resultViewSchema.safeParse(many).success);
    });

    it('a result view with more approvals than the cap, or an unknown field in one, is refused', () => {
      const base = panelResultView(paused([approval]));
      assert.equal(resultViewSchema.safeParse({ ...base, approvals: Array.from({ length: MAX_APPROVALS + 1 }, (_, i) => ({ id: `j${i}` })) }).success, false);
      assert.equal(resultViewSchema.safeParse({ ...base, approvals: [{ id: 'j', approved: true }] }).success, false);
    });
  });
});
