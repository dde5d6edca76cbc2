// The Inferable adapter as the extension builds it at activation: the descriptor is answered at
// once, and the real adapter (client.ts, with its schemas, mapping and both API generations) is
// loaded on first use from a bundle of its own (dist/inferable.js; see LAZY_ADAPTERS in
// esbuild.mjs). Activation never loads it. It declares exactly the abilities InferableAdapter has.
import { LazyAdapter } from '../lazyAdapter';
import type { Job, Page, PageRequest, RunResult } from '../../core/model';
import type { DecisionAnswer, PendingDecision } from '../types';
import type { InferableAdapter, InferableAdapterOptions } from './client';
import { INFERABLE } from './descriptor';

export class LazyInferableAdapter extends LazyAdapter<InferableAdapter> {
  readonly id = 'inferable' as const;
  readonly descriptor = INFERABLE;

  constructor(options: InferableAdapterOptions) {
    super(options, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      const { InferableAdapter: Adapter } = require('./client') as typeof import('./client');
      return new Adapter(options);
    });
  }

  async listJobs(page?: PageRequest, signal?: AbortSignal): Promise<Page<Job>> {
    return (await this.loader.get()).listJobs(page, signal);
  }

  async getJob(id: string, signal?: AbortSignal): Promise<Job> {
    return (await this.loader.get()).getJob(id, signal);
  }

  async pendingDecisions(jobId: string, signal?: AbortSignal): Promise<PendingDecision[]> {
    return (await this.loader.get()).pendingDecisions(jobId, signal);
  }

  async decide(jobId: string, decision: PendingDecision, answer: DecisionAnswer, signal?: AbortSignal): Promise<void> {
    return (await this.loader.get()).decide(jobId, decision, answer, signal);
  }

  async awaitRun(runId: string, fn: string, signal?: AbortSignal): Promise<RunResult> {
    return (await this.loader.get()).awaitRun(runId, fn, signal);
  }
}
