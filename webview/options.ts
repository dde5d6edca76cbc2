// The platform's options (Nyckel: label count, model, metadata…; Inferable: a result schema) in a
// collapsible section. Its header counts the options set, which shows while it is closed.
import { PLATFORM_NAMES } from '../src/core/model';
import { PLATFORM_TRAITS, type DraftForm } from '../src/shared/panelProtocol';
import { byId, setValue } from './dom';
import { checkJsonInput, setProblem, type ProblemSource, type ProblemTarget, type TextInput } from './problems';
import type { PanelStore } from './state';

type TextOption = 'labelCount' | 'modelId' | 'externalId' | 'metadata' | 'resultSchema';
type CheckOption = 'includeMetadata' | 'capture';

export interface OptionsEditorDeps {
  store: PanelStore;
  /** An option was typed into. */
  edited(): void;
}

export class OptionsEditor implements ProblemSource {
  private readonly section = byId<HTMLDetailsElement>('options');
  private readonly title = byId('options-title');
  private readonly count = byId('options-count');
  private readonly nyckel = byId('options-nyckel');
  private readonly inferable = byId('options-inferable');
  private readonly labelCount = byId<HTMLInputElement>('opt-label-count');
  private readonly labelCountError = byId('opt-label-count-error');
  private readonly modelId = byId<HTMLInputElement>('opt-model-id');
  private readonly externalId = byId<HTMLInputElement>('opt-external-id');
  private readonly includeMetadata = byId<HTMLInputElement>('opt-include-metadata');
  private readonly capture = byId<HTMLInputElement>('opt-capture');
  private readonly metadata = byId<HTMLTextAreaElement>('opt-metadata');
  private readonly metadataError = byId('opt-metadata-error');
  private readonly resultSchema = byId<HTMLTextAreaElement>('opt-result-schema');
  private readonly resultSchemaError = byId('opt-result-schema-error');

  constructor(private readonly deps: OptionsEditorDeps) {}

  private get form(): DraftForm {
    return this.deps.store.form;
  }

  wire(): void {
    this.section.addEventListener('toggle', () => {
      this.deps.store.state.optionsOpen = this.section.open;
      this.deps.store.save();
    });
    this.bindText(this.labelCount, 'labelCount', this.labelCountError);
    this.bindText(this.modelId, 'modelId');
    this.bindText(this.externalId, 'externalId');
    this.bindText(this.metadata, 'metadata', this.metadataError);
    this.bindText(this.resultSchema, 'resultSchema', this.resultSchemaError);
    this.bindCheck(this.includeMetadata, 'includeMetadata');
    this.bindCheck(this.capture, 'capture');
  }

  render(): void {
    const platform = this.form.platform;
    const options = platform ? PLATFORM_TRAITS[platform].options : undefined;
    this.section.hidden = options === undefined;
    this.nyckel.hidden = options !== 'nyckel';
    this.inferable.hidden = options !== 'inferable';
    this.section.open = this.deps.store.state.optionsOpen;
    this.title.textContent = platform ? `${PLATFORM_NAMES[platform]} options` : 'Options';
    const o = this.form.options;
    setValue(this.labelCount, o.labelCount ?? '');
    setValue(this.modelId, o.modelId ?? '');
    setValue(this.externalId, o.externalId ?? '');
    this.includeMetadata.checked = o.includeMetadata === true;
    this.capture.checked = o.capture !== false;
    setValue(this.metadata, o.metadata ?? '');
    setValue(this.resultSchema, o.resultSchema ?? '');
    this.renderCount();
  }

  problemTarget(field: string): ProblemTarget | undefined {
    const reveal = () => this.reveal();
    if (field === 'labelCount') return { input: this.labelCount, error: this.labelCountError, reveal };
    if (field === 'metadata') return { input: this.metadata, error: this.metadataError, reveal };
    if (field === 'resultSchema') return { input: this.resultSchema, error: this.resultSchemaError, reveal };
    return undefined;
  }

  clearProblems(): void {
    setProblem(this.labelCount, this.labelCountError, undefined);
    setProblem(this.metadata, this.metadataError, undefined);
    setProblem(this.resultSchema, this.resultSchemaError, undefined);
  }

  checkJson(): void {
    const { platform, options } = this.form;
    checkJsonInput(options.metadata ?? '', this.metadata, this.metadataError, platform === 'nyckel');
    checkJsonInput(options.resultSchema ?? '', this.resultSchema, this.resultSchemaError, platform === 'inferable');
  }

  /** Only the header's count: the inputs keep their cursor. */
  private renderCount(): void {
    const o = this.form.options;
    const options = this.form.platform ? PLATFORM_TRAITS[this.form.platform].options : undefined;
    const set =
      options === 'nyckel'
        ? [o.labelCount?.trim(), o.modelId?.trim(), o.externalId?.trim(), o.includeMetadata, o.capture === false, o.metadata?.trim()].filter(Boolean).length
        : options === 'inferable'
          ? [o.resultSchema?.trim()].filter(Boolean).length
          : 0;
    this.count.hidden = set === 0;
    this.count.textContent = `${set} set`;
  }

  private reveal(): void {
    if (this.section.open) return;
    this.section.open = true;
    this.deps.store.state.optionsOpen = true;
  }

  private bindText(input: TextInput, key: TextOption, error?: HTMLElement): void {
    input.addEventListener('input', () => {
      this.form.options = { ...this.form.options, [key]: input.value };
      if (error) setProblem(input, error, undefined);
      if (key === 'metadata' || key === 'resultSchema') this.deps.edited();
      this.deps.store.save();
      this.renderCount();
    });
  }

  private bindCheck(input: HTMLInputElement, key: CheckOption): void {
    input.addEventListener('change', () => {
      this.form.options = { ...this.form.options, [key]: input.checked };
      this.deps.store.save();
      this.renderCount();
    });
  }
}
