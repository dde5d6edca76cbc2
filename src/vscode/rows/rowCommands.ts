// Run Function on Each Line…: many rows through one function, or one Sutro batch job.
// Re-run Failed Rows: runs the error lines of a results document again and updates it in place.
import * as vscode from 'vscode';
import type * as z from 'zod/mini';
import { lazySchemas } from '../../core/lazyZod';
import { AiFunctionsError, messageOf } from '../../core/errors';
import { formatCount, formatDuration } from '../../core/format';
import type { JobPoller } from '../../core/jobPoller';
import type { JobsStore } from '../../core/jobsStore';
import type { Logger } from '../../core/log';
import { PLATFORM_IDS, type FunctionInfo, type Job, type PlatformId, type RunInput, type RunOptions, type RunResult } from '../../core/model';
import { countRecords, failedIndexes, recordFor, recordsToJsonLines, unreadableRecord, type RecordCounts, type RowRecord } from '../../core/rowResults';
import { NOT_RUN_MESSAGE, type RowOutcome, type RowProgress } from '../../core/rowRunner';
import { detectFormat, parseRows, ROW_FORMATS, type ParsedRows, type ParseOptions } from '../../core/rows';
import { can, type PlatformAdapter } from '../../platforms/types';
import type { ReadOnlyDocuments } from '../base/documents';
import type { FunctionPicker } from '../functions';
import { signalFromToken, signalFromTokens } from '../base/cancellation';
import { registerCommand } from '../base/commands';
import { confirm, showInformation, showWarning, withProgress } from '../base/notify';
import { requireAbility, type Platforms } from '../base/platforms';
import type { RunService } from '../run';
import { confirmRows, type RowsMode } from './rowsConfirm';
import type { Settings } from '../base/settings';

export interface RowCommandsDeps {
  platforms: Platforms;
  runs: RunService;
  picker: FunctionPicker;
  documents: ReadOnlyDocuments;
  settings: Settings;
  jobsStore: JobsStore;
  poller: JobPoller;
  log: Logger;
}

const isToken = (value: unknown): value is vscode.CancellationToken =>
  typeof value === 'object' && value !== null && typeof (value as vscode.CancellationToken).onCancellationRequested === 'function';
// Built on first use (core/lazyZod.ts): activation loads no zod.
const argsSchemas = lazySchemas((z) => {
  const uriOrString = z.optional(z.union([z.string(), z.custom<vscode.Uri>((v) => v instanceof vscode.Uri)]));
  const tokenSchema = z.optional(z.custom<vscode.CancellationToken>(isToken));

  /** Arguments for scripts and tests; with `platform`, `function` and `mode` nothing is asked. */
  const runArgsSchema = z.object({
    platform: z.optional(z.enum(PLATFORM_IDS)),
    /** Sutro: the Function name; Nyckel: the function id. */
    function: z.optional(z.string()),
    /** The rows themselves, instead of the active editor's selection or document. */
    text: z.optional(z.string()),
    /** A document to read, instead of the active editor. */
    uri: uriOrString,
    format: z.optional(z.enum(ROW_FORMATS)),
    mode: z.optional(z.enum(['rows', 'batch'])),
    concurrency: z.optional(z.int().check(z.gte(1), z.lte(64))),
    /** Platform run options, as the run panel sends them (e.g. Nyckel `labelCount`). */
    options: z.optional(z.record(z.string(), z.unknown())),
    /** Batch mode: the job's name. */
    jobName: z.optional(z.string()),
    token: tokenSchema,
  });
  const rerunArgsSchema = z.object({ uri: uriOrString, concurrency: runArgsSchema.shape.concurrency, token: tokenSchema });
  return { runArgsSchema, rerunArgsSchema };
});
export type RunOnEachLineArgs = z.infer<ReturnType<typeof argsSchemas>['runArgsSchema']>;
export type RerunFailedRowsArgs = z.infer<ReturnType<typeof argsSchemas>['rerunArgsSchema']>;

export type RowsCommandResult =
  | ({ mode: 'rows'; uri: string } & RecordCounts)
  | { mode: 'batch'; platform: PlatformId; jobId: string; rows: number; skipped: number };

/** A results document and what is needed to run its failed rows again. */
interface RowsSession {
  key: string;
  title: string;
  platform: PlatformId;
  functionId: string;
  functionName: string;
  options?: RunOptions;
  records: RowRecord[];
  running: boolean;
}

interface RowsSource {
  text: string;
  parse: ParseOptions;
  name: string;
  fileName?: string;
  languageId?: string;
  /** Where a `uri` argument pointed (the confirmation names it). */
  location?: string;
}

/** Results documents kept for Re-run Failed Rows (the oldest are forgotten). */
const MAX_SESSIONS = 20;
const PROGRESS_INTERVAL_MS = 150;

export class RowCommands {
  private readonly sessions = new Map<string, RowsSession>();
  private sequence = 0;

  constructor(private readonly deps: RowCommandsDeps) {}

  register(): vscode.Disposable[] {
    return [
      // Scripted calls (a plain object argument) get errors thrown; the UI gets them shown.
      registerCommand(this.deps.log, 'aiFunctions.runOnEachLine', (arg?: unknown) => this.runOnEachLine(arg), { rethrow: isScripted }),
      registerCommand(this.deps.log, 'aiFunctions.rerunFailedRows', (arg?: unknown) => this.rerunFailedRows(arg), { rethrow: isScripted }),
    ];
  }

  // ---- Run Function on Each Line…

  async runOnEachLine(arg?: unknown): Promise<RowsCommandResult | undefined> {
    const args = isScripted(arg) ? parseArgs(argsSchemas().runArgsSchema, arg) : {};
    const source = await this.source(args);
    const fn = await this.resolveFunction(args);
    if (!fn) return undefined;
    const adapter = this.deps.platforms[fn.platform];
    const concurrency = this.concurrency(adapter, args.concurrency);
    const detected = args.format ?? detectFormat(source.text, { fileName: source.fileName, languageId: source.languageId });

    let mode: RowsMode;
    let parsed: ParsedRows;
    if (args.mode) {
      // Arguments can come from a command link: nothing is read out to a platform unasked.
      mode = args.mode;
      parsed = parseRows(source.text, detected, source.parse);
      if (parsed.problem) throw new AiFunctionsError('invalidInput', parsed.problem);
      if (!(await this.confirmScripted(fn, parsed, source, mode))) return undefined;
    } else {
      const choice = await confirmRows({
        fn,
        text: source.text,
        parse: source.parse,
        detected,
        batch: can(adapter, 'submitBatch', 'getJob'),
        concurrency,
        sourceName: source.location ?? source.name,
        platformName: adapter.descriptor.displayName,
      });
      if (!choice) return undefined;
      ({ mode, parsed } = choice);
    }
    if (parsed.problem) throw new AiFunctionsError('invalidInput', parsed.problem);
    if (parsed.rows.length === 0) throw new AiFunctionsError('invalidInput', `${source.name} has no rows to run (every line is empty).`);

    if (mode === 'batch') return this.submitBatch(adapter, fn, parsed, args.jobName ?? `${fn.name} · ${source.name}`, args.token);
    return this.runInEditor(fn, parsed, source.name, concurrency, args.options as RunOptions | undefined, args.token);
  }

  private async confirmScripted(fn: FunctionInfo, parsed: ParsedRows, source: RowsSource, mode: RowsMode): Promise<boolean> {
    const rows = parsed.rows.filter((row) => row.input !== undefined).length;
    const platform = this.deps.platforms[fn.platform].descriptor.displayName;
    const what = mode === 'batch' ? `Submit ${formatCount(rows)} rows of ${source.name} to ${platform} as a batch job` : `Send ${formatCount(rows)} rows of ${source.name} to ${platform}`;
    const from = source.location ? `They are read from ${source.location}. ` : '';
    return confirm(`${what}, to run ${fn.name}?`, `${from}A command asked for this with its arguments (a script, another extension or a link).`, 'Run');
  }

  private async source(args: RunOnEachLineArgs): Promise<RowsSource> {
    if (args.text !== undefined) return { text: args.text, parse: {}, name: 'text' };
    if (args.uri !== undefined) {
      const uri = typeof args.uri === 'string' ? vscode.Uri.parse(args.uri) : args.uri;
      const document = await vscode.workspace.openTextDocument(uri);
      return { text: document.getText(), parse: {}, ...describeDocument(document), location: uri.scheme === 'file' ? uri.fsPath : uri.toString(true) };
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new AiFunctionsError('invalidInput', 'Open a document (or select lines in one) to run a function on each line.');
    const { document, selection } = editor;
    if (!selection.isEmpty) {
      return { text: document.getText(selection), parse: { firstLine: selection.start.line + 1 }, ...describeDocument(document) };
    }
    return { text: document.getText(), parse: {}, ...describeDocument(document) };
  }

  private async resolveFunction(args: RunOnEachLineArgs): Promise<FunctionInfo | undefined> {
    if (args.platform && args.function) {
      const platform = args.platform;
      const id = args.function;
      const known = await this.deps.platforms[platform].listFunctions().catch(() => [] as FunctionInfo[]);
      return known.find((fn) => fn.id === id) ?? { platform, id, name: id };
    }
    return this.deps.picker.pick('Run Function on Each Line', args.platform ? [args.platform] : undefined);
  }

  /** The setting (or the argument), never above what the platform allows in flight. */
  private concurrency(adapter: PlatformAdapter, requested?: number): number {
    const wanted = requested ?? this.deps.settings.concurrency();
    return Math.min(wanted, adapter.descriptor.limits.maxInFlight ?? wanted);
  }

  private async runInEditor(
    fn: FunctionInfo,
    parsed: ParsedRows,
    sourceName: string,
    concurrency: number,
    options: RunOptions | undefined,
    token: vscode.CancellationToken | undefined,
  ): Promise<RowsCommandResult> {
    const records: RowRecord[] = parsed.rows.map((row) =>
      row.input === undefined ? unreadableRecord(row) : { line: row.line, input: row.input, error: { kind: 'cancelled', message: NOT_RUN_MESSAGE } },
    );
    const session: RowsSession = {
      key: `rows/${Date.now().toString(36)}-${++this.sequence}`,
      title: `${sourceName} · ${fn.name}.jsonl`,
      platform: fn.platform,
      functionId: fn.id,
      functionName: fn.name,
      options,
      records,
      running: true,
    };
    this.remember(session);
    try {
      await this.execute(session, failedIndexes(records), concurrency, token, `Running ${fn.name}`);
    } finally {
      session.running = false;
    }
    return this.publish(session, 'Ran');
  }

  // ---- Re-run Failed Rows

  async rerunFailedRows(arg?: unknown): Promise<RowsCommandResult | undefined> {
    const args: RerunFailedRowsArgs = arg instanceof vscode.Uri ? { uri: arg } : isScripted(arg) ? parseArgs(argsSchemas().rerunArgsSchema, arg) : {};
    const target = args.uri ?? vscode.window.activeTextEditor?.document.uri;
    const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target;
    const session = uri ? this.sessionFor(uri) : undefined;
    if (!session) {
      throw new AiFunctionsError(
        'invalidInput',
        'Re-run Failed Rows works on a results document of "Run Function on Each Line…" from this window. Run the function on the lines again.',
      );
    }
    if (session.running) throw new AiFunctionsError('invalidInput', 'These rows are still running. Wait for them to finish, or cancel them first.');
    const indexes = failedIndexes(session.records);
    if (indexes.length === 0) {
      const unreadable = countRecords(session.records).unreadable;
      void showInformation(
        unreadable > 0 ? `No failed rows to re-run; ${formatCount(unreadable)} unreadable line(s) need fixing in the source.` : 'No failed rows to re-run.',
      );
      return { mode: 'rows', uri: this.uriOf(session).toString(), ...countRecords(session.records) };
    }
    const adapter = this.deps.platforms[session.platform];
    session.running = true;
    try {
      await this.execute(session, indexes, this.concurrency(adapter, args.concurrency), args.token, `Re-running ${session.functionName}`);
    } finally {
      session.running = false;
    }
    return this.publish(session, 'Re-ran');
  }

  // ---- running rows

  /** Runs the records at `indexes` and writes each outcome into its record. */
  private async execute(
    session: RowsSession,
    indexes: number[],
    concurrency: number,
    token: vscode.CancellationToken | undefined,
    title: string,
  ): Promise<void> {
    const inputs = indexes.map((i) => session.records[i]!.input as RunInput);
    const started = Date.now();
    const outcomes = await withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${title} on ${formatCount(inputs.length)} rows`, cancellable: true },
      (progress, progressToken) =>
        this.deps.runs.runRows({ platform: session.platform, function: session.functionId, options: session.options }, inputs, {
          concurrency,
          signal: signalFromTokens(progressToken, token),
          onProgress: progressReporter(progress),
        }),
    );
    outcomes.forEach((outcome: RowOutcome<RunResult>, k) => {
      const i = indexes[k]!;
      const record = session.records[i]!;
      session.records[i] = recordFor(record.line, record.input as RunInput, outcome);
    });
    const counts = countRecords(session.records);
    this.deps.log.info(
      `${title} (${this.deps.platforms[session.platform].descriptor.displayName}) on ${inputs.length} rows in ${Date.now() - started} ms: ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.unreadable} unreadable`,
    );
  }

  /** Shows (or updates in place) the results document and a summary; returns the counts. */
  private async publish(session: RowsSession, verb: string): Promise<RowsCommandResult> {
    const editor = await this.deps.documents.show(session.key, session.title, recordsToJsonLines(session.records), { preview: false });
    const counts = countRecords(session.records);
    const parts = [`${formatCount(counts.succeeded)} succeeded`];
    if (counts.failed) parts.push(`${formatCount(counts.failed)} failed`);
    if (counts.cancelled) parts.push(`${formatCount(counts.cancelled)} not run (cancelled)`);
    if (counts.unreadable) parts.push(`${formatCount(counts.unreadable)} unreadable`);
    const message = `${verb} ${session.functionName} on ${formatCount(counts.total)} rows: ${parts.join(', ')}.`;
    const retryable = counts.failed + counts.cancelled;
    const show = retryable > 0 ? showWarning : showInformation;
    void show(message, ...(retryable > 0 ? ['Re-run Failed Rows'] : [])).then((choice) => {
      if (choice) void vscode.commands.executeCommand('aiFunctions.rerunFailedRows', editor.document.uri);
    });
    return { mode: 'rows', uri: editor.document.uri.toString(), ...counts };
  }

  // ---- batch jobs

  private async submitBatch(
    platformAdapter: PlatformAdapter,
    fn: FunctionInfo,
    parsed: ParsedRows,
    jobName: string,
    token: vscode.CancellationToken | undefined,
  ): Promise<RowsCommandResult> {
    const adapter = requireAbility(platformAdapter, 'has no batch jobs: run the rows one by one instead', 'submitBatch', 'getJob');
    const rows = parsed.rows.flatMap((row) => (row.input === undefined ? [] : [batchRow(row.input, fn.inputFields)]));
    const skipped = parsed.rows.length - rows.length;
    if (rows.length === 0) throw new AiFunctionsError('invalidInput', 'None of the lines could be read, so there is nothing to submit.');
    const platform = adapter.descriptor.displayName;
    const id = await withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Submitting ${formatCount(rows.length)} rows as a ${platform} batch job` },
      () => adapter.submitBatch(fn.id, rows, jobName, signalFromToken(token)),
    );
    const job = await adapter.getJob(id).catch((error: unknown): Job => {
      this.deps.log.warn(`Submitted ${platform} job ${id}, but could not read it back: ${messageOf(error)}`);
      return { platform: fn.platform, id, status: 'queued', rawStatus: 'QUEUED', name: jobName, rows: rows.length, raw: {} };
    });
    this.deps.jobsStore.update(job);
    this.deps.poller.track(job, true);
    this.deps.log.info(`Submitted ${rows.length} rows to ${platform} ${fn.name} as job ${id}${skipped ? ` (${skipped} unreadable lines left out)` : ''}`);
    const left = skipped ? ` ${formatCount(skipped)} unreadable line(s) were left out.` : '';
    void showInformation(`Submitted ${formatCount(rows.length)} rows as ${platform} job "${job.name ?? id}". You will be told when it finishes.${left}`, 'Show Jobs')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('aiFunctions.jobs.focus');
      });
    return { mode: 'batch', platform: fn.platform, jobId: id, rows: rows.length, skipped };
  }

  // ---- sessions

  private remember(session: RowsSession): void {
    this.sessions.set(session.key, session);
    for (const key of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      if (!this.sessions.get(key)!.running) this.sessions.delete(key);
    }
  }

  private sessionFor(uri: vscode.Uri): RowsSession | undefined {
    const key = /^\/(rows\/[^/]+)\//.exec(uri.path)?.[1];
    return key ? this.sessions.get(key) : undefined;
  }

  private uriOf(session: RowsSession): vscode.Uri {
    return vscode.Uri.from({ scheme: 'ai-functions', path: `/${session.key}/${session.title}` });
  }
}

/** A plain object argument (not a Uri from a menu): a script or a test calling the command. */
function isScripted(arg: unknown): arg is Record<string, unknown> {
  return typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) && !Array.isArray(arg);
}

function parseArgs<T>(schema: z.ZodMiniType<T>, arg: unknown): T {
  const parsed = schema.safeParse(arg);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.map(String).join('.')})` : '';
    throw new AiFunctionsError('invalidInput', `Invalid command arguments${where}: ${issue?.message ?? 'unexpected value'}.`);
  }
  return parsed.data;
}

function describeDocument(document: vscode.TextDocument): Pick<RowsSource, 'name' | 'fileName' | 'languageId'> {
  const path = document.uri.path;
  const name = document.isUntitled ? document.uri.path || 'Untitled' : path.slice(path.lastIndexOf('/') + 1);
  return { name, fileName: document.fileName, languageId: document.languageId };
}

/** A batch job takes objects: text goes into the function's one input field, else `text`. */
function batchRow(input: RunInput, inputFields: string[] | undefined): Record<string, unknown> {
  if (typeof input !== 'string') return input;
  return { [inputFields?.length === 1 ? inputFields[0]! : 'text']: input };
}

/** Reports done/total, failures and the time left, at most every PROGRESS_INTERVAL_MS. */
function progressReporter(progress: vscode.Progress<{ message?: string; increment?: number }>): (p: RowProgress) => void {
  let reportedPercent = 0;
  let last = 0;
  return (p) => {
    const now = Date.now();
    const finished = p.done >= p.total;
    if (!finished && p.done > 0 && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    const percent = p.total === 0 ? 100 : (p.done / p.total) * 100;
    const parts = [`${formatCount(p.done)} of ${formatCount(p.total)}`];
    if (p.failed) parts.push(`${formatCount(p.failed)} failed`);
    if (p.etaMs !== undefined && !finished) parts.push(`about ${formatDuration(p.etaMs)} left`);
    progress.report({ message: parts.join(' · '), increment: Math.max(0, percent - reportedPercent) });
    reportedPercent = Math.max(reportedPercent, percent);
  };
}
