// The public API returned from activate(): the same surface the UI uses. Stable and versioned.
import type { CancellationToken } from 'vscode';
import type { Credentials, FunctionInfo, Job, Page, PlatformId, RunInput, RunRequest, RunResult } from './core/model';
import type { DecisionAnswer, PendingDecision } from './platforms/types';
import type { EvaluationReport } from './core/evaluationReport';

export type {
  Credentials,
  FunctionInfo,
  Job,
  JobStatus,
  Page,
  PlatformId,
  Prediction,
  RunInput,
  RunOptions,
  RunRequest,
  RunResult,
  Usage,
} from './core/model';
export type { ApprovalRequest, DecisionAnswer, InputRequest, PendingDecision } from './platforms/types';
export type { EvaluatedFunction, EvaluationComparison, EvaluationReport } from './core/evaluationReport';
export type {
  AccuracySummary,
  ConfusionMatrix,
  Disagreement,
  EvalItem,
  EvaluationMetrics,
  LabelMetrics,
  Reliability,
  ReliabilityBin,
  RowChange,
  RunComparison,
} from './core/metrics';

/** One row's outcome from `runRows`: a result or an error, never both, never neither. */
export interface RowResult {
  /** The row's index in the rows given. */
  index: number;
  result?: RunResult;
  error?: { kind: string; message: string };
}

export interface RunRowsOptions {
  /** Rows in flight at once; default the aiFunctions.concurrency setting, never above what the platform allows. */
  concurrency?: number;
  token?: CancellationToken;
  /** Called as each row finishes, in the order they finish (`index` says which row). */
  onResult?: (result: RowResult) => void;
  /**
   * `false`: the promise resolves with [] and results go only to `onResult`, so memory stays flat
   * however many rows there are. Default true.
   */
  keepResults?: boolean;
}

/** A row to evaluate: what the function gets, and the label it should answer. */
export interface EvaluateRow {
  input: RunInput;
  expected: string;
}

/**
 * A CSV (with a header) or JSON Lines file to evaluate: an absolute path or a URI. Without
 * `resultsColumn` the function is run on every row that has an expected label (sent without its
 * `labelColumn`); with it, the answers of an earlier run are read from that column (and the
 * `confidence` and `error` columns after it) and nothing is run.
 */
export interface EvaluateFile {
  file: string;
  labelColumn: string;
  resultsColumn?: string;
}

export interface EvaluateOptions {
  /** Rows in flight at once; default the aiFunctions.concurrency setting. */
  concurrency?: number;
  token?: CancellationToken;
  /** Also open the Evaluation view. */
  show?: boolean;
}

/**
 * The scripted way to do what the commands do. Commands take no credentials and ask before they
 * act on arguments (a command link can supply those); these methods act at once.
 */
export interface AiFunctionsApi {
  readonly version: 1;
  setApiKey(platform: PlatformId, credentials: Credentials): Promise<void>;
  clearApiKey(platform: PlatformId): Promise<void>;
  listFunctions(platform: PlatformId): Promise<FunctionInfo[]>;
  runFunction(req: RunRequest, token?: CancellationToken): Promise<RunResult>;
  /**
   * One function over many rows; one RowResult per row, in order. `rows` may be an array or any
   * iterable or async iterable (read as rows are sent, never ahead of the concurrency); each
   * result also goes to `options.onResult` as soon as its row finishes.
   */
  runRows(request: Omit<RunRequest, 'input'>, rows: Iterable<RunInput> | AsyncIterable<RunInput>, options?: RunRowsOptions): Promise<RowResult[]>;
  listJobs(platform: PlatformId, page?: { limit?: number; cursor?: string }): Promise<Page<Job>>;
  getJob(platform: PlatformId, id: string): Promise<Job>;
  /** Asks the platform to cancel the job; resolves with the job as it is afterwards. */
  cancelJob(platform: PlatformId, id: string): Promise<Job>;
  /**
   * Answers what the run waits for (`requestId`, or the first): an input request takes `answer` as
   * its text; an approval takes "approve" or "deny" (also yes/approved, no/denied/reject).
   */
  answerInputRequest(platform: PlatformId, runId: string, answer: string, requestId?: string): Promise<void>;
  /** What a paused run waits on a person for: approvals and input requests (none on a platform without them). */
  pendingDecisions(platform: PlatformId, runId: string): Promise<PendingDecision[]>;
  /**
   * Measures a function against expected labels: accuracy, precision/recall/F1 per label, the
   * confusion matrix, calibration and the disagreements (the numbers the Evaluation view shows).
   * `request` may be null when reading a results file (`resultsColumn`).
   */
  evaluate(request: Omit<RunRequest, 'input'> | null, source: readonly EvaluateRow[] | EvaluateFile, options?: EvaluateOptions): Promise<EvaluationReport>;
  /** Approves or denies (`{approved}`) or answers (`{input}`) one of `pendingDecisions` by its id. */
  decide(platform: PlatformId, runId: string, decisionId: string, answer: DecisionAnswer): Promise<void>;
}
