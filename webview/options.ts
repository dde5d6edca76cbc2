// The platform's run options in a collapsible section: one control per option its descriptor
// lists (a number or text box, a checkbox, a JSON text area). Its header counts the options set,
// which shows while it is closed.
import type { DraftForm, PanelOptionSpec } from '../src/shared/panelProtocol';
import { byId, clear, h, setValue } from './dom';
import { checkJsonInput, setProblem, type ProblemSource, type ProblemTarget, type TextInput } from './problems';
import type { PanelStore } from './state';

export interface OptionsEditorDeps {
  store: PanelStore;
  /** An option was typed into. */
  edited(): void;
}

/** One option's control (and where its problems show, for the options that can have one). */
interface Control {
  spec: PanelOptionSpec;
  input: HTMLInputElement | HTMLTextAreaElement;
  error?: HTMLElement;
}

export class OptionsEditor implements ProblemSource {
  private readonly section = byId<HTMLDetailsElement>('options');
  private readonly title = byId('options-title');
  private readonly count = byId('options-count');
  private readonly grid = byId('options-grid');
  private controls: Control[] = [];
  /** The option specs the controls were built for: they are rebuilt only when these change, so typing keeps its cursor. */
  private builtFor = '';

  constructor(private readonly deps: OptionsEditorDeps) {}

  private get form(): DraftForm {
    return this.deps.store.form;
  }

  wire(): void {
    this.section.addEventListener('toggle', () => {
      this.deps.store.state.optionsOpen = this.section.open;
      this.deps.store.save();
    });
  }

  render(): void {
    const descriptor = this.deps.store.descriptor();
    const specs = descriptor?.runOptions ?? [];
    this.section.hidden = specs.length === 0;
    this.section.open = this.deps.store.state.optionsOpen;
    this.title.textContent = descriptor ? `${descriptor.displayName} options` : 'Options';
    this.build(specs);
    const o = this.form.options;
    for (const { spec, input } of this.controls) {
      const value = o[spec.key];
      if (spec.type === 'boolean') (input as HTMLInputElement).checked = typeof value === 'boolean' ? value : spec.default;
      else setValue(input, typeof value === 'string' ? value : '');
    }
    this.renderCount();
  }

  problemTarget(field: string): ProblemTarget | undefined {
    const control = this.controls.find((c) => c.spec.key === field);
    if (!control?.error) return undefined;
    return { input: control.input, error: control.error, reveal: () => this.reveal() };
  }

  clearProblems(): void {
    for (const { input, error } of this.controls) if (error) setProblem(input, error, undefined);
  }

  checkJson(): void {
    for (const { spec, input, error } of this.controls) {
      if (spec.type !== 'json' || !error) continue;
      const value = this.form.options[spec.key];
      checkJsonInput(typeof value === 'string' ? value : '', input, error, true);
    }
  }

  /** Only the header's count: the inputs keep their cursor. */
  private renderCount(): void {
    const o = this.form.options;
    const set = this.controls.filter(({ spec }) => {
      const value = o[spec.key];
      // A checkbox counts when it differs from the platform's default; the others when filled in.
      return spec.type === 'boolean' ? typeof value === 'boolean' && value !== spec.default : typeof value === 'string' && value.trim() !== '';
    }).length;
    this.count.hidden = set === 0;
    this.count.textContent = `${set} set`;
  }

  private reveal(): void {
    if (this.section.open) return;
    this.section.open = true;
    this.deps.store.state.optionsOpen = true;
  }

  /** One control per option, in the descriptor's order; checkboxes in a row share one cell. */
  private build(specs: readonly PanelOptionSpec[]): void {
    const key = JSON.stringify(specs);
    if (key === this.builtFor) return;
    this.builtFor = key;
    this.controls = [];
    clear(this.grid);
    let checks: HTMLElement | undefined;
    for (const spec of specs) {
      if (spec.type === 'boolean') {
        if (!checks) checks = this.grid.appendChild(h('div', { className: 'option option-checks' }));
        checks.appendChild(this.checkbox(spec));
      } else {
        checks = undefined;
        this.grid.appendChild(this.field(spec));
      }
    }
  }

  private checkbox(spec: Extract<PanelOptionSpec, { type: 'boolean' }>): HTMLLabelElement {
    const input = h('input', { id: `opt-${spec.key}`, attrs: { type: 'checkbox' } });
    input.addEventListener('change', () => {
      this.form.options = { ...this.form.options, [spec.key]: input.checked };
      this.deps.store.save();
      this.renderCount();
    });
    this.controls.push({ spec, input });
    return h('label', { className: 'check' }, input, ` ${spec.label}`);
  }

  /** A labelled text box or JSON text area; a number or JSON gets a place for its problems. */
  private field(spec: Exclude<PanelOptionSpec, { type: 'boolean' }>): HTMLElement {
    const id = `opt-${spec.key}`;
    const checked = spec.type === 'integer' || spec.type === 'json';
    const attrs: Record<string, string> = {};
    if (spec.placeholder !== undefined) attrs.placeholder = spec.placeholder;
    if (checked) attrs['aria-describedby'] = `${id}-error`;
    let input: TextInput;
    if (spec.type === 'json') {
      input = h('textarea', { id, className: 'code-input', attrs: { rows: spec.shape === 'jsonSchema' ? '5' : '3', spellcheck: 'false', ...attrs } });
    } else {
      input = h('input', { id, attrs: { type: 'text', ...(spec.type === 'integer' ? { inputmode: 'numeric' } : {}), ...attrs } });
    }
    const error = checked ? h('div', { id: `${id}-error`, className: 'field-error', attrs: { hidden: '' } }) : undefined;
    input.addEventListener('input', () => {
      this.form.options = { ...this.form.options, [spec.key]: input.value };
      if (error) setProblem(input, error, undefined);
      if (spec.type === 'json') this.deps.edited();
      this.deps.store.save();
      this.renderCount();
    });
    this.controls.push({ spec, input, error });
    return h('div', { className: `option${spec.type === 'json' ? ' option-wide' : ''}` }, h('label', { text: spec.label, attrs: { for: id } }), input, error);
  }
}
