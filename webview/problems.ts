// Problems with the form, shown at the field they are about before anything is sent. The host
// checks the form again; a problem it finds is shown the same way.
import { describeJsonProblem, jsonProblem, type FormProblem } from '../src/shared/runInput';
import type { ToastLevel } from './toast';

export type TextInput = HTMLInputElement | HTMLTextAreaElement;

export interface ProblemTarget {
  input: TextInput;
  error: HTMLElement;
  /** Makes the input visible first (e.g. opens a collapsed section). */
  reveal?(): void;
}

/** A part of the form with fields that can have problems. */
export interface ProblemSource {
  /** Where the problem with `field` (a FormProblem's `field`) is shown, if it is one of this part's. */
  problemTarget(field: string): ProblemTarget | undefined;
  clearProblems(): void;
  /** Marks the JSON in this part that does not parse. */
  checkJson(): void;
}

export interface FormProblemsDeps {
  sources: ProblemSource[];
  focusFunction(): void;
  toast(text: string, level: ToastLevel): void;
}

/** Waits for a pause in typing, so a half-typed value is not marked at every key. */
const LIVE_CHECK_DELAY_MS = 200;

export class FormProblems {
  private liveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: FormProblemsDeps) {}

  isShownAtField(field: string): boolean {
    return this.target(field) !== undefined;
  }

  /** Shows a problem next to its field; with `focus`, moves the cursor to where the JSON breaks. */
  show(problem: FormProblem, focus: boolean): void {
    const target = this.target(problem.field);
    if (!target) {
      if (problem.field === 'function') {
        if (focus) this.deps.focusFunction();
        this.deps.toast(problem.message, 'error');
      }
      return;
    }
    const text = problem.line !== undefined ? describeJsonProblem({ message: problem.message, line: problem.line, column: problem.column ?? 1 }) : problem.message;
    target.reveal?.();
    setProblem(target.input, target.error, text);
    if (focus) {
      target.input.focus();
      if (problem.offset !== undefined) {
        const at = Math.min(problem.offset, target.input.value.length);
        target.input.setSelectionRange(at, Math.min(at + 1, target.input.value.length));
      }
    }
  }

  clear(): void {
    for (const source of this.deps.sources) source.clearProblems();
  }

  /** Checks the JSON inputs while they are typed. */
  validateLive(): void {
    if (this.liveTimer !== undefined) clearTimeout(this.liveTimer);
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      for (const source of this.deps.sources) source.checkJson();
    }, LIVE_CHECK_DELAY_MS);
  }

  private target(field: string): ProblemTarget | undefined {
    for (const source of this.deps.sources) {
      const target = source.problemTarget(field);
      if (target) return target;
    }
    return undefined;
  }
}

/** Shows `text` as the input's problem, or clears it. `error` is the element that holds the text. */
export function setProblem(input: TextInput, error: HTMLElement | null, text: string | undefined): void {
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  if (!error) return;
  error.textContent = text ?? '';
  error.hidden = !text;
}

/** Marks `value` when it is meant to be JSON (`active`) and does not parse; an empty value is fine. */
export function checkJsonInput(value: string, input: TextInput, error: HTMLElement, active: boolean): void {
  const problem = active && value.trim() !== '' ? jsonProblem(value) : undefined;
  setProblem(input, error, problem ? describeJsonProblem(problem) : undefined);
}
