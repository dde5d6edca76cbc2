// Choosing the platform and function: the two pickers, the notice under them (no key yet, or the
// list could not be loaded) and the chosen function's description.
import type { PanelFunction, PlatformEntry, PlatformId } from '../src/shared/panelProtocol';
import { button, byId, clear, h, icon } from './dom';
import type { Post } from './messaging';
import type { PanelStore } from './state';

export interface PickerDeps {
  store: PanelStore;
  post: Post;
  /** The user chose another platform or function (the form already says which). */
  chosen(): void;
}

export class Picker {
  private readonly platform = byId<HTMLSelectElement>('platform-picker');
  private readonly fn = byId<HTMLSelectElement>('function-picker');
  private readonly refresh = byId<HTMLButtonElement>('refresh-functions');
  private readonly notice = byId('platform-notice');
  private readonly description = byId('function-description');

  constructor(private readonly deps: PickerDeps) {}

  wire(): void {
    this.platform.addEventListener('change', () => this.choosePlatform(this.platform.value as PlatformId));
    this.fn.addEventListener('change', () => this.chooseFunction(this.fn.value));
    this.refresh.addEventListener('click', () => this.deps.post({ type: 'refreshFunctions', platform: this.deps.store.form.platform }));
  }

  render(): void {
    const { store } = this.deps;
    const entry = store.entry(store.form.platform);
    this.renderPlatforms();
    this.renderFunctions(entry);
    this.renderNotice(entry);
    const description = entry?.hasKey ? this.describe() : '';
    this.description.textContent = description;
    this.description.hidden = !description;
  }

  /** Refreshing needs a key; rendered with the run controls, which depend on it too. */
  renderRefresh(): void {
    this.refresh.disabled = !this.deps.store.hasKey();
  }

  focusPlatform(): void {
    this.platform.focus();
  }

  focusFunction(): void {
    this.fn.focus();
  }

  private choosePlatform(platform: PlatformId): void {
    const form = this.deps.store.form;
    if (form.platform === platform) return;
    form.platform = platform;
    form.function = undefined;
    this.deps.store.ensureSelection();
    this.deps.chosen();
  }

  private chooseFunction(id: string): void {
    this.deps.store.form.function = id;
    this.deps.chosen();
  }

  private renderPlatforms(): void {
    const { store } = this.deps;
    clear(this.platform);
    for (const p of store.platforms) {
      const name = p.descriptor.displayName;
      this.platform.appendChild(h('option', { text: p.hasKey ? name : `${name} (no key)`, attrs: { value: p.platform } }));
    }
    if (store.form.platform) this.platform.value = store.form.platform;
  }

  /** Recently used functions first, in their own group. A chosen function that is not listed stays chosen. */
  private renderFunctions(entry: PlatformEntry | undefined): void {
    const form = this.deps.store.form;
    clear(this.fn);
    if (entry?.hasKey) {
      const platformChooses = entry.descriptor.functions.platformChooses === true;
      if (platformChooses) {
        this.fn.appendChild(h('option', { text: `Let ${entry.descriptor.displayName} choose`, attrs: { value: '' } }));
      }
      const option = (fn: PanelFunction) => h('option', { text: fn.name, title: fn.id, attrs: { value: fn.id } });
      const recent = entry.functions.filter((fn) => fn.recent);
      const rest = entry.functions.filter((fn) => !fn.recent);
      if (recent.length > 0) this.fn.appendChild(h('optgroup', { attrs: { label: 'Recent' } }, ...recent.map(option)));
      if (rest.length > 0) {
        if (recent.length > 0) this.fn.appendChild(h('optgroup', { attrs: { label: 'All functions' } }, ...rest.map(option)));
        else this.fn.append(...rest.map(option));
      }
      const known = form.function === undefined || form.function === '' || entry.functions.some((fn) => fn.id === form.function);
      if (!known && form.function !== undefined) {
        this.fn.appendChild(h('option', { text: `${form.function} (not listed)`, attrs: { value: form.function } }));
      }
      if (entry.loading && entry.functions.length === 0) this.fn.appendChild(h('option', { text: 'Loading functions…', attrs: { value: '__loading', disabled: '' } }));
      if (!entry.loading && entry.functions.length === 0 && !platformChooses && known) {
        this.fn.appendChild(h('option', { text: 'No functions found', attrs: { value: '__none', disabled: '' } }));
      }
    }
    this.fn.disabled = !entry?.hasKey;
    if (form.function !== undefined) this.fn.value = form.function;
  }

  private renderNotice(entry: PlatformEntry | undefined): void {
    const { post } = this.deps;
    clear(this.notice);
    this.notice.hidden = true;
    if (!entry) return;
    const { displayName: name, keyNoun } = entry.descriptor;
    const setKey = (kind: 'primary' | 'secondary') =>
      button({ className: `button ${kind} action-setApiKey`, icon: 'key', label: 'Set API Key…' }, () => post({ type: 'setApiKey', platform: entry.platform }));
    if (!entry.hasKey) {
      this.notice.hidden = false;
      this.notice.className = 'notice notice-warning';
      this.notice.append(
        icon('key'),
        h('span', { text: `No ${name} ${keyNoun} yet. Keys stay in VS Code's secret storage.` }),
        setKey('primary'),
      );
    } else if (entry.error) {
      this.notice.hidden = false;
      this.notice.className = 'notice notice-error';
      this.notice.append(icon('warning'), h('span', { text: `Could not list the ${name} functions: ${entry.error.message}` }));
      if (entry.error.actions.includes('setApiKey')) this.notice.append(setKey('secondary'));
      this.notice.append(button({ className: 'button secondary', icon: 'refresh', label: 'Retry' }, () => post({ type: 'refreshFunctions', platform: entry.platform })));
    }
  }

  private describe(): string {
    const { store } = this.deps;
    const fn = store.selectedFunction();
    if (fn) return fn.description ?? [fn.inputType, fn.outputType].filter(Boolean).join(' → ');
    const descriptor = store.descriptor();
    return store.form.function === '' && descriptor?.functions.platformChooses ? `${descriptor.displayName} picks the functions to call from your ${descriptor.words.input}.` : '';
  }
}
