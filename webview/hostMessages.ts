// What the panel does with each message from the host (validated on arrival, in messaging.ts).
import type { HostMessage, PanelError, Prefill } from '../src/shared/panelProtocol';
import type { PanelView } from './panelView';
import type { PanelStore } from './state';

export class HostMessages {
  constructor(
    private readonly store: PanelStore,
    private readonly view: PanelView,
  ) {}

  handle(message: HostMessage): void {
    const { store, view } = this;
    switch (message.type) {
      case 'init':
        store.recentRuns = message.recentRuns;
        store.insertTarget = message.insertTarget;
        store.adoptRestored(message.state);
        store.setPlatforms(message.platforms);
        store.setRunning(message.running);
        store.ensureSelection();
        if (message.prefill) this.applyPrefill(message.prefill);
        else view.input.adjustModeForFunction();
        store.save();
        view.renderAll();
        if (!message.prefill?.focus) view.input.focusOnStart();
        return;
      case 'platforms':
        store.setPlatforms(message.platforms);
        store.ensureSelection();
        store.save();
        view.picker.render();
        view.renderForm();
        view.renderRunState();
        return;
      case 'prefill':
        this.applyPrefill(message.prefill);
        store.save();
        view.renderAll();
        return;
      case 'running':
        store.setRunning({ runId: message.runId, platform: message.platform, function: message.function });
        view.renderRun();
        return;
      case 'result':
        // The result of a run other than the one in progress (one it replaced).
        if (store.running && store.running.runId !== message.runId) return;
        store.running = undefined;
        store.state.result = { runId: message.runId, view: message.view };
        store.state.error = undefined;
        store.save();
        view.renderRun();
        return;
      case 'error':
        this.showError(message.runId, message.error);
        return;
      case 'cancelled':
        if (store.running?.runId === message.runId) {
          store.running = undefined;
          view.renderRun();
          view.toast.show('Run cancelled.', 'info');
        }
        return;
      case 'recentRuns':
        store.recentRuns = message.runs;
        view.recentRuns.render();
        return;
      case 'insertTarget':
        store.insertTarget = message.label;
        // Only the result card names the target.
        if (store.state.result && !store.running) view.resultArea.render();
        return;
      case 'notice':
        view.toast.show(message.text, message.level);
        return;
    }
  }

  private showError(runId: string | undefined, error: PanelError): void {
    const { store, view } = this;
    if (runId && store.running && store.running.runId !== runId) return;
    store.running = undefined;
    if (error.kind === 'invalidInput' && error.field && view.problems.isShownAtField(error.field)) {
      // The host refused the form (it checks too): show it at the field, keep the last result.
      view.problems.show({ field: error.field, message: error.message, line: error.line, column: error.column, offset: error.offset }, true);
    } else {
      store.state.error = runId ? { runId, error } : { error };
      store.state.result = undefined;
    }
    store.save();
    view.renderRun();
  }

  /** Only what the prefill gives changes; a new platform starts with its own default function. */
  private applyPrefill(prefill: Prefill): void {
    const { store, view } = this;
    const form = store.form;
    if (prefill.platform && prefill.platform !== form.platform) {
      form.platform = prefill.platform;
      form.function = undefined;
    }
    if (prefill.function !== undefined) form.function = prefill.function;
    store.ensureSelection();
    if (prefill.options) form.options = prefill.options;
    if (prefill.input !== undefined) {
      form.input = prefill.input;
      form.inputMode = prefill.inputMode ?? 'text';
      if (prefill.fields) form.fields = prefill.fields;
      if (form.inputMode === 'fields' && store.inputFields().length === 0) form.inputMode = form.input.trim() === '' ? 'text' : 'json';
    } else {
      view.input.adjustModeForFunction();
    }
    if (prefill.result) {
      store.state.result = prefill.result;
      store.state.error = undefined;
    } else if (prefill.error) {
      store.state.error = prefill.error;
      store.state.result = undefined;
    }
    view.problems.clear();
    if (prefill.focus) view.focusSoon(prefill.focus);
  }
}
