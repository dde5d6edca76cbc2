// Runs a function for every caller (palette, tree, panel, Classify Selection, public API) and
// remembers it as recently used.
import { messageOf } from '../../core/errors';
import type * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { type PlatformId, type RunInput, type RunRequest, type RunResult } from '../../core/model';
import { runRows, type RowOutcome, type RowProgress } from '../../core/rowRunner';
import type { ApprovalRequest, DecisionAnswer, PendingDecision, PlatformDescriptor } from '../../platforms/types';
import { requireAbility, type Platforms } from '../base/platforms';
import { signalFromToken } from '../base/cancellation';
import type { RecentFunctions } from './recentFunctions';

/** A decision sent to a platform: the run it belongs to. */
export interface DecisionSent {
  platform: PlatformId;
  runId: string;
}

export class RunService {
  private readonly decisionListeners = new Set<(sent: DecisionSent) => void>();

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

  // ---- runs that wait on a person (approvals and input requests): the Jobs view, the run panel

  /** Hears every decision sent, from anywhere (the Jobs view forgets the run's old decisions). */
  onDidDecide(listener: (sent: DecisionSent) => void): { dispose(): void } {
    this.decisionListeners.add(listener);
    return { dispose: () => this.decisionListeners.delete(listener) };
  }

  /** What the run waits on a person for, read from the platform now. */
  async pendingDecisions(platform: PlatformId, runId: string, signal?: AbortSignal): Promise<PendingDecision[]> {
    return requireAbility(this.platforms[platform], 'runs ask for no decisions', 'pendingDecisions').pendingDecisions(runId, signal);
  }

  /** Sends the answer to one decision of the run; the run then goes on. */
  async answer(platform: PlatformId, runId: string, decision: PendingDecision, answer: DecisionAnswer, signal?: AbortSignal): Promise<void> {
    const adapter = requireAbility(this.platforms[platform], 'runs ask for no decisions', 'decide');
    await adapter.decide(runId, decision, answer, signal);
    this.log.info(`Answered ${'approved' in answer ? (answer.approved ? 'approve' : 'deny') : 'input'} to ${decision.kind} ${decision.id} of ${adapter.descriptor.displayName} run ${runId}`);
    for (const listener of this.decisionListeners) listener({ platform, runId });
  }

  /**
   * Approves or denies the approval `decisionId` of the run. The approval is read again from the
   * platform (the caller's copy is not trusted); undefined when the run no longer waits for it.
   */
  async approve(platform: PlatformId, runId: string, decisionId: string, approved: boolean, signal?: AbortSignal): Promise<ApprovalRequest | undefined> {
    const pending = await this.pendingDecisions(platform, runId, signal);
    const decision = pending.find((d): d is ApprovalRequest => d.kind === 'approval' && d.id === decisionId);
    if (!decision) return undefined;
    await this.answer(platform, runId, decision, { approved }, signal);
    return decision;
  }

  /** Waits for a run that went on after a decision; its result as `run` gives it. */
  async awaitRun(platform: PlatformId, runId: string, fn: string, token?: vscode.CancellationToken): Promise<RunResult> {
    const adapter = requireAbility(this.platforms[platform], 'runs cannot be waited for', 'awaitRun');
    return adapter.awaitRun(runId, fn, signalFromToken(token));
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
