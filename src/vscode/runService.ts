// Runs a function for every caller (palette, tree, panel, Classify Selection, public API) and
// remembers it as recently used.
import type * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { PLATFORM_NAMES, type PlatformId, type RunRequest, type RunResult } from '../core/model';
import type { Capabilities, PlatformAdapter } from '../platforms/types';
import { signalFromToken } from './cancellation';
import type { RecentFunctions } from './recentFunctions';

export type Platforms = Readonly<Record<PlatformId, PlatformAdapter>>;

export class RunService {
  constructor(
    private readonly platforms: Platforms,
    private readonly recent: RecentFunctions,
    private readonly log: Logger,
  ) {}

  capabilities(platform: PlatformId): Capabilities {
    return this.platforms[platform].capabilities;
  }

  async run(request: RunRequest, token?: vscode.CancellationToken): Promise<RunResult> {
    const adapter = this.platforms[request.platform];
    const started = Date.now();
    try {
      const result = await adapter.run(request, signalFromToken(token));
      this.log.info(`Ran ${PLATFORM_NAMES[request.platform]} ${request.function || '(auto)'} in ${Date.now() - started} ms`);
      await this.recent.record(request.platform, request.function);
      return result;
    } catch (error) {
      this.log.warn(`Run of ${PLATFORM_NAMES[request.platform]} ${request.function || '(auto)'} failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }
}
