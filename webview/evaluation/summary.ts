// Accuracy with its count, the comparison with a second run, and precision/recall/F1 per label.
import type { ReportView } from '../../src/shared/evaluationProtocol';
import { byId, clear, h } from '../dom';
import { percent, score } from './numbers';

type Accuracy = ReportView['accuracy'];

export function accuracyCount(a: Accuracy): string {
  const parts = [`${a.correct} of ${a.scored} correct`];
  if (a.errors) parts.push(`${a.errors} failed`);
  if (a.missing) parts.push(`${a.missing} without an answer`);
  return parts.join(' · ');
}

export function renderSummary(report: ReportView, open: (line: number) => HTMLElement): void {
  byId('accuracy').textContent = `${percent(report.accuracy.value)} (${accuracyCount(report.accuracy)})`;
  const notes: string[] = [];
  if (report.accuracy.errors || report.accuracy.missing) notes.push('Failed rows are not scored.');
  if (report.unlabelled) notes.push(`${report.unlabelled} rows without an expected label were left out.`);
  if (report.unreadable) notes.push(`${report.unreadable} unreadable lines were left out.`);
  notes.push(`Expected calibration error: ${score(report.reliability.ece)}.`);
  byId('accuracy-detail').textContent = notes.join(' ');
  renderComparison(report, open);
  renderPerLabel(report);
}

function renderPerLabel(report: ReportView): void {
  const host = byId('per-label');
  clear(host);
  if (report.perLabel.length === 0) {
    host.appendChild(h('p', { className: 'hint', text: 'No rows were scored.' }));
    return;
  }
  const row = (cells: string[], header = false) => h('tr', {}, ...cells.map((c, i) => h(header || i === 0 ? 'th' : 'td', { text: c, attrs: header ? { scope: 'col' } : i === 0 ? { scope: 'row' } : {} })));
  const table = h(
    'table',
    { className: 'metrics-table', id: 'per-label-table' },
    h('caption', { text: 'Precision, recall and F1 per label ("—": undefined, 0 of 0)' }),
    h('thead', {}, row(['Label', 'Precision', 'Recall', 'F1', 'Support'], true)),
    h(
      'tbody',
      {},
      ...report.perLabel.map((l) => row([l.label, score(l.precision), score(l.recall), score(l.f1), String(l.support)])),
      row(['Macro average', score(report.macro.precision), score(report.macro.recall), score(report.macro.f1), String(report.accuracy.scored)]),
    ),
  );
  host.appendChild(table);
  if (report.labelCount > report.perLabel.length) host.appendChild(h('p', { className: 'hint', text: `${report.labelCount - report.perLabel.length} more labels are in the exports.` }));
}

function renderComparison(report: ReportView, open: (line: number) => HTMLElement): void {
  const section = byId('comparison');
  const body = byId('comparison-body');
  const c = report.comparison;
  section.hidden = !c;
  clear(body);
  if (!c) return;
  body.append(
    h('p', { className: 'comparison-title', text: c.title }),
    h('p', { id: 'agreement', className: 'accuracy', text: `Agreement ${percent(c.agreement)} (${c.agreed} of ${c.compared} rows)` }),
    h('p', { className: 'hint', text: `Its accuracy: ${percent(c.accuracy.value)} (${accuracyCount(c.accuracy)}). ${c.fixed} rows fixed, ${c.broken} broken.` }),
  );
  if (c.changes.length === 0) {
    body.appendChild(h('p', { className: 'hint', text: 'No row changed.' }));
    return;
  }
  const matchText = { before: 'before', after: 'after', neither: 'neither' } as const;
  body.appendChild(
    h(
      'table',
      { className: 'metrics-table', id: 'changes-table' },
      h('caption', { text: `Rows that changed (${c.changesTotal})` }),
      h('thead', {}, h('tr', {}, ...['Line', 'Expected', 'Before', 'After', 'Matches expected'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))),
      h(
        'tbody',
        {},
        ...c.changes.map((d) =>
          h(
            'tr',
            { className: `change change-${d.matches}` },
            h('td', {}, open(d.line)),
            h('td', { text: d.expected }),
            h('td', { text: d.before ?? '(failed)' }),
            h('td', { text: d.after ?? '(failed)' }),
            h('td', { text: matchText[d.matches] }),
          ),
        ),
      ),
    ),
  );
}
