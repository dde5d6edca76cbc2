// Runs a function for every caller (palette, tree, panel, Classify Selection, public API) and
// remembers it as recently used.
import { messageOf } from '../../core/errors';
import type * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { type PlatformId, type RunInput, type RunRequest, type RunResult } from '../../core/model';
import type { RowOutcome, RowTask } from '../../core/rowOutcome';
import { runRows, type RowProgress } from '../../core/rowRunner';
import { runStream } from '../../core/rowFiles/stream';
import type { ApprovalRequest, DecisionAnswer, PendingDecision, PlatformDescriptor } from '../../platforms/types';
import { requireAbility, type Platforms } from '../base/platforms';
import { signalFromToken } from '../base/cancellation';
import type { RecentFunctions } from './recentFunctions';

/** A decision sent to a platform: the run it belongs to. */
export interface DecisionSent {
  platform: PlatformId;
  runId: string;
}

/** What recent runs of a function measured: the basis of a large run's estimate. */
export interface RecentMeasures {
  /** Runs measured (at most MEASURED_RUNS). */
  runs: number;
  /** Median duration of one run, in ms. */
  medianMs?: number;
  /** Mean cost of one run in USD, when the platform reported costs. */
  costUsd?: number;
}

/** Recent results kept per function for estimates. */
const MEASURED_RUNS = 50;

export class RunService {
  private readonly decisionListeners = new Set<(sent: DecisionSent) => void>();
  private readonly measures = new Map<string, { durations: number[]; costs: number[] }>();

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
    const concurrency = this.concurrency(request.platform, options.concurrency);
    const outcomes = await runRows(inputs, this.task(request), {
      concurrency,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    if (outcomes.some((outcome) => outcome.ok)) await this.recent.record(request.platform, request.function);
    return outcomes;
  }

  /**
   * One function over rows that come one by one (an iterable, possibly endless or async): at most
   * `concurrency` in flight, each outcome handed to `onOutcome` as its row finishes. Nothing holds
   * the rows or the outcomes, so memory stays flat. `stop` stops taking rows; `signal` aborts.
   */
  async streamRows(
    request: Omit<RunRequest, 'input'>,
    inputs: Iterable<RunInput> | AsyncIterable<RunInput>,
    options: { concurrency: number; signal?: AbortSignal; stop?: AbortSignal; onOutcome: (index: number, input: RunInput, outcome: RowOutcome<RunResult>) => void },
  ): Promise<void> {
    let succeeded = false;
    await runStream(inputs, this.task(request), {
      concurrency: this.concurrency(request.platform, options.concurrency),
      signal: options.signal,
      stop: options.stop,
      onOutcome: (index, input, outcome) => {
        succeeded ||= outcome.ok;
        options.onOutcome(index, input, outcome);
      },
    });
    if (succeeded) await this.recent.record(request.platform, request.function);
  }

  /**
   * One row through the adapter, measured for estimates: the task a file run (core/rowFiles) sends
   * each row with. Call `recordRecent` once the run has sent rows.
   */
  rowTask(request: Omit<RunRequest, 'input'>): (input: RunInput, signal: AbortSignal) => Promise<RunResult> {
    const task = this.task(request);
    return (input, signal) => task(input, 0, signal);
  }

  /** Records the function as recently used (the function picker lists it first). */
  async recordRecent(platform: PlatformId, fn: string): Promise<void> {
    await this.recent.record(platform, fn);
  }

  /** Recent measures of a function in this window (durations and costs of its last runs). */
  recentMeasures(platform: PlatformId, fn: string): RecentMeasures {
    const m = this.measures.get(`${platform}/${fn}`);
    if (!m || m.durations.length === 0) return { runs: 0 };
    const sorted = [...m.durations].sort((a, b) => a - b);
    const costUsd = m.costs.length > 0 ? m.costs.reduce((a, b) => a + b, 0) / m.costs.length : undefined;
    return { runs: sorted.length, medianMs: sorted[Math.floor(sorted.length / 2)], ...(costUsd === undefined ? {} : { costUsd }) };
  }

  /** At least 1, never above what the platform allows in flight. */
  concurrency(platform: PlatformId, wanted: number): number {
    return Math.max(1, Math.min(wanted, this.platforms[platform].descriptor.limits.maxInFlight ?? wanted));
  }

  /** Runs one row through the adapter, measuring it. */
  private task(request: Omit<RunRequest, 'input'>): RowTask<RunInput, RunResult> {
    const adapter = this.platforms[request.platform];
    return async (input, _index, signal) => {
      const result = await adapter.run({ ...request, input }, signal);
      this.measure(request.platform, request.function, result);
      return result;
    };
  }

  private measure(platform: PlatformId, fn: string, result: RunResult): void {
    const key = `${platform}/${fn}`;
    let m = this.measures.get(key);
    if (!m) this.measures.set(key, (m = { durations: [], costs: [] }));
    m.durations.push(result.durationMs);
    if (m.durations.length > MEASURED_RUNS) m.durations.shift();
    if (result.usage?.costUsd !== undefined) {
      m.costs.push(result.usage.costUsd);
      if (m.costs.length > MEASURED_RUNS) m.costs.shift();
    }
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
      this.measure(request.platform, request.function, result);
      this.log.info(`Ran ${adapter.descriptor.displayName} ${request.function || '(auto)'} in ${Date.now() - started} ms`);
      await this.recent.record(request.platform, request.function);
      return result;
    } catch (error) {
      this.log.warn(`Run of ${adapter.descriptor.displayName} ${request.function || '(auto)'} failed: ${messageOf(error)}`);
      throw error;
    }
  }
}
