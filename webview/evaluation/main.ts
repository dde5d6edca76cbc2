// The Evaluation view's browser code. It only talks to the host through the validated protocol
// (src/shared/evaluationProtocol.ts); every label is untrusted and set with textContent.
//   messaging.ts     posting to the host and validating what it sends
//   summary.ts       accuracy, the comparison, the per-label table
//   matrix.ts        the confusion matrix heatmap (a table; a cell filters the disagreements)
//   reliability.ts   the reliability diagram (SVG built with DOM APIs) and its table
//   disagreements.ts the rows the function got wrong, each opening the file at its line
import type { EvalHostMessage, ReportView } from '../../src/shared/evaluationProtocol';
import { byId } from '../dom';
import { Disagreements } from './disagreements';
import { renderMatrix, type CellFilter } from './matrix';
import { listenToHost, poster, reportErrors } from './messaging';
import { renderReliability } from './reliability';
import { renderSummary } from './summary';

const api = acquireVsCodeApi();
const post = poster(api);
let report: ReportView | undefined;
let filter: CellFilter | undefined;

const disagreements = new Disagreements(post);

function setFilter(next: CellFilter | undefined): void {
  filter = next;
  render();
}

function render(): void {
  if (!report) return;
  byId('eval-title').textContent = report.title;
  byId('eval-answers').textContent = report.answers;
  renderSummary(report, (line) => disagreements.lineButton(line));
  renderMatrix(byId('matrix'), report, filter, (cell) => setFilter(filter && filter.expected === cell.expected && filter.predicted === cell.predicted ? undefined : cell));
  renderReliability(byId('reliability'), report);
  disagreements.render(report, filter);
  (byId<HTMLButtonElement>('compare')).hidden = !report.canCompare;
  byId('eval-content').setAttribute('aria-busy', 'false');
}

function handle(message: EvalHostMessage): void {
  switch (message.type) {
    case 'report':
      report = message.report;
      // A filter on labels the new report does not have would hide every row.
      if (filter && !report.matrix?.labels.includes(filter.expected)) filter = undefined;
      render();
      return;
    case 'busy': {
      const busy = byId('eval-busy');
      busy.hidden = message.text === null;
      busy.textContent = message.text ?? '';
      for (const id of ['compare', 'export-markdown', 'export-csv']) byId<HTMLButtonElement>(id).disabled = message.text !== null;
      return;
    }
    case 'notice': {
      const notice = byId('eval-notice');
      notice.hidden = false;
      notice.className = `notice notice-${message.level}`;
      notice.textContent = message.text;
      return;
    }
  }
}

byId('compare').addEventListener('click', () => post({ type: 'compare' }));
byId('export-markdown').addEventListener('click', () => post({ type: 'export', format: 'markdown' }));
byId('export-csv').addEventListener('click', () => post({ type: 'export', format: 'csv' }));
byId('show-all').addEventListener('click', () => setFilter(undefined));
listenToHost(post, handle);
reportErrors(post);
post({ type: 'ready' });
