// The Inferable adapter as the extension builds it at activation: the descriptor is answered at
// once, and the real adapter (client.ts, with its schemas, mapping and both API generations) is
// loaded on first use from a bundle of its own (dist/inferable.js; see LAZY_ADAPTERS in
// esbuild.mjs). Activation never loads it. It declares exactly the abilities InferableAdapter has.
import type { FunctionInfo, Job, Page, PageRequest, RunRequest, RunResult } from '../../core/model';
import type { DecisionAnswer, PendingDecision, PlatformAdapter } from '../types';
import type { InferableAdapter, InferableAdapterOptions } from './client';
import { INFERABLE } from './descriptor';

export class LazyInferableAdapter implements PlatformAdapter {
  readonly id = 'inferable' as const;
  readonly descriptor = INFERABLE;
  private adapter: InferableAdapter | undefined;

  constructor(private readonly options: InferableAdapterOptions) {}

  private load(): InferableAdapter {
    if (!this.adapter) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      const { InferableAdapter: Adapter } = require('./client') as typeof import('./client');
      this.adapter = new Adapter(this.options);
    }
    return this.adapter;
  }

  async listFunctions(signal?: AbortSignal): Promise<FunctionInfo[]> {
    return this.load().listFunctions(signal);
  }

  async run(request: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    return this.load().run(request, signal);
  }

  async listJobs(page?: PageRequest, signal?: AbortSignal): Promise<Page<Job>> {
    return this.load().listJobs(page, signal);
  }

  async getJob(id: string, signal?: AbortSignal): Promise<Job> {
    return this.load().getJob(id, signal);
  }

  async pendingDecisions(jobId: string, signal?: AbortSignal): Promise<PendingDecision[]> {
    return this.load().pendingDecisions(jobId, signal);
  }

  async decide(jobId: string, decision: PendingDecision, answer: DecisionAnswer, signal?: AbortSignal): Promise<void> {
    return this.load().decide(jobId, decision, answer, signal);
  }
}
