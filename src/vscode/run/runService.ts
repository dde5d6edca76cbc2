// Runs a function for every caller (palette, tree, panel, Classify Selection, public API) and
// remembers it as recently used.
import { messageOf } from '../../core/errors';
import type * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { type PlatformId, type RunInput, type RunRequest, type RunResult } from '../../core/model';
import { runRows, type RowOutcome, type RowProgress } from '../../core/rowRunner';
import type { PlatformDescriptor } from '../../platforms/types';
import type { Platforms } from '../base/platforms';
import { signalFromToken } from '../base/cancellation';
import type { RecentFunctions } from './recentFunctions';

export class RunService {
  constructor(
    private readonly platforms: Platforms,
    private readonly recent: RecentFunctions,
    private readonly log: Logger,
  ) {}

  descriptor(platform: PlatformId): PlatformDescriptor {
    return this.platforms[platform].descriptor;
  }

  /**
   * One function over many rows (Run Function on Each Line, the public API): every row gets
   * exactly one outcome, in input order. At most `concurrency` rows (and never more than the
   * platform allows) are in flight; each request is retried only by the HttpClient, under the
   * platform's retry rules.
   */
  async runRows(
    request: Omit<RunRequest, 'input'>,
    inputs: readonly RunInput[],
    options: { concurrency: number; signal?: AbortSignal; onProgress?: (progress: RowProgress) => void },
  ): Promise<RowOutcome<RunResult>[]> {
    const adapter = this.platforms[request.platform];
    const concurrency = Math.max(1, Math.min(options.concurrency, adapter.descriptor.limits.maxInFlight ?? options.concurrency));
    const outcomes = await runRows(inputs, (input, _index, signal) => adapter.run({ ...request, input }, signal), {
      concurrency,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    if (outcomes.some((outcome) => outcome.ok)) await this.recent.record(request.platform, request.function);
    return outcomes;
  }

  async run(request: RunRequest, token?: vscode.CancellationToken): Promise<RunResult> {
    const adapter = this.platforms[request.platform];
    const started = Date.now();
    try {
      const result = await adapter.run(request, signalFromToken(token));
      this.log.info(`Ran ${adapter.descriptor.displayName} ${request.function || '(auto)'} in ${Date.now() - started} ms`);
      await this.recent.record(request.platform, request.function);
      return result;
    } catch (error) {
      this.log.warn(`Run of ${adapter.descriptor.displayName} ${request.function || '(auto)'} failed: ${messageOf(error)}`);
      throw error;
    }
  }
}
