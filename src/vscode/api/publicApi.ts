// The object activate() returns: the public API, backed by the same services as the UI.
import type * as vscode from 'vscode';
import type * as z from 'zod/mini';
import { lazySchemas } from '../../core/lazyZod';
import type { AiFunctionsApi, EvaluateFile, EvaluateOptions, EvaluateRow, EvaluationReport, RowResult, RunRowsOptions } from '../../api';
import type { EvaluateApiRequest } from '../evaluate';
import { AiFunctionsError } from '../../core/errors';
import { NOT_RUN_MESSAGE } from '../../core/rowOutcome';
import { PLATFORM_IDS, type Credentials, type FunctionInfo, type Job, type Page, type PlatformId, type RunInput, type RunRequest, type RunResult } from '../../core/model';
import { can, decisionAnswer, hasJobs, type DecisionAnswer, type PendingDecision } from '../../platforms/types';
import { signalFromToken } from '../base/cancellation';
import { requireAbility, type Platforms } from '../base/platforms';
import type { RunService } from '../run';
import type { CredentialStore } from '../keys';
import type { Settings } from '../base/settings';

// Built on first use (core/lazyZod.ts): activation loads no zod.
const schemas = lazySchemas((z) => {
  const platformSchema = z.enum(PLATFORM_IDS);
  const inputSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);
  const rowsRequestSchema = z.object({
    platform: platformSchema,
    function: z.string(),
    options: z.optional(z.record(z.string(), z.unknown())),
  });
  const concurrency = z.optional(z.int().check(z.gte(1), z.lte(64)));
  return {
    platformSchema,
    runRequestSchema: z.object({
      platform: platformSchema,
      function: z.string(),
      input: inputSchema,
      options: z.optional(z.record(z.string(), z.unknown())),
    }),
    rowsRequestSchema,
    rowSchema: inputSchema,
    rowsSchema: z.array(inputSchema),
    rowsOptionsSchema: z.optional(
      z.object({
        concurrency,
        token: z.optional(z.unknown()),
        onResult: z.optional(z.custom<(result: RowResult) => void>((v) => typeof v === 'function')),
        keepResults: z.optional(z.boolean()),
      }),
    ),
    evaluateRequestSchema: z.nullable(rowsRequestSchema),
    evaluateSourceSchema: z.union([
      z.array(z.object({ input: inputSchema, expected: z.string() })),
      z.object({ file: z.string().check(z.minLength(1)), labelColumn: z.string(), resultsColumn: z.optional(z.string()) }),
    ]),
    evaluateOptionsSchema: z.optional(z.object({ concurrency, token: z.optional(z.unknown()), show: z.optional(z.boolean()) })),
    pageSchema: z.optional(z.object({ limit: z.optional(z.number()), cursor: z.optional(z.string()) })),
    answerSchema: z.union([z.strictObject({ approved: z.boolean() }), z.strictObject({ input: z.string() })]),
    string: z.string(),
    optionalString: z.optional(z.string()),
  };
});

const isIterable = (value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value);

/** The rows of an iterable, each checked as it is read (an array is checked whole, up front). */
async function* checkedRows(rows: Iterable<unknown> | AsyncIterable<unknown>): AsyncGenerator<RunInput> {
  let index = 0;
  for await (const row of rows) {
    checked('runRows', schemas().rowSchema, row, `rows[${index++}]`);
    yield row as RunInput;
  }
}

export class PublicApi implements AiFunctionsApi {
  readonly version = 1 as const;

  constructor(
    private readonly store: CredentialStore,
    private readonly platforms: Platforms,
    private readonly runs: RunService,
    private readonly settings: Settings,
    /** Evaluate Function…'s own code (loaded on first use), shared with the command. */
    private readonly evaluator: (request: EvaluateApiRequest) => Promise<EvaluationReport>,
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

  async runRows(request: Omit<RunRequest, 'input'>, rows: Iterable<RunInput> | AsyncIterable<RunInput>, options?: RunRowsOptions): Promise<RowResult[]> {
    checked('runRows', schemas().rowsRequestSchema, request, 'request');
    if (Array.isArray(rows)) checked('runRows', schemas().rowsSchema, rows, 'rows');
    else if (!isIterable(rows)) throw new Error('runRows: rows is not valid at `rows`: expected an array, an iterable or an async iterable.');
    checked('runRows', schemas().rowsOptionsSchema, options, 'options');
    const keep = options?.keepResults !== false;
    const results: RowResult[] = [];
    // The same path as the UI's file runs: rows are pulled only as there is room to send them.
    await this.runs.streamRows(request, Array.isArray(rows) ? (rows as RunInput[]) : checkedRows(rows), {
      concurrency: options?.concurrency ?? this.settings.concurrency(),
      signal: signalFromToken(options?.token),
      onOutcome: (index, _input, outcome) => {
        const result: RowResult = outcome.ok ? { index, result: outcome.value } : { index, error: outcome.error };
        if (keep) results[index] = result;
        options?.onResult?.(result);
      },
    });
    if (!keep) return [];
    // An array's rows never sent (cancelled) still get their outcome, as before.
    const total = Array.isArray(rows) ? rows.length : results.length;
    for (let index = 0; index < total; index++) results[index] ??= { index, error: { kind: 'cancelled', message: NOT_RUN_MESSAGE } };
    return results;
  }

  async evaluate(request: Omit<RunRequest, 'input'> | null, source: readonly EvaluateRow[] | EvaluateFile, options?: EvaluateOptions): Promise<EvaluationReport> {
    checked('evaluate', schemas().evaluateRequestSchema, request, 'request');
    checked('evaluate', schemas().evaluateSourceSchema, source, 'source');
    checked('evaluate', schemas().evaluateOptionsSchema, options, 'options');
    const from: EvaluateApiRequest['source'] = Array.isArray(source) ? { rows: source as readonly EvaluateRow[] } : (source as EvaluateFile);
    return this.evaluator({
      ...(request ? { request: { platform: request.platform, function: request.function, ...(request.options ? { options: request.options } : {}) } } : {}),
      source: from,
      concurrency: options?.concurrency,
      token: options?.token,
      show: options?.show,
    });
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
    await this.runs.answer(adapter.id, runId, decision, reply);
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
    await this.runs.answer(adapter.id, runId, decision, answer);
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
