// The reliability diagram: per confidence bin, the accuracy as a bar against the diagonal of
// perfect calibration. An SVG built with DOM APIs (no markup strings), and beside it the same
// numbers as a table for screen readers.
import type { ReportView } from '../../src/shared/evaluationProtocol';
import { clear, h } from '../dom';
import { percent } from './numbers';

const SVG = 'http://www.w3.org/2000/svg';
const SIZE = 200;
const PAD = 28;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

export function renderReliability(host: HTMLElement, report: ReportView): void {
  clear(host);
  const { bins, rows, ece } = report.reliability;
  if (rows === 0) {
    host.appendChild(h('p', { className: 'hint', text: 'No answer came with a confidence.' }));
    return;
  }
  const plot = SIZE - 2 * PAD;
  const x = (v: number) => PAD + v * plot;
  const y = (v: number) => SIZE - PAD - v * plot;
  const chart = svg('svg', { viewBox: `0 0 ${SIZE} ${SIZE}`, class: 'reliability-chart', role: 'img', 'aria-labelledby': 'reliability-chart-title' });
  chart.appendChild(svg('title', { id: 'reliability-chart-title' }, `Reliability diagram: accuracy per confidence bin (${rows} rows); the table below has the numbers.`));
  chart.appendChild(svg('rect', { x: PAD, y: PAD, width: plot, height: plot, class: 'plot-area' }));
  for (const bin of bins) {
    if (bin.count === 0 || bin.accuracy === undefined) continue;
    const top = y(bin.accuracy);
    chart.appendChild(svg('rect', { x: x(bin.lower) + 1, y: top, width: Math.max(0, (bin.upper - bin.lower) * plot - 2), height: y(0) - top, class: 'bar-accuracy' }));
    if (bin.meanConfidence !== undefined) chart.appendChild(svg('circle', { cx: x(bin.meanConfidence), cy: y(bin.meanConfidence), r: 2.5, class: 'dot-confidence' }));
  }
  chart.appendChild(svg('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: 'diagonal' }));
  for (const tick of [0, 0.5, 1]) {
    chart.appendChild(svg('text', { x: x(tick), y: SIZE - PAD + 12, class: 'axis-label', 'text-anchor': 'middle' }, tick.toFixed(1)));
    chart.appendChild(svg('text', { x: PAD - 4, y: y(tick) + 3, class: 'axis-label', 'text-anchor': 'end' }, tick.toFixed(1)));
  }
  chart.appendChild(svg('text', { x: SIZE / 2, y: SIZE - 4, class: 'axis-title', 'text-anchor': 'middle' }, 'confidence'));
  chart.appendChild(svg('text', { x: 8, y: SIZE / 2, class: 'axis-title', 'text-anchor': 'middle', transform: `rotate(-90 8 ${SIZE / 2})` }, 'accuracy'));

  const table = h(
    'table',
    { className: 'metrics-table compact', id: 'reliability-table' },
    h('caption', { text: `Reliability per confidence bin (expected calibration error ${ece === undefined ? '—' : ece.toFixed(3)})` }),
    h('thead', {}, h('tr', {}, ...['Confidence', 'Rows', 'Mean confidence', 'Accuracy'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))),
    h(
      'tbody',
      {},
      ...bins.map((b) =>
        h('tr', {}, h('th', { text: `${b.lower.toFixed(1)}–${b.upper.toFixed(1)}`, attrs: { scope: 'row' } }), h('td', { text: String(b.count) }), h('td', { text: percent(b.meanConfidence) }), h('td', { text: percent(b.accuracy) })),
      ),
    ),
  );
  host.append(chart, h('details', { className: 'chart-table' }, h('summary', { text: 'Table' }), table));
}
