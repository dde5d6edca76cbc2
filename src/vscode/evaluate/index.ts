// Evaluate Function…: only the facade; the feature is its own bundle (dist/evaluate.js), loaded on first use.
export { LazyEvaluate } from './lazyEvaluate';
export type { EvaluateApiRequest, EvaluateDeps } from './evaluation';
export type { EvaluationJob, EvaluationRunner, EvaluationRunOutput } from './evaluationRunner';
