// Evaluate Function… and the public API's `evaluate`: the feature's controller, loaded on first use
// from its own bundle (dist/evaluate.js, see lazyEvaluate.ts). It asks (evaluateFlow.ts), evaluates
// (evaluator.ts, through the EvaluationRunner seam), and shows the report (evaluationPanel.ts).
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import { AiFunctionsError } from '../../core/errors';
import type { EvaluatedFunction, EvaluationReport } from '../../core/evaluationReport';
import { answerColumnsAt, type AnswerColumns, type LabelledRow } from '../../core/evaluationRows';
import { formatCount } from '../../core/format';
import type { Logger } from '../../core/log';
import type { RowProgress } from '../../core/rowRunner';
import { PLATFORM_IDS, type FunctionInfo, type PlatformId, type RunInput, type RunOptions } from '../../core/model';
import { signalFromToken } from '../base/cancellation';
import { confirm } from '../base/notify';
import type { Settings } from '../base/settings';
import type { FunctionPicker } from '../functions';
import type { RunService } from '../run';
import { pickComparison } from './compareChoice';
import { chooseAnswerColumns, chooseFile, chooseLabelColumn, chooseMode } from './evaluateFlow';
import { EvaluationPanel } from './evaluationPanel';
import { InMemoryEvaluationRunner, type EvaluationRunner } from './evaluationRunner';
import { readSource, type EvaluationSource } from './evaluationSource';
import { Evaluator, type Evaluation } from './evaluator';
import { exportEvaluation } from './exportReport';
import { withRowProgress } from './progress';
import { toReportView } from './reportView';

export interface EvaluateDeps {
  extensionUri: vscode.Uri;
  runs: RunService;
  picker: FunctionPicker;
  settings: Settings;
  log: Logger;
  /** The function's name as the platform lists it (else its id). */
  functionInfo(platform: PlatformId, id: string): Promise<FunctionInfo | undefined>;
}

/** What the public API's `evaluate` takes once checked (see src/api.ts). */
export interface EvaluateApiRequest {
  request?: { platform: PlatformId; function: string; options?: RunOptions };
  source: { rows: readonly { input: RunInput; expected: string }[] } | { file: string; labelColumn: string; resultsColumn?: string };
  concurrency?: number;
  token?: vscode.CancellationToken;
  show?: boolean;
}

const isToken = (value: unknown): value is vscode.CancellationToken =>
  typeof value === 'object' && value !== null && typeof (value as vscode.CancellationToken).onCancellationRequested === 'function';

/** Command arguments from scripts and tests; nothing is sent to a platform without a confirmation. */
const commandArgsSchema = z.object({
  file: z.optional(z.union([z.string(), z.custom<vscode.Uri>((v) => v instanceof vscode.Uri)])),
  labelColumn: z.optional(z.string()),
  resultsColumn: z.optional(z.string()),
  platform: z.optional(z.enum(PLATFORM_IDS)),
  function: z.optional(z.string()),
  options: z.optional(z.record(z.string(), z.unknown())),
  concurrency: z.optional(z.int().check(z.gte(1), z.lte(64))),
  token: z.optional(z.custom<vscode.CancellationToken>(isToken)),
});

export class EvaluationFeature implements vscode.Disposable {
  private readonly evaluator: Evaluator;
  private readonly panels = new Set<EvaluationPanel>();
  /** The most recently opened Evaluation view (the integration tests read it). */
  lastPanel?: EvaluationPanel;

  constructor(
    private readonly deps: EvaluateDeps,
    runner: EvaluationRunner = new InMemoryEvaluationRunner(deps.runs),
  ) {
    this.evaluator = new Evaluator(runner);
  }

  dispose(): void {
    for (const panel of this.panels) panel.dispose();
    this.panels.clear();
  }

  // ---- the command

  async command(arg?: unknown): Promise<EvaluationReport | undefined> {
    const scripted = isScripted(arg) ? parseArgs(arg) : undefined;
    const uri = scripted?.file !== undefined ? toUri(scripted.file) : await chooseFile(arg instanceof vscode.Uri ? arg : undefined);
    if (!uri) return undefined;
    const source = await readSource(uri);
    const labelColumn = scripted?.labelColumn ?? (await chooseLabelColumn(source));
    if (labelColumn === undefined) return undefined;

    let evaluation: Evaluation | undefined;
    if (scripted?.resultsColumn !== undefined) {
      evaluation = this.evaluator.readResults(source, labelColumn, this.answerColumns(source, scripted.resultsColumn));
    } else {
      const mode = scripted?.function !== undefined ? 'run' : await chooseMode(source, labelColumn);
      if (mode === 'results') {
        const answer = await chooseAnswerColumns(source, labelColumn);
        if (!answer) return undefined;
        evaluation = this.evaluator.readResults(source, labelColumn, answer);
      } else if (mode === 'run') {
        const fn = scripted?.platform && scripted.function !== undefined ? await this.named(scripted.platform, scripted.function, scripted.options as RunOptions | undefined) : await this.pickFunction();
        if (!fn) return undefined;
        if (scripted && !(await this.confirmScripted(fn, source, labelColumn))) return undefined;
        evaluation = await this.runWithProgress(`Evaluating ${fn.name} on ${source.name}`, scripted?.token, (controls) => this.evaluator.runFile(source, labelColumn, fn, { ...controls, concurrency: scripted?.concurrency ?? this.deps.settings.concurrency() }));
      }
    }
    if (!evaluation) return undefined;
    this.show(evaluation);
    return evaluation.report;
  }

  // ---- the public API

  async evaluate(request: EvaluateApiRequest): Promise<EvaluationReport> {
    const concurrency = request.concurrency ?? this.deps.settings.concurrency();
    const signal = signalFromToken(request.token);
    let evaluation: Evaluation;
    if ('rows' in request.source) {
      if (!request.request) throw new Error('evaluate: rows need a request (the function to run).');
      // Row i is "line" i + 1; rows without an expected label are left out, as in a file.
      const rows: LabelledRow[] = request.source.rows.flatMap((row, i) => (row.expected.trim() ? [{ line: i + 1, expected: row.expected.trim(), input: row.input }] : []));
      evaluation = await this.evaluator.runRows(rows, request.source.rows.length - rows.length, await this.named(request.request.platform, request.request.function, request.request.options), { concurrency, signal });
    } else {
      const source = await readSource(toUri(request.source.file));
      const { labelColumn, resultsColumn } = request.source;
      if (resultsColumn !== undefined) evaluation = this.evaluator.readResults(source, labelColumn, this.answerColumns(source, resultsColumn));
      else if (request.request) evaluation = await this.evaluator.runFile(source, labelColumn, await this.named(request.request.platform, request.request.function, request.request.options), { concurrency, signal });
      else throw new Error('evaluate: give a request (the function to run) or the file’s resultsColumn (the answers of an earlier run).');
    }
    if (request.show) this.show(evaluation);
    return evaluation.report;
  }

  // ---- parts

  private show(evaluation: Evaluation): void {
    const panel = new EvaluationPanel(evaluation, {
      extensionUri: this.deps.extensionUri,
      log: this.deps.log,
      view: (e) => toReportView(e.report, e.name, (fn) => this.deps.runs.descriptor(fn.platform).displayName),
      compare: (e, signal) => this.compare(e, signal),
      export: async (e, format) => void (await exportEvaluation(e, format)),
      // Forget the panel when the user closes it.
      disposed: (closed) => this.panels.delete(closed),
    });
    this.panels.add(panel);
    this.lastPanel = panel;
  }

  private async compare(evaluation: Evaluation, signal: AbortSignal): Promise<Evaluation | undefined> {
    const fn = await pickComparison(evaluation.report.function, { picker: this.deps.picker, descriptor: (platform) => this.deps.runs.descriptor(platform) });
    if (!fn) return undefined;
    return this.runWithProgress(`Comparing with ${fn.name} on ${formatCount(evaluation.rows.length)} rows`, undefined, (controls) =>
      this.evaluator.compare(evaluation, fn, { ...controls, concurrency: this.deps.settings.concurrency(), signal: anySignal(signal, controls.signal) }),
    );
  }

  private runWithProgress<R>(title: string, token: vscode.CancellationToken | undefined, body: (controls: { signal?: AbortSignal; onProgress: (progress: RowProgress) => void }) => Promise<R>): Promise<R> {
    return Promise.resolve(withRowProgress(title, token, (signal, onProgress) => body({ signal, onProgress })));
  }

  private async pickFunction(): Promise<EvaluatedFunction | undefined> {
    const fn = await this.deps.picker.pick('Evaluate Function: the function to run');
    return fn && { platform: fn.platform, id: fn.id, name: fn.name };
  }

  private async named(platform: PlatformId, id: string, options?: RunOptions): Promise<EvaluatedFunction> {
    const info = await this.deps.functionInfo(platform, id).catch(() => undefined);
    return { platform, id, name: info?.name ?? id, ...(options && Object.keys(options).length > 0 ? { options } : {}) };
  }

  private answerColumns(source: EvaluationSource, resultsColumn: string): AnswerColumns {
    if (!source.columns.includes(resultsColumn)) throw new AiFunctionsError('invalidInput', `${source.name} has no column "${resultsColumn}".`);
    return answerColumnsAt(source.columns, resultsColumn);
  }

  private confirmScripted(fn: EvaluatedFunction, source: EvaluationSource, labelColumn: string): Promise<boolean> {
    const platform = this.deps.runs.descriptor(fn.platform).displayName;
    return confirm(
      `Send the rows of ${source.name} to ${platform}, to evaluate ${fn.name} against "${labelColumn}"?`,
      'A command asked for this with its arguments (a script, another extension or a link).',
      'Evaluate',
    );
  }
}

function isScripted(arg: unknown): arg is Record<string, unknown> {
  return typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) && !Array.isArray(arg);
}

function parseArgs(arg: unknown): z.infer<typeof commandArgsSchema> {
  const parsed = commandArgsSchema.safeParse(arg);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AiFunctionsError('invalidInput', `Invalid command arguments${issue?.path.length ? ` (${issue.path.map(String).join('.')})` : ''}: ${issue?.message ?? 'unexpected value'}.`);
  }
  return parsed.data;
}

/** A Uri, a URI string with a scheme, or a file path. */
function toUri(file: string | vscode.Uri): vscode.Uri {
  if (typeof file !== 'string') return file;
  return /^[a-z][a-z0-9+.-]+:\/\//i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length === 0 ? undefined : AbortSignal.any(present);
}
