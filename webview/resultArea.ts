// The result area shows one of: the running card (its elapsed time ticking), the error card with
// the buttons that fix it, the result card, or the hint shown before the first run.
import type { ErrorAction } from '../src/shared/panelProtocol';
import { byId, clear } from './dom';
import type { Post } from './messaging';
import { renderEmpty, renderError, renderResult, renderRunning } from './result';
import { RUN_SHORTCUT } from './shortcut';
import type { PanelStore } from './state';

export interface ResultAreaDeps {
  store: PanelStore;
  post: Post;
  /** Runs the form again (the error card's Retry). */
  retry(): void;
}

const TICK_MS = 100;

export class ResultArea {
  private readonly element = byId('result');
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: ResultAreaDeps) {}

  render(): void {
    const { store, post } = this.deps;
    this.stopTicker();
    clear(this.element);
    this.element.setAttribute('aria-busy', store.running ? 'true' : 'false');
    if (store.running) {
      const { platform, function: fn, startedAt } = store.running;
      const card = renderRunning(store.functionLabel(platform, fn), store.platformName(platform), startedAt);
      this.element.appendChild(card.element);
      card.tick();
      this.ticker = setInterval(card.tick, TICK_MS);
    } else if (store.state.error) {
      this.element.appendChild(renderError(store.state.error.error, (action) => this.onErrorAction(action)));
    } else if (store.state.result) {
      const { runId, view } = store.state.result;
      this.element.appendChild(
        renderResult(view, {
          copy: () => post({ type: 'copyResult', runId }),
          insert: () => post({ type: 'insertResult', runId }),
          openRaw: () => post({ type: 'openRaw', runId }),
          decide: (decisionId, approved) => post({ type: 'decide', runId, decisionId, approved }),
          insertTarget: store.insertTarget,
          platformName: store.platformName(view.platform),
        }),
      );
    } else {
      this.element.appendChild(renderEmpty(RUN_SHORTCUT));
    }
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private onErrorAction(action: ErrorAction): void {
    const { store, post } = this.deps;
    switch (action) {
      case 'setApiKey': {
        const platform = store.state.error?.error.platform ?? store.form.platform;
        if (platform) post({ type: 'setApiKey', platform });
        return;
      }
      case 'openSettings':
        post({ type: 'openSettings' });
        return;
      case 'showLog':
        post({ type: 'showLog' });
        return;
      case 'retry':
        this.deps.retry();
        return;
    }
  }
}
