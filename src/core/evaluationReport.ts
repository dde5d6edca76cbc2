// The evaluation report (what Evaluate Function… shows and the public API's `evaluate` returns)
// and its two exports: Markdown (the metrics, the confusion matrix as a table, the disagreements)
// and CSV (one line per row). Labels come from the user's file and from a platform: untrusted, so
// every cell is escaped for its format. Pure: no I/O, no vscode.
import type { PlatformId, RunOptions } from './model';
import { compareRuns, evaluateItems, type EvalItem, type EvaluationMetrics, type RunComparison } from './metrics';

export interface EvaluatedFunction {
  platform: PlatformId;
  id: string;
  name: string;
  options?: RunOptions;
}

export interface EvaluationComparison {
  /** What the second run ran: another function, or the same one with other options. */
  function: EvaluatedFunction;
  items: EvalItem[];
  metrics: EvaluationMetrics;
  diff: RunComparison;
}

export interface EvaluationReport {
  /** The evaluated file's path, when a file was evaluated. */
  file?: string;
  labelColumn?: string;
  /** The answer column read from an earlier results file (nothing was run). */
  resultsColumn?: string;
  /** The function that was run (absent when a results file was read). */
  function?: EvaluatedFunction;
  /** Rows with no expected label (not evaluated). */
  unlabelled: number;
  /** Lines that could not be read (not evaluated). */
  unreadable: number;
  items: EvalItem[];
  metrics: EvaluationMetrics;
  comparison?: EvaluationComparison;
}

export function buildReport(base: Omit<EvaluationReport, 'metrics' | 'comparison'>): EvaluationReport {
  return { ...base, metrics: evaluateItems(base.items) };
}

export function withComparison(report: EvaluationReport, fn: EvaluatedFunction, items: EvalItem[]): EvaluationReport {
  return { ...report, comparison: { function: fn, items, metrics: evaluateItems(items), diff: compareRuns(report.items, items) } };
}

// ---- number formatting shared by the exports (the view formats the same way)

/** A 0–1 ratio as a percentage with one decimal, or "—" when undefined (0 ÷ 0). */
export function percent(value: number | undefined): string {
  return value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** A 0–1 score with three decimals, or "—". */
export function score(value: number | undefined): string {
  return value === undefined ? '—' : value.toFixed(3);
}

export function accuracyText(metrics: EvaluationMetrics): string {
  const a = metrics.accuracy;
  const failed = [a.errors ? `${a.errors} failed` : '', a.missing ? `${a.missing} without an answer` : ''].filter(Boolean).join(', ');
  return `${percent(a.value)} (${a.correct} of ${a.scored} correct${failed ? `; ${failed}, not scored` : ''})`;
}

// ---- Markdown

/**
 * One table cell of untrusted text: one line, and nothing Markdown would read as a table border,
 * a link, emphasis, code or HTML.
 */
export function markdownCell(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\|`*_[\]<>~]/g, (c) => `\\${c}`)
    .trim();
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** The most disagreement rows an export lists (the CSV has every row). */
export const MARKDOWN_DISAGREEMENTS = 1_000;

export function reportToMarkdown(report: EvaluationReport): string {
  const m = report.metrics;
  const out: string[] = ['# Evaluation', ''];
  if (report.function) out.push(`- Function: ${markdownCell(report.function.name)} (${markdownCell(report.function.platform)})`);
  if (report.file) out.push(`- File: ${markdownCell(report.file)}`);
  if (report.labelColumn) out.push(`- Expected label column: ${markdownCell(report.labelColumn)}`);
  if (report.resultsColumn) out.push(`- Answer column: ${markdownCell(report.resultsColumn)}`);
  out.push(`- Accuracy: ${markdownCell(accuracyText(m))}`);
  if (report.unlabelled || report.unreadable) out.push(`- Not evaluated: ${report.unlabelled} rows without an expected label, ${report.unreadable} unreadable lines`);
  out.push(`- Expected calibration error: ${score(m.reliability.ece)}`, '');

  out.push('## Per label', '');
  out.push(
    ...table(
      ['Label', 'Precision', 'Recall', 'F1', 'Support'],
      [
        ...m.perLabel.map((l) => [markdownCell(l.label), score(l.precision), score(l.recall), score(l.f1), String(l.support)]),
        ['Macro average', score(m.macro.precision), score(m.macro.recall), score(m.macro.f1), String(m.accuracy.scored)],
      ],
    ),
    '',
  );

  out.push('## Confusion matrix', '', 'Rows: expected label. Columns: predicted label.', '');
  if (m.matrix.labels.length === 0) out.push('No rows were scored.', '');
  else {
    out.push(
      ...table(
        ['Expected \\ Predicted', ...m.matrix.labels.map(markdownCell)],
        m.matrix.labels.map((label, i) => [markdownCell(label), ...m.matrix.counts[i]!.map(String)]),
      ),
      '',
    );
  }

  out.push('## Reliability', '');
  out.push(
    ...table(
      ['Confidence', 'Rows', 'Mean confidence', 'Accuracy'],
      m.reliability.bins.map((b) => [`${b.lower.toFixed(1)}–${b.upper.toFixed(1)}`, String(b.count), percent(b.meanConfidence), percent(b.accuracy)]),
    ),
    '',
  );

  out.push('## Disagreements', '');
  if (m.disagreements.length === 0) out.push('None.', '');
  else {
    const shown = m.disagreements.slice(0, MARKDOWN_DISAGREEMENTS);
    out.push(
      ...table(
        ['Line', 'Expected', 'Predicted', 'Confidence'],
        shown.map((d) => [String(d.line), markdownCell(d.expected), markdownCell(d.predicted), percent(d.confidence)]),
      ),
      '',
    );
    if (shown.length < m.disagreements.length) out.push(`…and ${m.disagreements.length - shown.length} more (the CSV export has every row).`, '');
  }

  const c = report.comparison;
  if (c) {
    out.push('## Compared with', '');
    out.push(`- ${markdownCell(c.function.name)} (${markdownCell(c.function.platform)})${optionsText(c.function.options)}`);
    out.push(`- Accuracy: ${markdownCell(accuracyText(c.metrics))}`);
    out.push(`- Agreement: ${percent(c.diff.agreement)} (${c.diff.agreed} of ${c.diff.compared} rows); ${c.diff.fixed} fixed, ${c.diff.broken} broken`, '');
    if (c.diff.changes.length > 0) {
      out.push(
        ...table(
          ['Line', 'Expected', 'Before', 'After', 'Matches expected'],
          c.diff.changes
            .slice(0, MARKDOWN_DISAGREEMENTS)
            .map((d) => [String(d.line), markdownCell(d.expected), markdownCell(d.before ?? '(failed)'), markdownCell(d.after ?? '(failed)'), d.matches]),
        ),
        '',
      );
    }
  }
  return out.join('\n');
}

function optionsText(options: RunOptions | undefined): string {
  const entries = Object.entries(options ?? {});
  return entries.length === 0 ? '' : ` with ${entries.map(([k, v]) => `${markdownCell(k)} = ${markdownCell(JSON.stringify(v))}`).join(', ')}`;
}

// ---- CSV

/**
 * One CSV field: quoted when it holds a delimiter, quote or line break, and a text cell starting
 * with = + - @ (or a tab or CR) gets a leading ' so a spreadsheet does not run it as a formula.
 */
export function csvCell(value: string | number | boolean | undefined, text = true): string {
  if (value === undefined) return '';
  let s = String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportToCsv(report: EvaluationReport): string {
  const c = report.comparison;
  const header = ['line', 'expected', 'predicted', 'confidence', 'correct', 'error'];
  if (c) header.push('compare_predicted', 'compare_confidence', 'compare_correct', 'compare_error', 'changed');
  const other = new Map((c?.items ?? []).map((item) => [item.line, item]));
  const lines = [header.join(',')];
  for (const item of [...report.items].sort((a, b) => a.line - b.line)) {
    const cells = [csvCell(item.line, false), csvCell(item.expected), csvCell(item.predicted), csvCell(item.confidence, false), csvCell(correctOf(item), false), csvCell(item.error)];
    if (c) {
      const o = other.get(item.line);
      cells.push(csvCell(o?.predicted), csvCell(o?.confidence, false), csvCell(o ? correctOf(o) : undefined, false), csvCell(o?.error));
      cells.push(csvCell(o ? answer(o) !== answer(item) : undefined, false));
    }
    lines.push(cells.join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

const answer = (item: EvalItem): string | undefined => (item.error === undefined ? item.predicted : undefined);

/** true/false for a scored row; empty for a row that was not scored. */
function correctOf(item: EvalItem): boolean | undefined {
  const a = answer(item);
  return a === undefined ? undefined : a === item.expected;
}
