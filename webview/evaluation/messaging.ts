// The Evaluation view's side of the protocol: messages to the host are typed, messages from it are
// validated before anything reads them. Problems go to the extension's log.
import type { WebviewApi } from 'vscode-webview';
import { parseEvalHostMessage, type EvalHostMessage, type EvalWebviewMessage } from '../../src/shared/evaluationProtocol';

export type Post = (message: EvalWebviewMessage) => void;

export function poster(api: WebviewApi<unknown>): Post {
  return (message) => api.postMessage(message);
}

export function listenToHost(post: Post, handler: (message: EvalHostMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const parsed = parseEvalHostMessage(event.data);
    if (!parsed.ok) {
      post({ type: 'log', level: 'warn', message: `rejected a message from the host (${parsed.reason})`.slice(0, 1000) });
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
