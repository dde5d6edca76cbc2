// The Evaluation view's HTML: a static skeleton with stable ids (for the webview code and the
// browser tests) under the run panel's strict CSP: our own stylesheet and one script carrying a
// fresh random nonce, nothing inline. Nothing from the file or a platform is ever put in here;
// the webview fills it with textContent.
import { attr, contentSecurityPolicy } from '../base/webviewHtml';

export interface EvaluationHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `webview.asWebviewUri(...)` of dist/evaluation.js and media/evaluation.css. */
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

export function renderEvaluationHtml({ cspSource, scriptUri, styleUri, nonce }: EvaluationHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(styleUri)}">
<title>AI Functions: Evaluation</title>
</head>
<body>
<div class="eval-app" id="eval-app">
  <header class="eval-header">
    <div class="eval-heading">
      <h1 id="eval-title" class="eval-title">Evaluation</h1>
      <p id="eval-answers" class="hint"></p>
    </div>
    <div class="eval-actions">
      <button type="button" id="compare" class="button secondary">Compare with…</button>
      <button type="button" id="export-markdown" class="button secondary">Export Markdown</button>
      <button type="button" id="export-csv" class="button secondary">Export CSV</button>
    </div>
  </header>
  <div id="eval-busy" class="busy" role="status" aria-live="polite" hidden></div>
  <div id="eval-notice" class="notice" role="status" aria-live="polite" hidden></div>
  <main id="eval-content" class="eval-content" aria-busy="true">
    <div class="overview">
      <section class="summary" aria-labelledby="accuracy-heading">
        <h2 id="accuracy-heading" class="section-title">Accuracy</h2>
        <p id="accuracy" class="accuracy"></p>
        <p id="accuracy-detail" class="hint"></p>
      </section>
      <section aria-labelledby="labels-heading">
        <h2 id="labels-heading" class="section-title">Per label</h2>
        <div id="per-label"></div>
      </section>
    </div>
    <section id="comparison" class="comparison" aria-labelledby="comparison-heading" hidden>
      <h2 id="comparison-heading" class="section-title">Compared with</h2>
      <div id="comparison-body"></div>
    </section>
    <div class="charts">
      <section aria-labelledby="matrix-heading">
        <h2 id="matrix-heading" class="section-title">Confusion matrix</h2>
        <div id="matrix"></div>
      </section>
      <section aria-labelledby="reliability-heading">
        <h2 id="reliability-heading" class="section-title">Reliability</h2>
        <p class="hint">Accuracy (bars) and mean confidence (dots) per confidence bin; the dashed diagonal is perfect calibration.</p>
        <div id="reliability"></div>
      </section>
    </div>
    <section aria-labelledby="disagreements-heading">
      <div class="section-header">
        <h2 id="disagreements-heading" class="section-title">Disagreements</h2>
        <span id="disagreements-filter" class="filter" hidden></span>
        <button type="button" id="show-all" class="link-button" hidden>Show all</button>
      </div>
      <div id="disagreements"></div>
    </section>
  </main>
</div>
<script nonce="${attr(nonce)}" src="${attr(scriptUri)}"></script>
</body>
</html>`;
}
