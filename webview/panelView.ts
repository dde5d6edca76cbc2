// The panel's parts, kept in step. Each part renders its own elements from the store; this class
// knows which parts to render again after a change.
import { InputEditor } from './inputEditor';
import type { Post } from './messaging';
import { OptionsEditor } from './options';
import { Picker } from './picker';
import { FormProblems } from './problems';
import { RecentRunsList } from './recentRuns';
import { ResultArea } from './resultArea';
import { RunControls } from './runControls';
import type { PanelStore } from './state';
import { Toast } from './toast';

export class PanelView {
  readonly toast = new Toast();
  readonly picker: Picker;
  readonly input: InputEditor;
  readonly options: OptionsEditor;
  readonly problems: FormProblems;
  readonly runControls: RunControls;
  readonly resultArea: ResultArea;
  readonly recentRuns: RecentRunsList;

  constructor(
    private readonly store: PanelStore,
    private readonly post: Post,
  ) {
    const toast = (text: string, level: 'info' | 'error') => this.toast.show(text, level);
    this.picker = new Picker({
      store,
      post,
      chosen: () => {
        this.input.adjustModeForFunction();
        this.afterSelectionChange();
      },
    });
    this.input = new InputEditor({ store, edited: () => this.problems.validateLive(), modeSwitched: () => this.afterModeSwitch() });
    this.options = new OptionsEditor({ store, edited: () => this.problems.validateLive() });
    this.problems = new FormProblems({ sources: [this.input, this.options], focusFunction: () => this.picker.focusFunction(), toast });
    this.runControls = new RunControls({ store, post, problems: this.problems, toast, focusPlatform: () => this.picker.focusPlatform(), started: () => this.renderRun() });
    this.resultArea = new ResultArea({ store, post, retry: () => this.runControls.requestRun() });
    this.recentRuns = new RecentRunsList({ store, post });
  }

  wire(): void {
    this.picker.wire();
    this.input.wire();
    this.options.wire();
    this.runControls.wire();
    this.recentRuns.wire();
  }

  renderAll(): void {
    this.picker.render();
    this.renderForm();
    this.resultArea.render();
    this.recentRuns.render();
    this.renderRunState();
  }

  renderForm(): void {
    this.input.render();
    this.options.render();
  }

  /** What can be pressed: Run, Cancel, Refresh. */
  renderRunState(): void {
    this.runControls.render();
    this.picker.renderRefresh();
  }

  /** A run started, ended or was cancelled: the result area, the buttons and the recent runs (whose re-run buttons wait for it). */
  renderRun(): void {
    this.resultArea.render();
    this.renderRunState();
    this.recentRuns.render();
  }

  /** A prefill's focus, once the DOM shows the prefilled form. */
  focusSoon(focus: 'function' | 'input'): void {
    setTimeout(() => (focus === 'function' ? this.picker.focusFunction() : this.input.focus()), 0);
  }

  private afterSelectionChange(): void {
    this.post({ type: 'select', platform: this.store.form.platform, function: this.store.form.function });
    this.problems.clear();
    this.store.save();
    this.renderAll();
    this.problems.validateLive();
  }

  private afterModeSwitch(): void {
    this.problems.clear();
    this.store.save();
    this.renderForm();
    this.problems.validateLive();
  }
}
