// The confirmation of "Run Function on Each Line…": shows the detected format and the row count,
// lets the user switch the format (a format is parsed only once it is chosen: a hostile file costs
// one parse before the user has agreed to anything), and choose between running each row now and submitting the
// rows as one batch job (offered when the platform has batch jobs, suggested for large inputs).
import * as vscode from 'vscode';
import { formatCount } from '../../core/format';
import type { FunctionInfo } from '../../core/model';
import { inert } from '../../core/untrusted';
import { FORMAT_NAMES, ROW_FORMATS, parseRows, type CsvDelimiter, type ParsedRows, type ParseOptions, type RowFormat } from '../../core/rows';
import { RESULTS_FORMAT_NAMES, type ResultsFormat } from '../../core/rowFiles/answers';
import { countSourceRows } from '../../core/rowFiles/source';
import { defaultResultsFormat, resultsFormatsFor } from '../../core/rowFiles/writer';

export type RowsMode = 'rows' | 'batch';

/** More rows than this and a batch job is suggested (when the platform has them). */
export const BATCH_SUGGESTED_ROWS = 1000;

export interface RowsChoice {
  mode: RowsMode;
  parsed: ParsedRows;
}

interface ConfirmItem extends vscode.QuickPickItem {
  mode?: RowsMode;
  format?: RowFormat;
}

export interface ConfirmInput {
  fn: FunctionInfo;
  text: string;
  parse: ParseOptions;
  detected: RowFormat;
  batch: boolean;
  concurrency: number;
  sourceName: string;
  /** The function's platform, as the user knows it. */
  platformName: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

function describeRows(parsed: ParsedRows): string {
  const readable = parsed.rows.filter((r) => r.input !== undefined).length;
  const unreadable = parsed.rows.length - readable;
  return [plural(readable, 'row'), unreadable > 0 ? `${formatCount(unreadable)} unreadable` : ''].filter(Boolean).join(', ');
}

/** Resolves with the mode and the rows in the chosen format, or undefined when dismissed. */
export async function confirmRows(input: ConfirmInput): Promise<RowsChoice | undefined> {
  const cache = new Map<RowFormat, ParsedRows>();
  const parsedAs = (format: RowFormat): ParsedRows => {
    let parsed = cache.get(format);
    if (!parsed) cache.set(format, (parsed = parseRows(input.text, format, input.parse)));
    return parsed;
  };
  let format = input.detected;

  const quickPick = vscode.window.createQuickPick<ConfirmItem>();
  quickPick.ignoreFocusOut = true;
  quickPick.matchOnDescription = true;

  const render = (): void => {
    const parsed = parsedAs(format);
    const readable = parsed.rows.filter((r) => r.input !== undefined).length;
    const platform = input.platformName;
    const large = readable > BATCH_SUGGESTED_ROWS;
    const columns = parsed.columns?.length ? ` (${inert(parsed.columns.slice(0, 20).join(', '), 200)})` : '';
    const problem = parsed.problem ? ` ${parsed.problem}` : '';
    quickPick.title = inert(`Run ${input.fn.name} on each row of ${input.sourceName}`, 200);
    quickPick.placeholder = `${FORMAT_NAMES[format]}${columns}: ${describeRows(parsed)}.${problem} Choose how to run them, or switch the format.`;
    const run: ConfirmItem = {
      label: `$(play) Run ${plural(readable, 'row')} now`,
      description: `${input.concurrency} at a time`,
      detail: 'Results open as JSON Lines, one line per input line; failed rows can be re-run.',
      mode: 'rows',
    };
    const batch: ConfirmItem = {
      label: `$(cloud-upload) Submit ${plural(readable, 'row')} as a ${platform} batch job`,
      description: large ? 'recommended for this many rows' : '',
      detail: `${platform} runs the rows on its side; the job appears in the Jobs view and you are told when it finishes.`,
      mode: 'batch',
    };
    const modes = input.batch ? (large ? [batch, run] : [run, batch]) : [run];
    const formats: ConfirmItem[] = ROW_FORMATS.map((f) => ({
      label: `${f === format ? '$(pass-filled)' : '$(circle-large-outline)'} Read as ${FORMAT_NAMES[f]}`,
      description: [cache.has(f) ? describeRows(parsedAs(f)) : '', f === input.detected ? 'detected' : ''].filter(Boolean).join(' · '),
      format: f,
    }));
    quickPick.items = [...modes, { label: 'Format', kind: vscode.QuickPickItemKind.Separator }, ...formats];
    quickPick.activeItems = [modes[0]!];
  };

  render();
  quickPick.show();
  try {
    return await new Promise<RowsChoice | undefined>((resolve) => {
      quickPick.onDidAccept(() => {
        const picked = quickPick.selectedItems[0];
        if (picked?.format) {
          format = picked.format;
          render();
        } else if (picked?.mode) {
          resolve({ mode: picked.mode, parsed: parsedAs(format) });
          quickPick.hide();
        }
      });
      quickPick.onDidHide(() => resolve(undefined));
    });
  } finally {
    quickPick.dispose();
  }
}

// ---- a file on disk: rows are counted by streaming, results go to a file

export interface FileConfirmInput {
  fn: FunctionInfo;
  sourcePath: string;
  sourceName: string;
  detected: RowFormat;
  delimiter: CsvDelimiter;
  batch: boolean;
  concurrency: number;
  platformName: string;
  /** The estimate for `rows` rows: time, and cost when known. */
  estimate: (rows: number) => { time: string; cost?: string };
  /** The default results file name for a results format. */
  outputName: (format: ResultsFormat) => string;
}

export interface FileChoice {
  mode: RowsMode;
  sourceFormat: RowFormat;
  resultsFormat: ResultsFormat;
  /** The user asked to choose where the results go. */
  chooseLocation: boolean;
  rows: number;
}

interface FileItem extends vscode.QuickPickItem {
  mode?: RowsMode;
  choose?: boolean;
  format?: RowFormat;
  results?: ResultsFormat;
}

/** The confirmation of a file run: rows, concurrency, the estimate, where the results go. */
export async function confirmFileRun(input: FileConfirmInput): Promise<FileChoice | undefined> {
  const counts = new Map<RowFormat, Promise<{ rows: number; readable: number; problem?: string }>>();
  const countAs = (format: RowFormat) => {
    let c = counts.get(format);
    if (!c) counts.set(format, (c = countSourceRows(input.sourcePath, { format, delimiter: input.delimiter })));
    return c;
  };
  let format = input.detected;
  let results = defaultResultsFormat(format);
  let rows = 0;
  const quickPick = vscode.window.createQuickPick<FileItem>();
  quickPick.ignoreFocusOut = true;
  quickPick.title = inert(`Run ${input.fn.name} on each row of ${input.sourceName}`, 200);

  const render = async (): Promise<void> => {
    quickPick.busy = true;
    quickPick.placeholder = `Counting the rows of ${input.sourceName}…`;
    const counted = await countAs(format);
    quickPick.busy = false;
    rows = counted.readable;
    const unreadable = counted.rows - counted.readable;
    const est = input.estimate(rows);
    const sep = input.delimiter === '\t' ? 'tab' : input.delimiter;
    quickPick.placeholder = `${FORMAT_NAMES[format]}${format === 'csv' ? ` (separated by ${sep})` : ''}: ${plural(rows, 'row')}${unreadable ? `, ${formatCount(unreadable)} unreadable` : ''}.${counted.problem ? ` ${counted.problem}` : ''} Choose how to run them.`;
    const detail = [`${input.concurrency} at a time`, `time: ${est.time}`, est.cost ? `cost: ${est.cost}` : `cost: not reported by ${input.platformName} for this function yet`].join(' · ');
    const run: FileItem = { label: `$(play) Run ${plural(rows, 'row')} now`, description: `results to ${input.outputName(results)}`, detail, mode: 'rows' };
    const choose: FileItem = { label: `$(save-as) Run ${plural(rows, 'row')} now, choosing where the results go…`, description: 'Choose location…', mode: 'rows', choose: true };
    const large = rows > BATCH_SUGGESTED_ROWS;
    const batch: FileItem = {
      label: `$(cloud-upload) Submit ${plural(rows, 'row')} as a ${input.platformName} batch job`,
      description: large ? 'recommended for this many rows' : '',
      detail: `${input.platformName} runs the rows on its side; when it can estimate the cost, you see the estimate before the job is submitted.`,
      mode: 'batch',
    };
    const modes = input.batch ? (large ? [batch, run, choose] : [run, choose, batch]) : [run, choose];
    const resultItems: FileItem[] = resultsFormatsFor(format).map((r) => ({
      label: `${r === results ? '$(pass-filled)' : '$(circle-large-outline)'} Results as ${RESULTS_FORMAT_NAMES[r]}`,
      description: r === defaultResultsFormat(format) ? 'the input’s shape' : '',
      results: r,
    }));
    const formats: FileItem[] = ROW_FORMATS.map((f) => ({
      label: `${f === format ? '$(pass-filled)' : '$(circle-large-outline)'} Read as ${FORMAT_NAMES[f]}`,
      description: f === input.detected ? 'detected' : '',
      format: f,
    }));
    quickPick.items = [
      ...modes,
      { label: 'Results', kind: vscode.QuickPickItemKind.Separator },
      ...resultItems,
      { label: 'Format', kind: vscode.QuickPickItemKind.Separator },
      ...formats,
    ];
    quickPick.activeItems = [modes[0]!];
  };

  quickPick.show();
  void render();
  try {
    return await new Promise<FileChoice | undefined>((resolve) => {
      quickPick.onDidAccept(() => {
        const picked = quickPick.selectedItems[0];
        if (!picked || quickPick.busy) return;
        if (picked.format) {
          format = picked.format;
          if (!resultsFormatsFor(format).includes(results)) results = defaultResultsFormat(format);
          void render();
        } else if (picked.results) {
          results = picked.results;
          void render();
        } else if (picked.mode) {
          resolve({ mode: picked.mode, sourceFormat: format, resultsFormat: results, chooseLocation: picked.choose === true, rows });
          quickPick.hide();
        }
      });
      quickPick.onDidHide(() => resolve(undefined));
    });
  } finally {
    quickPick.dispose();
  }
}
