// What the Evaluation view is posted of a report: the numbers, and labels shortened to the
// protocol's caps (the exports have everything). Valid against `reportViewSchema`.
import { cap } from '../../shared/text';
import type { EvaluatedFunction, EvaluationReport } from '../../core/evaluationReport';
import { MAX_LABELS, MAX_ROWS, MAX_TEXT, type ReportView } from '../../shared/evaluationProtocol';

const t = (text: string): string => cap(text, MAX_TEXT);
const r = (value: number | undefined): number | undefined => (value === undefined || !Number.isFinite(value) ? undefined : Math.min(1, Math.max(0, value)));

/** "Lead intent (Nyckel)", with the options that set it apart: "… with modelId = m2". */
export function functionTitle(fn: EvaluatedFunction, platformName: string): string {
  const options = Object.entries(fn.options ?? {}).map(([key, value]) => `${key} = ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${fn.name} (${platformName})${options.length ? ` with ${options.join(', ')}` : ''}`;
}

export function toReportView(report: EvaluationReport, name: string, platformName: (fn: EvaluatedFunction) => string): ReportView {
  const m = report.metrics;
  const answers = report.function
    ? `Ran ${functionTitle(report.function, platformName(report.function))}`
    : `Read the answers in the column "${report.resultsColumn ?? ''}"`;
  const view: ReportView = {
    title: t(report.function ? `${report.function.name} on ${name}` : `Evaluation of ${name}`),
    answers: t(answers),
    accuracy: { ...m.accuracy, value: r(m.accuracy.value) },
    unlabelled: report.unlabelled,
    unreadable: report.unreadable,
    perLabel: m.perLabel.slice(0, MAX_LABELS).map((l) => ({ ...l, label: t(l.label), precision: r(l.precision), recall: r(l.recall), f1: r(l.f1) })),
    macro: { precision: r(m.macro.precision), recall: r(m.macro.recall), f1: r(m.macro.f1) },
    labelCount: m.matrix.labels.length,
    reliability: {
      bins: m.reliability.bins.map((b) => ({ lower: b.lower, upper: b.upper, count: b.count, meanConfidence: r(b.meanConfidence), accuracy: r(b.accuracy) })),
      rows: m.reliability.rows,
      ece: r(m.reliability.ece),
    },
    disagreements: m.disagreements.slice(0, MAX_ROWS).map((d) => ({ ...d, expected: t(d.expected), predicted: t(d.predicted) })),
    disagreementsTotal: m.disagreements.length,
    canCompare: report.items.length > 0,
  };
  if (m.matrix.labels.length <= MAX_LABELS) view.matrix = { labels: m.matrix.labels.map(t), counts: m.matrix.counts };
  const c = report.comparison;
  if (c) {
    view.comparison = {
      title: t(functionTitle(c.function, platformName(c.function))),
      accuracy: { ...c.metrics.accuracy, value: r(c.metrics.accuracy.value) },
      compared: c.diff.compared,
      agreed: c.diff.agreed,
      agreement: r(c.diff.agreement),
      fixed: c.diff.fixed,
      broken: c.diff.broken,
      changes: c.diff.changes.slice(0, MAX_ROWS).map((d) => {
        const change: NonNullable<ReportView['comparison']>['changes'][number] = { line: d.line, expected: t(d.expected), matches: d.matches };
        if (d.before !== undefined) change.before = t(d.before);
        if (d.after !== undefined) change.after = t(d.after);
        return change;
      }),
      changesTotal: c.diff.changes.length,
    };
  }
  return view;
}
