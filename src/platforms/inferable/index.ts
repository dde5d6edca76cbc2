// Inferable: runs created from a message, polled to a result, answered when they ask for input.
export {
  InferableAdapter,
  DEFAULT_MAX_POLL_INTERVAL_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_RUN_TIMEOUT_MS,
  type CreateRunRequest,
  type InferableAdapterOptions,
  type InferableConfig,
} from './client';
export type { InferableRun, InferableRunJob, InferableRunStatus } from './mapping';
export type { Sleep, WaitOptions } from './polling';
export { INFERABLE } from './descriptor';
export { LazyInferableAdapter } from './lazy';
