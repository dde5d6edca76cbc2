// The run panel's recent runs (input, function, result, time), kept in globalState across restarts.
// Only what the user typed and what the platform answered is kept: never a key.
import type * as vscode from 'vscode';
import * as z from 'zod/mini';
import { PLATFORM_IDS } from '../../core/model';
import { panelErrorSchema, resultHeadline, resultViewSchema, runFormSchema, runIdSchema, type PanelError, type RecentRunSummary, type ResultView, type RunForm } from '../../shared/panelProtocol';
import { cap } from '../../shared/text';

const STORAGE_KEY = 'aiFunctions.recentRuns';
export const MAX_RECENT_RUNS = 50;
/** An entry larger than this (as JSON) drops its raw reply, then its output, then its input. */
export const MAX_ENTRY_CHARS = 64_000;
const KEPT_INPUT_CHARS = 2_000;

const entrySchema = z.object({
  id: runIdSchema,
  at: z.number(),
  platform: z.enum(PLATFORM_IDS),
  function: z.string(),
  functionName: z.string(),
  form: runFormSchema,
  /** The input was too large to keep whole: shown, but not run again. */
  inputTruncated: z.optional(z.boolean()),
  result: z.optional(z.object({ view: resultViewSchema, raw: z.optional(z.unknown()), rawDropped: z.optional(z.boolean()) })),
  error: z.optional(panelErrorSchema),
});
export type RecentRun = z.infer<typeof entrySchema>;

export interface NewRecentRun {
  id: string;
  at?: number;
  form: RunForm;
  functionName: string;
  result?: { view: ResultView; raw?: unknown };
  error?: PanelError;
}

export class RecentRuns {
  constructor(private readonly memento: vscode.Memento) {}

  /** Newest first; entries that no longer parse are left out. */
  list(): RecentRun[] {
    const stored = this.memento.get<unknown>(STORAGE_KEY, []);
    if (!Array.isArray(stored)) return [];
    return stored.flatMap((entry) => {
      const parsed = entrySchema.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  }

  get(id: string): RecentRun | undefined {
    return this.list().find((entry) => entry.id === id);
  }

  /** Adds a run at the top; an earlier run of the same form is replaced. */
  async add(run: NewRecentRun): Promise<RecentRun> {
    const entry = fitted({
      id: run.id,
      at: run.at ?? Date.now(),
      platform: run.form.platform,
      function: run.form.function,
      functionName: run.functionName,
      form: run.form,
      result: run.result,
      error: run.error,
    });
    const sameForm = formKey(entry.form);
    const rest = this.list().filter((other) => other.id !== entry.id && (other.inputTruncated || formKey(other.form) !== sameForm));
    await this.memento.update(STORAGE_KEY, [entry, ...rest].slice(0, MAX_RECENT_RUNS));
    return entry;
  }

  async clear(): Promise<void> {
    await this.memento.update(STORAGE_KEY, []);
  }

  summaries(): RecentRunSummary[] {
    return this.list().map(summarize);
  }
}

export function summarize(run: RecentRun): RecentRunSummary {
  const headline = run.result ? resultHeadline(run.result.view) : (run.error?.message.split(/(?<=\.)\s/)[0] ?? 'failed');
  return {
    id: run.id,
    at: Math.max(0, run.at),
    platform: run.platform,
    function: cap(run.function, 500),
    functionName: cap(run.functionName || run.function || '(auto)', 500),
    inputPreview: cap(inputPreview(run.form), 300),
    headline: cap(headline, 300),
    ok: run.result !== undefined,
    rerunnable: !run.inputTruncated,
  };
}

function inputPreview(form: RunForm): string {
  const text =
    form.inputMode === 'fields'
      ? Object.entries(form.fields)
          .filter(([, v]) => v.trim() !== '')
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')
      : form.input;
  return cap(text.replace(/\s+/g, ' ').trim(), 120);
}

function formKey(form: RunForm): string {
  return JSON.stringify([form.platform, form.function, form.inputMode, form.input, form.fields, form.options]);
}

function size(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Infinity;
  }
}

/** Shrinks an entry under MAX_ENTRY_CHARS: raw reply first, then the output, then the input. */
function fitted(entry: RecentRun): RecentRun {
  if (size(entry) <= MAX_ENTRY_CHARS) return entry;
  if (entry.result) {
    entry = { ...entry, result: { view: entry.result.view, rawDropped: true } };
    if (size(entry) <= MAX_ENTRY_CHARS) return entry;
    const view = { ...entry.result!.view };
    delete view.output;
    entry = { ...entry, result: { view, rawDropped: true } };
    if (size(entry) <= MAX_ENTRY_CHARS) return entry;
  }
  const form: RunForm = {
    ...entry.form,
    input: entry.form.input.slice(0, KEPT_INPUT_CHARS),
    fields: Object.fromEntries(Object.entries(entry.form.fields).map(([k, v]) => [k.slice(0, 200), v.slice(0, KEPT_INPUT_CHARS / 4)])),
    options: {},
  };
  entry = { ...entry, form, inputTruncated: true };
  if (entry.result && size(entry) > MAX_ENTRY_CHARS) {
    const view = entry.result.view;
    entry = { ...entry, result: { view: { ...view, rationale: view.rationale?.slice(0, 2000), summary: view.summary?.slice(0, 2000), predictions: view.predictions.slice(0, 20) }, rawDropped: true } };
  }
  return entry;
}
