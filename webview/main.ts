// The run panel's browser code: the picker, the input editor, the options, the result and the
// recent runs. It only talks to the host through the typed, validated protocol; every host message
// is checked before it is used and everything from a platform is rendered as text.
import { relativeAge } from '../src/core/format';
import { PLATFORM_NAMES, type PlatformId } from '../src/core/model';
import {
  PLATFORM_TRAITS,
  emptyDraft,
  panelStateSchema,
  parseHostMessage,
  type ErrorAction,
  type HostMessage,
  type PanelError,
  type PanelFunction,
  type PanelState,
  type PlatformEntry,
  type Prefill,
  type RecentRunSummary,
  type RunForm,
  type WebviewMessage,
} from '../src/vscode/panel/protocol';
import { buildRunRequest, describeJsonProblem, fieldsFromJson, jsonProblem, type FormProblem, type InputMode } from '../src/vscode/panel/runInput';
import { button, byId, clear, h, icon } from './dom';
import { renderEmpty, renderError, renderResult, renderRunning } from './result';

const vscode = acquireVsCodeApi<PanelState>();

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

// ---- state

function loadState(): PanelState {
  const parsed = panelStateSchema.safeParse(vscode.getState());
  return parsed.success ? parsed.data : { version: 1, form: emptyDraft(), optionsOpen: false };
}

let state: PanelState = loadState();
let platforms: PlatformEntry[] = [];
let recentRuns: RecentRunSummary[] = [];
let running: { runId: string; platform: PlatformId; function: string; startedAt: number } | undefined;
let insertTarget: string | null = null;
let initialized = false;
let ticker: ReturnType<typeof setInterval> | undefined;

function save(): void {
  vscode.setState(state);
}

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const SHORTCUT = isMac ? '⌘Enter' : 'Ctrl+Enter';

// ---- elements (ids are stable: browser tests use them)

const el = {
  platform: byId<HTMLSelectElement>('platform-picker'),
  fn: byId<HTMLSelectElement>('function-picker'),
  refresh: byId<HTMLButtonElement>('refresh-functions'),
  run: byId<HTMLButtonElement>('run'),
  cancel: byId<HTMLButtonElement>('cancel'),
  shortcut: byId('run-shortcut'),
  progress: byId('progress'),
  notice: byId('platform-notice'),
  description: byId('function-description'),
  inputLabel: byId('input-label'),
  modeText: byId<HTMLInputElement>('mode-text'),
  modeJson: byId<HTMLInputElement>('mode-json'),
  modeFields: byId<HTMLInputElement>('mode-fields'),
  modeFieldsLabel: byId('mode-fields-label'),
  input: byId<HTMLTextAreaElement>('input'),
  fields: byId('fields'),
  inputError: byId('input-error'),
  inputHint: byId('input-hint'),
  options: byId<HTMLDetailsElement>('options'),
  optionsTitle: byId('options-title'),
  optionsCount: byId('options-count'),
  optionsNyckel: byId('options-nyckel'),
  optionsInferable: byId('options-inferable'),
  labelCount: byId<HTMLInputElement>('opt-label-count'),
  labelCountError: byId('opt-label-count-error'),
  modelId: byId<HTMLInputElement>('opt-model-id'),
  externalId: byId<HTMLInputElement>('opt-external-id'),
  includeMetadata: byId<HTMLInputElement>('opt-include-metadata'),
  capture: byId<HTMLInputElement>('opt-capture'),
  metadata: byId<HTMLTextAreaElement>('opt-metadata'),
  metadataError: byId('opt-metadata-error'),
  resultSchema: byId<HTMLTextAreaElement>('opt-result-schema'),
  resultSchemaError: byId('opt-result-schema-error'),
  result: byId('result'),
  recentList: byId<HTMLUListElement>('recent-list'),
  recentEmpty: byId('recent-empty'),
  clearRecent: byId<HTMLButtonElement>('clear-recent'),
  toast: byId('toast'),
};

// ---- lookups

function entry(platform: PlatformId | undefined): PlatformEntry | undefined {
  return platform ? platforms.find((p) => p.platform === platform) : undefined;
}

function selectedFunction(): PanelFunction | undefined {
  const { platform, function: id } = state.form;
  if (id === undefined) return undefined;
  return entry(platform)?.functions.find((fn) => fn.id === id);
}

/** The Sutro function's input fields; for a function not listed (yet), the fields the form has. */
function inputFields(): string[] {
  if (state.form.platform !== 'sutro') return [];
  const fn = selectedFunction();
  return fn ? (fn.inputFields ?? []) : Object.keys(state.form.fields);
}

function functionLabel(platform: PlatformId | undefined, id: string | undefined): string {
  if (platform && id === '' && PLATFORM_TRAITS[platform].autoFunction) return `${PLATFORM_NAMES[platform]}'s choice`;
  if (id === undefined) return 'a function';
  return entry(platform)?.functions.find((fn) => fn.id === id)?.name ?? id;
}

// ---- choosing a platform and function

/** Picks a platform and function when none is chosen (the last run's, else the first with a key). */
function ensureSelection(): void {
  const form = state.form;
  const withKey = platforms.filter((p) => p.hasKey);
  if (!form.platform) {
    const last = recentRuns.find((run) => entry(run.platform)?.hasKey);
    if (last) {
      form.platform = last.platform;
      form.function ??= last.function;
    } else if (withKey[0]) {
      form.platform = withKey[0].platform;
    } else if (platforms[0]) {
      form.platform = platforms[0].platform;
    }
  }
  if (form.platform && form.function === undefined) {
    const p = entry(form.platform);
    if (PLATFORM_TRAITS[form.platform].autoFunction) form.function = '';
    else if (p && p.functions[0]) form.function = p.functions[0].id;
  }
}

function choosePlatform(platform: PlatformId): void {
  if (state.form.platform === platform) return;
  state.form.platform = platform;
  state.form.function = undefined;
  ensureSelection();
  adjustModeForFunction();
  afterSelectionChange();
}

function chooseFunction(id: string): void {
  state.form.function = id;
  adjustModeForFunction();
  afterSelectionChange();
}

function afterSelectionChange(): void {
  post({ type: 'select', platform: state.form.platform, function: state.form.function });
  clearProblems();
  save();
  renderAll();
  validateLive();
}

/** Sutro functions with known fields get the field form; others cannot use it. */
function adjustModeForFunction(): void {
  const fields = inputFields();
  const form = state.form;
  if (fields.length > 0) {
    if (form.inputMode !== 'fields' && form.input.trim() === '') form.inputMode = 'fields';
  } else if (form.inputMode === 'fields' && (selectedFunction() !== undefined || form.platform !== 'sutro')) {
    // Only once the function is known to have no fields (its list may still be loading).
    switchMode('json');
  }
}

// ---- input modes

function switchMode(mode: InputMode): void {
  const form = state.form;
  if (form.inputMode === mode) return;
  const fields = inputFields();
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
  clearProblems();
  save();
  renderForm();
  validateLive();
}

// ---- rendering

function renderAll(): void {
  renderPickers();
  renderForm();
  renderResultArea();
  renderRecent();
  renderRunState();
}

function renderPickers(): void {
  const form = state.form;
  clear(el.platform);
  for (const p of platforms) {
    const label = p.hasKey ? p.name : `${p.name} (no key)`;
    el.platform.appendChild(h('option', { text: label, attrs: { value: p.platform } }));
  }
  if (form.platform) el.platform.value = form.platform;

  clear(el.fn);
  const p = entry(form.platform);
  const options: HTMLOptionElement[] = [];
  if (form.platform && PLATFORM_TRAITS[form.platform].autoFunction && p?.hasKey) {
    el.fn.appendChild(h('option', { text: `Let ${PLATFORM_NAMES[form.platform]} choose`, attrs: { value: '' } }));
  }
  if (p?.hasKey) {
    const recent = p.functions.filter((fn) => fn.recent);
    const rest = p.functions.filter((fn) => !fn.recent);
    const option = (fn: PanelFunction) => {
      const o = h('option', { text: fn.name === fn.id ? fn.name : `${fn.name}`, title: fn.id, attrs: { value: fn.id } });
      options.push(o);
      return o;
    };
    if (recent.length > 0) el.fn.appendChild(h('optgroup', { attrs: { label: 'Recent' } }, ...recent.map(option)));
    if (rest.length > 0) el.fn.appendChild(recent.length > 0 ? h('optgroup', { attrs: { label: 'All functions' } }, ...rest.map(option)) : fragment(rest.map(option)));
    const known = form.function === undefined || form.function === '' || p.functions.some((fn) => fn.id === form.function);
    if (!known && form.function !== undefined) {
      el.fn.appendChild(h('option', { text: `${form.function} (not listed)`, attrs: { value: form.function } }));
    }
    if (p.loading && p.functions.length === 0) el.fn.appendChild(h('option', { text: 'Loading functions…', attrs: { value: '__loading', disabled: '' } }));
    if (!p.loading && p.functions.length === 0 && !PLATFORM_TRAITS[p.platform].autoFunction && known) {
      el.fn.appendChild(h('option', { text: 'No functions found', attrs: { value: '__none', disabled: '' } }));
    }
  }
  el.fn.disabled = !p?.hasKey;
  if (form.function !== undefined) el.fn.value = form.function;

  // The notice under the header: no key, or the list could not be loaded.
  clear(el.notice);
  el.notice.hidden = true;
  if (p && !p.hasKey) {
    el.notice.hidden = false;
    el.notice.className = 'notice notice-warning';
    el.notice.append(
      icon('key'),
      h('span', { text: `No ${p.name} ${p.platform === 'nyckel' ? 'credentials' : 'API key'} yet. Keys stay in VS Code's secret storage.` }),
      button({ className: 'button primary action-setApiKey', icon: 'key', label: 'Set API Key…' }, () => post({ type: 'setApiKey', platform: p.platform })),
    );
  } else if (p?.error) {
    const err = p.error;
    el.notice.hidden = false;
    el.notice.className = 'notice notice-error';
    el.notice.append(icon('warning'), h('span', { text: `Could not list the ${p.name} functions: ${err.message}` }));
    if (err.actions.includes('setApiKey')) el.notice.append(button({ className: 'button secondary action-setApiKey', icon: 'key', label: 'Set API Key…' }, () => post({ type: 'setApiKey', platform: p.platform })));
    el.notice.append(button({ className: 'button secondary', icon: 'refresh', label: 'Retry' }, () => post({ type: 'refreshFunctions', platform: p.platform })));
  }

  const fn = selectedFunction();
  const description = !p?.hasKey
    ? ''
    : fn ? (fn.description ?? [fn.inputType, fn.outputType].filter(Boolean).join(' → ')) : form.function === '' && form.platform === 'inferable' ? 'Inferable picks the functions to call from your message.' : '';
  el.description.textContent = description;
  el.description.hidden = !description;
}

function fragment(nodes: Node[]): DocumentFragment {
  const f = document.createDocumentFragment();
  f.append(...nodes);
  return f;
}

function renderForm(): void {
  const form = state.form;
  const platform = form.platform;
  const traits = platform ? PLATFORM_TRAITS[platform] : undefined;
  el.inputLabel.textContent = traits?.inputName ?? 'Input';
  const fields = inputFields();
  el.modeFields.hidden = fields.length === 0;
  el.modeFieldsLabel.hidden = fields.length === 0;
  el.modeText.checked = form.inputMode === 'text';
  el.modeJson.checked = form.inputMode === 'json';
  el.modeFields.checked = form.inputMode === 'fields';

  const useFields = form.inputMode === 'fields' && fields.length > 0;
  el.input.hidden = useFields;
  el.fields.hidden = !useFields;
  if (el.input.value !== form.input) el.input.value = form.input;
  el.input.placeholder =
    form.inputMode === 'json' ? '{ "field": "value" }' : platform === 'inferable' ? 'What should Inferable do?' : 'Text to classify or extract from';
  if (useFields) renderFields(fields);
  el.inputHint.textContent = `${form.inputMode === 'json' ? 'A JSON object. ' : ''}Press ${SHORTCUT} to run.`;

  // Options for the platform.
  const options = traits?.options;
  el.options.hidden = options === undefined;
  el.optionsNyckel.hidden = options !== 'nyckel';
  el.optionsInferable.hidden = options !== 'inferable';
  el.options.open = state.optionsOpen;
  el.optionsTitle.textContent = platform ? `${PLATFORM_NAMES[platform]} options` : 'Options';
  const o = form.options;
  setValue(el.labelCount, o.labelCount ?? '');
  setValue(el.modelId, o.modelId ?? '');
  setValue(el.externalId, o.externalId ?? '');
  el.includeMetadata.checked = o.includeMetadata === true;
  el.capture.checked = o.capture !== false;
  setValue(el.metadata, o.metadata ?? '');
  setValue(el.resultSchema, o.resultSchema ?? '');
  const set =
    options === 'nyckel'
      ? [o.labelCount?.trim(), o.modelId?.trim(), o.externalId?.trim(), o.includeMetadata, o.capture === false, o.metadata?.trim()].filter(Boolean).length
      : options === 'inferable'
        ? [o.resultSchema?.trim()].filter(Boolean).length
        : 0;
  el.optionsCount.hidden = set === 0;
  el.optionsCount.textContent = `${set} set`;
}

function setValue(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  if (input.value !== value) input.value = value;
}

function renderFields(fields: string[]): void {
  const current = Array.from(el.fields.querySelectorAll<HTMLTextAreaElement>('.field-input')).map((f) => f.dataset.field);
  if (current.length === fields.length && current.every((name, i) => name === fields[i])) {
    for (const input of Array.from(el.fields.querySelectorAll<HTMLTextAreaElement>('.field-input'))) setValue(input, state.form.fields[input.dataset.field ?? ''] ?? '');
    return;
  }
  clear(el.fields);
  fields.forEach((name, i) => {
    const id = `field-${i}`;
    const input = h('textarea', { className: 'field-input', id, attrs: { rows: '2', spellcheck: 'false', 'aria-describedby': `${id}-error` } });
    input.dataset.field = name;
    input.value = state.form.fields[name] ?? '';
    input.addEventListener('input', () => {
      state.form.fields = { ...state.form.fields, [name]: input.value };
      setProblem(input, el.fields.querySelector<HTMLElement>(`#${id}-error`), undefined);
      save();
    });
    el.fields.appendChild(
      h('div', { className: 'field-row' }, h('label', { className: 'field-name', text: name, attrs: { for: id } }), input, h('div', { className: 'field-error', id: `${id}-error`, attrs: { hidden: '' } })),
    );
  });
}

function renderResultArea(): void {
  stopTicker();
  clear(el.result);
  el.result.setAttribute('aria-busy', running ? 'true' : 'false');
  if (running) {
    const r = renderRunning(functionLabel(running.platform, running.function), PLATFORM_NAMES[running.platform], running.startedAt);
    el.result.appendChild(r.element);
    r.tick();
    ticker = setInterval(r.tick, 100);
    return;
  }
  if (state.error) {
    el.result.appendChild(renderError(state.error.error, onErrorAction));
    return;
  }
  if (state.result) {
    const runId = state.result.runId;
    el.result.appendChild(
      renderResult(state.result.view, {
        copy: () => post({ type: 'copyResult', runId }),
        insert: () => post({ type: 'insertResult', runId }),
        openRaw: () => post({ type: 'openRaw', runId }),
        insertTarget,
      }),
    );
    return;
  }
  el.result.appendChild(renderEmpty(SHORTCUT));
}

function stopTicker(): void {
  if (ticker !== undefined) clearInterval(ticker);
  ticker = undefined;
}

function renderRunState(): void {
  const hasKey = entry(state.form.platform)?.hasKey === true;
  el.run.disabled = running !== undefined || !hasKey;
  el.run.title = hasKey ? `Run (${SHORTCUT})` : 'Set a key for this platform first';
  el.cancel.hidden = running === undefined;
  el.progress.hidden = running === undefined;
  el.refresh.disabled = !entry(state.form.platform)?.hasKey;
}

function renderRecent(): void {
  clear(el.recentList);
  el.recentEmpty.hidden = recentRuns.length > 0;
  el.clearRecent.hidden = recentRuns.length === 0;
  const now = Date.now();
  for (const run of recentRuns) {
    const when = relativeAge(new Date(run.at).toISOString(), now) ?? '';
    const open = h(
      'button',
      { className: 'recent-open', title: `${run.functionName} · ${PLATFORM_NAMES[run.platform]}\n${run.inputPreview}\n→ ${run.headline}`, attrs: { type: 'button' } },
      icon(run.ok ? 'pass' : 'error', run.ok ? 'recent-ok' : 'recent-failed'),
      h('span', { className: 'recent-function', text: run.functionName }),
      h('span', { className: 'recent-platform', text: PLATFORM_NAMES[run.platform] }),
      h('span', { className: 'recent-input', text: run.inputPreview }),
      h('span', { className: 'recent-headline', text: run.headline }),
      h('time', { className: 'recent-time', text: when, attrs: { datetime: new Date(run.at).toISOString() } }),
    );
    open.addEventListener('click', () => post({ type: 'openRecent', id: run.id }));
    const rerun = button(
      { className: 'icon-button recent-rerun', icon: 'debug-rerun', label: `Run again: ${run.functionName} on "${run.inputPreview.slice(0, 40)}"`, iconOnly: true, title: 'Run again' },
      () => {
        if (!running) post({ type: 'rerun', id: run.id });
      },
    );
    rerun.disabled = !run.rerunnable || running !== undefined;
    el.recentList.appendChild(h('li', { className: `recent-run${run.ok ? '' : ' failed'}`, attrs: { 'data-run-id': run.id } }, open, rerun));
  }
}

// ---- problems (shown before anything is sent)

function problemTarget(field: string): { input: HTMLInputElement | HTMLTextAreaElement; error: HTMLElement; openOptions: boolean } | undefined {
  if (field === 'input') return { input: el.input, error: el.inputError, openOptions: false };
  if (field === 'labelCount') return { input: el.labelCount, error: el.labelCountError, openOptions: true };
  if (field === 'metadata') return { input: el.metadata, error: el.metadataError, openOptions: true };
  if (field === 'resultSchema') return { input: el.resultSchema, error: el.resultSchemaError, openOptions: true };
  if (field.startsWith('field:')) {
    const input = Array.from(el.fields.querySelectorAll<HTMLTextAreaElement>('.field-input')).find((f) => f.dataset.field === field.slice(6));
    const error = input ? el.fields.querySelector<HTMLElement>(`#${input.id}-error`) : null;
    return input && error ? { input, error, openOptions: false } : undefined;
  }
  return undefined;
}

function setProblem(input: HTMLInputElement | HTMLTextAreaElement, error: HTMLElement | null, text: string | undefined): void {
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  if (!error) return;
  error.textContent = text ?? '';
  error.hidden = !text;
}

function clearProblems(): void {
  for (const field of ['input', 'labelCount', 'metadata', 'resultSchema']) {
    const target = problemTarget(field);
    if (target) setProblem(target.input, target.error, undefined);
  }
  for (const input of Array.from(el.fields.querySelectorAll<HTMLTextAreaElement>('.field-input'))) {
    setProblem(input, el.fields.querySelector<HTMLElement>(`#${input.id}-error`), undefined);
  }
}

/** Shows a problem next to its field; with `focus`, moves the cursor to where the JSON breaks. */
function showProblem(problem: FormProblem, focus: boolean): void {
  const target = problemTarget(problem.field);
  const text = problem.line !== undefined ? describeJsonProblem({ message: problem.message, line: problem.line, column: problem.column ?? 1 }) : problem.message;
  if (!target) {
    if (problem.field === 'function') {
      if (focus) el.fn.focus();
      toast(problem.message, 'error');
    }
    return;
  }
  if (target.openOptions && !el.options.open) {
    el.options.open = true;
    state.optionsOpen = true;
  }
  setProblem(target.input, target.error, text);
  if (focus) {
    target.input.focus();
    if (problem.offset !== undefined && 'setSelectionRange' in target.input) {
      const at = Math.min(problem.offset, target.input.value.length);
      target.input.setSelectionRange(at, Math.min(at + 1, target.input.value.length));
    }
  }
}

let liveTimer: ReturnType<typeof setTimeout> | undefined;

/** Checks JSON while it is typed (after a short pause). */
function validateLive(): void {
  if (liveTimer !== undefined) clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    liveTimer = undefined;
    const check = (value: string, input: HTMLInputElement | HTMLTextAreaElement, error: HTMLElement, active: boolean) => {
      const problem = active && value.trim() !== '' ? jsonProblem(value) : undefined;
      setProblem(input, error, problem ? describeJsonProblem(problem) : undefined);
    };
    check(state.form.input, el.input, el.inputError, state.form.inputMode === 'json');
    check(state.form.options.metadata ?? '', el.metadata, el.metadataError, state.form.platform === 'nyckel');
    check(state.form.options.resultSchema ?? '', el.resultSchema, el.resultSchemaError, state.form.platform === 'inferable');
  }, 200);
}

// ---- running

function currentForm(): RunForm | undefined {
  const form = state.form;
  if (!form.platform) return undefined;
  return {
    platform: form.platform,
    function: form.function ?? '',
    inputMode: form.inputMode,
    input: form.input,
    fields: form.inputMode === 'fields' ? pick(form.fields, inputFields()) : {},
    options: form.options,
  };
}

function pick(fields: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, fields[name] ?? '']));
}

function newRunId(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return `w${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function requestRun(): void {
  if (running) return;
  const form = currentForm();
  if (!form) {
    toast('Choose a platform first.', 'error');
    el.platform.focus();
    return;
  }
  if (!entry(form.platform)?.hasKey) {
    toast(`Set a ${PLATFORM_NAMES[form.platform]} key first.`, 'error');
    return;
  }
  clearProblems();
  const built = buildRunRequest(form, inputFields());
  if (!built.ok) {
    showProblem(built.problem, true);
    save();
    return;
  }
  const runId = newRunId();
  running = { runId, platform: form.platform, function: form.function, startedAt: Date.now() };
  post({ type: 'run', runId, form });
  renderResultArea();
  renderRunState();
  renderRecent();
}

function cancelRun(): void {
  if (running) post({ type: 'cancel', runId: running.runId });
}

function onErrorAction(action: ErrorAction): void {
  const error = state.error?.error;
  switch (action) {
    case 'setApiKey': {
      const platform = error?.platform ?? state.form.platform;
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
      requestRun();
      return;
  }
}

// ---- host messages

function onHostMessage(message: HostMessage): void {
  switch (message.type) {
    case 'init': {
      platforms = message.platforms;
      recentRuns = message.recentRuns;
      insertTarget = message.insertTarget;
      // Our own saved state wins; the serializer's copy is for a webview that lost it.
      if (!initialized && vscode.getState() === undefined && message.state) state = message.state;
      initialized = true;
      if (message.running) running = { ...message.running, startedAt: running?.runId === message.running.runId ? running.startedAt : Date.now() };
      else running = undefined;
      ensureSelection();
      if (message.prefill) applyPrefill(message.prefill);
      else adjustModeForFunction();
      save();
      renderAll();
      if (!message.prefill?.focus) focusStart();
      return;
    }
    case 'platforms':
      platforms = message.platforms;
      ensureSelection();
      save();
      renderPickers();
      renderForm();
      renderRunState();
      return;
    case 'prefill':
      applyPrefill(message.prefill);
      save();
      renderAll();
      return;
    case 'running':
      running = { runId: message.runId, platform: message.platform, function: message.function, startedAt: running?.runId === message.runId ? running.startedAt : Date.now() };
      renderResultArea();
      renderRunState();
      renderRecent();
      return;
    case 'result': {
      if (running && running.runId !== message.runId) return;
      running = undefined;
      state.result = { runId: message.runId, view: message.view };
      state.error = undefined;
      save();
      renderResultArea();
      renderRunState();
      renderRecent();
      return;
    }
    case 'error':
      onError(message.runId, message.error);
      return;
    case 'cancelled':
      if (running?.runId === message.runId) {
        running = undefined;
        renderResultArea();
        renderRunState();
        renderRecent();
        toast('Run cancelled.', 'info');
      }
      return;
    case 'recentRuns':
      recentRuns = message.runs;
      renderRecent();
      return;
    case 'insertTarget':
      insertTarget = message.label;
      if (state.result && !running) renderResultArea();
      return;
    case 'notice':
      toast(message.text, message.level);
      return;
  }
}

function onError(runId: string | undefined, error: PanelError): void {
  if (runId && running && running.runId !== runId) return;
  running = undefined;
  if (error.kind === 'invalidInput' && error.field && problemTarget(error.field)) {
    // The host refused the form (it checks too): show it at the field, keep the last result.
    showProblem({ field: error.field, message: error.message, line: error.line, column: error.column, offset: error.offset }, true);
  } else {
    state.error = runId ? { runId, error } : { error };
    state.result = undefined;
  }
  save();
  renderResultArea();
  renderRunState();
  renderRecent();
}

function applyPrefill(prefill: Prefill): void {
  const form = state.form;
  if (prefill.platform && prefill.platform !== form.platform) {
    form.platform = prefill.platform;
    form.function = undefined;
  }
  if (prefill.function !== undefined) form.function = prefill.function;
  ensureSelection();
  if (prefill.options) form.options = prefill.options;
  if (prefill.input !== undefined) {
    form.input = prefill.input;
    form.inputMode = prefill.inputMode ?? 'text';
    if (prefill.fields) form.fields = prefill.fields;
    if (form.inputMode === 'fields' && inputFields().length === 0) form.inputMode = form.input.trim() === '' ? 'text' : 'json';
  } else {
    adjustModeForFunction();
  }
  if (prefill.result) {
    state.result = prefill.result;
    state.error = undefined;
  } else if (prefill.error) {
    state.error = prefill.error;
    state.result = undefined;
  }
  clearProblems();
  if (prefill.focus) {
    // After the DOM is updated.
    setTimeout(() => (prefill.focus === 'function' ? el.fn : state.form.inputMode === 'fields' ? el.fields.querySelector<HTMLElement>('.field-input') ?? el.input : el.input).focus(), 0);
  }
}

function focusStart(): void {
  if (document.activeElement && document.activeElement !== document.body) return;
  (state.form.inputMode === 'fields' ? el.fields.querySelector<HTMLElement>('.field-input') : el.input)?.focus();
}

// ---- feedback

let toastTimer: ReturnType<typeof setTimeout> | undefined;

function toast(text: string, level: 'info' | 'error'): void {
  el.toast.textContent = text;
  el.toast.className = `toast toast-${level}`;
  el.toast.hidden = false;
  el.toast.setAttribute('role', level === 'error' ? 'alert' : 'status');
  if (toastTimer !== undefined) clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.toast.hidden = true), level === 'error' ? 6000 : 3000);
}

// ---- wiring

function bindOption(input: HTMLInputElement | HTMLTextAreaElement, key: 'labelCount' | 'modelId' | 'externalId' | 'metadata' | 'resultSchema', errorEl?: HTMLElement): void {
  input.addEventListener('input', () => {
    state.form.options = { ...state.form.options, [key]: input.value };
    if (errorEl) setProblem(input, errorEl, undefined);
    if (key === 'metadata' || key === 'resultSchema') validateLive();
    save();
    renderOptionsCount();
  });
}

function bindCheck(input: HTMLInputElement, key: 'includeMetadata' | 'capture'): void {
  input.addEventListener('change', () => {
    state.form.options = { ...state.form.options, [key]: input.checked };
    save();
    renderOptionsCount();
  });
}

function renderOptionsCount(): void {
  // Re-renders the options header only (inputs keep their cursor).
  const o = state.form.options;
  const platform = state.form.platform;
  const set =
    platform === 'nyckel'
      ? [o.labelCount?.trim(), o.modelId?.trim(), o.externalId?.trim(), o.includeMetadata, o.capture === false, o.metadata?.trim()].filter(Boolean).length
      : platform === 'inferable'
        ? [o.resultSchema?.trim()].filter(Boolean).length
        : 0;
  el.optionsCount.hidden = set === 0;
  el.optionsCount.textContent = `${set} set`;
}

function wire(): void {
  el.shortcut.textContent = SHORTCUT;
  el.cancel.title = 'Cancel the run (Escape)';
  el.platform.addEventListener('change', () => choosePlatform(el.platform.value as PlatformId));
  el.fn.addEventListener('change', () => chooseFunction(el.fn.value));
  el.refresh.addEventListener('click', () => post({ type: 'refreshFunctions', platform: state.form.platform }));
  el.run.addEventListener('click', requestRun);
  el.cancel.addEventListener('click', cancelRun);
  for (const radio of [el.modeText, el.modeJson, el.modeFields]) {
    radio.addEventListener('change', () => {
      if (radio.checked) switchMode(radio.value as InputMode);
    });
  }
  el.input.addEventListener('input', () => {
    state.form.input = el.input.value;
    if (state.form.inputMode !== 'json') setProblem(el.input, el.inputError, undefined);
    validateLive();
    save();
  });
  el.options.addEventListener('toggle', () => {
    state.optionsOpen = el.options.open;
    save();
  });
  bindOption(el.labelCount, 'labelCount', el.labelCountError);
  bindOption(el.modelId, 'modelId');
  bindOption(el.externalId, 'externalId');
  bindOption(el.metadata, 'metadata', el.metadataError);
  bindOption(el.resultSchema, 'resultSchema', el.resultSchemaError);
  bindCheck(el.includeMetadata, 'includeMetadata');
  bindCheck(el.capture, 'capture');
  el.clearRecent.addEventListener('click', () => post({ type: 'clearRecentRuns' }));

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
      event.preventDefault();
      requestRun();
    } else if (event.key === 'Escape' && running) {
      event.preventDefault();
      cancelRun();
    }
  });

  window.addEventListener('message', (event: MessageEvent) => {
    const parsed = parseHostMessage(event.data);
    if (!parsed.ok) {
      post({ type: 'log', level: 'warn', message: `rejected a message from the host (${parsed.reason})` });
      return;
    }
    onHostMessage(parsed.message);
  });
  window.addEventListener('error', (event) => {
    post({ type: 'log', level: 'error', message: `${event.message} (${String(event.filename).split('/').pop()}:${event.lineno})`.slice(0, 1000) });
  });
}

wire();
// Draw what was saved at once (the host's `init` brings the lists and recent runs).
renderForm();
renderResultArea();
renderRunState();
post({ type: 'ready' });

