// The object activate() returns: the public API, backed by the same services as the UI.
import type * as vscode from 'vscode';
import type * as z from 'zod/mini';
import { lazySchemas } from '../../core/lazyZod';
import type { AiFunctionsApi, RowResult, RunRowsOptions } from '../../api';
import { AiFunctionsError } from '../../core/errors';
import { PLATFORM_IDS, type Credentials, type FunctionInfo, type Job, type Page, type PlatformId, type RunInput, type RunRequest, type RunResult } from '../../core/model';
import { can, decisionAnswer, hasJobs, type DecisionAnswer, type PendingDecision } from '../../platforms/types';
import { signalFromToken } from '../base/cancellation';
import { requireAbility, type Platforms } from '../base/platforms';
import type { RunService } from '../run';
import type { CredentialStore } from '../keys';
import type { Settings } from '../base/settings';

const schemas = lazySchemas((z) => {
  const platformSchema = z.enum(PLATFORM_IDS);
  return {
    platformSchema,
    runRequestSchema: z.object({
      platform: platformSchema,
      function: z.string(),
      input: z.union([z.string(), z.record(z.string(), z.unknown())]),
      options: z.optional(z.record(z.string(), z.unknown())),
    }),
    rowsRequestSchema: z.object({
      platform: platformSchema,
      function: z.string(),
      options: z.optional(z.record(z.string(), z.unknown())),
    }),
    rowsSchema: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])),
    rowsOptionsSchema: z.optional(z.object({ concurrency: z.optional(z.int().check(z.gte(1), z.lte(64))), token: z.optional(z.unknown()) })),
    pageSchema: z.optional(z.object({ limit: z.optional(z.number()), cursor: z.optional(z.string()) })),
    answerSchema: z.union([z.strictObject({ approved: z.boolean() }), z.strictObject({ input: z.string() })]),
    string: z.string(),
    optionalString: z.optional(z.string()),
  };
});

export class PublicApi implements AiFunctionsApi {
  readonly version = 1 as const;

  constructor(
    private readonly store: CredentialStore,
    private readonly platforms: Platforms,
    private readonly runs: RunService,
    private readonly settings: Settings,
  ) {}

  async setApiKey(platform: PlatformId, credentials: Credentials): Promise<void> {
    await this.store.set(checkPlatform(platform), credentials);
  }

  async clearApiKey(platform: PlatformId): Promise<void> {
    await this.store.delete(checkPlatform(platform));
  }

  listFunctions(platform: PlatformId): Promise<FunctionInfo[]> {
    return this.platforms[checkPlatform(platform)].listFunctions();
  }

  runFunction(req: RunRequest, token?: vscode.CancellationToken): Promise<RunResult> {
    const parsed = schemas().runRequestSchema.safeParse(req);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return Promise.reject(new Error(`runFunction: the request is not valid at \`${issue?.path.join('.') || 'request'}\`: ${issue?.message ?? 'invalid'}.`));
    }
    return this.runs.run(req, token);
  }

  async runRows(request: Omit<RunRequest, 'input'>, rows: readonly RunInput[], options?: RunRowsOptions): Promise<RowResult[]> {
    checked('runRows', schemas().rowsRequestSchema, request, 'request');
    checked('runRows', schemas().rowsSchema, rows, 'rows');
    checked('runRows', schemas().rowsOptionsSchema, options, 'options');
    const outcomes = await this.runs.runRows(request, rows, {
      concurrency: options?.concurrency ?? this.settings.concurrency(),
      signal: signalFromToken(options?.token),
    });
    return outcomes.map((outcome, index) => (outcome.ok ? { index, result: outcome.value } : { index, error: outcome.error }));
  }

  listJobs(platform: PlatformId, page?: { limit?: number; cursor?: string }): Promise<Page<Job>> {
    const parsed = schemas().pageSchema.safeParse(page);
    if (!parsed.success) return Promise.reject(new Error('listJobs: page must be { limit?: number, cursor?: string }.'));
    const adapter = this.platforms[checkPlatform(platform)];
    // A platform without jobs has none to list.
    return hasJobs(adapter) ? adapter.listJobs(parsed.data ?? {}) : Promise.resolve({ items: [] });
  }

  async getJob(platform: PlatformId, id: string): Promise<Job> {
    return requireAbility(this.platforms[checkPlatform(platform)], 'has no jobs', 'getJob').getJob(id);
  }

  async cancelJob(platform: PlatformId, id: string): Promise<Job> {
    const adapter = requireAbility(this.platforms[checkPlatform(platform)], 'jobs cannot be cancelled', 'cancelJob', 'getJob');
    await adapter.cancelJob(id);
    return adapter.getJob(id);
  }

  async answerInputRequest(platform: PlatformId, runId: string, answer: string, requestId?: string): Promise<void> {
    checked('answerInputRequest', schemas().string, runId, 'runId');
    checked('answerInputRequest', schemas().string, answer, 'answer');
    checked('answerInputRequest', schemas().optionalString, requestId, 'requestId');
    const adapter = requireAbility(this.platforms[checkPlatform(platform)], 'runs take no input', 'pendingDecisions', 'decide');
    const open = await adapter.pendingDecisions(runId);
    const decision = requestId === undefined ? open[0] : open.find((d) => d.id === requestId);
    if (!decision) throw new AiFunctionsError('invalidInput', `Run ${runId} is not waiting for ${requestId === undefined ? 'input' : `input request ${requestId}`}.`, { platform: adapter.id });
    const reply = decisionAnswer(decision, answer);
    if (!reply) throw new AiFunctionsError('invalidInput', `Run ${runId} waits for an approval of ${decision.kind === 'approval' && decision.function ? decision.function : 'a call'}: answer "approve" or "deny".`, { platform: adapter.id });
    await adapter.decide(runId, decision, reply);
  }

  async pendingDecisions(platform: PlatformId, runId: string): Promise<PendingDecision[]> {
    checked('pendingDecisions', schemas().string, runId, 'runId');
    const adapter = this.platforms[checkPlatform(platform)];
    // A platform whose runs never wait for a person has nothing pending.
    return can(adapter, 'pendingDecisions', 'decide') ? adapter.pendingDecisions(runId) : [];
  }

  async decide(platform: PlatformId, runId: string, decisionId: string, answer: DecisionAnswer): Promise<void> {
    checked('decide', schemas().string, runId, 'runId');
    checked('decide', schemas().string, decisionId, 'decisionId');
    checked('decide', schemas().answerSchema, answer, 'answer');
    const adapter = requireAbility(this.platforms[checkPlatform(platform)], 'runs take no input', 'pendingDecisions', 'decide');
    const decision = (await adapter.pendingDecisions(runId)).find((d) => d.id === decisionId);
    if (!decision) throw new AiFunctionsError('invalidInput', `Run ${runId} is not waiting for ${decisionId}.`, { platform: adapter.id });
    await adapter.decide(runId, decision, answer);
  }
}

function checked(method: string, schema: z.ZodMiniType, value: unknown, name: string): void {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${method}: ${name} is not valid at \`${[name, ...(issue?.path ?? [])].map(String).join('.')}\`: ${issue?.message ?? 'invalid'}.`);
  }
}

function checkPlatform(platform: unknown): PlatformId {
  const parsed = schemas().platformSchema.safeParse(platform);
  if (!parsed.success) throw new Error(`Unknown platform "${String(platform)}": use one of ${PLATFORM_IDS.join(', ')}.`);
  return parsed.data;
}
