// The Sutro adapter as the extension builds it at activation: the descriptor and the key's
// deployment are answered at once (endpoints.ts), everything that talks to Sutro loads the real
// adapter (client.ts, with its schemas, mapping and the results file code) on first use, from a
// bundle of its own (dist/sutro.js, see LAZY_ADAPTERS in esbuild.mjs). Activation never loads it.
import { LazyAdapter } from '../lazyAdapter';
import type { Job, Page, PageRequest } from '../../core/model';
import type { JobResults } from '../types';
import type { SutroAdapter, SutroAdapterOptions } from './client';
import { SUTRO } from './descriptor';
import { deploymentUrlProblem, endpointsOf } from './endpoints';

export class LazySutroAdapter extends LazyAdapter<SutroAdapter> {
  readonly id = 'sutro' as const;
  readonly descriptor = SUTRO;

  constructor(private readonly options: SutroAdapterOptions) {
    super(options, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
      const { SutroAdapter: Adapter } = require('./client') as typeof import('./client');
      return new Adapter(options);
    });
  }

  keyBinding(): string {
    return endpointsOf(this.options.config()).keyOrigin;
  }

  endpointProblem(raw: string): string | undefined {
    return deploymentUrlProblem(raw);
  }

  async listJobs(page?: PageRequest, signal?: AbortSignal): Promise<Page<Job>> {
    return (await this.loader.get()).listJobs(page, signal);
  }

  async getJob(id: string, signal?: AbortSignal): Promise<Job> {
    return (await this.loader.get()).getJob(id, signal);
  }

  async cancelJob(id: string, signal?: AbortSignal): Promise<void> {
    return (await this.loader.get()).cancelJob(id, signal);
  }

  async jobResults(id: string, signal?: AbortSignal, progress?: (message: string) => void): Promise<JobResults> {
    return (await this.loader.get()).jobResults(id, signal, progress);
  }

  async submitBatch(functionName: string, rows: Record<string, unknown>[], name?: string, signal?: AbortSignal): Promise<string> {
    return (await this.loader.get()).submitBatch(functionName, rows, name, signal);
  }

  async estimateBatchCost(functionName: string, rows: Record<string, unknown>[], signal?: AbortSignal): Promise<number | undefined> {
    return (await this.loader.get()).estimateBatchCost(functionName, rows, signal);
  }
}
