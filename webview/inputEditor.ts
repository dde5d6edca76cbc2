// The input: plain text, JSON, or the function's fields (on a platform whose functions declare
// them), chosen with the mode radios.
// Switching modes carries what was typed over to the new mode.
import { fieldsFromJson, type InputMode } from '../src/shared/runInput';
import { upperFirst } from '../src/shared/text';
import { byId, clear, h, setValue } from './dom';
import { checkJsonInput, setProblem, type ProblemSource, type ProblemTarget } from './problems';
import { RUN_SHORTCUT } from './shortcut';
import type { PanelStore } from './state';

/** Before a platform (and its descriptor) is known. */
const DEFAULT_PLACEHOLDER = 'Text to classify or extract from';

export interface InputEditorDeps {
  store: PanelStore;
  /** The input was typed into. */
  edited(): void;
  /** The mode changed (the form re-renders). */
  modeSwitched(): void;
}

export class InputEditor implements ProblemSource {
  private readonly label = byId('input-label');
  private readonly modeText = byId<HTMLInputElement>('mode-text');
  private readonly modeJson = byId<HTMLInputElement>('mode-json');
  private readonly modeFields = byId<HTMLInputElement>('mode-fields');
  private readonly modeFieldsLabel = byId('mode-fields-label');
  private readonly input = byId<HTMLTextAreaElement>('input');
  private readonly fields = byId('fields');
  private readonly error = byId('input-error');
  private readonly hint = byId('input-hint');

  constructor(private readonly deps: InputEditorDeps) {}

  private get form() {
    return this.deps.store.form;
  }

  wire(): void {
    for (const radio of [this.modeText, this.modeJson, this.modeFields]) {
      radio.addEventListener('change', () => {
        if (radio.checked) this.switchMode(radio.value as InputMode);
      });
    }
    this.input.addEventListener('input', () => {
      this.form.input = this.input.value;
      // A JSON problem stays until the live check finds it fixed.
      if (this.form.inputMode !== 'json') setProblem(this.input, this.error, undefined);
      this.deps.edited();
      this.deps.store.save();
    });
  }

  render(): void {
    const form = this.form;
    const descriptor = this.deps.store.descriptor();
    this.label.textContent = upperFirst(descriptor?.words.input ?? 'input');
    const fields = this.deps.store.inputFields();
    this.modeFields.hidden = fields.length === 0;
    this.modeFieldsLabel.hidden = fields.length === 0;
    this.modeText.checked = form.inputMode === 'text';
    this.modeJson.checked = form.inputMode === 'json';
    this.modeFields.checked = form.inputMode === 'fields';

    const useFields = form.inputMode === 'fields' && fields.length > 0;
    this.input.hidden = useFields;
    this.fields.hidden = !useFields;
    setValue(this.input, form.input);
    this.input.placeholder = form.inputMode === 'json' ? '{ "field": "value" }' : (descriptor?.inputPlaceholder ?? DEFAULT_PLACEHOLDER);
    if (useFields) this.renderFields(fields);
    this.hint.textContent = `${form.inputMode === 'json' ? 'A JSON object. ' : ''}Press ${RUN_SHORTCUT} to run.`;
  }

  switchMode(mode: InputMode): void {
    const form = this.form;
    if (form.inputMode === mode) return;
    const fields = this.deps.store.inputFields();
    if (form.inputMode === 'fields') {
      const filled = Object.entries(form.fields).filter(([k, v]) => (fields.length === 0 || fields.includes(k)) && v.trim() !== '');
      if (mode === 'json' && filled.length > 0) form.input = JSON.stringify(Object.fromEntries(filled), null, 2);
      else if (mode === 'text' && filled.length === 1) form.input = filled[0]![1];
    } else if (mode === 'fields' && fields.length > 0) {
      const fromJson = form.inputMode === 'json' ? fieldsFromJson(form.input, fields) : undefined;
      if (fromJson) form.fields = fromJson;
      else if (form.input.trim() !== '' && fields.every((f) => (form.fields[f] ?? '').trim() === '')) form.fields = { ...form.fields, [fields[0]!]: form.input };
    }
    form.inputMode = mode;
    this.deps.modeSwitched();
  }

  /** Functions with known fields get the field form; others cannot use it. */
  adjustModeForFunction(): void {
    const { store } = this.deps;
    const form = this.form;
    if (store.inputFields().length > 0) {
      if (form.inputMode !== 'fields' && form.input.trim() === '') form.inputMode = 'fields';
    } else if (form.inputMode === 'fields' && (store.selectedFunction() !== undefined || !store.descriptor()?.functions.inputFields)) {
      // Only once the function is known to have no fields (its list may still be loading).
      this.switchMode('json');
    }
  }

  /** The first field, or the text area. */
  focus(): void {
    (this.form.inputMode === 'fields' ? (this.firstField() ?? this.input) : this.input).focus();
  }

  /** Focuses the input unless something else already has the focus. */
  focusOnStart(): void {
    if (document.activeElement && document.activeElement !== document.body) return;
    (this.form.inputMode === 'fields' ? this.firstField() : this.input)?.focus();
  }

  problemTarget(field: string): ProblemTarget | undefined {
    if (field === 'input') return { input: this.input, error: this.error };
    if (!field.startsWith('field:')) return undefined;
    const input = this.fieldInputs().find((f) => f.dataset.field === field.slice('field:'.length));
    const error = input ? this.fieldError(input.id) : null;
    return input && error ? { input, error } : undefined;
  }

  clearProblems(): void {
    setProblem(this.input, this.error, undefined);
    for (const input of this.fieldInputs()) setProblem(input, this.fieldError(input.id), undefined);
  }

  checkJson(): void {
    checkJsonInput(this.form.input, this.input, this.error, this.form.inputMode === 'json');
  }

  /** One text area per field; rebuilt only when the field names change, so typing keeps its cursor. */
  private renderFields(fields: string[]): void {
    const current = this.fieldInputs();
    if (current.length === fields.length && current.every((input, i) => input.dataset.field === fields[i])) {
      for (const input of current) setValue(input, this.form.fields[input.dataset.field ?? ''] ?? '');
      return;
    }
    clear(this.fields);
    fields.forEach((name, i) => {
      const id = `field-${i}`;
      const input = h('textarea', { className: 'field-input', id, attrs: { rows: '2', spellcheck: 'false', 'aria-describedby': `${id}-error` } });
      input.dataset.field = name;
      input.value = this.form.fields[name] ?? '';
      input.addEventListener('input', () => {
        this.form.fields = { ...this.form.fields, [name]: input.value };
        setProblem(input, this.fieldError(id), undefined);
        this.deps.store.save();
      });
      this.fields.appendChild(
        h('div', { className: 'field-row' }, h('label', { className: 'field-name', text: name, attrs: { for: id } }), input, h('div', { className: 'field-error', id: `${id}-error`, attrs: { hidden: '' } })),
      );
    });
  }

  private fieldInputs(): HTMLTextAreaElement[] {
    return Array.from(this.fields.querySelectorAll<HTMLTextAreaElement>('.field-input'));
  }

  private firstField(): HTMLTextAreaElement | null {
    return this.fields.querySelector<HTMLTextAreaElement>('.field-input');
  }

  private fieldError(inputId: string): HTMLElement | null {
    return this.fields.querySelector<HTMLElement>(`#${inputId}-error`);
  }
}
