// The Evaluation view's boundary: its HTML (strict CSP, one nonced script, nothing inline), the
// messages both ways (checked with zod), and the report view the host posts (hostile labels are
// shortened to fit the protocol, never dropped, and only ever data).
import assert from 'node:assert/strict';
import { buildReport } from '../../src/core/evaluationReport';
import { MAX_TEXT, parseEvalHostMessage, parseEvalWebviewMessage, reportViewSchema } from '../../src/shared/evaluationProtocol';
import { contentSecurityPolicy, newNonce } from '../../src/vscode/base/webviewHtml';
import { renderEvaluationHtml } from '../../src/vscode/evaluate/evaluationHtml';
import { toReportView } from '../../src/vscode/evaluate/reportView';

describe('Evaluation view', () => {
  it('has a strict CSP, one script carrying the nonce, and no inline script, style or handler', () => {
    const nonce = newNonce();
    const html = renderEvaluationHtml({ cspSource: 'https://x.vscode-cdn.net', nonce, scriptUri: 'https://x/dist/evaluation.js', styleUri: 'https://x/media/evaluation.css' });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    assert.equal(csp, contentSecurityPolicy('https://x.vscode-cdn.net', nonce));
    assert.match(csp, /^default-src 'none'; /);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0]?.includes(`nonce="${nonce}"`) && scripts[0].includes('src="https://x/dist/evaluation.js"'));
    assert.doesNotMatch(html, /<script[^>]*>[^<]+<\/script>/);
    assert.doesNotMatch(html, /\son[a-z]+=|\sstyle=|<style/i);
  });

  it('accepts only the messages of its protocol', () => {
    assert.ok(parseEvalWebviewMessage({ type: 'openLine', line: 3 }).ok);
    assert.ok(parseEvalWebviewMessage({ type: 'export', format: 'csv' }).ok);
    for (const bad of [{ type: 'openLine', line: 0 }, { type: 'openLine', line: 1.5 }, { type: 'openLine', line: 2, file: '/etc/passwd' }, { type: 'export', format: 'html' }, { type: 'run' }, null, 'ready']) {
      assert.equal(parseEvalWebviewMessage(bad).ok, false, JSON.stringify(bad));
    }
    assert.equal(parseEvalHostMessage({ type: 'notice', level: 'info', text: 'x'.repeat(1001) }).ok, false);
    assert.ok(parseEvalHostMessage({ type: 'busy', text: null }).ok);
  });

  it('posts hostile and very long labels as capped text that fits the protocol', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const long = 'L'.repeat(5000);
    const report = buildReport({
      file: '/data/r.csv',
      labelColumn: 'label',
      function: { platform: 'nyckel', id: 'f', name: 'Fn', options: { modelId: 'm2' } },
      unlabelled: 0,
      unreadable: 0,
      items: [
        { line: 2, expected: hostile, predicted: long, confidence: 0.7 },
        { line: 3, expected: long, predicted: long, confidence: 1.2 },
      ],
    });
    const view = toReportView(report, 'r.csv', () => 'Nyckel');
    assert.ok(reportViewSchema.safeParse(view).success);
    assert.ok(parseEvalHostMessage({ type: 'report', report: view }).ok);
    assert.equal(view.answers, 'Ran Fn (Nyckel) with modelId = m2');
    assert.equal(view.disagreements[0]!.expected, hostile, 'kept as text');
    assert.equal(view.disagreements[0]!.predicted.length, MAX_TEXT);
    assert.ok(view.disagreements[0]!.predicted.endsWith('…'));
    assert.equal(view.reliability.rows, 2);
  });
});
