// Renders the result card, the error card and the running card. Text only (textContent).
import { formatCost, formatCount, formatPercent } from '../src/shared/format';
import type { ApprovalView, ErrorAction, PanelError, ResultView } from '../src/shared/panelProtocol';
import type { Codicon } from './codicons';
import { append, bar, button, h, icon } from './dom';

export interface ResultHandlers {
  copy(): void;
  insert(): void;
  openRaw(): void;
  /** Approve or Deny on one of a paused run's approvals. */
  decide(decisionId: string, approved: boolean): void;
  insertTarget: string | null;
  /** The platform's name ("Sutro"). */
  platformName: string;
}

const KIND_NAMES: Record<ResultView['kind'], string> = { classification: 'Classification', extraction: 'Extraction', run: 'Run' };
const MAX_DEPTH = 4;

export function formatLatency(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

export function renderResult(view: ResultView, handlers: ResultHandlers): HTMLElement {
  const card = h('article', { className: `result-card kind-${view.kind}`, attrs: { 'aria-label': 'Result' } });

  // Headline: the label (or status) with its confidence, and the badges.
  const headline = h('div', { className: 'result-headline' });
  headline.appendChild(h('span', { className: 'result-kind', text: `${KIND_NAMES[view.kind]} · ${view.functionName ?? (view.function || 'auto')} · ${handlers.platformName}` }));
  if (view.label !== undefined) {
    headline.appendChild(h('h3', { className: 'result-label', text: view.label }));
  } else if (view.kind === 'run' && view.status) {
    headline.appendChild(h('h3', { className: 'result-label result-label-status', text: view.status }));
  } else if (view.kind === 'extraction') {
    headline.appendChild(h('h3', { className: 'result-label result-label-muted', text: 'Extracted' }));
  }
  if (view.confidence !== undefined) {
    headline.appendChild(
      h('div', { className: 'confidence' }, bar(view.confidence, 'Confidence', 'bar bar-large'), h('span', { className: 'confidence-value', text: formatPercent(view.confidence) })),
    );
  }
  const badges = h('div', { className: 'badges' });
  if (view.status) badges.appendChild(h('span', { className: `badge result-status status-${cssToken(view.status)}`, text: view.status, title: 'Status' }));
  badges.appendChild(h('span', { className: 'badge latency', title: 'Latency' }, icon('watch'), h('span', { text: formatLatency(view.durationMs) })));
  card.appendChild(h('header', { className: 'result-header' }, headline, badges));

  // Actions.
  const insertTitle = handlers.insertTarget ? `Insert into ${handlers.insertTarget}` : 'Insert into the editor the panel was opened from';
  card.appendChild(
    h(
      'div',
      { className: 'result-actions', attrs: { role: 'toolbar', 'aria-label': 'Result actions' } },
      button({ id: 'copy-result', icon: 'copy', label: 'Copy JSON', title: 'Copy the result as JSON' }, () => handlers.copy()),
      button({ id: 'insert-result', icon: 'insert', label: 'Insert into editor', title: insertTitle }, () => handlers.insert()),
      button({ id: 'open-raw', icon: 'json', label: 'Open raw JSON', title: "Open the platform's raw reply" }, () => handlers.openRaw()),
    ),
  );

  if (view.predictions.length > 0) {
    const sorted = [...view.predictions].sort((a, b) => b.confidence - a.confidence);
    const list = h('ol', { className: 'prediction-list' });
    for (const p of sorted) {
      const top = view.label !== undefined && p.label === view.label;
      list.appendChild(
        h(
          'li',
          { className: `prediction${top ? ' top' : ''}` },
          h('span', { className: 'prediction-label', text: p.label, title: p.label }),
          bar(p.confidence, `Confidence of ${p.label}`),
          h('span', { className: 'prediction-value', text: formatPercent(p.confidence) }),
        ),
      );
    }
    card.appendChild(section('Predictions', 'predictions', list));
  }
  const approvals = view.approvals ?? [];
  if (approvals.length > 0) {
    const list = h('ul', { className: 'approval-list' });
    for (const approval of approvals) list.appendChild(renderApproval(approval, handlers));
    card.appendChild(section(approvals.length === 1 ? 'Waiting for your approval' : `Waiting for your approval (${approvals.length})`, 'approvals', list));
  }
  if (view.rationale) card.appendChild(section('Rationale', 'rationale', h('p', { className: 'result-rationale', text: view.rationale })));
  if (view.summary) card.appendChild(section('Summary', 'summary', h('p', { className: 'result-summary', text: view.summary })));
  // A paused run's output is its approvals, shown above with their buttons.
  if (view.output !== undefined && approvals.length === 0) card.appendChild(section('Output', 'output', renderOutput(view.output)));

  const facts = h('dl', { className: 'usage' });
  const fact = (term: string, value: string, className: string) => append(facts, h('div', { className: 'usage-item' }, h('dt', { text: term }), h('dd', { className, text: value })));
  if (view.usage?.inputTokens !== undefined) fact('Input tokens', formatCount(view.usage.inputTokens), 'usage-input-tokens');
  if (view.usage?.outputTokens !== undefined) fact('Output tokens', formatCount(view.usage.outputTokens), 'usage-output-tokens');
  if (view.usage?.costUsd !== undefined) fact('Cost', formatCost(view.usage.costUsd), 'usage-cost');
  fact('Latency', formatLatency(view.durationMs), 'usage-latency');
  if (view.platformRunId) fact('Run ID', view.platformRunId, 'usage-run-id');
  card.appendChild(h('footer', { className: 'result-footer' }, facts));
  return card;
}

/** One approval: what the run wants to call, with what, and Approve / Deny (platform text as text only). */
function renderApproval(approval: ApprovalView, handlers: ResultHandlers): HTMLElement {
  const what = approval.function ? `Call ${approval.function}` : 'A call';
  const item = h('li', { className: 'approval', attrs: { 'data-decision-id': approval.id } });
  item.appendChild(h('div', { className: 'approval-what', text: what }));
  if (approval.description) item.appendChild(h('p', { className: 'approval-description', text: approval.description }));
  if (approval.args) item.appendChild(h('pre', { className: 'approval-args value-json', text: approval.args, attrs: { 'aria-label': 'Arguments' } }));
  const answer = (approved: boolean) => {
    for (const b of [approve, deny]) b.disabled = true;
    const chosen = approved ? approve : deny;
    const label = chosen.querySelector('.button-text');
    if (label) label.textContent = approved ? 'Approving…' : 'Denying…';
    handlers.decide(approval.id, approved);
  };
  const approve = button({ className: 'button primary approve', icon: 'check', label: 'Approve', title: `${what}: the run goes on and makes the call` }, () => answer(true));
  const deny = button({ className: 'button secondary deny', icon: 'close', label: 'Deny', title: `${what}: the run goes on without making the call` }, () => answer(false));
  item.appendChild(h('div', { className: 'approval-actions', attrs: { role: 'group', 'aria-label': `${what}: approve or deny` } }, approve, deny));
  return item;
}

function section(title: string, className: string, body: Node): HTMLElement {
  return h('section', { className: `result-section ${className}` }, h('h4', { className: 'result-section-title', text: title }), body);
}

/** Structured output: an object as a key/value table (nested values as nested tables). */
export function renderOutput(value: unknown): HTMLElement {
  if (value !== null && typeof value === 'object') return renderValue(value, 0) as HTMLElement;
  return h('div', { className: 'output-scalar' }, renderValue(value, 0));
}

function renderValue(value: unknown, depth: number): Node {
  if (value === null) return h('span', { className: 'value-null', text: 'null' });
  if (typeof value === 'string') return h('span', { className: 'value-string', text: value });
  if (typeof value === 'number' || typeof value === 'boolean') return h('span', { className: `value-${typeof value}`, text: String(value) });
  if (typeof value !== 'object') return h('span', { className: 'value-string', text: String(value) });
  if (depth >= MAX_DEPTH) return h('pre', { className: 'value-json', text: JSON.stringify(value, null, 2) });
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return h('span', { className: 'value-empty', text: Array.isArray(value) ? '[]' : '{}' });
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    const list = h('ul', { className: 'value-list' });
    for (const v of value) list.appendChild(h('li', {}, renderValue(v, depth + 1)));
    return list;
  }
  const table = h('table', { className: `output-table${depth > 0 ? ' nested' : ''}` });
  const body = h('tbody');
  for (const [key, v] of entries) {
    body.appendChild(h('tr', {}, h('th', { className: 'output-key', text: key, attrs: { scope: 'row' } }), h('td', { className: 'output-value' }, renderValue(v, depth + 1))));
  }
  table.appendChild(body);
  return table;
}

const ERROR_TITLES: Record<string, string> = {
  auth: 'The key was rejected',
  notFound: 'Not found',
  invalidInput: 'The input was refused',
  rateLimited: 'Rate limited',
  server: 'The platform had a problem',
  network: 'Could not connect',
  timeout: 'Timed out',
  invalidResponse: 'Unexpected reply',
  configuration: 'Check your settings',
  runFailed: 'The run failed',
};

const ACTION_BUTTONS: Record<ErrorAction, { label: string; icon: Codicon }> = {
  setApiKey: { label: 'Set API Key…', icon: 'key' },
  openSettings: { label: 'Open Settings', icon: 'settings-gear' },
  retry: { label: 'Retry', icon: 'refresh' },
  showLog: { label: 'Show Log', icon: 'output' },
};

export function renderError(error: PanelError, onAction: (action: ErrorAction) => void): HTMLElement {
  const title = error.kind === 'auth' && /^No /.test(error.message) ? 'No key set' : (ERROR_TITLES[error.kind] ?? 'Something went wrong');
  const actions = h('div', { className: 'error-actions' });
  error.actions.forEach((action, i) => {
    const spec = ACTION_BUTTONS[action];
    actions.appendChild(
      button({ className: `button ${i === 0 ? 'primary' : 'secondary'} action-${action}`, icon: spec.icon, label: spec.label, attrs: { 'data-action': action } }, () => onAction(action)),
    );
  });
  const where = error.line !== undefined ? h('p', { className: 'error-location', text: `Line ${error.line}, column ${error.column ?? 1}` }) : undefined;
  return h(
    'article',
    { className: `error error-${cssToken(error.kind)}`, attrs: { role: 'alert' } },
    icon('error', 'error-icon'),
    h('div', { className: 'error-body' }, h('h3', { className: 'error-title', text: title }), h('p', { className: 'error-message', text: error.message }), where, actions),
  );
}

export function renderRunning(functionLabel: string, platform: string, startedAt: number): { element: HTMLElement; tick(): void } {
  // Not announced: it changes ten times a second.
  const elapsed = h('span', { className: 'running-elapsed', text: '0.0 s', attrs: { 'aria-hidden': 'true' } });
  const element = h(
    'article',
    { className: 'running' },
    icon('loading', 'codicon-modifier-spin'),
    h('span', { className: 'running-text', text: `Running ${functionLabel} on ${platform}…` }),
    elapsed,
  );
  return { element, tick: () => (elapsed.textContent = `${((Date.now() - startedAt) / 1000).toFixed(1)} s`) };
}

export function renderEmpty(shortcut: string): HTMLElement {
  return h(
    'div',
    { className: 'empty' },
    icon('beaker'),
    h('p', { text: `Choose a function, give it an input and press Run (${shortcut}). The result shows here.` }),
  );
}

function cssToken(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
}
