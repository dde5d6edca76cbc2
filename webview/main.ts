// The run panel's first script, and the only one its HTML names: 6 KB, most of it the codicon
// font. VS Code shows a webview's frame at its `load` event, which waits for every file the page
// names, so the panel itself (dist/panelApp.js, panelApp.ts: its message schemas and its parts,
// about 80 KB) is loaded only after the skeleton (the HTML) has painted. The host sends nothing
// before the panel says `ready`.
// Only types come from the protocol here: its schemas are built when a module importing them
// runs, so this file posts its one message itself.
import type { PanelState, WebviewMessage } from '../src/shared/panelProtocol';
import { registerCodiconFont } from './codiconFont';
import { afterFirstPaint } from './firstPaint';

const loader = document.currentScript as HTMLScriptElement;

afterFirstPaint(() => {
  const app = document.createElement('script');
  // The CSP allows only scripts that carry the page's nonce.
  app.nonce = loader.nonce ?? '';
  app.src = loader.dataset['app'] ?? '';
  // panelApp.ts reports its own failures; this is for the file that never ran.
  app.addEventListener('error', () => {
    const message: WebviewMessage = { type: 'log', level: 'error', message: 'The run panel did not start: dist/panelApp.js did not load.' };
    acquireVsCodeApi<PanelState>().postMessage(message);
  });
  document.body.append(app);
});

// After the start is scheduled: a font that fails to register leaves the panel without icons, not
// without its code. Both run before the first paint.
registerCodiconFont();
