// Registers Evaluate Function… at activation and loads the feature itself (its own bundle,
// dist/evaluate.js) only when it is first used, from the command or the public API: activation
// stays small and fast.
import type * as vscode from 'vscode';
import type { EvaluationReport } from '../../core/evaluationReport';
import { registerCommand } from '../base/commands';
import { Disposable } from '../base/disposable';
import type { EvaluateApiRequest, EvaluateDeps, EvaluationFeature } from './evaluation';

export class LazyEvaluate extends Disposable {
  private feature?: EvaluationFeature;

  constructor(private readonly deps: EvaluateDeps) {
    super();
  }

  register(): vscode.Disposable[] {
    // Scripted calls (a plain object argument) get errors thrown; the UI gets them shown.
    return [registerCommand(this.deps.log, 'aiFunctions.evaluateFunction', (arg?: unknown) => this.load().command(arg), { rethrow: isScripted })];
  }

  /** The public API's `evaluate` (arguments already checked). */
  evaluate(request: EvaluateApiRequest): Promise<EvaluationReport> {
    return this.load().evaluate(request);
  }

  /** The feature, loading its code the first time. */
  load(): EvaluationFeature {
    if (!this.feature) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      const { EvaluationFeature } = require('./evaluation') as typeof import('./evaluation');
      this.feature = this._register(new EvaluationFeature(this.deps));
    }
    return this.feature;
  }
}

function isScripted(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) && !('scheme' in arg && 'path' in arg);
}
