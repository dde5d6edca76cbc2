// The object activate() returns: the public API, backed by the same services as the UI.
import type * as vscode from 'vscode';
import * as z from 'zod/mini';
import type { AiFunctionsApi } from '../api';
import { PLATFORM_IDS, type Credentials, type FunctionInfo, type Job, type Page, type PlatformId, type RunRequest, type RunResult } from '../core/model';
import type { Platforms, RunService } from './runService';
import type { CredentialStore } from './secrets';

const platformSchema = z.enum(PLATFORM_IDS);

const runRequestSchema = z.object({
  platform: platformSchema,
  function: z.string(),
  input: z.union([z.string(), z.record(z.string(), z.unknown())]),
  options: z.optional(z.record(z.string(), z.unknown())),
});

const pageSchema = z.optional(z.object({ limit: z.optional(z.number()), cursor: z.optional(z.string()) }));

export class PublicApi implements AiFunctionsApi {
  readonly version = 1 as const;

  constructor(
    private readonly store: CredentialStore,
    private readonly platforms: Platforms,
    private readonly runs: RunService,
  ) {}

  async setApiKey(platform: PlatformId, credentials: Credentials): Promise<void> {
    await this.store.set(checkPlatform(platform), credentials);
  }

  listFunctions(platform: PlatformId): Promise<FunctionInfo[]> {
    return this.platforms[checkPlatform(platform)].listFunctions();
  }

  runFunction(req: RunRequest, token?: vscode.CancellationToken): Promise<RunResult> {
    const parsed = runRequestSchema.safeParse(req);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return Promise.reject(new Error(`runFunction: the request is not valid at \`${issue?.path.join('.') || 'request'}\`: ${issue?.message ?? 'invalid'}.`));
    }
    return this.runs.run(req, token);
  }

  listJobs(platform: PlatformId, page?: { limit?: number; cursor?: string }): Promise<Page<Job>> {
    const parsed = pageSchema.safeParse(page);
    if (!parsed.success) return Promise.reject(new Error('listJobs: page must be { limit?: number, cursor?: string }.'));
    return this.platforms[checkPlatform(platform)].listJobs(parsed.data ?? {});
  }

  getJob(platform: PlatformId, id: string): Promise<Job> {
    return this.platforms[checkPlatform(platform)].getJob(id);
  }
}

function checkPlatform(platform: unknown): PlatformId {
  const parsed = platformSchema.safeParse(platform);
  if (!parsed.success) throw new Error(`Unknown platform "${String(platform)}": use one of ${PLATFORM_IDS.join(', ')}.`);
  return parsed.data;
}
