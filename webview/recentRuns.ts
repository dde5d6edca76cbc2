// The recent runs list: open one (its form and result come back) or run it again.
import { relativeAge } from '../src/shared/format';
import type { RecentRunSummary } from '../src/shared/panelProtocol';
import { button, byId, clear, h, icon } from './dom';
import type { Post } from './messaging';
import type { PanelStore } from './state';

export interface RecentRunsListDeps {
  store: PanelStore;
  post: Post;
}

export class RecentRunsList {
  private readonly list = byId<HTMLUListElement>('recent-list');
  private readonly empty = byId('recent-empty');
  private readonly clearButton = byId<HTMLButtonElement>('clear-recent');

  constructor(private readonly deps: RecentRunsListDeps) {}

  wire(): void {
    this.clearButton.addEventListener('click', () => this.deps.post({ type: 'clearRecentRuns' }));
  }

  render(): void {
    const runs = this.deps.store.recentRuns;
    clear(this.list);
    this.empty.hidden = runs.length > 0;
    this.clearButton.hidden = runs.length === 0;
    const now = Date.now();
    for (const run of runs) this.list.appendChild(this.item(run, now));
  }

  private item(run: RecentRunSummary, now: number): HTMLLIElement {
    const { store, post } = this.deps;
    const at = new Date(run.at).toISOString();
    const platform = store.platformName(run.platform);
    const open = h(
      'button',
      { className: 'recent-open', title: `${run.functionName} · ${platform}\n${run.inputPreview}\n→ ${run.headline}`, attrs: { type: 'button' } },
      icon(run.ok ? 'pass' : 'error', run.ok ? 'recent-ok' : 'recent-failed'),
      h('span', { className: 'recent-function', text: run.functionName }),
      h('span', { className: 'recent-platform', text: platform }),
      h('span', { className: 'recent-input', text: run.inputPreview }),
      h('span', { className: 'recent-headline', text: run.headline }),
      h('time', { className: 'recent-time', text: relativeAge(at, now) ?? '', attrs: { datetime: at } }),
    );
    open.addEventListener('click', () => post({ type: 'openRecent', id: run.id }));
    const rerun = button(
      { className: 'icon-button recent-rerun', icon: 'debug-rerun', label: `Run again: ${run.functionName} on "${run.inputPreview.slice(0, 40)}"`, iconOnly: true, title: 'Run again' },
      () => {
        if (!store.running) post({ type: 'rerun', id: run.id });
      },
    );
    rerun.disabled = !run.rerunnable || store.running !== undefined;
    return h('li', { className: `recent-run${run.ok ? '' : ' failed'}`, attrs: { 'data-run-id': run.id } }, open, rerun);
  }
}
