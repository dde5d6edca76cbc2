// The runs the panel knows: the latest results in memory, with the raw replies that copy, insert
// and open raw need, and the recent runs kept across restarts. Results older than the memory
// holds are still found in the recent runs (whose raw reply may have been dropped to fit).
import { randomBytes } from 'node:crypto';
import type { HostMessage, ResultView } from '../../shared/panelProtocol';
import type { NewRecentRun, RecentRun, RecentRuns } from './recentRuns';

export interface StoredResult {
  view: ResultView;
  raw?: unknown;
}

const MAX_KEPT_RESULTS = 100;

export class RunHistory {
  private readonly kept = new Map<string, StoredResult>();

  constructor(
    private readonly recentRuns: RecentRuns,
    private readonly post: (message: HostMessage) => void,
  ) {}

  keep(runId: string, result: StoredResult): void {
    this.kept.set(runId, result);
    if (this.kept.size > MAX_KEPT_RESULTS) this.kept.delete(this.kept.keys().next().value as string);
  }

  result(runId: string): StoredResult | undefined {
    const kept = this.kept.get(runId);
    if (kept) return kept;
    const recent = this.recentRuns.get(runId)?.result;
    return recent ? { view: recent.view, raw: recent.raw } : undefined;
  }

  recent(id: string): RecentRun | undefined {
    return this.recentRuns.get(id);
  }

  /** Adds a recent run and shows the webview the new list. */
  async record(run: NewRecentRun): Promise<void> {
    await this.recentRuns.add(run);
    this.postRecentRuns();
  }

  async clear(): Promise<void> {
    await this.recentRuns.clear();
    this.postRecentRuns();
  }

  private postRecentRuns(): void {
    this.post({ type: 'recentRuns', runs: this.recentRuns.summaries() });
  }
}

/** An id for a run the host starts (the webview's own start with `w`). */
export function newRunId(): string {
  return `r${randomBytes(9).toString('hex')}`;
}

