// Run Function on Each Line…: many rows through one function, or one batch job. A saved file is
// run to a results file on disk (RowFiles: streamed, journaled, resumable); rows with no file
// behind them (a selection, an untitled document, a `text` argument) give an untitled JSON Lines
// document, as before.
// Re-run Failed Rows: runs the error rows of a results file (or document) again, in place.
// Resume Run: continues a run stopped by a cancel, a window reload or VS Code quitting.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type * as z from 'zod/mini';
import { lazySchemas } from '../../core/lazyZod';
import { AiFunctionsError, isAiFunctionsError, messageOf } from '../../core/errors';
import { inert } from '../../core/untrusted';
import { formatCost, formatCount } from '../../core/format';
import type { JobPoller } from '../../core/jobPoller';
import type { JobsStore } from '../../core/jobsStore';
import type { Logger } from '../../core/log';
import { PLATFORM_IDS, type FunctionInfo, type Job, type PlatformId, type RunInput, type RunOptions, type RunResult } from '../../core/model';
import { countRecords, failedIndexes, recordFor, recordsToJsonLines, unreadableRecord, type RecordCounts, type RowRecord } from '../../core/rowResults';
import { NOT_RUN_MESSAGE, type RowOutcome } from '../../core/rowOutcome';
import { detectFormat, parseRows, ROW_FORMATS, type ParsedRows, type ParseOptions } from '../../core/rows';
import { can, type PlatformAdapter } from '../../platforms/types';
import type { ReadOnlyDocuments } from '../base/documents';
import type { FunctionPicker } from '../functions';
import { signalFromToken, signalFromTokens } from '../base/cancellation';
import { rowProgressReporter } from '../base/rowProgress';
import { confirm, guarded, showInformation, showWarning, withProgress } from '../base/notify';
import { RESULTS_FORMATS, type ResultsFormat } from '../../core/rowFiles/answers';
import { estimate } from '../../core/rowFiles/estimate';
import type { RunManifest } from '../../core/rowFiles/manifest';
import { countSourceRows, detectFileFormat } from '../../core/rowFiles/source';
import { defaultResultsFormat, resultsExtension } from '../../core/rowFiles/writer';
import { besideInput, type RowFiles, type RunFileResult } from './rowFiles';
import { requireAbility, type Platforms } from '../base/platforms';
import type { RunService } from '../run';
import { confirmFileRun, confirmRows, type RowsMode } from './rowsConfirm';
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
  rowFiles: RowFiles;
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
    /** Batch mode: ask the platform for a cost estimate first, and submit only once it is accepted (always when asked in the UI). */
    estimate: z.optional(z.boolean()),
    /** A file run (a saved file): the results format, default the input's shape. */
    resultsFormat: z.optional(z.enum(RESULTS_FORMATS)),
    /** A file run: where the results go, default beside the input. */
    output: uriOrString,
    token: tokenSchema,
  });
  const rerunArgsSchema = z.object({ uri: uriOrString, concurrency: runArgsSchema.shape.concurrency, token: tokenSchema });
  const resumeArgsSchema = z.object({ results: uriOrString, token: tokenSchema });
  return { runArgsSchema, rerunArgsSchema, resumeArgsSchema };
});
export type RunOnEachLineArgs = z.infer<ReturnType<typeof argsSchemas>['runArgsSchema']>;
export type RerunFailedRowsArgs = z.infer<ReturnType<typeof argsSchemas>['rerunArgsSchema']>;

export type ResumeRunArgs = z.infer<ReturnType<typeof argsSchemas>['resumeArgsSchema']>;

const toUri = (value: string | vscode.Uri): vscode.Uri => (typeof value === 'string' ? vscode.Uri.parse(value) : value);

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

export class RowCommands {
  private readonly sessions = new Map<string, RowsSession>();
  private sequence = 0;

  constructor(private readonly deps: RowCommandsDeps) {}

  /** Tells of runs a reload or a quit stopped (once, at activation), with Resume and Discard. */
  showInterrupted(): void {
    for (const manifest of this.deps.rowFiles.interrupted().slice(0, 3)) {
      const { done, total } = manifest.counts;
      const message = `Run of ${manifest.fn.name} on ${basename(manifest.source.path)} stopped at ${formatCount(done)} of ${formatCount(total ?? done)} rows.`;
      void showWarning(message, 'Resume', 'Discard').then(
        guarded(this.deps.log, async (choice) => {
          if (choice === 'Resume') await this.published(await this.deps.rowFiles.resume(manifest), 'Resumed');
          else if (choice === 'Discard') await this.published(await this.deps.rowFiles.finish(manifest), 'Finished');
        }),
      );
    }
  }

  // ---- Resume Run

  async resumeRun(arg?: unknown): Promise<RowsCommandResult | undefined> {
    const args: ResumeRunArgs = isScripted(arg) ? parseArgs(argsSchemas().resumeArgsSchema, arg) : {};
    let manifest: RunManifest | undefined;
    if (args.results !== undefined) {
      const uri = toUri(args.results);
      manifest = this.deps.rowFiles.manifestFor(uri);
      if (!manifest || manifest.state === 'done') throw new AiFunctionsError('invalidInput', `${uri.fsPath} is not the results file of a stopped run.`);
      const left = (manifest.counts.total ?? 0) - manifest.counts.done;
      const platform = this.deps.platforms[manifest.fn.platform].descriptor.displayName;
      const ok = await confirm(
        `Resume ${manifest.fn.name} on ${basename(manifest.source.path)}, sending up to ${formatCount(Math.max(0, left))} more rows to ${platform}?`,
        `The rows are read from ${manifest.source.path}; results go to ${manifest.results.path}. A command asked for this with its arguments (a script, another extension or a link).`,
        'Resume',
      );
      if (!ok) return undefined;
    } else {
      const stopped = this.deps.rowFiles.interrupted();
      if (stopped.length === 0) {
        void showInformation('No stopped runs to resume.');
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        stopped.map((m) => ({
          label: inert(`${m.fn.name} on ${basename(m.source.path)}`, 200),
          description: `${formatCount(m.counts.done)} of ${formatCount(m.counts.total ?? m.counts.done)} rows`,
          detail: inert(`${m.results.path} · stopped ${new Date(m.updatedAt).toLocaleString()}`, 300),
          manifest: m,
        })),
        { title: 'Resume Run', placeHolder: 'Choose a stopped run to continue from its first unfinished row' },
      );
      if (!picked) return undefined;
      manifest = picked.manifest;
    }
    return this.published(await this.deps.rowFiles.resume(manifest, args.token), 'Resumed');
  }

  // ---- file runs

  /** A saved file behind the rows (not a selection, not unsaved changes): it is run to a results file. */
  private fileSource(args: RunOnEachLineArgs): vscode.Uri | undefined {
    if (args.text !== undefined) return undefined;
    const isClean = (uri: vscode.Uri): boolean => !vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && d.isDirty);
    if (args.uri !== undefined) {
      const uri = toUri(args.uri);
      return uri.scheme === 'file' && isClean(uri) ? uri : undefined;
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor || !editor.selection.isEmpty) return undefined;
    const { document } = editor;
    return document.uri.scheme === 'file' && !document.isUntitled && !document.isDirty ? document.uri : undefined;
  }

  /** Runs a saved file to a results file; undefined when it should go the in-memory way (a batch job). */
  private async runFileRows(file: vscode.Uri, fn: FunctionInfo, args: RunOnEachLineArgs): Promise<RowsCommandResult | 'batch' | undefined> {
    const adapter = this.deps.platforms[fn.platform];
    const concurrency = this.concurrency(adapter, args.concurrency);
    const detected = await detectFileFormat(file.fsPath);
    const name = basename(file.fsPath);
    const measures = this.deps.runs.recentMeasures(fn.platform, fn.id);
    const estimateFor = (rows: number) => estimate(rows, concurrency, measures);
    const outputFor = (format: ResultsFormat) => besideInput(file.fsPath, resultsExtension({ results: format, delimiter: detected.delimiter }));
    let sourceFormat = args.format ?? detected.format;
    let resultsFormat = args.resultsFormat ?? defaultResultsFormat(sourceFormat);
    let output = args.output === undefined ? undefined : toUri(args.output);
    let total: number;
    if (args.mode) {
      const counted = await countSourceRows(file.fsPath, { format: sourceFormat, delimiter: detected.delimiter });
      if (counted.problem) throw new AiFunctionsError('invalidInput', counted.problem);
      if (counted.readable === 0) throw new AiFunctionsError('invalidInput', `${name} has no rows to run (every line is empty).`);
      total = counted.rows;
      const est = estimateFor(counted.readable);
      const platform = adapter.descriptor.displayName;
      const ok = await confirm(
        `Send ${formatCount(counted.readable)} rows of ${name} to ${platform}, to run ${fn.name}?`,
        [
          `They are read from ${file.fsPath}; the results go to ${output?.fsPath ?? outputFor(resultsFormat)}.`,
          `${concurrency} at a time; time: ${est.time}${est.cost ? `; cost: ${est.cost}` : ''}.`,
          'A command asked for this with its arguments (a script, another extension or a link).',
        ].join(' '),
        'Run',
      );
      if (!ok) return undefined;
    } else {
      const choice = await confirmFileRun({
        fn,
        sourcePath: file.fsPath,
        sourceName: name,
        detected: sourceFormat,
        delimiter: detected.delimiter,
        batch: can(adapter, 'submitBatch', 'getJob'),
        concurrency,
        platformName: adapter.descriptor.displayName,
        estimate: estimateFor,
        outputName: (format) => basename(outputFor(format)),
      });
      if (!choice) return undefined;
      if (choice.mode === 'batch') return 'batch';
      ({ sourceFormat, resultsFormat } = choice);
      if (choice.rows === 0) throw new AiFunctionsError('invalidInput', `${name} has no rows to run (every line is empty).`);
      if (choice.chooseLocation) {
        const ext = resultsExtension({ results: resultsFormat, delimiter: detected.delimiter });
        output = await vscode.window.showSaveDialog({
          title: 'Save the results as',
          defaultUri: vscode.Uri.file(outputFor(resultsFormat)),
          filters: { [ext.toUpperCase()]: [ext] },
        });
        if (!output) return undefined;
      }
      total = (await countSourceRows(file.fsPath, { format: sourceFormat, delimiter: detected.delimiter })).rows;
    }
    const result = await this.deps.rowFiles.runFile({
      fn,
      source: file,
      sourceFormat,
      delimiter: detected.delimiter,
      format: resultsFormat,
      output,
      options: args.options as RunOptions | undefined,
      concurrency,
      token: args.token,
      total,
    });
    return this.published(result, 'Ran');
  }

  /** Opens the results file and says how the run went; a stopped run offers Resume. */
  private async published(result: RunFileResult, verb: string): Promise<RowsCommandResult> {
    const { manifest } = result;
    const counts = recordCounts(result);
    const file = basename(manifest.results.path);
    await vscode.window.showTextDocument(result.results, { preview: false }).then(undefined, (error: unknown) => {
      // A file too large for the editor is still on disk.
      this.deps.log.warn(`Could not open ${manifest.results.path}: ${messageOf(error)}`);
    });
    if (!result.complete) {
      const message = `Run of ${manifest.fn.name} on ${basename(manifest.source.path)} stopped at ${formatCount(manifest.counts.done)} of ${formatCount(counts.total)} rows. Finished rows are in ${file}.`;
      void showWarning(message, 'Resume', 'Discard').then(
        guarded(this.deps.log, async (choice) => {
          const current = this.deps.rowFiles.manifestFor(result.results);
          if (!current || current.state === 'done') return;
          if (choice === 'Resume') await this.published(await this.deps.rowFiles.resume(current), 'Resumed');
          else if (choice === 'Discard') await this.published(await this.deps.rowFiles.finish(current), 'Finished');
        }),
      );
      return { mode: 'rows', uri: result.results.toString(), ...counts };
    }
    const parts = [`${formatCount(counts.succeeded)} succeeded`];
    if (counts.failed) parts.push(`${formatCount(counts.failed)} failed`);
    if (counts.cancelled) parts.push(`${formatCount(counts.cancelled)} not run`);
    if (counts.unreadable) parts.push(`${formatCount(counts.unreadable)} unreadable`);
    const message = `${verb} ${manifest.fn.name} on ${formatCount(counts.total)} rows of ${basename(manifest.source.path)}: ${parts.join(', ')}. Results: ${file}.`;
    const retryable = counts.failed + counts.cancelled;
    void (retryable > 0 ? showWarning(message, 'Re-run Failed Rows') : showInformation(message)).then((choice) => {
      if (choice) void vscode.commands.executeCommand('aiFunctions.rerunFailedRows', result.results);
    });
    return { mode: 'rows', uri: result.results.toString(), ...counts };
  }

  private async rerunFile(manifest: RunManifest, args: RerunFailedRowsArgs, scripted: boolean): Promise<RowsCommandResult | undefined> {
    const { failed, unreadable } = await this.deps.rowFiles.failedRows(manifest);
    if (failed === 0) {
      void showInformation(unreadable > 0 ? `No failed rows to re-run; ${formatCount(unreadable)} unreadable line(s) need fixing in the source.` : 'No failed rows to re-run.');
      return { mode: 'rows', uri: vscode.Uri.file(manifest.results.path).toString(), ...recordCounts({ manifest, complete: true }) };
    }
    if (scripted) {
      const platform = this.deps.platforms[manifest.fn.platform].descriptor.displayName;
      const ok = await confirm(
        `Send the ${formatCount(failed)} failed rows of ${basename(manifest.source.path)} to ${platform} again, to run ${manifest.fn.name}?`,
        `They are read from ${manifest.source.path}; ${manifest.results.path} is updated. A command asked for this with its arguments (a script, another extension or a link).`,
        'Run',
      );
      if (!ok) return undefined;
    }
    const adapter = this.deps.platforms[manifest.fn.platform];
    const concurrency = args.concurrency === undefined ? undefined : this.concurrency(adapter, args.concurrency);
    return this.published(await this.deps.rowFiles.rerunFailed(manifest, concurrency, args.token), 'Re-ran');
  }

  // ---- Run Function on Each Line…

  async runOnEachLine(arg?: unknown): Promise<RowsCommandResult | undefined> {
    const args = isScripted(arg) ? parseArgs(argsSchemas().runArgsSchema, arg) : {};
    const file = args.mode === 'batch' ? undefined : this.fileSource(args);
    let batchChosen = false;
    if (file) {
      const fileFn = await this.resolveFunction(args);
      if (!fileFn) return undefined;
      const ran = await this.runFileRows(file, fileFn, args);
      if (ran !== 'batch') return ran;
      batchChosen = true;
      args.platform = fileFn.platform;
      args.function = fileFn.id;
    }
    const source = await this.source(args);
    const fn = await this.resolveFunction(args);
    if (!fn) return undefined;
    const adapter = this.deps.platforms[fn.platform];
    const concurrency = this.concurrency(adapter, args.concurrency);
    const detected = args.format ?? detectFormat(source.text, { fileName: source.fileName, languageId: source.languageId });

    let mode: RowsMode;
    let parsed: ParsedRows;
    if (batchChosen) {
      // Chosen in the file confirmation already.
      mode = 'batch';
      parsed = parseRows(source.text, detected, source.parse);
    } else if (args.mode) {
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

    if (mode === 'batch') {
      const estimate = args.estimate ?? args.mode === undefined;
      return this.submitBatch(adapter, fn, parsed, args.jobName ?? `${fn.name} · ${source.name}`, estimate, args.token);
    }
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
    const manifest = uri ? this.deps.rowFiles.manifestFor(uri) : undefined;
    if (manifest) return this.rerunFile(manifest, args, isScripted(arg));
    const session = uri ? this.sessionFor(uri) : undefined;
    if (!session) {
      throw new AiFunctionsError(
        'invalidInput',
        'Re-run Failed Rows works on a results file of "Run Function on Each Line…" (or a results document from this window). Run the function on the lines again.',
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
          onProgress: rowProgressReporter(progress),
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
    estimate: boolean,
    token: vscode.CancellationToken | undefined,
  ): Promise<RowsCommandResult | undefined> {
    const adapter = requireAbility(platformAdapter, 'has no batch jobs: run the rows one by one instead', 'submitBatch', 'getJob');
    const rows = parsed.rows.flatMap((row) => (row.input === undefined ? [] : [batchRow(row.input, fn.inputFields)]));
    const skipped = parsed.rows.length - rows.length;
    if (rows.length === 0) throw new AiFunctionsError('invalidInput', 'None of the lines could be read, so there is nothing to submit.');
    const platform = adapter.descriptor.displayName;
    if (estimate && can(adapter, 'estimateBatchCost') && !(await this.acceptEstimate(adapter, fn, rows, token))) return undefined;
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

  /** Asks the platform what the batch job would cost, then whether to submit it. */
  private async acceptEstimate(
    adapter: Required<Pick<PlatformAdapter, 'estimateBatchCost'>> & PlatformAdapter,
    fn: FunctionInfo,
    rows: Record<string, unknown>[],
    token: vscode.CancellationToken | undefined,
  ): Promise<boolean> {
    const platform = adapter.descriptor.displayName;
    let cost: string;
    try {
      const usd = await withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Asking ${platform} for a cost estimate of ${formatCount(rows.length)} rows`, cancellable: true },
        (_progress, progressToken) => adapter.estimateBatchCost(fn.id, rows, signalFromTokens(progressToken, token)),
      );
      cost = usd === undefined ? `${platform} gave no cost estimate.` : `${platform} estimates ${formatCost(usd)}.`;
    } catch (error) {
      if (isAiFunctionsError(error) && error.kind === 'cancelled') return false;
      cost = `${platform} could not estimate the cost: ${messageOf(error)}`;
    }
    return confirm(`Submit ${formatCount(rows.length)} rows as a ${platform} batch job to run ${fn.name}?`, cost, 'Submit');
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

/** A file run's counts in the shape of the in-memory results' counts. */
function recordCounts(result: Pick<RunFileResult, 'manifest' | 'complete'>): RecordCounts {
  const { done, failed, unreadable, total } = result.manifest.counts;
  const all = total ?? done;
  return { total: all, succeeded: Math.max(0, done - failed - unreadable), failed, cancelled: Math.max(0, all - done), unreadable };
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

