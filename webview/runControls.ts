// Run and Cancel: the buttons, their shortcuts, the progress bar, and sending the form to be run.
import type { RunForm } from '../src/shared/panelProtocol';
import { buildRunRequest } from '../src/shared/runInput';
import { byId } from './dom';
import type { Post } from './messaging';
import type { FormProblems } from './problems';
import { RUN_SHORTCUT } from './shortcut';
import type { PanelStore } from './state';
import type { ToastLevel } from './toast';

export interface RunControlsDeps {
  store: PanelStore;
  post: Post;
  problems: FormProblems;
  toast(text: string, level: ToastLevel): void;
  focusPlatform(): void;
  /** A run was sent (the panel shows it running). */
  started(): void;
}

export class RunControls {
  private readonly run = byId<HTMLButtonElement>('run');
  private readonly cancel = byId<HTMLButtonElement>('cancel');
  private readonly shortcut = byId('run-shortcut');
  private readonly progress = byId('progress');

  constructor(private readonly deps: RunControlsDeps) {}

  wire(): void {
    this.shortcut.textContent = RUN_SHORTCUT;
    this.cancel.title = 'Cancel the run (Escape)';
    this.run.addEventListener('click', () => this.requestRun());
    this.cancel.addEventListener('click', () => this.cancelRun());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
        event.preventDefault();
        this.requestRun();
      } else if (event.key === 'Escape' && this.deps.store.running) {
        event.preventDefault();
        this.cancelRun();
      }
    });
  }

  render(): void {
    const { store } = this.deps;
    const hasKey = store.hasKey();
    this.run.disabled = store.running !== undefined || !hasKey;
    this.run.title = hasKey ? `Run (${RUN_SHORTCUT})` : 'Set a key for this platform first';
    this.cancel.hidden = store.running === undefined;
    this.progress.hidden = store.running === undefined;
  }

  /** Checks the form here first, so a problem shows at its field without a round trip. */
  requestRun(): void {
    const { store, problems, toast } = this.deps;
    if (store.running) return;
    const form = currentForm(store);
    if (!form) {
      toast('Choose a platform first.', 'error');
      this.deps.focusPlatform();
      return;
    }
    if (!store.hasKey(form.platform)) {
      toast(`Set a ${store.platformName(form.platform)} key first.`, 'error');
      return;
    }
    const descriptor = store.descriptor(form.platform);
    if (!descriptor) return;
    problems.clear();
    const built = buildRunRequest(form, descriptor, store.inputFields());
    if (!built.ok) {
      problems.show(built.problem, true);
      // Showing it may have opened the options section.
      store.save();
      return;
    }
    const runId = newRunId();
    store.setRunning({ runId, platform: form.platform, function: form.function });
    this.deps.post({ type: 'run', runId, form });
    this.deps.started();
  }

  cancelRun(): void {
    const { running } = this.deps.store;
    if (running) this.deps.post({ type: 'cancel', runId: running.runId });
  }
}

/** The form as it is sent: only the current function's fields, and only in the field mode. */
function currentForm(store: PanelStore): RunForm | undefined {
  const form = store.form;
  if (!form.platform) return undefined;
  const fields = form.inputMode === 'fields' ? Object.fromEntries(store.inputFields().map((name) => [name, form.fields[name] ?? ''])) : {};
  return { platform: form.platform, function: form.function ?? '', inputMode: form.inputMode, input: form.input, fields, options: form.options };
}

/** An id for a run the webview starts (the host's own start with `r`). */
function newRunId(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return `w${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
