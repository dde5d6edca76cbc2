// The webview's side of the protocol: messages to the host are typed, messages from it are
// validated before anything reads them. Problems go to the extension's log, since the webview's
// own console is out of the user's sight.
import type { WebviewApi } from 'vscode-webview';
import { parseHostMessage, type HostMessage, type PanelState, type WebviewMessage } from '../src/shared/panelProtocol';

export type Post = (message: WebviewMessage) => void;

export function poster(api: WebviewApi<PanelState>): Post {
  return (message) => api.postMessage(message);
}

/** Calls `handler` with each host message that is valid; the others are only logged. */
export function listenToHost(post: Post, handler: (message: HostMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const parsed = parseHostMessage(event.data);
    if (!parsed.ok) {
      post({ type: 'log', level: 'warn', message: `rejected a message from the host (${parsed.reason})` });
      return;
    }
    handler(parsed.message);
  });
}

export function reportErrors(post: Post): void {
  window.addEventListener('error', (event) => {
    post({ type: 'log', level: 'error', message: `${event.message} (${String(event.filename).split('/').pop()}:${event.lineno})`.slice(0, 1000) });
  });
}
