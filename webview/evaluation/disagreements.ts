// The rows where the function disagreed with the expected label, all or those of one matrix cell;
// each opens the evaluated file at its line (the host checks the line and opens only that file).
import type { ReportView } from '../../src/shared/evaluationProtocol';
import { byId, clear, h } from '../dom';
import type { CellFilter } from './matrix';
import type { Post } from './messaging';
import { percent } from './numbers';

export class Disagreements {
  constructor(private readonly post: Post) {}

  /** A button opening the evaluated file at `line`. */
  lineButton(line: number): HTMLButtonElement {
    const open = h('button', { className: 'link-button line-link', text: String(line), attrs: { type: 'button', 'aria-label': `Open line ${line}` } });
    open.addEventListener('click', () => this.post({ type: 'openLine', line }));
    return open;
  }

  render(report: ReportView, filter: CellFilter | undefined): void {
    const host = byId('disagreements');
    const label = byId('disagreements-filter');
    const showAll = byId<HTMLButtonElement>('show-all');
    clear(host);
    label.hidden = !filter;
    showAll.hidden = !filter;
    label.textContent = filter ? `Expected ${filter.expected}, predicted ${filter.predicted}` : '';
    const rows = filter ? report.disagreements.filter((d) => d.expected === filter.expected && d.predicted === filter.predicted) : report.disagreements;
    if (rows.length === 0) {
      host.appendChild(
        h('p', { id: 'disagreements-empty', className: 'hint', text: filter ? (filter.expected === filter.predicted ? 'These rows agree with the expected label.' : 'No rows in this cell.') : 'The function agreed with every scored row.' }),
      );
      return;
    }
    const table = h(
      'table',
      { className: 'metrics-table disagreements', id: 'disagreements-table' },
      h('caption', { text: filter ? `${rows.length} disagreements in the chosen cell` : `${report.disagreementsTotal} disagreements${report.disagreementsTotal > rows.length ? ` (the first ${rows.length})` : ''}` }),
      h('thead', {}, h('tr', {}, ...['Line', 'Expected', 'Predicted', 'Confidence'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))),
      h(
        'tbody',
        {},
        ...rows.map((d) => {
          return h('tr', { className: 'disagreement' }, h('td', {}, this.lineButton(d.line)), h('td', { text: d.expected }), h('td', { text: d.predicted }), h('td', { text: percent(d.confidence) }));
        }),
      ),
    );
    host.appendChild(table);
  }
}
