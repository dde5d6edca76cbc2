// The run panel's browser code starts here. VS Code shows a webview's frame at its `load` event,
// which waits for this script to run, so the script only schedules the panel: the skeleton (the
// HTML) paints first, then panelApp.ts builds the panel (its message schemas and its parts, 30–50 ms
// on a slow machine). The host sends nothing before the panel says `ready`.
// Only types come from the protocol here: its schemas (and messaging.ts's `poster`, which needs
// them) are built when a module importing them runs, so this file posts its one message itself.
import type { PanelState, WebviewMessage } from '../src/shared/panelProtocol';
import { afterFirstPaint } from './firstPaint';

const api = acquireVsCodeApi<PanelState>();

afterFirstPaint(() => {
  // A dynamic import: esbuild keeps panelApp.ts in this same file, but runs its modules' top level
  // only now.
  import('./panelApp')
    .then(({ startPanel }) => startPanel(api))
    .catch((error: unknown) => {
      const message: WebviewMessage = { type: 'log', level: 'error', message: `The run panel did not start: ${String(error)}`.slice(0, 1000) };
      api.postMessage(message);
    });
});
