// How good a function is on the user's own labels: accuracy, per-label precision/recall/F1, the
// confusion matrix, calibration (a reliability diagram and its expected calibration error), the
// rows it got wrong, and how two runs on the same rows differ.
//
// Pure: no I/O, no vscode. Labels are compared as given (exact strings; callers trim them).
//
// The rules, written once so the view, the exports and the public API agree:
// - A row is *scored* when it has a predicted label and no error. Rows with an error are counted in
//   `errors`, rows with neither a prediction nor an error in `missing`; neither kind is scored, so
//   accuracy is correct ÷ scored and the failures are reported beside it, never folded in.
// - 0 ÷ 0 is *undefined*, never 0: a label never predicted has no precision, a label never expected
//   has no recall, and F1 needs both (F1 is 0 when both are 0). Macro averages are the mean over the
//   labels whose value is defined, and undefined when none is. The UI shows undefined as "—".
// - Labels (matrix rows and columns, per-label lines) are the union of the expected and predicted
//   labels of the scored rows, sorted by UTF-16 code units: stable, locale-free, and the same
//   whatever order the rows come in. Ties in counts never change the order.
// - Reliability: RELIABILITY_BINS equal-width bins over [0, 1]; a confidence c falls in bin
//   floor(c × bins), the last bin holding 1 too, so bin k is [k/bins, (k+1)/bins). Confidences
//   outside [0, 1] are clamped; rows without a finite confidence are left out of calibration only.
//   ECE = Σ (bin count ÷ rows with a confidence) × |bin accuracy − bin mean confidence|.

export interface EvalItem {
  /** 1-based line of the row in the evaluated file. */
  line: number;
  expected: string;
  predicted?: string;
  confidence?: number;
  error?: string;
}

export interface AccuracySummary {
  /** Scored rows whose prediction equals the expected label. */
  correct: number;
  /** Rows with a prediction and no error. */
  scored: number;
  /** Every row given. */
  total: number;
  /** Rows whose run failed (not scored). */
  errors: number;
  /** Rows with neither a prediction nor an error (not scored). */
  missing: number;
  /** correct ÷ scored; undefined when nothing was scored. */
  value?: number;
}

export interface LabelMetrics {
  label: string;
  /** Scored rows expected to be this label. */
  support: number;
  /** Scored rows predicted as this label. */
  predicted: number;
  truePositives: number;
  precision?: number;
  recall?: number;
  f1?: number;
}

export interface ConfusionMatrix {
  labels: string[];
  /** counts[i][j]: rows expected labels[i] and predicted labels[j]. */
  counts: number[][];
}

export interface ReliabilityBin {
  /** Inclusive lower edge. */
  lower: number;
  /** Upper edge: exclusive, except for the last bin (which holds 1). */
  upper: number;
  count: number;
  /** Undefined for an empty bin. */
  meanConfidence?: number;
  accuracy?: number;
}

export interface Reliability {
  bins: ReliabilityBin[];
  /** Scored rows with a finite confidence (those in the bins). */
  rows: number;
  /** Expected calibration error; undefined without any confidence. */
  ece?: number;
}

export interface Disagreement {
  line: number;
  expected: string;
  predicted: string;
  confidence?: number;
}

export interface Failure {
  line: number;
  expected: string;
  /** The error message; undefined for a row with no answer at all. */
  error?: string;
}

export interface Averages {
  precision?: number;
  recall?: number;
  f1?: number;
}

export interface EvaluationMetrics {
  accuracy: AccuracySummary;
  perLabel: LabelMetrics[];
  /** Mean over the labels whose value is defined. */
  macro: Averages;
  matrix: ConfusionMatrix;
  reliability: Reliability;
  /** Scored rows where prediction ≠ expected, in line order. */
  disagreements: Disagreement[];
  /** Rows not scored (errors and missing predictions), in line order. */
  failures: Failure[];
}

export const RELIABILITY_BINS = 10;

/** Code-unit order: the same on every machine and locale (localeCompare is not). */
export function compareLabels(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ratio = (n: number, d: number): number | undefined => (d > 0 ? n / d : undefined);

function isScored(item: EvalItem): item is EvalItem & { predicted: string } {
  return item.error === undefined && item.predicted !== undefined;
}

function mean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : defined.reduce((a, b) => a + b, 0) / defined.length;
}

export function f1Of(precision: number | undefined, recall: number | undefined): number | undefined {
  if (precision === undefined || recall === undefined) return undefined;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** The confusion matrix of the scored rows. */
export function confusionMatrix(items: readonly EvalItem[]): ConfusionMatrix {
  const scored = items.filter(isScored);
  const labels = [...new Set(scored.flatMap((item) => [item.expected, item.predicted]))].sort(compareLabels);
  const index = new Map(labels.map((label, i) => [label, i]));
  const counts = labels.map(() => labels.map(() => 0));
  for (const item of scored) counts[index.get(item.expected)!]![index.get(item.predicted)!]! += 1;
  return { labels, counts };
}

export function perLabelMetrics(matrix: ConfusionMatrix): LabelMetrics[] {
  const { labels, counts } = matrix;
  return labels.map((label, i) => {
    const truePositives = counts[i]![i]!;
    const support = counts[i]!.reduce((a, b) => a + b, 0);
    const predicted = counts.reduce((sum, row) => sum + row[i]!, 0);
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    return { label, support, predicted, truePositives, precision, recall, f1: f1Of(precision, recall) };
  });
}

export function accuracyOf(items: readonly EvalItem[]): AccuracySummary {
  let correct = 0;
  let scored = 0;
  let errors = 0;
  let missing = 0;
  for (const item of items) {
    if (item.error !== undefined) errors += 1;
    else if (item.predicted === undefined) missing += 1;
    else {
      scored += 1;
      if (item.predicted === item.expected) correct += 1;
    }
  }
  return { correct, scored, total: items.length, errors, missing, value: ratio(correct, scored) };
}

/** The bin a confidence falls in (clamped to [0, 1]; 1 is in the last bin). */
export function binOf(confidence: number, bins = RELIABILITY_BINS): number {
  const c = Math.min(1, Math.max(0, confidence));
  // The small epsilon keeps 0.3 × 10 = 2.9999… style products in the bin their decimal says.
  return Math.min(bins - 1, Math.floor(c * bins + 1e-9));
}

export function reliability(items: readonly EvalItem[], bins = RELIABILITY_BINS): Reliability {
  const acc = Array.from({ length: bins }, () => ({ count: 0, confidence: 0, correct: 0 }));
  let rows = 0;
  for (const item of items) {
    if (!isScored(item) || item.confidence === undefined || !Number.isFinite(item.confidence)) continue;
    const bin = acc[binOf(item.confidence, bins)]!;
    bin.count += 1;
    bin.confidence += Math.min(1, Math.max(0, item.confidence));
    if (item.predicted === item.expected) bin.correct += 1;
    rows += 1;
  }
  const out: ReliabilityBin[] = acc.map((bin, k) => ({
    lower: k / bins,
    upper: (k + 1) / bins,
    count: bin.count,
    meanConfidence: ratio(bin.confidence, bin.count),
    accuracy: ratio(bin.correct, bin.count),
  }));
  const ece = rows === 0 ? undefined : out.reduce((sum, bin) => (bin.count === 0 ? sum : sum + (bin.count / rows) * Math.abs(bin.accuracy! - bin.meanConfidence!)), 0);
  return { bins: out, rows, ece };
}

const byLine = <T extends { line: number }>(a: T, b: T): number => a.line - b.line;

export function evaluateItems(items: readonly EvalItem[]): EvaluationMetrics {
  const matrix = confusionMatrix(items);
  const perLabel = perLabelMetrics(matrix);
  const disagreements: Disagreement[] = items
    .filter(isScored)
    .filter((item) => item.predicted !== item.expected)
    .map(({ line, expected, predicted, confidence }) => (confidence === undefined ? { line, expected, predicted } : { line, expected, predicted, confidence }))
    .sort(byLine);
  const failures: Failure[] = items
    .filter((item) => !isScored(item))
    .map(({ line, expected, error }) => (error === undefined ? { line, expected } : { line, expected, error }))
    .sort(byLine);
  return {
    accuracy: accuracyOf(items),
    perLabel,
    macro: {
      precision: mean(perLabel.map((m) => m.precision)),
      recall: mean(perLabel.map((m) => m.recall)),
      f1: mean(perLabel.map((m) => m.f1)),
    },
    matrix,
    reliability: reliability(items),
    disagreements,
    failures,
  };
}

// ---- comparing two runs on the same rows

export type ChangeMatch = 'before' | 'after' | 'neither';

export interface RowChange {
  line: number;
  expected: string;
  /** The earlier run's label; undefined when it failed or gave none. */
  before?: string;
  after?: string;
  /** Which of the two equals the expected label (they differ, so never both). */
  matches: ChangeMatch;
}

export interface RunComparison {
  /** Lines with an answer in both runs. */
  compared: number;
  /** Of those, lines where both runs gave the same label. */
  agreed: number;
  /** agreed ÷ compared; undefined when nothing was compared. */
  agreement?: number;
  /** Lines in both runs whose answer differs (a failure on one side counts as a change), in line order. */
  changes: RowChange[];
  /** Changes that made the row correct / wrong. */
  fixed: number;
  broken: number;
  before: AccuracySummary;
  after: AccuracySummary;
}

const answerOf = (item: EvalItem | undefined): string | undefined => (item && isScored(item) ? item.predicted : undefined);

/** Compares two runs row by row (matched by line; lines only one run has are left out). */
export function compareRuns(before: readonly EvalItem[], after: readonly EvalItem[]): RunComparison {
  const afterByLine = new Map(after.map((item) => [item.line, item]));
  let compared = 0;
  let agreed = 0;
  let fixed = 0;
  let broken = 0;
  const changes: RowChange[] = [];
  const shared: EvalItem[] = [];
  for (const b of before) {
    const a = afterByLine.get(b.line);
    if (!a) continue;
    shared.push(b);
    const x = answerOf(b);
    const y = answerOf(a);
    if (x !== undefined && y !== undefined) {
      compared += 1;
      if (x === y) agreed += 1;
    }
    if (x === y) continue;
    const matches: ChangeMatch = x === b.expected ? 'before' : y === b.expected ? 'after' : 'neither';
    if (matches === 'after') fixed += 1;
    if (matches === 'before') broken += 1;
    const change: RowChange = { line: b.line, expected: b.expected, matches };
    if (x !== undefined) change.before = x;
    if (y !== undefined) change.after = y;
    changes.push(change);
  }
  const sharedLines = new Set(shared.map((item) => item.line));
  return {
    compared,
    agreed,
    agreement: ratio(agreed, compared),
    changes: changes.sort(byLine),
    fixed,
    broken,
    before: accuracyOf(shared),
    after: accuracyOf(after.filter((item) => sharedLines.has(item.line))),
  };
}
