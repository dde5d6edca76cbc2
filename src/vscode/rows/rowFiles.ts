// RowFiles: runs a function over a file on disk and writes the results to a file, through the
// core engine (core/rowFiles/fileRun.ts, via RunService.runFile). Rows stream from the source,
// results stream to the file in source order, every finished row is journaled at once, and a
// stopped run (cancelled, a window reload, VS Code quitting) resumes without sending a finished
// row again. The rows commands use it, and so may other features:
//
//   runFile({ fn, source, format?, output?, options?, concurrency?, token? })
//       → Promise<{ results: Uri, counts, answerColumns, manifest, complete }>
//     `source`: a file: Uri (CSV with , ; or tab, JSON Lines, or text lines; detected unless
//     `sourceFormat` says). `format`: 'csv' | 'jsonl' | 'records' (default the input's shape).
//     `output`: default beside the input (data.results.csv, data.results-2.csv …).
//   manifestFor(uri) → RunManifest | undefined   what produced a results file (function, options,
//     source, format, answer columns, counts, state); see core/rowFiles/manifest.ts.
//   readResults(manifest)                        the results file's rows back (core/rowFiles/results.ts).
//   resume(manifest), finish(manifest), rerunFailed(manifest), interrupted(), stopAll(graceMs).
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { AiFunctionsError } from '../../core/errors';
import { formatCount, formatDuration } from '../../core/format';
import type { Logger } from '../../core/log';
import type { FunctionInfo, RunOptions } from '../../core/model';
import type { CsvDelimiter, RowFormat } from '../../core/rows';
import { defaultResultsFormat, resultsExtension, resultsFormatsFor } from '../../core/rowFiles/writer';
import type { Answer, ResultsFormat } from '../../core/rowFiles/answers';
import type { FileRunMode, FileRunProgress, FileRunResult } from '../../core/rowFiles/fileRun';
import { runFile, sourceChange } from '../../core/rowFiles/fileRun';
import type { ManifestStore, RunCounts, RunManifest } from '../../core/rowFiles/manifest';
import { readResults, type ResultRow } from '../../core/rowFiles/results';
import { countSourceRows, detectFileFormat } from '../../core/rowFiles/source';
import { signalFromToken } from '../base/cancellation';
import { withProgress } from '../base/notify';
import type { Settings } from '../base/settings';
import type { RunService } from '../run';

export interface RunFileRequest {
  fn: Pick<FunctionInfo, 'platform' | 'id' | 'name'>;
  source: vscode.Uri;
  sourceFormat?: RowFormat;
  delimiter?: CsvDelimiter;
  /** The results format; default the input's shape. */
  format?: ResultsFormat;
  /** Where the results go; default beside the input. */
  output?: vscode.Uri;
  options?: RunOptions;
  concurrency?: number;
  token?: vscode.CancellationToken;
  /** Rows in the source, when already counted (else counted by streaming). */
  total?: number;
  /** Show a progress notification (default true). */
  progress?: boolean;
}

export interface RunFileResult {
  results: vscode.Uri;
  counts: RunCounts;
  answerColumns: string[];
  manifest: RunManifest;
  /** False when the run stopped (cancelled or the window closing): it can be resumed. */
  complete: boolean;
}

/** How long rows in flight may take to finish after a cancel before they are aborted. */
const CANCEL_GRACE_MS = 5_000;

/** The id suffix of a rerun's own manifest. */
const RERUN_SUFFIX = '-rerun';

interface Active {
  stop: AbortController;
  abort: AbortController;
  done: Promise<unknown>;
}

export class RowFiles {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly deps: { runs: RunService; store: ManifestStore; settings: Settings; log: Logger },
  ) {}

  manifestFor(uri: vscode.Uri): RunManifest | undefined {
    return uri.scheme === 'file' ? this.deps.store.forResults(uri.fsPath) : undefined;
  }

  readResults(manifest: RunManifest): AsyncGenerator<ResultRow> {
    return readResults(manifest);
  }

  /** Runs that stopped before their end and are not running now. */
  interrupted(): RunManifest[] {
    const stopped = this.deps.store.interrupted().filter((m) => !this.active.has(m.id));
    for (const m of stopped) if (m.id.endsWith(RERUN_SUFFIX)) this.dropRerun(m);
    return stopped.filter((m) => !m.id.endsWith(RERUN_SUFFIX));
  }

  isRunning(manifest: RunManifest): boolean {
    return this.active.has(manifest.id);
  }

  async runFile(request: RunFileRequest): Promise<RunFileResult> {
    if (request.source.scheme !== 'file') throw new AiFunctionsError('invalidInput', 'A file run reads a file on disk; save the document first.');
    const sourcePath = request.source.fsPath;
    const detected = await detectFileFormat(sourcePath);
    const sourceFormat = request.sourceFormat ?? detected.format;
    const delimiter = request.delimiter ?? detected.delimiter;
    const format = request.format ?? defaultResultsFormat(sourceFormat);
    if (!resultsFormatsFor(sourceFormat).includes(format)) {
      throw new AiFunctionsError('invalidInput', `${format} results cannot be made from ${sourceFormat} rows; use ${resultsFormatsFor(sourceFormat).join(' or ')}.`);
    }
    const counted = request.total === undefined ? await countSourceRows(sourcePath, { format: sourceFormat, delimiter }) : undefined;
    if (counted?.problem) throw new AiFunctionsError('invalidInput', counted.problem);
    const output = request.output?.fsPath ?? besideInput(sourcePath, resultsExtension({ results: format, delimiter }));
    const now = Date.now();
    const manifest: RunManifest = {
      version: 1,
      id: `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      fn: { platform: request.fn.platform, id: request.fn.id, name: request.fn.name },
      ...(request.options ? { options: request.options as Record<string, unknown> } : {}),
      concurrency: request.concurrency ?? this.deps.settings.concurrency(),
      source: { path: sourcePath, size: 0, mtimeMs: 0, format: sourceFormat, delimiter },
      results: { path: output, format },
      counts: { total: request.total ?? counted?.rows, done: 0, failed: 0, unreadable: 0 },
      state: 'running',
      startedAt: now,
      updatedAt: now,
    };
    this.deps.store.prune();
    const result = await this.execute(manifest, 'fresh', `Running ${request.fn.name} on ${basename(sourcePath)}`, request.token, request.progress);
    return this.outcome(result);
  }

  /** Continues a stopped run from its first unfinished row. */
  async resume(manifest: RunManifest, token?: vscode.CancellationToken): Promise<RunFileResult> {
    this.notRunning(manifest);
    const result = await this.execute(manifest, 'resume', `Resuming ${manifest.fn.name} on ${basename(manifest.source.path)}`, token);
    return this.outcome(result);
  }

  /** Completes a stopped run's results file without sending anything: the rows not run say so. */
  async finish(manifest: RunManifest): Promise<RunFileResult> {
    this.notRunning(manifest);
    return this.outcome(await this.execute(manifest, 'finish', '', undefined, false));
  }

  /** Forgets a stopped run, leaving its results file as it is. */
  discard(manifest: RunManifest): void {
    this.notRunning(manifest);
    this.deps.store.remove(manifest.id);
  }

  /** How many rows of a results file failed (or were not run), by streaming it. */
  async failedRows(manifest: RunManifest): Promise<{ failed: number; unreadable: number }> {
    let failed = 0;
    let unreadable = 0;
    for await (const row of readResults(manifest)) {
      if (row.unreadable) unreadable++;
      else if (row.answer.error) failed++;
    }
    return { failed, unreadable };
  }

  /**
   * Runs the rows of a results file that have an error again, keeping the others as they are:
   * the file is written anew beside itself and then renamed over it, line for line.
   */
  async rerunFailed(manifest: RunManifest, concurrency: number | undefined, token?: vscode.CancellationToken): Promise<RunFileResult> {
    this.notRunning(manifest);
    if (manifest.state !== 'done') throw new AiFunctionsError('invalidInput', 'This run has not finished: resume it (AI Functions: Resume Run) before re-running its failed rows.');
    const changed = await sourceChange(manifest);
    if (changed) throw new AiFunctionsError('invalidInput', `${changed} Re-run Failed Rows needs the rows the results were made from; run the function on the file again.`);
    const old = manifest.results.path;
    const temp = join(dirname(old), `.${basename(old)}.rerun-${Date.now().toString(36)}`);
    const rows = readResults(manifest)[Symbol.asyncIterator]();
    const previous = async (index: number): Promise<Answer | undefined> => {
      for (;;) {
        const next = await rows.next();
        if (next.done || next.value.index > index) return undefined;
        if (next.value.index === index) return next.value.answer.error ? undefined : next.value.answer;
      }
    };
    const title = `Re-running failed rows of ${manifest.fn.name} on ${basename(manifest.source.path)}`;
    // A manifest of its own, writing the temporary file: the run's manifest and file stay as they
    // are until the rerun is complete (one cut short is dropped on the next activation).
    const rerun: RunManifest = { ...manifest, id: `${manifest.id}${RERUN_SUFFIX}`, concurrency: concurrency ?? manifest.concurrency, results: { ...manifest.results, path: temp } };
    let result: FileRunResult;
    try {
      result = await this.execute(rerun, 'fresh', title, token, true, { previous, layout: manifest.layout });
    } catch (error) {
      this.dropRerun(rerun);
      throw error;
    } finally {
      await rows.return(undefined);
    }
    if (!result.complete) {
      // The file stays as it was; the rows re-run in this session are lost (the summary says so).
      this.dropRerun(rerun);
      return this.outcome({ ...result, manifest });
    }
    renameSync(temp, old);
    const updated: RunManifest = { ...result.manifest, id: manifest.id, results: manifest.results };
    this.deps.store.save(updated);
    this.deps.store.remove(rerun.id);
    return this.outcome({ ...result, manifest: updated });
  }

  private dropRerun(rerun: RunManifest): void {
    rmSync(rerun.results.path, { force: true });
    this.deps.store.remove(rerun.id);
  }

  /**
   * Stops every run (the window is closing): nothing more is sent, rows in flight get `graceMs` to
   * finish and be recorded, then they are aborted (a resume sends those again).
   */
  async stopAll(graceMs: number): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) run.stop.abort();
    const all = Promise.allSettled(runs.map((r) => r.done));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs));
    await Promise.race([all, timer]);
    for (const run of runs) run.abort.abort();
    await Promise.race([all, new Promise<void>((resolve) => setTimeout(resolve, 1_000))]);
  }

  private notRunning(manifest: RunManifest): void {
    if (this.active.has(manifest.id)) throw new AiFunctionsError('invalidInput', 'This run is still going. Wait for it to finish, or cancel it first.');
  }

  private async execute(
    manifest: RunManifest,
    mode: FileRunMode,
    title: string,
    token: vscode.CancellationToken | undefined,
    showProgress = true,
    extra: { previous?: (index: number) => Promise<Answer | undefined>; layout?: RunManifest['layout'] } = {},
  ): Promise<FileRunResult> {
    const stop = new AbortController();
    const abort = new AbortController();
    // Cancelling stops sending; rows in flight get a moment to finish and be recorded, then are aborted.
    const cancelled = (): void => {
      stop.abort();
      setTimeout(() => abort.abort(), CANCEL_GRACE_MS).unref?.();
    };
    const cancel = signalFromToken(token);
    if (cancel?.aborted) stop.abort();
    cancel?.addEventListener('abort', cancelled);
    const { fn, options } = manifest;
    const run = async (onProgress?: (p: FileRunProgress) => void): Promise<FileRunResult> => {
      const result = await runFile({
        manifest,
        store: this.deps.store,
        mode,
        task: this.deps.runs.rowTask({ platform: fn.platform, function: fn.id, options }),
        concurrency: this.deps.runs.concurrency(fn.platform, manifest.concurrency),
        stop: stop.signal,
        signal: abort.signal,
        onProgress,
        ...extra,
      });
      if (result.sent > 0) await this.deps.runs.recordRecent(fn.platform, fn.id);
      return result;
    };
    let done: Promise<FileRunResult>;
    if (showProgress) {
      done = Promise.resolve(
        withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, progressToken) => {
          progressToken.onCancellationRequested(cancelled);
          return run(progressReporter(progress));
        }),
      );
    } else done = run();
    this.active.set(manifest.id, { stop, abort, done });
    const started = Date.now();
    try {
      const result = await done;
      const c = result.manifest.counts;
      this.deps.log.info(
        `${mode} file run of ${manifest.fn.name} on ${manifest.source.path} → ${manifest.results.path}: ${result.complete ? 'done' : 'stopped'} at ${c.done} of ${c.total ?? '?'} rows (${c.failed} failed, ${c.unreadable} unreadable, ${result.sent} sent) in ${Date.now() - started} ms`,
      );
      return result;
    } finally {
      this.active.delete(manifest.id);
    }
  }

  private outcome(result: FileRunResult): RunFileResult {
    const { manifest } = result;
    return { results: vscode.Uri.file(manifest.results.path), counts: manifest.counts, answerColumns: result.layout.columns, manifest, complete: result.complete };
  }
}

/** `data.results.csv` beside `data.csv`, or `data.results-2.csv` … when taken. */
export function besideInput(sourcePath: string, extension: string): string {
  const dir = dirname(sourcePath);
  const stem = basename(sourcePath, extname(sourcePath));
  for (let n = 1; ; n++) {
    const candidate = join(dir, `${stem}.results${n === 1 ? '' : `-${n}`}.${extension}`);
    if (!existsSync(candidate)) return candidate;
  }
}

/** "1,200 of 5,000 · 85 rows/s · about 45s left · 3 failed". */
function progressReporter(progress: vscode.Progress<{ message?: string; increment?: number }>): (p: FileRunProgress) => void {
  let reported = 0;
  return (p) => {
    const parts = [p.total === undefined ? `${formatCount(p.done)} rows` : `${formatCount(p.done)} of ${formatCount(p.total)}`];
    if (p.perSecond > 0) parts.push(`${p.perSecond >= 10 ? Math.round(p.perSecond) : p.perSecond.toFixed(1)} rows/s`);
    if (p.etaMs !== undefined && p.total !== undefined && p.done < p.total) parts.push(`about ${formatDuration(p.etaMs)} left`);
    if (p.failed) parts.push(`${formatCount(p.failed)} failed`);
    const percent = p.total ? Math.min(100, (p.done / p.total) * 100) : 0;
    progress.report({ message: parts.join(' · '), increment: Math.max(0, percent - reported) });
    reported = Math.max(reported, percent);
  };
}
