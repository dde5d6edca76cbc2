// The run panel, built and wired: dist/panelApp.js, which main.ts loads once the skeleton is on
// screen. It only talks to the host through the typed, validated protocol; every host message is
// checked before it is used and everything from a platform is rendered as text. The parts:
//   state.ts        what the panel holds, and what survives a reload
//   messaging.ts    posting to the host and validating what it sends
//   hostMessages.ts what each host message changes
//   panelView.ts    the parts, rendered together: picker, inputEditor, options, problems,
//                   runControls, resultArea (result.ts draws the cards), recentRuns, toast
import type { WebviewApi } from 'vscode-webview';
import type { PanelState } from '../src/shared/panelProtocol';
import { HostMessages } from './hostMessages';
import { listenToHost, poster, reportErrors } from './messaging';
import { PanelView } from './panelView';
import { PanelStore } from './state';

function startPanel(api: WebviewApi<PanelState>): void {
  const post = poster(api);
  const store = new PanelStore(api);
  const view = new PanelView(store, post);
  const hostMessages = new HostMessages(store, view);

  view.wire();
  listenToHost(post, (message) => hostMessages.handle(message));
  reportErrors(post);
  // Draw what was saved at once; the host's `init` brings the lists and the recent runs.
  view.renderForm();
  view.resultArea.render();
  view.renderRunState();
  post({ type: 'ready' });
}

// A failed start is told to the host (its log), since nothing in the panel would show it.
const api = acquireVsCodeApi<PanelState>();
try {
  startPanel(api);
} catch (error) {
  poster(api)({ type: 'log', level: 'error', message: `The run panel did not start: ${String(error)}`.slice(0, 1000) });
}
