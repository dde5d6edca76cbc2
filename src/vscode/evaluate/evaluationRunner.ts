// THE SEAM for how Evaluate runs a function over the labelled rows. Today: in memory, through
// RunService.runRows (every row's outcome held until the end). Later: the streaming file runner of
// issue 13 item 2, which writes a results CSV beside the input and hands back its Uri; the
// evaluator then reads the answer columns from that file (core/evaluationRows.ts knows their
// names). Swap the implementation given to EvaluationFeature in evaluation.ts; nothing else changes.
import type * as vscode from 'vscode';
import type { EvaluatedFunction } from '../../core/evaluationReport';
import { itemFromAnswer, type AnswerColumns, type LabelledRow } from '../../core/evaluationRows';
import type { EvalItem } from '../../core/metrics';
import type { RowProgress } from '../../core/rowRunner';
import type { RunService } from '../run';

export interface EvaluationJob {
  fn: EvaluatedFunction;
  /** The evaluated file (absent for rows given to the public API). */
  file?: vscode.Uri;
  /** Its column of expected labels (the runner must not send it to the function). */
  labelColumn?: string;
  /** The rows to run, each with its line and expected label, the expected column already removed. */
  rows: readonly LabelledRow[];
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (progress: RowProgress) => void;
}

/** One EvalItem per row, in order; or a results file to read them from (the streaming runner). */
export type EvaluationRunOutput = { items: EvalItem[] } | { resultsFile: vscode.Uri; answer?: AnswerColumns };

export interface EvaluationRunner {
  run(job: EvaluationJob): Promise<EvaluationRunOutput>;
}

/** Runs every row in memory through RunService (the same path as Run Function on Each Line). */
export class InMemoryEvaluationRunner implements EvaluationRunner {
  constructor(private readonly runs: RunService) {}

  async run(job: EvaluationJob): Promise<EvaluationRunOutput> {
    const request = { platform: job.fn.platform, function: job.fn.id, ...(job.fn.options ? { options: job.fn.options } : {}) };
    const outcomes = await this.runs.runRows(
      request,
      job.rows.map((row) => row.input),
      { concurrency: job.concurrency, signal: job.signal, onProgress: job.onProgress },
    );
    return { items: job.rows.map((row, i) => itemFromAnswer(row, outcomes[i]!)) };
  }
}
