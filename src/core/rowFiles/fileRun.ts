// The engine of a file run: streams rows from the source file, sends them (at most `concurrency`
// at once, through runStream), journals each finished row at once, and writes results to the
// results file in source order through a bounded reorder buffer (nothing more is dispatched while
// it is `window` items ahead). Memory holds the rows in flight and the window, never the file.
//
// Modes: `fresh` starts the results file over; `resume` continues a stopped run from its journal
// (the file is cut back to the last checkpoint, rows journaled since are written from the journal
// and never sent again); `finish` is a resume that sends nothing (the rows not run get "not run").
// A rerun is a fresh run into another file with `previous` answers for the rows it keeps.
import { closeSync, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import { AiFunctionsError } from '../errors';
import type { RunInput, RunResult } from '../model';
import { INTERRUPTED_MESSAGE, isCancelledOutcome, NOT_RUN_MESSAGE, type RowError } from '../rowOutcome';
import { unreadableRecord } from '../rowResults';
import type { SourceRow } from '../rows';
import { layoutFor, type Answer, type AnswerLayout } from './answers';
import { Journal, readJournal, START, type Checkpoint, type JournalState } from './journal';
import type { ManifestStore, RunManifest } from './manifest';
import { ReorderBuffer } from './reorder';
import { readSource, type SourceItem } from './source';
import { runStream } from './stream';
import { answerOfResult, inputNamesOf, ResultsWriter } from './writer';

export type FileRunMode = 'fresh' | 'resume' | 'finish';

export interface FileRunProgress {
  /** Rows finished (answered, failed or unreadable), earlier sessions of the run included. */
  done: number;
  failed: number;
  /** Rows in the source, when counted. */
  total?: number;
  inFlight: number;
  /** Rows finished per second in this session. */
  perSecond: number;
  /** Time left at that pace; undefined until known. */
  etaMs?: number;
}

export interface FileRunParams {
  manifest: RunManifest;
  store: ManifestStore;
  mode: FileRunMode;
  task: (input: RunInput, signal: AbortSignal) => Promise<RunResult>;
  concurrency: number;
  /** Stops dispatching; rows in flight finish and are recorded (the run is resumable). */
  stop?: AbortSignal;
  /** Aborts rows in flight too (they are sent again on resume). */
  signal?: AbortSignal;
  /** Items the results may run ahead of the first unfinished row. Default max(256, 8 × concurrency). */
  window?: number;
  /** A fresh run: the answer columns to use (a rerun keeps the file's). Default: from the first answer. */
  layout?: AnswerLayout;
  /** Write here instead of the manifest's results path (a rerun writes a temporary file). */
  outputPath?: string;
  /** Answers kept from an earlier results file, asked for in row order; a row with none is run. */
  previous?: (index: number, row: SourceRow) => Promise<Answer | undefined>;
  onProgress?: (progress: FileRunProgress) => void;
  /** Source chunk size in characters (tests). */
  chunkChars?: number;
  now?: () => number;
}

export interface FileRunResult {
  manifest: RunManifest;
  /** Whether every row has an answer in the results file (else the run is stopped and resumable). */
  complete: boolean;
  layout: AnswerLayout;
  /** Rows sent in this session. */
  sent: number;
}

/** Why a resume cannot go on: the source file is not the one the run read. */
export async function sourceChange(manifest: RunManifest): Promise<string | undefined> {
  let stat;
  try {
    stat = statSync(manifest.source.path);
  } catch {
    return `${manifest.source.path} is gone (moved or deleted) since the run started.`;
  }
  if (stat.size !== manifest.source.size || Math.trunc(stat.mtimeMs) !== Math.trunc(manifest.source.mtimeMs)) {
    return `${manifest.source.path} has changed since the run started (its size or modification time differ), so its rows may not be the ones already run.`;
  }
  return undefined;
}

interface Done {
  item: SourceItem;
  answer?: Answer;
}

const PROGRESS_MS = 250;
const MANIFEST_MS = 1_000;

export async function runFile(params: FileRunParams): Promise<FileRunResult> {
  const { store, mode } = params;
  let manifest: RunManifest = { ...params.manifest, state: 'running', updatedAt: Date.now() };
  const now = params.now ?? (() => performance.now());
  const concurrency = Math.max(1, Math.floor(params.concurrency) || 1);
  const window = Math.max(2, params.window ?? Math.max(256, 8 * concurrency));

  if (mode === 'fresh') {
    const stat = statSync(manifest.source.path);
    manifest = { ...manifest, source: { ...manifest.source, size: stat.size, mtimeMs: stat.mtimeMs }, layout: params.layout };
  } else {
    const changed = await sourceChange(manifest);
    if (changed) throw new AiFunctionsError('invalidInput', `${changed} Run the function on the file again.`);
  }

  const journalPath = store.journalPath(manifest.id);
  const state: JournalState = mode === 'fresh' ? { checkpoint: START, finished: new Map() } : await readJournal(journalPath);
  let layout: AnswerLayout | undefined = state.layout ?? manifest.layout;
  const checkpoint: Checkpoint = { ...state.checkpoint };
  const outputPath = params.outputPath ?? manifest.results.path;

  let fd: number;
  try {
    fd = openSync(outputPath, mode === 'fresh' ? 'w' : 'r+');
  } catch (error) {
    if (mode === 'fresh') throw error;
    throw new AiFunctionsError('invalidInput', `The results file ${outputPath} is gone (moved or deleted); run the function on the file again.`);
  }
  if (mode !== 'fresh') ftruncateSync(fd, checkpoint.bytes);
  store.save(manifest); // makes the folder the journal goes in
  const journal = new Journal(journalPath, mode === 'fresh');
  if (mode === 'fresh' && layout) journal.layout(layout);

  const shape = { source: manifest.source.format, results: manifest.results.format, delimiter: manifest.source.delimiter } as const;
  let writer = layout ? new ResultsWriter(shape, layout) : undefined;
  let inputNames: string[] | undefined;
  const buffer = new ReorderBuffer<Done>(checkpoint.items);
  const unfinished = new Map<number, SourceItem>();
  let nextSeq = 0;
  let ended = false;
  let inFlight = 0;
  let sent = 0;
  let sessionDone = 0;
  let failedTotal = checkpoint.failed;
  let doneTotal = checkpoint.done;
  let unreadable = 0;
  const started = now();
  let lastProgress = -Infinity;
  let lastManifest = now();

  const decide = (result?: Answer['result']): void => {
    if (layout) return;
    layout = layoutFor(result, inputNames ?? []);
    writer = new ResultsWriter(shape, layout);
    journal.layout(layout);
    manifest = { ...manifest, layout, updatedAt: Date.now() };
    store.save(manifest);
  };

  const counts = () => ({ total: manifest.counts.total, done: doneTotal, failed: failedTotal, unreadable });

  const progress = (force = false): void => {
    const t = now();
    if (t - lastManifest >= MANIFEST_MS || force) {
      lastManifest = t;
      manifest = { ...manifest, counts: counts(), updatedAt: Date.now() };
      store.save(manifest);
    }
    if (!params.onProgress || (!force && t - lastProgress < PROGRESS_MS)) return;
    lastProgress = t;
    const elapsed = Math.max(1, t - started);
    const perSecond = (sessionDone * 1000) / elapsed;
    const total = manifest.counts.total;
    const etaMs = total !== undefined && sessionDone > 0 ? Math.max(0, ((total - doneTotal) / perSecond) * 1000) : undefined;
    params.onProgress({ done: doneTotal, failed: failedTotal, total, inFlight, perSecond, etaMs });
  };

  /** Writes what is now in order, and checkpoints it. */
  const flush = (): void => {
    if (closed) return;
    if (!layout) {
      if (buffer.size < window && !ended) return;
      decide(undefined);
    }
    const entries = buffer.take();
    if (entries.length === 0) return;
    let text = checkpoint.items === 0 ? writer!.preamble() : '';
    for (const e of entries) {
      text += writer!.item(e.item, e.answer);
      if (e.item.type === 'row') checkpoint.rows++;
    }
    const bytes = Buffer.byteLength(text);
    if (bytes > 0) writeSync(fd, text, checkpoint.bytes);
    checkpoint.bytes += bytes;
    checkpoint.items += entries.length;
    checkpoint.done = doneTotal;
    checkpoint.failed = failedTotal;
    journal.checkpoint(checkpoint);
  };

  const complete = (seq: number, item: SourceItem, answer?: Answer, counted = true): void => {
    buffer.put(seq, { item, answer });
    if (item.type === 'row' && counted) {
      doneTotal++;
      sessionDone++;
      if (answer?.error && item.row.input !== undefined) failedTotal++;
      if (answer?.result && !layout) decide(answer.result);
    }
    // Rows finishing together are written together: one write and one checkpoint for them all.
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(() => {
        flushQueued = false;
        flush();
      });
    }
    progress();
  };
  let flushQueued = false;
  let closed = false;

  const notRun: RowError = { kind: 'cancelled', message: NOT_RUN_MESSAGE };

  async function* toRun(): AsyncGenerator<{ seq: number; item: Extract<SourceItem, { type: 'row' }> }> {
    for await (const item of readSource(manifest.source.path, { format: shape.source, delimiter: shape.delimiter, chunkChars: params.chunkChars })) {
      if (item.type === 'problem') throw new AiFunctionsError('invalidInput', item.message);
      inputNames ??= item.type === 'header' || item.type === 'row' ? inputNamesOf(item, shape.source) : undefined;
      const seq = nextSeq++;
      if (seq < checkpoint.items) {
        if (item.type === 'row' && item.row.input === undefined) unreadable++;
        continue; // already in the results file
      }
      if (item.type !== 'row') {
        complete(seq, item);
        continue;
      }
      if (item.row.input === undefined) {
        unreadable++;
        complete(seq, item, { error: unreadableRecord(item.row).error });
        continue;
      }
      const journaled = state.finished.get(item.index);
      if (journaled) {
        state.finished.delete(item.index);
        // Counted when it finished (the checkpoint's counts do not include it yet).
        complete(seq, item, journaled);
        continue;
      }
      const kept = await params.previous?.(item.index, item.row);
      if (kept) {
        complete(seq, item, kept);
        continue;
      }
      if (mode === 'finish') {
        complete(seq, item, { error: notRun }, false);
        continue;
      }
      yield { seq, item };
    }
    ended = true;
  }

  const room = (): boolean => {
    if (nextSeq - buffer.head < window) return true;
    if (!layout) decide(undefined);
    flush();
    return nextSeq - buffer.head < window;
  };

  let result: FileRunResult | undefined;
  try {
    progress(true);
    await runStream(
      toRun(),
      (x, _index, signal) => {
        inFlight++;
        sent++;
        return params.task(x.item.row.input!, signal).finally(() => inFlight--);
      },
      {
        concurrency,
        stop: params.stop,
        signal: params.signal,
        room,
        onOutcome: (_index, x, outcome) => {
          if (isCancelledOutcome(outcome)) {
            unfinished.set(x.seq, x.item);
            return;
          }
          const answer: Answer = outcome.ok ? answerOfResult(outcome.value) : { error: outcome.error };
          journal.finished(x.item.index, answer);
          complete(x.seq, x.item, answer);
        },
      },
    );
    flush();
    const whole = ended && buffer.size === 0 && unfinished.size === 0 && buffer.head === nextSeq;
    if (!layout) decide(undefined);
    if (!whole) writeProvisional();
    manifest = { ...manifest, counts: counts(), state: whole ? 'done' : 'stopped', updatedAt: Date.now() };
    result = { manifest, complete: whole, layout: layout!, sent };
    return result;
  } finally {
    closed = true;
    closeSync(fd);
    journal.close();
    if (!result) manifest = { ...manifest, counts: counts(), state: 'stopped', updatedAt: Date.now() };
    store.save(manifest);
    if (result?.complete) store.removeJournal(manifest.id);
    progress(true);
  }

  /**
   * A stopped run still leaves every finished row in the results file: what waits for an
   * unfinished one is written after the checkpoint, with the unfinished rows marked, and a resume
   * cuts it off again and writes it for good.
   */
  function writeProvisional(): void {
    const rows = new Map<number, Done>(buffer.held());
    for (const [seq, item] of unfinished) rows.set(seq, { item, answer: { error: { kind: 'cancelled', message: INTERRUPTED_MESSAGE } } });
    const text = [...rows.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, e]) => writer!.item(e.item, e.answer ?? { error: notRun }))
      .join('');
    const head = checkpoint.items === 0 ? writer!.preamble() : '';
    if (text || head) writeSync(fd, head + text, checkpoint.bytes);
  }
}
