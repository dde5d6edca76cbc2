// The confusion matrix as a heatmap: a real table (its caption and headers read by screen
// readers), each cell a button whose color intensity is its count over the largest count, set as
// a CSS variable so the theme's chart colors draw it. Choosing a cell filters the disagreements.
import type { ReportView } from '../../src/shared/evaluationProtocol';
import { clear, h } from '../dom';

export interface CellFilter {
  expected: string;
  predicted: string;
}

export function renderMatrix(host: HTMLElement, report: ReportView, filter: CellFilter | undefined, choose: (cell: CellFilter) => void): void {
  clear(host);
  const matrix = report.matrix;
  if (!matrix) {
    host.appendChild(h('p', { className: 'hint', text: `${report.labelCount} labels are too many to draw; the exports have the matrix.` }));
    return;
  }
  if (matrix.labels.length === 0) {
    host.appendChild(h('p', { className: 'hint', text: 'No rows were scored.' }));
    return;
  }
  const max = Math.max(1, ...matrix.counts.flat());
  const table = h(
    'table',
    { className: 'matrix', id: 'matrix-table' },
    h('caption', { text: 'Rows: expected label. Columns: predicted label. Choose a cell to list its rows.' }),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { className: 'corner', text: 'Expected \\ Predicted', attrs: { scope: 'col' } }), ...matrix.labels.map((label) => h('th', { className: 'matrix-label', text: label, title: label, attrs: { scope: 'col' } }))),
    ),
    h(
      'tbody',
      {},
      ...matrix.labels.map((expected, i) =>
        h(
          'tr',
          {},
          h('th', { className: 'matrix-label', text: expected, title: expected, attrs: { scope: 'row' } }),
          ...matrix.labels.map((predicted, j) => {
            const count = matrix.counts[i]?.[j] ?? 0;
            const selected = filter?.expected === expected && filter.predicted === predicted;
            const cell = h('button', {
              className: `matrix-cell ${i === j ? 'diagonal' : 'off-diagonal'}${count === 0 ? ' empty' : ''}${count / max > 0.6 ? ' strong' : ''}`,
              text: String(count),
              attrs: {
                type: 'button',
                'aria-pressed': String(selected),
                'aria-label': `Expected ${expected}, predicted ${predicted}: ${count} rows`,
                'data-expected-index': String(i),
                'data-predicted-index': String(j),
              },
            });
            // Through the CSSOM (the CSP allows it; inline style attributes it does not).
            cell.style.setProperty('--intensity', (count / max).toFixed(3));
            cell.addEventListener('click', () => choose({ expected, predicted }));
            return h('td', {}, cell);
          }),
        ),
      ),
    ),
  );
  host.appendChild(h('div', { className: 'matrix-scroll' }, table));
}
