// What the panel opens with. Arguments reach the open command from the Functions view, from other
// commands and from command links in hovers, so they are checked before anything is used, and they
// only fill the form: a result comes from the extension's own handoffs (by id), never from
// arguments. Without an input, the editor's selection is the input.
import type * as vscode from 'vscode';
import * as z from 'zod/mini';
import type { Logger } from '../../core/log';
import { PLATFORM_IDS, type RunResult } from '../../core/model';
import type { PanelHandoffs } from '../run';
import type { PanelFunctions } from './panelFunctions';
import { MAX_INPUT_CHARS, type Prefill, type ResultView, type RunForm } from '../../shared/panelProtocol';
import { panelResultView } from './resultView';
import type { RecentRun } from './recentRuns';
import { newRunId, type RunHistory } from './runHistory';
import { detectInputMode, fieldsFromJson } from '../../shared/runInput';

const platformId = z.enum(PLATFORM_IDS);

/** A Functions-view node (the inline "Run…" button). */
const treeNodeArg = z.object({
  kind: z.literal('function'),
  platform: platformId,
  fn: z.object({ id: z.string().check(z.maxLength(500)), name: z.optional(z.string()), inputFields: z.optional(z.array(z.string())) }),
});

/** `{platform, function, input?}`: what to fill the form with. */
const openArgs = z.object({
  platform: z.optional(platformId),
  function: z.optional(z.string().check(z.maxLength(500))),
  input: z.optional(z.string().check(z.maxLength(MAX_INPUT_CHARS))),
});

/** `{handoff}`: Classify Selection's "Open in Run Panel" link. */
const handoffArgs = z.object({ handoff: z.string().check(z.maxLength(50)) });

export interface OpeningPrefillDeps {
  log: Logger;
  functions: PanelFunctions;
  history: RunHistory;
  handoffs: PanelHandoffs;
}

/**
 * The prefill for opening the panel with `args` (a Functions-view node, `{platform, function,
 * input?, result?}` or nothing) from `editor`. Focus goes to the function picker when no function
 * is given, else to the input.
 */
export function openingPrefill(args: unknown, editor: vscode.TextEditor | undefined, focus: Prefill['focus'], deps: OpeningPrefillDeps): Prefill {
  const prefill: Prefill = {};
  let input: string | undefined;
  const node = treeNodeArg.safeParse(args);
  const handoff = handoffArgs.safeParse(args);
  if (node.success) {
    prefill.platform = node.data.platform;
    prefill.function = node.data.fn.id;
  } else if (handoff.success) {
    const handed = deps.handoffs.get(handoff.data.handoff);
    if (!handed) {
      deps.log.warn('Run panel: that answer is no longer available; classify the selection again.');
    } else {
      input = handed.input;
      prefill.result = adoptResult(handed.result, handed.input, deps);
      prefill.platform = handed.platform;
      prefill.function = handed.function;
    }
  } else if (args !== undefined && args !== null) {
    const parsed = openArgs.safeParse(args);
    if (!parsed.success) {
      deps.log.warn('Run panel: ignored open arguments that are not a function node, {handoff} or {platform, function, input}.');
    } else {
      const { platform, function: fn, input: given } = parsed.data;
      if (platform) prefill.platform = platform;
      if (fn !== undefined) prefill.function = fn;
      input = given;
    }
  }
  if (input === undefined && editor && !editor.selection.isEmpty) {
    const selected = editor.document.getText(editor.selection);
    if (selected.length <= MAX_INPUT_CHARS) input = selected;
  }
  if (input !== undefined) fillInput(prefill, input, deps.functions);
  prefill.focus = focus ?? (prefill.function === undefined && prefill.platform === undefined ? 'function' : 'input');
  return prefill;
}

/** The form of an earlier run, to edit or run again. */
export function formPrefill(form: RunForm): Prefill {
  return { platform: form.platform, function: form.function, input: form.input, inputMode: form.inputMode, fields: form.fields, options: form.options };
}

/** A recent run as it was: its form and its result or error. */
export function recentRunPrefill(run: RecentRun): Prefill {
  const prefill: Prefill = { ...formPrefill(run.form), focus: 'input' };
  if (run.result) prefill.result = { runId: run.id, view: run.result.view };
  else if (run.error) prefill.error = { runId: run.id, error: run.error };
  return prefill;
}

/** Puts the input in the form as text or JSON, or into the fields of a listed function that declares them. */
function fillInput(prefill: Prefill, input: string, functions: PanelFunctions): void {
  const mode = detectInputMode(input);
  prefill.input = input;
  prefill.inputMode = mode;
  const fields = functions.info(prefill.platform, prefill.function)?.inputFields;
  if (prefill.platform && functions.descriptor(prefill.platform).functions.inputFields && fields && fields.length > 0) {
    const values = mode === 'json' ? fieldsFromJson(input, fields) : { ...Object.fromEntries(fields.map((f) => [f, ''])), [fields[0]!]: input };
    if (values) {
      prefill.fields = values;
      prefill.inputMode = 'fields';
    }
  }
}

/**
 * A result handed over by Classify Selection. It is kept like a run of the panel's own, so its
 * copy, insert and open raw buttons work; with its input it is also listed as a recent run.
 */
function adoptResult(runResult: RunResult, input: string | undefined, deps: OpeningPrefillDeps): { runId: string; view: ResultView } {
  const runId = newRunId();
  const view = panelResultView(runResult, deps.functions.info(runResult.platform, runResult.function)?.name);
  deps.history.keep(runId, { view, raw: runResult.raw });
  if (input !== undefined && input.trim() !== '') {
    const form: RunForm = { platform: runResult.platform, function: runResult.function, inputMode: detectInputMode(input), input, fields: {}, options: {} };
    void deps.history.record({ id: runId, form, functionName: view.functionName ?? runResult.function, result: { view, raw: runResult.raw } });
  }
  return { runId, view };
}
