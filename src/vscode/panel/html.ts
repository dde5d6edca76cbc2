// The run panel's HTML: a static skeleton (stable ids for the webview code and browser tests),
// a strict CSP (nothing but our own stylesheet and scripts carrying a fresh random nonce: the page
// names one, which loads the panel's second with the same nonce).
// Nothing from a platform or the user is ever put in here; the webview fills it with textContent.
import { attr, contentSecurityPolicy } from '../base/webviewHtml';

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /**
   * `webview.asWebviewUri(...)` of dist/webview.js, dist/panelApp.js (which webview.js loads after
   * the first paint) and dist/runPanel.css (the codicons' rules included; their font is in
   * webview.js).
   */
  scriptUri: string;
  appScriptUri: string;
  styleUri: string;
  /** A fresh nonce per render (`newNonce` in base/webviewHtml.ts). */
  nonce: string;
}

export function renderPanelHtml(options: PanelHtmlOptions): string {
  const { cspSource, scriptUri, appScriptUri, styleUri, nonce } = options;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(styleUri)}">
<title>AI Functions: Run Panel</title>
</head>
<body>
<div class="app" id="app">
  <header class="header" aria-label="Function">
    <div class="picker">
      <div class="picker-field">
        <label for="platform-picker" class="picker-label">Platform</label>
        <select id="platform-picker"></select>
      </div>
      <div class="picker-field picker-function">
        <label for="function-picker" class="picker-label">Function</label>
        <select id="function-picker"></select>
      </div>
      <button type="button" id="refresh-functions" class="icon-button" title="Refresh the function list" aria-label="Refresh the function list"><span class="codicon codicon-refresh" aria-hidden="true"></span></button>
    </div>
    <div class="run-controls">
      <button type="button" id="run" class="button primary" aria-keyshortcuts="Control+Enter Meta+Enter"><span class="codicon codicon-play" aria-hidden="true"></span><span class="button-text">Run</span><kbd id="run-shortcut" class="shortcut">Ctrl+Enter</kbd></button>
      <button type="button" id="cancel" class="button secondary" hidden aria-keyshortcuts="Escape"><span class="codicon codicon-debug-stop" aria-hidden="true"></span><span class="button-text">Cancel</span></button>
    </div>
    <div id="progress" class="progress" hidden><div class="progress-bar"></div></div>
  </header>
  <div id="platform-notice" class="notice" hidden></div>
  <p id="function-description" class="function-description" hidden></p>
  <main class="content">
    <section class="input-section" aria-labelledby="input-label">
      <div class="section-header">
        <label for="input" id="input-label" class="section-title">Input</label>
        <div id="input-mode" class="segmented" role="radiogroup" aria-label="Input format">
          <input type="radio" name="input-mode" id="mode-text" value="text"><label for="mode-text">Text</label>
          <input type="radio" name="input-mode" id="mode-json" value="json"><label for="mode-json">JSON</label>
          <input type="radio" name="input-mode" id="mode-fields" value="fields"><label for="mode-fields" id="mode-fields-label">Fields</label>
        </div>
      </div>
      <textarea id="input" class="input-editor" spellcheck="false" autocomplete="off" rows="8" aria-describedby="input-error input-hint"></textarea>
      <div id="fields" class="fields" hidden></div>
      <div id="input-error" class="field-error" hidden></div>
      <p id="input-hint" class="hint"></p>
    </section>
    <details id="options" class="options">
      <summary><span class="codicon codicon-settings" aria-hidden="true"></span> <span id="options-title">Options</span> <span id="options-count" class="count-badge" hidden></span></summary>
      <div id="options-grid" class="option-grid"></div>
    </details>
    <section id="result" class="result" aria-live="polite" aria-busy="false" aria-label="Result" tabindex="-1"></section>
    <section class="recent-section" aria-labelledby="recent-heading">
      <div class="section-header">
        <h2 id="recent-heading" class="section-title">Recent runs</h2>
        <button type="button" id="clear-recent" class="link-button" hidden>Clear</button>
      </div>
      <ul id="recent-list" class="recent-list" aria-labelledby="recent-heading"></ul>
      <p id="recent-empty" class="hint">Runs you make here are listed for re-running.</p>
    </section>
  </main>
  <div id="toast" class="toast" hidden></div>
</div>
<script nonce="${attr(nonce)}" src="${attr(scriptUri)}" data-app="${attr(appScriptUri)}"></script>
</body>
</html>`;
}
