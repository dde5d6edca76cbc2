// How Evaluate runs a function over the labelled rows. A file on disk goes through the same file
// run as "Run Function on Each Line…" (RowFiles): the results file is written beside the input,
// without the expected column ever being sent, it survives a reload, and the evaluator reads the
// answer columns back from it. Rows given to the public API run in memory through RunService.
import type * as vscode from 'vscode';
import type { EvaluatedFunction } from '../../core/evaluationReport';
import { itemFromAnswer, type AnswerColumns, type LabelledRow } from '../../core/evaluationRows';
import type { EvalItem } from '../../core/metrics';
import type { RowProgress } from '../../core/rowRunner';
import type { RowFiles } from '../rows';
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

/** A file on disk runs to a results file (RowFiles); rows given directly run in memory. */
export class FileEvaluationRunner implements EvaluationRunner {
  constructor(
    private readonly files: RowFiles,
    private readonly inMemory: EvaluationRunner,
  ) {}

  async run(job: EvaluationJob): Promise<EvaluationRunOutput> {
    if (!job.file || job.file.scheme !== 'file' || job.labelColumn === undefined) return this.inMemory.run(job);
    const started = performance.now();
    const result = await this.files.runFile({
      fn: { platform: job.fn.platform, id: job.fn.id, name: job.fn.name },
      source: job.file,
      ...(job.fn.options ? { options: job.fn.options } : {}),
      concurrency: job.concurrency,
      omit: [job.labelColumn],
      progress: false,
      signal: job.signal,
      onProgress: (p) =>
        job.onProgress?.({ done: p.done, failed: p.failed, total: p.total ?? job.rows.length, inFlight: p.inFlight, elapsedMs: performance.now() - started, etaMs: p.etaMs }),
    });
    const [label, confidence, error] = result.answerColumns;
    const answer = result.manifest.layout?.kind === 'classification' && label ? { label, confidence, error } : undefined;
    return { resultsFile: result.results, ...(answer ? { answer } : {}) };
  }
}
