// One line for a result, wherever it is shown: the panel, recent runs, Classify's decoration, the
// status bar after a quick run.

/** What a RunResult and the panel's ResultView have in common. */
export interface ResultLike {
  kind: string;
  label?: string;
  confidence?: number;
  status?: string;
  output?: unknown;
  summary?: string;
}

/** "qualified · 91%", "done", "3 fields". */
export function resultHeadline(view: ResultLike): string {
  if (view.label !== undefined) return view.confidence !== undefined ? `${view.label} · ${Math.round(view.confidence * 100)}%` : view.label;
  if (view.kind === 'run' && view.status) return view.status;
  if (view.output !== null && typeof view.output === 'object' && !Array.isArray(view.output)) {
    const n = Object.keys(view.output).length;
    return `${n} field${n === 1 ? '' : 's'}`;
  }
  return 'done';
}

/** What "Insert into editor" writes: the label, else the output (JSON unless text), else the summary. */
export function insertionText(view: ResultLike): string {
  if (view.label !== undefined) return view.label;
  if (view.output !== undefined && view.output !== null) return typeof view.output === 'string' ? view.output : JSON.stringify(view.output, null, 2);
  if (view.summary !== undefined) return view.summary;
  return resultHeadline(view);
}
